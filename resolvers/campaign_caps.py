"""The life of a campaign-cap reservation around an order (semantics: `domain.promotions.caps`).

    rid = await hold(ctx, reservation_id(order_id), subscriber_id, quote, now)  # before the txn
    try:   commit the order (recording `repo.record_redemptions` in its transaction)
    except: await cancel(ctx, rid, now); raise
    await confirm(ctx, rid, subscriber_id, quote, now)                         # after commit

- `hold` reserves, atomically in Redis, what the quote takes from every capped campaign it
  applies (`takes_for`): units nationwide, the subscriber's units, budget fen. A refusal is the
  userError CAP_REACHED: the customer was shown a discount that has just run out, so nothing is
  ordered or charged and they are told to quote again (we never charge a higher price than the
  one they accepted, and never give a discount past its cap).
- Orders paid at once (packPurchase) and scheduled changes (bundleOrder, planChange: the
  commitment is made when ordered) confirm right after their commit. Orders that wait for a
  payment (flash sales) keep the hold, confirm when paid, and the sweeper EXPIREs the hold (and
  marks a PENDING_PAYMENT order EXPIRED) after 15 minutes.
- Recharges (`rechargeCreate`, auto-recharge) hold under `payment:<id>` for the payment's life
  (30 minutes) with HELD redemptions (`payment_held`); the provider's success callback confirms
  (`payment_paid`: the stats count it), a failure gives back (`payment_closed`), and an unpaid
  one lapses through the sweeper. A recharge whose hold is refused is priced once more (the
  discount that ran out now says CAP_REACHED) rather than refused: the payer sees the payable
  amount at the cashier before paying (`hold_or_reprice`).
- A scheduled change superseded (or cancelled) before it takes effect gives its units back:
  its redemptions leave the committed counts in the superseding transaction (RELEASING), then
  `release` runs the RELEASE script (CONFIRMED -> RELEASED) and marks them RELEASED.
- A confirmation refused because the hold lapsed (the commit took over 15 minutes, or the
  process died between commit and confirm and the sweeper expired it) re-takes the units
  without caps under `<rid>:late`: the order is committed, so the counters must count it.
- `resolvers.cap_sweeper.sweep` (CLI `telehall promotions sweep`, and lazily from `hold`)
  expires lapsed holds and finishes releases that a crash left half done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from db.repositories import promotions as repo
from db.stores.reservations import CountersNotLoaded, Take
from domain.errors import DomainError, fail
from domain.payments import PAYMENT_TTL_SECONDS
from domain.pricing import Quote
from domain.promotions.cap_refs import ms, order_of, payment_ref, ref_of, reservation_id
from domain.promotions.caps import HOLD, CapTake, ReservationState, takes_for
from domain.promotions.model import Caps
from resolvers import promotion_index
from resolvers.cap_sweeper import lazy_sweep, release, retake_late, sweep
from resolvers.context import Services

PAYMENT_HOLD = timedelta(seconds=PAYMENT_TTL_SECONDS)


async def caps_of(services: Services, ids: Sequence[str], now: datetime) -> dict[str, Caps]:
    loaded = await promotion_index.active_campaigns(services, now)
    found = {cid: loaded.by_id[cid].caps for cid in ids if cid in loaded.by_id}
    missing = [cid for cid in ids if cid not in found]
    for campaign in await repo.campaigns_by_ids(missing):
        found[campaign.id] = campaign.caps
    return found


def _store_takes(takes: Sequence[CapTake], caps: dict[str, Caps]) -> list[Take]:
    out = []
    for t in takes:
        c = caps.get(t.campaign_id, Caps())
        out.append(
            Take(
                t.campaign_id, t.units, t.budget_fen, c.units_total, c.per_subscriber, c.budget_fen
            )
        )
    return out


async def hold(
    services: Services,
    rid: str,
    subscriber_id: int,
    quote: Quote,
    now: datetime,
    hold_for: timedelta = HOLD,
) -> str | None:
    """Reserve what an order on `quote` takes; None when it takes nothing capped."""
    takes = takes_for(quote)
    if not takes:
        return None
    await lazy_sweep(services, now)
    caps = await caps_of(services, [t.campaign_id for t in takes], now)
    store = services.stores.campaign_caps
    now_ms = ms(now)
    hold_ms = int(hold_for.total_seconds() * 1000)
    store_takes = _store_takes(takes, caps)
    for _ in range(len(store_takes) + 1):
        try:
            refused = await store.reserve(
                rid, str(subscriber_id), store_takes, now_ms, now_ms + hold_ms
            )
            break
        except CountersNotLoaded as missing:
            # Redis lost this campaign's counters: rebuild them from the database, then take
            await load_campaign(services, missing.name)
    else:  # pragma: no cover - every family was loaded above, so a retry reserved
        raise RuntimeError("campaign counters would not load")
    if refused is not None:
        name = next((a.name for a in quote.applied if a.campaign_id == refused), refused)
        raise fail(
            "CAP_REACHED",
            f"「{name}」 has just reached its limit, so its discount is gone: nothing was ordered "
            "or charged. Quote again to see the current price.",
            None,
        )
    return rid


async def confirm(
    services: Services, rid: str | None, subscriber_id: int, quote: Quote, now: datetime
) -> None:
    if rid is None:
        return
    store = services.stores.campaign_caps
    state = await store.settle(rid, "CONFIRM", ms(now))
    if state == "CONFIRMED":
        await store.keep_confirmed(rid)
        return
    await retake_late(services, rid, subscriber_id, takes_for(quote), now)


async def hold_or_reprice(
    services: Services,
    rid: str,
    subscriber_id: int,
    quote: Quote,
    now: datetime,
    reprice: Callable[[], Awaitable[Quote]],
    hold_for: timedelta = HOLD,
) -> tuple[Quote, str | None]:
    """`hold`, and when a cap ran out since `quote` was made, price once more (the campaign is
    then rejected CAP_REACHED) and hold that; CAP_REACHED only if that is refused too."""
    try:
        return quote, await hold(services, rid, subscriber_id, quote, now, hold_for)
    except DomainError as error:
        if error.code != "CAP_REACHED":
            raise
    quote = await reprice()
    return quote, await hold(services, rid, subscriber_id, quote, now, hold_for)


async def cancel(services: Services, rid: str | None, now: datetime) -> None:
    if rid is not None:
        await services.stores.campaign_caps.settle(rid, "CANCEL", ms(now))


# --- recharge payments ----------------------------------------------------------------------


async def payment_held(
    payment_id: UUID | str, subscriber_id: int, quote: Quote, rid: str | None
) -> None:
    """After the payment row is created: what it will take, HELD until it is paid."""
    if not quote.applied:
        return
    async with in_transaction() as conn:
        await repo.record_redemptions(
            conn,
            payment_ref(payment_id),
            None,
            subscriber_id,
            quote,
            rid,
            state=ReservationState.HELD,
        )


async def payment_paid(
    services: Services, payment_id: UUID | str, subscriber_id: int, now: datetime
) -> None:
    """After the success callback credited the balance: the redemptions count, the hold is
    confirmed (re-taken without caps if it lapsed: the payer paid the discounted amount)."""
    async with in_transaction() as conn:
        rows = await repo.confirm_held(conn, payment_ref(payment_id))
    rid = next((r.reservation_id for r in rows if r.reservation_id), None)
    if rid is None:
        return
    store = services.stores.campaign_caps
    if await store.settle(rid, "CONFIRM", ms(now)) == "CONFIRMED":
        await store.keep_confirmed(rid)
        return
    takes = [
        CapTake(r.campaign_id, r.units, r.discount_fen)  # type: ignore[attr-defined]
        for r in rows
        if r.reservation_id == rid
    ]
    await retake_late(services, rid, subscriber_id, takes, now)


async def payment_closed(services: Services, payment_id: UUID | str, now: datetime) -> None:
    """The payment failed: give its hold back."""
    ref = payment_ref(payment_id)
    await cancel(services, ref, now)
    await repo.return_held(ref)


async def load_campaign(services: Services, campaign_id: str) -> bool:
    """Rebuild one campaign's cap counters from the database (a Redis that lost them, at run
    time or at start-up); safe to run from many workers at once (the LOAD script decides)."""
    takes = await repo.committed_takes([campaign_id])
    return await services.stores.campaign_caps.load_from(campaign_id, takes)


async def restore_counters(services: Services) -> int:
    """At start-up: rebuild the cap counters of every campaign with takes from the database,
    so a restart never lets a cap or a per-subscriber limit be taken again; any other campaign
    is rebuilt on its first reservation (RESERVE fails closed until then)."""
    return await services.stores.campaign_caps.restore(set(), await repo.committed_takes())


__all__ = [
    "cancel",
    "confirm",
    "hold",
    "hold_or_reprice",
    "load_campaign",
    "order_of",
    "payment_closed",
    "payment_held",
    "payment_paid",
    "payment_ref",
    "ref_of",
    "release",
    "reservation_id",
    "restore_counters",
    "sweep",
]
