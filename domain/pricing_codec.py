"""A `Quote` to JSON-safe data and back: the pricing snapshot every order keeps.

The codec walks the dataclass fields and their type hints, so a field the promotions engine adds
to `Quote` (or to the types inside it) is stored without a change here. Loading ignores keys the
current code does not know and lets missing ones take their defaults, so snapshots written by an
older or newer version still load. Instants are ISO 8601 in UTC, enums their values, tuples lists.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from domain.calendar import as_utc
from domain.pricing import Quote


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return from_plain(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(from_plain(item, element) for element in data)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return [from_plain(item, element) for element in data]
    if hint is datetime:
        return datetime.fromisoformat(data)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        known = {f.name for f in dataclasses.fields(hint) if f.init}
        return hint(
            **{
                name: from_plain(hints[name], value)
                for name, value in data.items()
                if name in known
            }
        )
    return data


def quote_to_json(quote: Quote) -> dict[str, Any]:
    return to_plain(quote)


def quote_from_json(data: dict[str, Any]) -> Quote:
    return from_plain(Quote, data)
