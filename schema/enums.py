"""GraphQL enums are the domain's enums, registered once here."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from domain.accounts import StaffRole, SubscriberStatus
from domain.allowances import AllowanceKind
from domain.catalog import AddOnKind, PackKind, PlanKind, ValidityKind
from domain.errors import ErrorCode
from domain.orders import OrderKind, OrderStatus
from domain.pricing import Channel, OfferingKind
from domain.promotions.model import BenefitKind, CampaignStatus, StackingRule
from domain.sessions import Scope
from resolvers.auth import LoginMethod, SmsPurpose

SubscriberStatusEnum = strawberry.enum(SubscriberStatus, name="SubscriberStatus")
StaffRoleEnum = strawberry.enum(StaffRole, name="StaffRole")
ScopeEnum = strawberry.enum(Scope, name="SessionScope")
SmsPurposeEnum = strawberry.enum(SmsPurpose, name="SmsPurpose")
LoginMethodEnum = strawberry.enum(LoginMethod, name="LoginMethod")
ChannelEnum = strawberry.enum(Channel, name="Channel")
OfferingKindEnum = strawberry.enum(OfferingKind, name="OfferingKind")
AllowanceKindEnum = strawberry.enum(AllowanceKind, name="AllowanceKind")
OrderKindEnum = strawberry.enum(OrderKind, name="OrderKind")
OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")
PlanKindEnum = strawberry.enum(PlanKind, name="PlanKind")
PackKindEnum = strawberry.enum(PackKind, name="PackKind")
AddOnKindEnum = strawberry.enum(AddOnKind, name="AddOnKind")
ValidityKindEnum = strawberry.enum(ValidityKind, name="ValidityKind")
CampaignStatusEnum = strawberry.enum(CampaignStatus, name="CampaignStatus")
StackingRuleEnum = strawberry.enum(StackingRule, name="StackingRule")
BenefitKindEnum = strawberry.enum(BenefitKind, name="BenefitKind")


def _described(enum_type: type, meanings: dict[str, str]) -> None:
    """Give each GraphQL enum value its one-line meaning (SDL value descriptions)."""
    for value in enum_type.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = meanings[value.value]


ErrorCodeEnum = strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="The stable code of a userError: switch on it (the message is for people).",
)
_described(ErrorCodeEnum, {code.value: code.meaning for code in ErrorCode})


def index_enum_output(schema: strawberry.Schema) -> None:
    """Serialise enum members by one dict lookup. Strawberry's enum type compares the member
    with every value of its enum in turn (two property reads each), which took a tenth of a
    20-number search (a list of pattern tags per number). Anything but a member of the enum
    still goes through Strawberry's own coercion, errors included."""
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, CustomGraphQLEnumType):
            continue
        names = {graphql_type.wrapped_cls(v.value): name for name, v in graphql_type.values.items()}
        graphql_type.coerce_output_value = _indexed(names, graphql_type.coerce_output_value)


def _indexed(names: dict, coerce: Callable[[Any], str]) -> Callable[[Any], str]:
    def coerce_output_value(value: Any) -> str:
        name = names.get(value) if isinstance(value, Enum) else None
        return name if name is not None else coerce(value)

    return coerce_output_value
