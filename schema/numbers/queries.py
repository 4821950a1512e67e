"""Number search works anonymously: anyone may browse the pool."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.numbers.search import number_filter
from resolvers import numbers
from schema.numbers.types import NumberSearchFacets, NumberSearchInput, PhoneNumber
from schema.pagination import Connection, connection_of, query
from schema.permissions import context


def _filter(input: NumberSearchInput):
    return number_filter(
        province=input.province,
        city=input.city,
        prefix=input.prefix,
        contains=input.contains,
        ends_with=input.ends_with,
        tags=list(input.tags or ()),
        exclude_digits=list(input.exclude_digits or ()),
        max_prestore_fen=input.max_prestore_fen,
        max_min_monthly_fen=input.max_min_monthly_fen,
    )


@strawberry.type
class NumberQuery:
    @strawberry.field(description="Numbers on sale, best tier first, then by number.")
    async def number_search(
        self,
        info: Info,
        input: NumberSearchInput,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[PhoneNumber]:
        return await connection_of(
            lambda: numbers.search(context(info), _filter(input), first, after)
        )

    @strawberry.field(description="Counts per tier and per tag for the same filters.")
    async def number_search_facets(
        self, info: Info, input: NumberSearchInput
    ) -> NumberSearchFacets:
        return await query(lambda: numbers.facets(context(info), _filter(input)))
