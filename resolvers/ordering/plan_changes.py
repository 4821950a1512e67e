"""Order kinds BUNDLE and PLAN_CHANGE: a new plan or combo from 00:00 on the 1st of next month,
replacing any change still pending (whose campaign units go back to the caps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.models.orders import Order
from db.repositories import business_orders, catalog, plan_changes
from db.repositories import promotions as promo_repo
from domain.bundles import BundleSelection, bundle_cart
from domain.calendar import local
from domain.catalog import change_effective_from
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.orders.details import PlanChangeDetails
from domain.orders.eligibility import check_not_current
from domain.pricing import Cart, Channel, Quote
from resolvers import campaign_caps
from resolvers.context import RequestContext
from resolvers.ordering.offerings import combo_of, plan_cart, plan_for_change
from resolvers.ordering.pipeline import Prepared
from resolvers.pricing import price


@dataclass
class _ScheduledChange:
    """Shared by both kinds: prepare a plan and a cart, then schedule."""

    kind: OrderKind
    released: list[str] = field(default_factory=list)  # cap reservations to give back
    plan: Plan | None = None  # what prepare() chose, for the notice
    quote: Quote | None = None

    async def _schedule(
        self,
        ctx: RequestContext,
        subscriber: Subscriber,
        plan: Plan,
        cart: Cart,
        channel: Channel,
        now: datetime,
        pack_ids: tuple[str, ...] = (),
    ) -> Prepared:
        has_pending = await plan_changes.pending_change(subscriber.id, now) is not None
        check_not_current(subscriber.plan_id, plan.id, has_pending)  # type: ignore[attr-defined]
        starts = change_effective_from(now)
        quote = await price(ctx, cart, starts, channel, subscriber=subscriber, now=now)
        self.plan, self.quote = plan, quote
        verb = "订购" if self.kind is OrderKind.BUNDLE else "变更套餐为"
        details = PlanChangeDetails(
            fingerprint="",
            summary=f"{verb}{plan.name}",
            plan_id=plan.id,
            from_plan_id=subscriber.plan_id,  # type: ignore[attr-defined]
            pack_ids=pack_ids,
        )
        return Prepared(quote, details, OrderStatus.SCHEDULED, starts)

    async def write(
        self, conn: BaseDBAsyncClient, order: Order, subscriber: Subscriber, now: datetime
    ) -> Order:
        pending = await plan_changes.scheduled_ids(conn, subscriber.id, keep=order.id)
        superseded = await plan_changes.supersede_pending(conn, subscriber.id, now, keep=order.id)
        # The replaced change never takes effect: its campaign units go back to the caps.
        self.released = await promo_repo.release_orders(conn, pending)
        return await business_orders.save_details(
            conn, order, order.detail.replace(superseded=superseded)
        )

    async def after(self, ctx: RequestContext, order: Order, subscriber: Subscriber) -> None:
        assert self.plan is not None and self.quote is not None
        await campaign_caps.release(ctx.services, self.released)
        quote_note = _price_note(self.quote)
        starts = local(order.effective_from)  # type: ignore[arg-type]
        await ctx.services.sms.send(
            subscriber.msisdn,
            f"ORDER_{self.kind.value}",
            f"您已成功{order.detail.summary}，月费{yuan(self.plan.monthly_fee_fen)}{quote_note}，"
            f"将于{starts.year}年{starts.month}月{starts.day}日0时生效，当月仍按原套餐计费。",
        )


def _price_note(quote: Quote) -> str:
    if not quote.discount_fen:
        return ""
    return f"，活动优惠{yuan(quote.discount_fen)}，首月{yuan(quote.final_price_fen)}"


class BundleOrder(_ScheduledChange):
    def __init__(self, selection: BundleSelection) -> None:
        super().__init__(OrderKind.BUNDLE)
        self.selection = selection

    def fingerprint(self) -> str:
        return self.selection.fingerprint()

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        combo = await combo_of(self.selection)
        plan = await catalog.ensure_combo_plan(combo)
        return await self._schedule(
            ctx, subscriber, plan, bundle_cart(combo), channel, now, tuple(combo.pack_ids)
        )


class PlanChange(_ScheduledChange):
    def __init__(self, plan_id: str) -> None:
        super().__init__(OrderKind.PLAN_CHANGE)
        self.plan_id = (plan_id or "").strip()

    def fingerprint(self) -> str:
        return f"PLAN_CHANGE:{self.plan_id}"

    async def prepare(
        self, ctx: RequestContext, subscriber: Subscriber, channel: Channel, now: datetime
    ) -> Prepared:
        plan = await plan_for_change(self.plan_id, subscriber)
        return await self._schedule(ctx, subscriber, plan, plan_cart(plan), channel, now)
