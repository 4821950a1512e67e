from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.pricing import Channel
from resolvers.ordering import quotes
from schema.enums import ChannelEnum
from schema.orders.inputs import BundleInput
from schema.permissions import context
from schema.pricing import Quote, quote_errors, quote_view


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description="Price a 4G national combo; works anonymously, with a session it prices for "
        "that subscriber. Composition problems come back as userErrors."
    )
    async def quote_bundle(
        self, info: Info, input: BundleInput, channel: ChannelEnum = Channel.WEB
    ) -> Quote:
        try:
            return quote_view(await quotes.quote_bundle(context(info), input.selection(), channel))
        except DomainError as error:
            return quote_errors(error)

    @strawberry.field(description="Price a plan change (effective on the 1st of next month).")
    async def quote_plan_change(
        self, info: Info, plan_id: strawberry.ID, channel: ChannelEnum = Channel.WEB
    ) -> Quote:
        try:
            return quote_view(await quotes.quote_plan_change(context(info), str(plan_id), channel))
        except DomainError as error:
            return quote_errors(error)

    @strawberry.field(description="Price an add-on pack (effective at once).")
    async def quote_pack_purchase(
        self, info: Info, pack_id: strawberry.ID, channel: ChannelEnum = Channel.WEB
    ) -> Quote:
        try:
            return quote_view(
                await quotes.quote_pack_purchase(context(info), str(pack_id), channel)
            )
        except DomainError as error:
            return quote_errors(error)
