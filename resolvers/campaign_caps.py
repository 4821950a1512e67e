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
- `sweep` (CLI `telehall promotions sweep`, and lazily from `hold`) expires lapsed holds and
  finishes releases that a crash left half done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from db.models.orders import Order
from db.models.promotions import CampaignRedemption
from db.repositories import promotions as repo
from db.stores.reservations import Take
from domain.calendar import as_utc
from domain.errors import DomainError, fail
from domain.orders import OrderStatus
from domain.payments import PAYMENT_TTL_SECONDS
from domain.pricing import Quote
from domain.promotions.caps import HOLD, CapTake, takes_for
from domain.promotions.model import Caps
from domain.promotions.schedule import micros
from resolvers import promotion_index
from resolvers.context import Services

LAZY_SWEEP_EVERY = timedelta(seconds=30)
PAYMENT_HOLD = timedelta(seconds=PAYMENT_TTL_SECONDS)
CLOSED_WITHOUT_EFFECT = (
    OrderStatus.SUPERSEDED,
    OrderStatus.CANCELLED,
    OrderStatus.EXPIRED,
    OrderStatus.FAILED,
)
_last_sweep: dict[str, datetime] = {}


def ms(instant: datetime) -> int:
    return micros(instant) // 1000


def reservation_id(order_id: UUID | str) -> str:
    return f"order:{order_id}"


def payment_ref(payment_id: UUID | str) -> str:
    return f"payment:{payment_id}"


def ref_of(rid: str) -> tuple[str, str | None]:
    """("order" | "payment", id) of a reservation id (a `:late` suffix is ignored)."""
    kind, _, rest = rid.partition(":")
    return kind, (rest.split(":", 1)[0] or None)


def order_of(rid: str) -> str | None:
    kind, ident = ref_of(rid)
    return ident if kind == "order" else None


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
    refused = await store.reserve(
        rid, str(subscriber_id), _store_takes(takes, caps), now_ms, now_ms + hold_ms
    )
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
    await _retake_late(services, rid, subscriber_id, takes_for(quote), now)


async def _retake_late(
    services: Services, rid: str, subscriber_id: int, takes: Sequence[CapTake], now: datetime
) -> None:
    """The order committed but its hold is gone: count its units anyway (no cap check)."""
    store = services.stores.campaign_caps
    late = f"{rid}:late"
    now_ms = ms(now)
    uncapped = [Take(t.campaign_id, t.units, t.budget_fen) for t in takes]
    await store.reserve(late, str(subscriber_id), uncapped, now_ms, now_ms + 60_000)
    await store.settle(late, "CONFIRM", now_ms)
    await store.keep_confirmed(late)
    await CampaignRedemption.filter(reservation_id=rid).update(reservation_id=late)


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


async def release(services: Services, rids: Sequence[str]) -> None:
    """Give confirmed reservations back in Redis (their redemptions are already RELEASING)."""
    store = services.stores.campaign_caps
    for rid in rids:
        await store.release(rid)
    await repo.mark_released(rids)


# --- recharge payments ----------------------------------------------------------------------


async def payment_held(
    payment_id: UUID | str, subscriber_id: int, quote: Quote, rid: str | None
) -> None:
    """After the payment row is created: what it will take, HELD until it is paid."""
    if not quote.applied:
        return
    async with in_transaction() as conn:
        await repo.record_redemptions(
            conn, payment_ref(payment_id), None, subscriber_id, quote, rid, state=repo.HELD
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
    await _retake_late(services, rid, subscriber_id, takes, now)


async def payment_closed(services: Services, payment_id: UUID | str, now: datetime) -> None:
    """The payment failed: give its hold back."""
    ref = payment_ref(payment_id)
    await cancel(services, ref, now)
    await repo.return_held(ref)


# --- sweeping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    expired: int = 0  # lapsed holds given back
    orders_expired: int = 0  # PENDING_PAYMENT orders marked EXPIRED
    late_confirmed: int = 0  # committed orders whose lapsed hold was re-taken
    released: int = 0  # reservations of superseded/cancelled orders given back


async def expire_due(services: Services, now: datetime, limit: int = 500) -> SweepReport:
    store = services.stores.campaign_caps
    now_ms = ms(now)
    expired = orders_expired = late = 0
    for rid in await store.due(now_ms, limit):
        if await store.settle(rid, "EXPIRE", now_ms) != "RETURNED":
            continue
        expired += 1
        kind, ident = ref_of(rid)
        if kind == "payment" and ident is not None:
            late += await _payment_lapsed(services, rid, now)
            continue
        order_id = order_of(rid)
        order = await Order.get_or_none(id=order_id) if order_id else None
        if order is None:
            continue  # the order never committed: nothing else to do
        if order.status is OrderStatus.PENDING_PAYMENT:
            orders_expired += await Order.filter(
                id=order.id, status=OrderStatus.PENDING_PAYMENT
            ).update(status=OrderStatus.EXPIRED, updated_at=as_utc(now))
            continue
        redemptions = await CampaignRedemption.filter(reservation_id=rid, state=repo.CONFIRMED)
        if redemptions:
            takes = [CapTake(r.campaign_id, r.units, r.discount_fen) for r in redemptions]  # type: ignore[attr-defined]
            await _retake_late(services, rid, order.subscriber_id, takes, now)  # type: ignore[attr-defined]
            late += 1
    return SweepReport(expired=expired, orders_expired=orders_expired, late_confirmed=late)


async def _payment_lapsed(services: Services, rid: str, now: datetime) -> int:
    """A recharge hold lapsed: unpaid, its redemptions are RETURNED; already paid (the process
    died before confirming), its units are re-taken."""
    confirmed = await CampaignRedemption.filter(reservation_id=rid, state=repo.CONFIRMED)
    if confirmed:
        takes = [CapTake(r.campaign_id, r.units, r.discount_fen) for r in confirmed]  # type: ignore[attr-defined]
        await _retake_late(services, rid, confirmed[0].subscriber_id, takes, now)
        return 1
    await CampaignRedemption.filter(reservation_id=rid, state=repo.HELD).update(state=repo.RETURNED)
    return 0


async def sweep(services: Services, now: datetime, limit: int = 500) -> SweepReport:
    """Expire lapsed holds, then give back what closed orders still hold."""
    report = await expire_due(services, now, limit)
    for order_id in await repo.confirmed_on_closed_orders(list(CLOSED_WITHOUT_EFFECT), limit):
        async with in_transaction() as conn:
            await repo.release_orders(conn, [order_id])
    rids = await repo.releasing_reservations(limit)
    await release(services, rids)
    return SweepReport(
        expired=report.expired,
        orders_expired=report.orders_expired,
        late_confirmed=report.late_confirmed,
        released=len(rids),
    )


async def lazy_sweep(services: Services, now: datetime) -> None:
    """Expire lapsed holds at most every 30 s per process, so caps come back without a cron."""
    prefix = services.stores.campaign_caps.prefix
    last = _last_sweep.get(prefix)
    if last is not None and last <= now < last + LAZY_SWEEP_EVERY:
        return
    _last_sweep[prefix] = now
    await expire_due(services, now, limit=100)


async def restore_counters(services: Services) -> bool:
    """At start-up: if Redis came up empty, rebuild the cap counters from PostgreSQL, so a
    restart never lets a cap or a per-subscriber limit be taken again."""
    return await services.stores.campaign_caps.restore(await repo.committed_takes())
