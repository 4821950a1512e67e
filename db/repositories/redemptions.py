"""Campaign redemptions looked up by their Redis reservation (for the cap sweeper)."""

from __future__ import annotations

from db.models.promotions import CampaignRedemption
from db.repositories.promotions import CONFIRMED, HELD, RETURNED
from domain.promotions.caps import CapTake


async def confirmed_takes(rid: str) -> tuple[int | None, list[CapTake]]:
    """(subscriber id, what was taken) of the CONFIRMED redemptions under reservation `rid`."""
    rows = await CampaignRedemption.filter(reservation_id=rid, state=CONFIRMED)
    takes = [CapTake(r.campaign_id, r.units, r.discount_fen) for r in rows]  # type: ignore[attr-defined]
    return (rows[0].subscriber_id if rows else None), takes  # type: ignore[attr-defined]


async def return_held_of(rid: str) -> int:
    return await CampaignRedemption.filter(reservation_id=rid, state=HELD).update(state=RETURNED)


async def move_reservation(rid: str, to: str) -> None:
    await CampaignRedemption.filter(reservation_id=rid).update(reservation_id=to)
