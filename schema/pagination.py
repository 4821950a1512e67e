"""Relay-style connections (generic, tiny): `first` ≤ 100 and an opaque `after` cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from domain.errors import DomainError
from resolvers.pagination import Page
from schema.errors import client_error

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(page: Page) -> Connection:
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, page.items, strict=True)],
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


async def query(work: Callable[[], Awaitable[T]]) -> T:
    """Run a query resolver; a DomainError (bad argument) becomes a GraphQL error with its code."""
    try:
        return await work()
    except DomainError as error:
        raise client_error(error) from None
