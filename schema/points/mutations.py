from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import fail
from domain.payments import PaymentMethod
from domain.points.mall import ItemDraft, RedemptionStatus
from domain.sessions import Capability
from resolvers import mall, points, redemptions
from schema.errors import UserError, payload
from schema.permissions import MARKETING, OPERATOR, context, subscriber_session
from schema.points.inputs import (
    MallItemCreateInput,
    MallItemUpdateInput,
    PointsAdjustInput,
    PointsRedeemInput,
)
from schema.points.types import MallItem, PointsTransaction, Redemption


@strawberry.type
class RedemptionPayload:
    redemption: Redemption | None = None
    user_errors: list[UserError]


@strawberry.type
class PointsAdjustPayload:
    transaction: PointsTransaction | None = None
    user_errors: list[UserError]


@strawberry.type
class PointsExpiryRun:
    at: datetime
    lots_expired: int
    points_expired: int


@strawberry.type
class PointsExpirePayload:
    run: PointsExpiryRun | None = None
    user_errors: list[UserError]


@strawberry.type
class MallItemPayload:
    item: MallItem | None = None
    user_errors: list[UserError]


@strawberry.type
class MallCodesUploadPayload:
    item: MallItem | None = None
    added: int = 0
    user_errors: list[UserError]


@strawberry.type
class PointsMutation:
    @strawberry.mutation(
        description="Redeem points in the mall. Points, stock, the per-subscriber limit and the "
        "record change together or not at all; the same idempotencyKey returns the first result."
    )
    async def points_redeem(self, info: Info, input: PointsRedeemInput) -> RedemptionPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            address = input.shipping_address.domain() if input.shipping_address else None
            found = await redemptions.points_redeem(
                context(info),
                session.subject_id,
                str(input.item_id),
                input.quantity,
                input.idempotency_key,
                address,
                PaymentMethod(input.payment_method.value) if input.payment_method else None,
            )
            return {"redemption": found}

        return await payload(RedemptionPayload, work)

    @strawberry.mutation(description="Cancel before shipping: points, cash and stock go back once.")
    async def redemption_cancel(self, info: Info, id: strawberry.ID) -> RedemptionPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            found = await redemptions.redemption_cancel(context(info), session.subject_id, str(id))
            return {"redemption": found}

        return await payload(RedemptionPayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: goods shipped, with the tracking number.",
    )
    async def redemption_ship(
        self, info: Info, id: strawberry.ID, tracking_number: str
    ) -> RedemptionPayload:

        async def work():
            found = await redemptions.redemption_fulfil(
                context(info), str(id), RedemptionStatus.SHIPPED, tracking_number
            )
            return {"redemption": found}

        return await payload(RedemptionPayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: goods delivered.",
    )
    async def redemption_deliver(self, info: Info, id: strawberry.ID) -> RedemptionPayload:

        async def work():
            found = await redemptions.redemption_fulfil(
                context(info), str(id), RedemptionStatus.DELIVERED
            )
            return {"redemption": found}

        return await payload(RedemptionPayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: add or take points with a reason (audited).",
    )
    async def points_adjust(self, info: Info, input: PointsAdjustInput) -> PointsAdjustPayload:

        async def work():
            entry = await points.points_adjust(
                context(info), input.msisdn, input.points, input.reason, input.idempotency_key
            )
            return {"transaction": entry}

        return await payload(PointsAdjustPayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: expire every lot due at `at` (default now); a second run expires "
        "nothing.",
    )
    async def points_expire(self, info: Info, at: datetime | None = None) -> PointsExpirePayload:
        ctx = context(info)

        async def work():
            when = at or ctx.now()
            if when.tzinfo is None:
                raise fail("INVALID_ARGUMENT", "Give `at` with its offset.", "at")
            if when > ctx.now():
                raise fail("INVALID_ARGUMENT", "Cannot expire points in the future.", "at")
            run = await points.points_expire(when)
            return {"run": PointsExpiryRun(**vars(run))}

        return await payload(PointsExpirePayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: add an item to the mall (audited).",
    )
    async def mall_item_create(self, info: Info, input: MallItemCreateInput) -> MallItemPayload:

        async def work():
            draft = ItemDraft(
                name=input.name,
                category=input.category,
                kind=input.kind,
                points_price=input.points_price,
                cash_price_fen=input.cash_price_fen,
                per_subscriber_limit=input.per_subscriber_limit,
                description=input.description,
                available_from=input.available_from,
                available_until=input.available_until,
                add_on_id=input.add_on_id,
                credit_fen=input.credit_fen,
            )
            return {"item": await mall.item_create(context(info), draft, input.stock)}

        return await payload(MallItemPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: change an item's terms or stock (audited).",
    )
    async def mall_item_update(self, info: Info, input: MallItemUpdateInput) -> MallItemPayload:

        async def work():
            item = await mall.item_update(
                context(info), str(input.id), input.changes(), input.add_stock, input.version
            )
            return {"item": item}

        return await payload(MallItemPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: take an item off the mall (audited).",
    )
    async def mall_item_archive(self, info: Info, id: strawberry.ID) -> MallItemPayload:

        async def work():
            return {"item": await mall.item_archive(context(info), str(id))}

        return await payload(MallItemPayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: upload codes to a membership or coupon item's pool; each code "
        "is handed out exactly once; codes already uploaded are skipped.",
    )
    async def mall_codes_upload(
        self, info: Info, item_id: strawberry.ID, codes: list[str]
    ) -> MallCodesUploadPayload:

        async def work():
            item, added = await mall.codes_upload(context(info), str(item_id), codes)
            return {"item": item, "added": added}

        return await payload(MallCodesUploadPayload, work)
