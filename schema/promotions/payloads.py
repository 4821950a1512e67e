from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from domain.errors import DomainError, Problem
from schema.errors import UserError, payload
from schema.promotions.types import Campaign, Festival


@strawberry.type
class FestivalPayload:
    festival: Festival | None = None
    user_errors: list[UserError]


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None = None
    warnings: list[str] = strawberry.field(
        default_factory=list,
        description="Saved anyway, but check: each starts with a stable code and a colon "
        "(EXCLUSIVE_OVERLAP, ONE_SIDED_COMBINE, UNKNOWN_CAMPAIGN, BELOW_FLOOR, TERM_ENDS_EARLY, "
        "OUTSIDE_FESTIVAL, STARTS_NOW).",
    )
    user_errors: list[UserError]


_FIELDS = {"stacking.combines_with": "combinesWith", "stacking.rule": "stacking"}


def input_field(field: str | None) -> str | None:
    """Domain field paths (benefit.percent_bp) as the client sent them (benefit.percentBp)."""
    if field is None:
        return None
    field = _FIELDS.get(field, field)
    return ".".join(
        re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in field.split(".")
    )


P = TypeVar("P")


async def promotion_payload(cls: type[P], work: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    async def renamed() -> dict[str, Any]:
        try:
            return await work()
        except DomainError as error:
            raise DomainError(
                *(Problem(p.code, p.message, input_field(p.field)) for p in error.problems)
            ) from None

    return await payload(cls, renamed)
