"""Relay-style pages over any Tortoise query: keyset (stable while rows are added) or offset.

    page = await keyset_page(orders_of(sub_id), first, after, ("-created_at", "-id"))
    page.edges  -> [(cursor, row), ...]; page.has_next_page; page.end_cursor

Cursors are opaque: url-safe base64 of a small JSON document naming the pagination kind and the
position. `first` defaults to 20 and is capped at `MAX_PAGE_SIZE`; a negative `first` or a
cursor that does not decode is a DomainError (INVALID_ARGUMENT / INVALID_CURSOR) on its field,
which the schema reports as a GraphQL error. Keyset order keys must end in a unique column.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.errors import fail

T = TypeVar("T")
U = TypeVar("U")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    edges: list[tuple[str, T]]
    has_next_page: bool
    has_previous_page: bool

    @property
    def nodes(self) -> list[T]:
        return [node for _, node in self.edges]

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0][0] if self.edges else None

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1][0] if self.edges else None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page (cursors and all) with each node converted, e.g. a row to its view."""
        return Page(
            [(cursor, convert(node)) for cursor, node in self.edges],
            has_next_page=self.has_next_page,
            has_previous_page=self.has_previous_page,
        )


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise fail("INVALID_ARGUMENT", "`first` must be 0 or more.", "first")
    return min(first, MAX_PAGE_SIZE)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, UUID):
        return str(value)
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        return datetime.fromisoformat(value["t"])
    return value


def encode_cursor(kind: str, position: Sequence[Any]) -> str:
    raw = json.dumps([kind, [_plain(v) for v in position]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str, length: int) -> list[Any]:
    def bad() -> Exception:
        return fail("INVALID_CURSOR", "`after` is not a cursor from this list.", "after")

    if not cursor or len(cursor) > 1000:
        raise bad()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, position = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        values = [_typed(v) for v in position]
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise bad() from None
    if found_kind != kind or len(values) != length:
        raise bad()
    return values


def _after(order_by: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the lexicographic order `order_by`."""
    alternatives = []
    for i, key in enumerate(order_by):
        equal = {k.lstrip("-"): values[j] for j, k in enumerate(order_by[:i])}
        op = "lt" if key.startswith("-") else "gt"
        alternatives.append(Q(**equal, **{f"{key.lstrip('-')}__{op}": values[i]}))
    return Q(*alternatives, join_type="OR")


async def keyset_page(
    query: QuerySet[T], first: int | None, after: str | None, order_by: Sequence[str]
) -> Page[T]:
    size = page_size(first)
    kind = "k:" + ",".join(order_by)
    if after:
        query = query.filter(_after(order_by, decode_cursor(after, kind, len(order_by))))
    rows = await query.order_by(*order_by).limit(size + 1) if size else []
    edges = [
        (encode_cursor(kind, [getattr(row, k.lstrip("-")) for k in order_by]), row)
        for row in rows[:size]
    ]
    return Page(edges, has_next_page=len(rows) > size, has_previous_page=bool(after))


def _offset_after(after: str | None) -> int:
    """The position an offset cursor points past (0 without one)."""
    if not after:
        return 0
    (last,) = decode_cursor(after, "o", 1)
    if not isinstance(last, int) or last < 0:
        raise fail("INVALID_CURSOR", "`after` is not a cursor from this list.", "after")
    return last + 1


async def offset_page(
    query: QuerySet[T], first: int | None, after: str | None, order_by: Sequence[str]
) -> Page[T]:
    """For lists ranked by something that is not a stable key (search results)."""
    size = page_size(first)
    start = _offset_after(after)
    rows = await query.order_by(*order_by).offset(start).limit(size + 1) if size else []
    edges = [(encode_cursor("o", [start + i]), row) for i, row in enumerate(rows[:size])]
    return Page(edges, has_next_page=len(rows) > size, has_previous_page=start > 0)


def page_of(items: Sequence[T], first: int | None, after: str | None) -> Page[T]:
    """The same paging over a list already in memory."""
    size = page_size(first)
    start = _offset_after(after)
    chunk = list(items[start : start + size])
    edges = [(encode_cursor("o", [start + i]), row) for i, row in enumerate(chunk)]
    return Page(edges, has_next_page=start + size < len(items), has_previous_page=start > 0)
