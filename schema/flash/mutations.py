from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers.flash import buy, pay, sales
from schema.errors import UserError, payload
from schema.flash.inputs import (
    FlashPayMethodEnum,
    FlashSaleBuyInput,
    FlashSaleCreateInput,
    FlashSaleUpdateInput,
)
from schema.flash.types import FlashReservation, FlashSale
from schema.orders.types import Order
from schema.permissions import MARKETING, context, session_of, subscriber_session


@strawberry.type
class FlashSalePayload:
    flash_sale: FlashSale | None = None
    user_errors: list[UserError]


@strawberry.type
class FlashSaleBuyPayload:
    reservation: FlashReservation | None = None
    user_errors: list[UserError]


@strawberry.type
class FlashSalePayPayload:
    order: Order | None = None
    pay_url: str | None = strawberry.field(
        default=None, description="The provider's cashier, when paying by ALIPAY, WECHAT or card."
    )
    payment_id: strawberry.ID | None = None
    user_errors: list[UserError]


@strawberry.type
class FlashMutation:
    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: a flash sale, loaded into Redis at once.",
    )
    async def flash_sale_create(self, info: Info, input: FlashSaleCreateInput) -> FlashSalePayload:
        session = session_of(info)

        async def work():
            found = await sales.sale_create(context(info), session, input.terms())
            return {"flash_sale": found}

        return await payload(FlashSalePayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: change a flash sale before it starts.",
    )
    async def flash_sale_update(self, info: Info, input: FlashSaleUpdateInput) -> FlashSalePayload:
        session = session_of(info)

        async def work():
            found = await sales.sale_update(
                context(info), session, str(input.id), input.changes(), input.version
            )
            return {"flash_sale": found}

        return await payload(FlashSalePayload, work)

    @strawberry.mutation(
        permission_classes=MARKETING,
        description="MARKETING: stop selling now; units already held may still be paid.",
    )
    async def flash_sale_cancel(self, info: Info, id: strawberry.ID) -> FlashSalePayload:
        session = session_of(info)

        async def work():
            return {"flash_sale": await sales.sale_cancel(context(info), session, str(id))}

        return await payload(FlashSalePayload, work)

    @strawberry.mutation(description="Book (预约) a flash sale: buy during its priority minutes.")
    async def flash_sale_book(self, info: Info, id: strawberry.ID) -> FlashSalePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            found = await sales.sale_book(context(info), session.subject_id, str(id))
            return {"flash_sale": found}

        return await payload(FlashSalePayload, work)

    @strawberry.mutation(
        description="Take units of a flash sale: a reservation to pay by `payBy`, or userErrors "
        "SOLD_OUT, LIMIT_REACHED, NOT_STARTED, ENDED, BOOKING_REQUIRED, NOT_ELIGIBLE."
    )
    async def flash_sale_buy(self, info: Info, input: FlashSaleBuyInput) -> FlashSaleBuyPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            found = await buy.flash_buy(
                context(info), session.subject_id, str(input.flash_sale_id), input.quantity,
                input.idempotency_key, input.shipping_address,
            )  # fmt: skip
            return {"reservation": found}

        return await payload(FlashSaleBuyPayload, work)

    @strawberry.mutation(
        description="Pay a reservation from the balance (at once) or through the provider (the "
        "order completes on its signed callback; after `payBy` it is refunded)."
    )
    async def flash_sale_pay(
        self,
        info: Info,
        reservation_id: strawberry.ID,
        payment_method: FlashPayMethodEnum,
        idempotency_key: str,
    ) -> FlashSalePayPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            order = await pay.flash_pay(
                context(info), session.subject_id, str(reservation_id), payment_method,
                idempotency_key,
            )  # fmt: skip
            return {
                "order": order,
                "pay_url": order.detail.pay_url,
                "payment_id": order.detail.payment_id,
            }

        return await payload(FlashSalePayPayload, work)
