"""Relay connections for any node type: `Connection[Order]` is exposed as `OrderConnection` with
`edges { cursor node }`, `nodes` and `pageInfo`. Resolvers produce a `resolvers.pagination.Page`
(keyset or offset); `connection_of` turns it into the GraphQL type, and a bad `first` or `after`
into a GraphQL error carrying the DomainError's code (INVALID_ARGUMENT, INVALID_CURSOR).

    @strawberry.field
    async def orders(self, info, first: int | None = 20, after: str | None = None)
            -> Connection[Order]:
        return await connection_of(lambda: reading.orders_page(self.id, first, after))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from domain.errors import DomainError
from resolvers.pagination import Page
from schema.errors import client_error

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque; pass it as `after` for the next page.")
    node: T


@strawberry.type(description="A page of a list; `first` is capped at 100.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def to_connection(page: Page[Any]) -> Connection[Any]:
    return Connection(
        edges=[Edge(cursor=cursor, node=node) for cursor, node in page.edges],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
    )


async def connection_of(fetch: Callable[[], Awaitable[Page[Any]]]) -> Connection[Any]:
    try:
        page = await fetch()
    except DomainError as error:
        raise client_error(error) from None
    return to_connection(page)


async def query(work: Callable[[], Awaitable[T]]) -> T:
    """Run a query resolver; a DomainError (bad argument) becomes a GraphQL error with its code."""
    try:
        return await work()
    except DomainError as error:
        raise client_error(error) from None
