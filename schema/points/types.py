"""Points, their transactions, mall items and redemptions, and the `me` fields they add
(`SubscriberPointsFields`, which `schema.accounts.types.Subscriber` inherits)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.points.ledger import EntryKind
from domain.points.mall import MallCategory, MallItemKind, RedemptionStatus
from domain.sessions import Capability
from resolvers import points, redemptions
from resolvers.loaders import mall_items
from schema.pagination import Connection, connection_of
from schema.permissions import context, subscriber_session

PointsEntryKindEnum = strawberry.enum(EntryKind, name="PointsEntryKind")
MallCategoryEnum = strawberry.enum(MallCategory, name="MallCategory")
MallItemKindEnum = strawberry.enum(MallItemKind, name="MallItemKind")
RedemptionStatusEnum = strawberry.enum(RedemptionStatus, name="RedemptionStatus")


@strawberry.type
class PointsExpiring:
    amount: int
    expires_at: datetime = strawberry.field(
        description="The first instant they are gone: 00:00 on 1 January, Asia/Shanghai."
    )


@strawberry.type(description="One movement of points (积分明细); `amount` is signed.")
class PointsTransaction:
    id: strawberry.ID
    kind: PointsEntryKindEnum
    amount: int
    at: datetime
    note: str
    balance_after: int

    @strawberry.field(description="The event it comes from: BILL:…, ORDER:…, REDEEM:…, EXPIRE:….")
    def source(self) -> str:
        return self.source  # type: ignore[attr-defined]


@strawberry.type(description="The subscriber's points (积分).")
class Points:
    balance: int = strawberry.field(description="Spendable now (points past expiry excluded).")
    expiring: list[PointsExpiring] = strawberry.field(
        description="The balance by expiry instant, soonest first."
    )

    @strawberry.field(
        description="Spend charged but not yet settled by a bill; earns points when the bill "
        "is issued."
    )
    async def pending_fen(self, info: Info) -> int:
        # composing the open cycles' lines costs statements: only when asked for
        return await points.pending_fen(self.subscriber, context(info).now())  # type: ignore[attr-defined]

    @strawberry.field(description="Newest first.")
    async def transactions(
        self, first: int | None = 20, after: str | None = None
    ) -> Connection[PointsTransaction]:
        sid = self.subscriber_id  # type: ignore[attr-defined]
        return await connection_of(lambda: points.transactions_page(sid, first, after))


@strawberry.type(description="An item of the points mall (积分商城).")
class MallItem:
    id: strawberry.ID
    name: str
    category: MallCategoryEnum
    kind: MallItemKindEnum
    points_price: int
    cash_price_fen: int = strawberry.field(
        description="Points + cash items: the cash part, paid through the payment provider."
    )
    stock: int
    per_subscriber_limit: int | None
    image_url: str
    description: str
    available_from: datetime | None
    available_until: datetime | None
    archived: bool
    version: int


@strawberry.type
class Redemption:
    id: strawberry.ID
    status: RedemptionStatusEnum
    points_spent: int
    cash_fen: int
    quantity: int
    tracking_number: str | None
    created_at: datetime
    pay_url: str | None = strawberry.field(
        description="PENDING_PAYMENT: where the payer pays the cash part."
    )
    payment_id: strawberry.ID | None = strawberry.field(
        description="The provider payment of the cash part, if any."
    )

    @strawberry.field(description="The order record (me.orders) this redemption is: same id.")
    def order_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.id))

    @strawberry.field
    async def item(self, info: Info) -> MallItem | None:
        return await mall_items(context(info)).load(self.item_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The code(s) delivered (memberships, coupons); joined by commas.")
    def code(self) -> str | None:
        codes = self.codes  # type: ignore[attr-defined]
        return ",".join(codes) if codes else None


@strawberry.type
class SubscriberPointsFields:
    """`me` fields for points and redemptions."""

    @strawberry.field(description="Points: readable by LIMITED sessions too.")
    async def points(self, info: Info) -> Points:
        subscriber_session(info, Capability.READ_BASIC)
        view = await points.points_of(context(info), self)  # type: ignore[arg-type]
        out = Points(
            balance=view.balance,
            expiring=[
                PointsExpiring(amount=e.amount, expires_at=e.expires_at) for e in view.expiring
            ],
        )
        out.subscriber_id = view.subscriber_id  # type: ignore[attr-defined]
        out.subscriber = self  # type: ignore[attr-defined]
        return out

    @strawberry.field(description="Mall redemptions, newest first (not for LIMITED sessions).")
    async def redemptions(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Redemption]:
        subscriber_session(info, Capability.READ_DETAIL)
        sid = self.id  # type: ignore[attr-defined]
        return await connection_of(lambda: redemptions.redemptions_page(sid, first, after))
