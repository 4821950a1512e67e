"""Business-order records, pending changes and recommendations, and the fields they add to
`Subscriber` (`SubscriberOrderFields`, which `schema.accounts.types.Subscriber` inherits)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.catalog import PackKind
from domain.pricing_codec import quote_from_json
from domain.sessions import Capability
from resolvers import recommendations
from resolvers.loaders import add_ons, packs, plans
from resolvers.ordering import reading
from schema.catalog.types import AddOn, IncludedAllowance, Pack, Plan, allowance_list
from schema.enums import ChannelEnum, OrderKindEnum, OrderStatusEnum, PlanKindEnum
from schema.pagination import Connection, connection_of
from schema.permissions import context, subscriber_session
from schema.pricing import Quote, quote_view
from schema.selection import node_fields


@strawberry.type(description="A business-order record (业务办理记录): one per business operation.")
class Order:
    id: strawberry.ID
    kind: OrderKindEnum
    status: OrderStatusEnum
    list_price_fen: int
    final_price_fen: int = strawberry.field(description="After promotions, month one.")
    effective_from: datetime | None = strawberry.field(description="When it takes effect.")
    created_at: datetime

    @strawberry.field(description="What was done, for people: 订购7天流量包 1GB.")
    def summary(self) -> str:
        return self.detail.summary or self.kind.value  # type: ignore[attr-defined]

    @strawberry.field(description="Taken from the balance when ordered (changes bill monthly).")
    def charged_fen(self) -> int:
        return self.detail.charged_fen  # type: ignore[attr-defined]

    @strawberry.field(description="Why it ended so, e.g. REFUNDED: PAID_AFTER_DEADLINE.")
    def status_reason(self) -> str | None:
        return getattr(self.detail, "status_reason", None)  # type: ignore[attr-defined]

    @strawberry.field
    def channel(self) -> ChannelEnum | None:
        channel = self.detail.channel  # type: ignore[attr-defined]
        return ChannelEnum(channel) if channel else None

    @strawberry.field(description="Plan changes and bundles: the plan or combo switched to.")
    async def plan(self, info: Info) -> Plan | None:
        plan_id = getattr(self.detail, "plan_id", None)  # type: ignore[attr-defined]
        return await plans(context(info)).load(plan_id) if plan_id else None

    @strawberry.field(name="addOn", description="Pack purchases: the pack bought.")
    async def add_on(self, info: Info) -> AddOn | None:
        add_on_id = getattr(self.detail, "add_on_id", None)  # type: ignore[attr-defined]
        return await add_ons(context(info)).load(add_on_id) if add_on_id else None

    @strawberry.field(description="Device purchases: the device bought.")
    def device_id(self) -> strawberry.ID | None:
        found = getattr(self.detail, "device_id", None)  # type: ignore[attr-defined]
        return strawberry.ID(found) if found else None

    @strawberry.field(description="Device purchases: where it is shipped.")
    def shipping_address(self) -> str | None:
        return getattr(self.detail, "shipping_address", None) or None  # type: ignore[attr-defined]

    @strawberry.field(
        description="The electronic acceptance form (电子受理单) PDF: what was ordered, when it "
        "takes effect, the price (with the bearer token of the order's subscriber)."
    )
    def acceptance_form_url(self) -> str:
        return f"/orders/{self.id}/acceptance.pdf"

    @strawberry.field(description="The quote as priced when ordered.")
    def pricing(self) -> Quote | None:
        stored = self.pricing  # type: ignore[attr-defined]
        if not stored:
            return None
        try:
            return quote_view(quote_from_json(stored))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@strawberry.type(description="A plan or combo change waiting for the 1st of next month.")
class PendingChange:
    kind: OrderKindEnum
    effective_from: datetime

    @strawberry.field
    async def plan(self, info: Info) -> Plan:
        return await plans(context(info)).load(self.plan_id)  # type: ignore[attr-defined]

    @strawberry.field(
        description="The order behind the change: needs READ_DETAIL, like `orders` (a LIMITED "
        "session sees the change, not the order)."
    )
    def order(self, info: Info) -> Order | None:
        subscriber_session(info, Capability.READ_DETAIL)
        return self.order  # type: ignore[attr-defined,return-value]


@strawberry.type(description="The packs to send to bundleOrder for this combo.")
class ComboSelection:
    data_pack_id: strawberry.ID | None
    voice_pack_id: strawberry.ID | None
    sms_pack_id: strawberry.ID | None
    vas_pack_ids: list[strawberry.ID]


@strawberry.type(description="A combo composed for a recommendation.")
class SuggestedCombo:
    id: strawberry.ID
    name: str
    monthly_fee_fen: int

    @strawberry.field
    def allowances(self) -> list[IncludedAllowance]:
        return allowance_list(self.data_mb, self.voice_minutes, self.sms_count)  # type: ignore[attr-defined]

    @strawberry.field
    async def packs(self, info: Info) -> list[Pack]:
        found = await packs(context(info)).load_many(list(self.pack_ids))  # type: ignore[attr-defined]
        return [p for p in found if p is not None]

    @strawberry.field(description="Ready to pass as bundleOrder's input.")
    async def selection(self, info: Info) -> ComboSelection:
        found = [p for p in await packs(context(info)).load_many(list(self.pack_ids)) if p]  # type: ignore[attr-defined]

        def one(kind: PackKind) -> strawberry.ID | None:
            return next((strawberry.ID(p.id) for p in found if p.kind is kind), None)

        return ComboSelection(
            data_pack_id=one(PackKind.DATA),
            voice_pack_id=one(PackKind.VOICE),
            sms_pack_id=one(PackKind.SMS),
            vas_pack_ids=[strawberry.ID(p.id) for p in found if p.kind is PackKind.VAS],
        )


@strawberry.type(description="A cheaper plan or combo for the usage of the last three months.")
class Recommendation:
    kind: PlanKindEnum
    plan: Plan | None = strawberry.field(description="When `kind` is PLAN.")
    combo: SuggestedCombo | None = strawberry.field(description="When `kind` is COMBO.")
    monthly_fee_fen: int
    monthly_saving_fen: int = strawberry.field(
        description="Against the current plan at the same usage (fee plus pay-as-you-go)."
    )
    reason: str


@strawberry.type
class SubscriberOrderFields:
    """Fields this area adds to `Subscriber` (the schema's `me`)."""

    @strawberry.field(description="The plan or combo change due on the 1st of next month.")
    async def pending_change(self, info: Info) -> PendingChange | None:
        subscriber_session(info, Capability.READ_BASIC)
        return await reading.pending_change(self, context(info).now())  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Business-order records (业务办理记录), newest first.")
    async def orders(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Order] | None:
        subscriber_session(info, Capability.READ_DETAIL)
        columns = reading.order_columns(node_fields(info))
        return await connection_of(lambda: reading.orders_page(self.id, first, after, columns))  # type: ignore[attr-defined]

    @strawberry.field(
        description="Cheaper options for the median usage of the last 3 months; "
        "empty without usage."
    )
    async def recommendations(self, info: Info) -> list[Recommendation] | None:
        subscriber_session(info, Capability.READ_DETAIL)
        return await recommendations.recommendations(self, context(info).now())  # type: ignore[arg-type,return-value]
