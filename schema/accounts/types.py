from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.sessions import Scope
from resolvers.loaders import plans
from schema.billing.types import SubscriberBillingFields
from schema.catalog.types import Plan
from schema.engage.inbox import SubscriberInboxFields
from schema.engage.interests import SubscriberInterestFields
from schema.engage.passkeys import SubscriberPasskeyFields
from schema.engage.sessions import SubscriberSessionFields
from schema.enums import ScopeEnum, StaffRoleEnum, SubscriberStatusEnum
from schema.orders.types import SubscriberOrderFields
from schema.permissions import context
from schema.points.growth import SubscriberGrowthFields
from schema.points.lucky_draw import SubscriberLuckyDrawFields
from schema.points.types import SubscriberPointsFields
from schema.service.tickets import SubscriberTicketFields
from schema.services.credit import SubscriberCreditFields
from schema.services.shared import SubscriberSharedFields
from schema.services.types import SubscriberServiceFields
from schema.usage.types import SubscriberUsageFields


@strawberry.type
class Balance:
    amount_fen: int = strawberry.field(description="Balance in fen; negative in arrears.")
    credit_limit_fen: int = strawberry.field(description="How far below zero service continues.")


@strawberry.type(description="The logged-in subscriber (a Subscriber row).")
class Subscriber(
    SubscriberOrderFields,
    SubscriberUsageFields,
    SubscriberBillingFields,
    SubscriberPointsFields,
    SubscriberGrowthFields,
    SubscriberLuckyDrawFields,
    SubscriberServiceFields,
    SubscriberCreditFields,
    SubscriberSharedFields,
    SubscriberTicketFields,
    SubscriberSessionFields,
    SubscriberPasskeyFields,
    SubscriberInterestFields,
    SubscriberInboxFields,
):
    msisdn: str
    status: SubscriberStatusEnum
    real_name_verified: bool
    joined_at: datetime

    @strawberry.field(description="PUK code; only for FULL sessions, null otherwise.")
    def puk(self, info: Info) -> str | None:
        session = context(info).session
        return self.puk if session is not None and session.scope is Scope.FULL else None  # type: ignore[attr-defined]

    @strawberry.field
    async def plan(self, info: Info) -> Plan | None:
        plan_id = self.plan_id  # type: ignore[attr-defined]
        return await plans(context(info)).load(plan_id) if plan_id else None

    @strawberry.field
    def balance(self) -> Balance:
        return Balance(amount_fen=self.balance_fen, credit_limit_fen=self.credit_limit_fen)  # type: ignore[attr-defined]


@strawberry.type
class ProvisionedSubscriber:
    msisdn: str
    status: SubscriberStatusEnum


@strawberry.type(description="A bearer token; send it as `Authorization: Bearer <token>`.")
class AuthSession:
    token: str
    scope: ScopeEnum
    role: StaffRoleEnum | None
    expires_at: datetime
