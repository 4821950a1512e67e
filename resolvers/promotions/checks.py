"""Input checks the domain does not make: lengths, list sizes, the priority range, offsets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import as_utc
from domain.errors import ErrorCode, fail
from domain.promotions import model as promo

MAX_IDS = 200
MAX_NAME = 128
MAX_DESCRIPTION = 2000
PRIORITY_RANGE = range(-10_000, 10_001)


def text(value: str | None, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise fail("INVALID_CAMPAIGN", "Give it a name.", field)
    if len(value) > limit:
        raise fail("INVALID_CAMPAIGN", f"At most {limit} characters.", field)
    return value


def aware(value: datetime, field: str, code: ErrorCode | str = "INVALID_CAMPAIGN") -> datetime:
    if value.tzinfo is None:
        raise fail(code, "Give an instant with its offset, e.g. +08:00.", field)
    return as_utc(value)


def check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` (domain Campaign fields from the schema's input) with names trimmed and instants
    in UTC; INVALID_CAMPAIGN with the input field for anything out of bounds."""
    out = dict(fields)
    if "name" in out:
        out["name"] = text(out["name"], "name", MAX_NAME, required=True)
    if "description" in out:
        out["description"] = text(out["description"], "description", MAX_DESCRIPTION)
    for name, field in (("starts_at", "startsAt"), ("ends_at", "endsAt")):
        if name in out:
            out[name] = aware(out[name], field)
    if "priority" in out and out["priority"] not in PRIORITY_RANGE:
        raise fail("INVALID_CAMPAIGN", "Priority is -10000 to 10000.", "priority")
    targets: promo.Targets | None = out.get("targets")
    audience: promo.Audience | None = out.get("audience")
    stacking: promo.Stacking | None = out.get("stacking")
    sizes = [
        (targets.plan_ids if targets else (), "targets.planIds"),
        (targets.pack_ids if targets else (), "targets.packIds"),
        (targets.mall_item_ids if targets else (), "targets.mallItemIds"),
        (audience.plan_ids if audience else (), "audience.planIds"),
        (audience.regions if audience else (), "audience.regions"),
        (stacking.combines_with if stacking else out.get("combines_with", ()), "combinesWith"),
    ]
    for ids, field in sizes:
        if len(ids) > MAX_IDS or any(not i or len(i) > 64 for i in ids):
            raise fail("INVALID_CAMPAIGN", f"At most {MAX_IDS} ids of 1 to 64 characters.", field)
    benefit: promo.Benefit | None = out.get("benefit")
    if benefit is not None and benefit.until is not None:
        aware(benefit.until, "benefit.until")
    return out
