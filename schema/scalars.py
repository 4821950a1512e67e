"""Scalars that validate themselves: a bad value is refused while the request is coerced (a
GraphQL error naming the argument, 400 for clients accepting graphql-response+json), so no
resolver ever sees it and nothing downstream can overflow or compare naive with aware times."""

from __future__ import annotations

from datetime import UTC, datetime

import dateutil.parser
import strawberry
from graphql import GraphQLError

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _refuse(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_ARGUMENT"})


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise _refuse("A DateTime is an ISO 8601 string with an offset.")
    try:
        parsed = dateutil.parser.isoparse(value)
    except (ValueError, OverflowError):
        raise _refuse(f"{value[:40]!r} is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _refuse(f"{value[:40]!r} has no offset: send e.g. 2026-10-01T00:00:00+08:00.")
    try:
        at = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _refuse(f"{value[:40]!r} is out of range.") from None
    if not EARLIEST <= at < LATEST:
        raise _refuse("A DateTime must fall in the years 1900 to 2199.")
    return at


HallDateTime = strawberry.scalar(
    name="DateTime",
    description="Date with time, ISO 8601 with an offset (e.g. 2026-10-01T00:00:00+08:00), "
    "years 1900 to 2199",
    serialize=lambda value: value.isoformat(),
    parse_value=parse_datetime,
)

SCALAR_MAP = {datetime: HallDateTime}
