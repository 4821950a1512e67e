"""numberPurchase (选号入网, anonymous with a clientToken or logged in) and the courier's
simDeliveryConfirm (OPERATOR)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.payments import PaymentMethod
from resolvers import number_delivery, number_sales
from schema.errors import payload
from schema.numbers.mutations import ClientToken, holder_and_buyer
from schema.numbers.types import (
    NumberPurchaseInput,
    NumberPurchasePayload,
    SimDeliveryConfirmPayload,
)
from schema.permissions import OPERATOR, context, session_of


@strawberry.type
class NumberPurchaseMutation:
    @strawberry.mutation(
        description="Buy the number held by `reservationId`: prestore + first month through the "
        "payment provider; the line is activated when the SIM is delivered to the buyer."
    )
    async def number_purchase(
        self,
        info: Info,
        input: NumberPurchaseInput,
        idempotency_key: str,
        client_token: ClientToken = None,
    ) -> NumberPurchasePayload:
        async def work() -> dict:
            holder, buyer_id = holder_and_buyer(info, client_token)
            request = number_sales.PurchaseRequest(
                reservation_id=input.reservation_id,
                name=input.real_name.name,
                id_number=input.real_name.id_number,
                contact_msisdn=input.contact_msisdn,
                shipping_address=input.shipping_address,
                plan_id=input.plan_id,
                payment_method=PaymentMethod(input.payment_method.value),
            )
            order = await number_sales.purchase(
                context(info), holder, buyer_id, request, idempotency_key
            )
            return {"order": order, "pay_url": getattr(order.detail, "pay_url", None)}

        return await payload(NumberPurchasePayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR (the courier): the receiver's ID ends in these 6 characters; only "
        "the buyer's activate the number. A mismatch is refused and logged.",
    )
    async def sim_delivery_confirm(
        self, info: Info, order_id: strawberry.ID, id_number_last6: str
    ) -> SimDeliveryConfirmPayload:
        staff = session_of(info)

        async def work() -> dict:
            order = await number_delivery.confirm_delivery(
                context(info), staff.subject_id, str(order_id), id_number_last6
            )
            return {"order": order}

        return await payload(SimDeliveryConfirmPayload, work)
