"""Keyset pagination for Relay-style connections: `first` ≤ 100 and an opaque cursor that encodes
the sort key of the last row seen. Tiny and generic on purpose."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.errors import fail

MAX_FIRST = 100
T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def check_first(first: int | None, default: int = 20) -> int:
    first = default if first is None else first
    if not (1 <= first <= MAX_FIRST):
        raise fail("INVALID_ARGUMENT", f"first is 1 to {MAX_FIRST}.", "first")
    return first


def encode_cursor(*parts: Any) -> str:
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        parts = None
    if not isinstance(parts, list) or len(parts) != arity:
        raise fail("INVALID_CURSOR", "This cursor did not come from this list.", "after")
    return parts


def page_of(rows: list[T], first: int, key) -> Page[T]:
    """`rows` fetched with limit first + 1; `key(row)` gives the cursor parts."""
    has_next = len(rows) > first
    items = rows[:first]
    return Page(items, [encode_cursor(*key(r)) for r in items], has_next)
