from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.pricing import Channel
from domain.sessions import Capability
from resolvers.ordering import place_order
from resolvers.ordering.device_purchases import DevicePurchase
from resolvers.ordering.flash_purchases import FlashPayMethod
from resolvers.ordering.pack_purchases import PackPurchase
from resolvers.ordering.plan_changes import BundleOrder, PlanChange
from schema.enums import ChannelEnum
from schema.errors import payload
from schema.flash.inputs import FlashPayMethodEnum
from schema.orders.inputs import BundleInput
from schema.orders.payloads import (
    BundleOrderPayload,
    DevicePurchasePayload,
    PackPurchasePayload,
    PlanChangePayload,
)
from schema.permissions import context, subscriber_session

EXPECTED = strawberry.argument(
    description="What the customer was shown (the quote's finalPriceFen). When given and the "
    "price is different now (an offer ended or ran out), nothing is ordered: PRICE_CHANGED."
)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        description="Order a 4G national combo; it replaces the plan at 00:00 on the 1st of next "
        "month (Asia/Shanghai) and replaces any pending change."
    )
    async def bundle_order(
        self,
        info: Info,
        input: BundleInput,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
        expected_final_price_fen: Annotated[int | None, EXPECTED] = None,
    ) -> BundleOrderPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await place_order(
                context(info),
                session.subject_id,
                idempotency_key,
                BundleOrder(input.selection()),
                channel,
                expected_final_price_fen,
            )
            return {"order": order}

        return await payload(BundleOrderPayload, work)

    @strawberry.mutation(
        description="Change plan from 00:00 on the 1st of next month (Asia/Shanghai); replaces "
        "any pending change. 5G plans need a 5G device on record."
    )
    async def plan_change(
        self,
        info: Info,
        plan_id: strawberry.ID,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
        expected_final_price_fen: Annotated[int | None, EXPECTED] = None,
    ) -> PlanChangePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await place_order(
                context(info),
                session.subject_id,
                idempotency_key,
                PlanChange(str(plan_id)),
                channel,
                expected_final_price_fen,
            )
            return {"order": order}

        return await payload(PlanChangePayload, work)

    @strawberry.mutation(
        description="Buy an add-on pack: effective at once, paid from the balance."
    )
    async def pack_purchase(
        self,
        info: Info,
        pack_id: strawberry.ID,
        idempotency_key: str,
        channel: ChannelEnum = Channel.WEB,
        expected_final_price_fen: Annotated[int | None, EXPECTED] = None,
    ) -> PackPurchasePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await place_order(
                context(info),
                session.subject_id,
                idempotency_key,
                PackPurchase(str(pack_id)),
                channel,
                expected_final_price_fen,
            )
            return {"order": order}

        return await payload(PackPurchasePayload, work)

    @strawberry.mutation(
        description="Buy a phone or accessory, shipped to the address: paid from the balance at "
        "once, or through the provider (ALIPAY, WECHAT, BANK_CARD: the order waits "
        "PENDING_PAYMENT with the stock held until the provider's callback; unpaid in time, the "
        "stock returns). A phone is recorded as the subscriber's device once paid (the 5G check "
        "of plan changes uses it)."
    )
    async def device_purchase(
        self,
        info: Info,
        device_id: strawberry.ID,
        shipping_address: str,
        idempotency_key: str,
        quantity: int = 1,
        channel: ChannelEnum = Channel.WEB,
        expected_final_price_fen: Annotated[int | None, EXPECTED] = None,
        payment_method: FlashPayMethodEnum = FlashPayMethod.BALANCE,
    ) -> DevicePurchasePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await place_order(
                context(info),
                session.subject_id,
                idempotency_key,
                DevicePurchase(str(device_id), quantity, shipping_address, payment_method),
                channel,
                expected_final_price_fen,
            )
            return {
                "order": order,
                "pay_url": order.detail.pay_url,
                "payment_id": order.detail.payment_id,
            }

        return await payload(DevicePurchasePayload, work)
