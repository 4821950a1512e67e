from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import billing, payments
from schema.billing.inputs import AutoRechargeSetInput, BillingCloseInput, RechargeCreateInput
from schema.billing.types import AutoRecharge, Payment, auto_view
from schema.errors import UserError, payload
from schema.permissions import OPERATOR, context, subscriber_session


@strawberry.type
class RechargeCreatePayload:
    payment: Payment | None = None
    user_errors: list[UserError]


@strawberry.type
class AutoRechargePayload:
    auto_recharge: AutoRecharge | None = None
    user_errors: list[UserError]


@strawberry.type
class BillingRun:
    cycle: str
    bills_issued: int
    already_billed: int
    total_fen: int = strawberry.field(description="Sum of the bills issued by this run.")


@strawberry.type
class BillingClosePayload:
    run: BillingRun | None = None
    user_errors: list[UserError]


@strawberry.type
class BillingMutation:
    @strawberry.mutation(
        description="Top up any ACTIVE or SUSPENDED number (no login needed). Pay at payUrl; "
        "the provider's signed callback credits the balance. CARD_PIN credits at once."
    )
    async def recharge_create(
        self, info: Info, input: RechargeCreateInput
    ) -> RechargeCreatePayload:
        ctx = context(info)
        if ctx.session is not None and ctx.session.is_subscriber:
            subscriber_session(info, Capability.RECHARGE)

        async def work():
            payment = await payments.recharge_create(
                ctx,
                input.msisdn,
                input.amount_fen,
                input.channel,
                input.payment_method,
                input.idempotency_key,
                input.card_pin,
                input.client_token,
            )
            return {"payment": payment}

        return await payload(RechargeCreatePayload, work)

    @strawberry.mutation(description="Turn on (or change) auto-recharge for your own number.")
    async def auto_recharge_set(
        self, info: Info, input: AutoRechargeSetInput
    ) -> AutoRechargePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            row = await payments.auto_recharge_set(
                context(info),
                session.subject_id,
                input.threshold_fen,
                input.amount_fen,
                input.payment_method,
            )
            return {"auto_recharge": auto_view(row)}

        return await payload(AutoRechargePayload, work)

    @strawberry.mutation(description="Turn auto-recharge off.")
    async def auto_recharge_disable(self, info: Info) -> AutoRechargePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            row = await payments.auto_recharge_disable(context(info), session.subject_id)
            return {"auto_recharge": auto_view(row)}

        return await payload(AutoRechargePayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="Billing run (OPERATOR): issue the bills of an ended cycle and charge the "
        "monthly fees. Idempotent per subscriber and cycle.",
    )
    async def billing_close(self, info: Info, input: BillingCloseInput) -> BillingClosePayload:

        async def work():
            run = await billing.billing_close(context(info), input.cycle, input.msisdn)
            return {"run": BillingRun(**vars(run))}

        return await payload(BillingClosePayload, work)
