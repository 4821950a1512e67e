"""The root Query and Mutation are merged from each area's classes; add an area by listing it."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.accounts.mutations import AccountMutation
from schema.accounts.queries import AccountQuery
from schema.billing.mutations import BillingMutation
from schema.billing.queries import BillingQuery
from schema.catalog.queries import CatalogQuery
from schema.dev import DevMutation, DevQuery
from schema.engage.inbox import InboxMutation, InboxSubscription
from schema.engage.interests import InterestMutation
from schema.engage.passkey_mutations import PasskeyMutation
from schema.engage.sessions import SessionMutation
from schema.enums import index_enum_output
from schema.extensions import extensions
from schema.flash.mutations import FlashMutation
from schema.flash.queries import FlashQuery
from schema.flash.refunds import FlashRefundMutation, FlashRefundQuery
from schema.flash.subscriptions import FlashSubscription
from schema.jobs.queries import JobQuery
from schema.limits import Limits
from schema.numbers.mutations import NumberMutation
from schema.numbers.purchase import NumberPurchaseMutation
from schema.numbers.queries import NumberQuery
from schema.orders.mutations import OrderMutation
from schema.orders.queries import OrderQuery
from schema.points.growth import GrowthMutation
from schema.points.lucky_draw import LuckyDrawMutation, LuckyDrawQuery
from schema.points.mutations import PointsMutation
from schema.points.queries import PointsQuery
from schema.promotions.mutations import PromotionMutation
from schema.promotions.queries import PromotionQuery
from schema.scalars import SCALAR_MAP
from schema.service.chat import ChatMutation, ChatQuery, ChatSubscription
from schema.service.kb import KbMutation, KbQuery
from schema.service.tickets import TicketMutation, TicketQuery
from schema.services.credit import CreditMutation, CreditQuery
from schema.services.invoices import InvoiceMutation
from schema.services.mutations import ServiceMutation
from schema.services.shared import SharedPlanMutation
from schema.usage.mutations import UsageMutation

QUERIES: tuple[type, ...] = (
    AccountQuery,
    CatalogQuery,
    OrderQuery,
    BillingQuery,
    PromotionQuery,
    FlashQuery,
    FlashRefundQuery,
    NumberQuery,
    PointsQuery,
    JobQuery,
    LuckyDrawQuery,
    CreditQuery,
    KbQuery,
    ChatQuery,
    TicketQuery,
)
MUTATIONS: tuple[type, ...] = (
    AccountMutation,
    OrderMutation,
    UsageMutation,
    BillingMutation,
    PromotionMutation,
    FlashMutation,
    FlashRefundMutation,
    NumberMutation,
    NumberPurchaseMutation,
    PointsMutation,
    GrowthMutation,
    LuckyDrawMutation,
    ServiceMutation,
    CreditMutation,
    InvoiceMutation,
    SharedPlanMutation,
    KbMutation,
    ChatMutation,
    TicketMutation,
    SessionMutation,
    PasskeyMutation,
    InterestMutation,
    InboxMutation,
)

SUBSCRIPTIONS: tuple[type, ...] = (FlashSubscription, ChatSubscription, InboxSubscription)


def build_schema(
    *,
    include_dev: bool,
    limits: Limits | None = None,
    max_tokens: int = 2000,
    introspection: bool = True,
    observers: Sequence[type[SchemaExtension]] = (),
) -> strawberry.Schema:
    """`observers`: extension classes the server adds (outage, metrics, log notes, tracing),
    after the hall's own."""
    queries = QUERIES + ((DevQuery,) if include_dev else ())
    mutations = MUTATIONS + ((DevMutation,) if include_dev else ())
    schema = strawberry.Schema(
        query=merge_types("Query", queries),
        mutation=merge_types("Mutation", mutations),
        subscription=merge_types("Subscription", SUBSCRIPTIONS),
        extensions=[*extensions(limits or Limits(), max_tokens, introspection), *observers],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
    index_enum_output(schema)
    return schema


def export_sdl(include_dev: bool = True) -> str:
    """The committed schema.graphql is the dev/test schema: it documents the `dev` field too."""
    return build_schema(include_dev=include_dev).as_str() + "\n"
