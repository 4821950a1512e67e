"""Campaigns and festivals to JSON-safe dicts and back, for the storage layer (a JSON column).

Instants are ISO 8601 strings in UTC; enums are their names; tuples are lists. Loading goes
through the dataclass constructors, so stored data is validated exactly like new input.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from domain.calendar import as_utc
from domain.promotions.model import (
    Audience,
    Benefit,
    Campaign,
    Caps,
    Festival,
    Stacking,
    Targets,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)  # StrEnum members become plain strings
    return value


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    return _plain(asdict(campaign))


def campaign_from_dict(data: dict[str, Any]) -> Campaign:
    benefit = dict(data["benefit"])
    benefit["until"] = _instant(benefit.get("until"))
    return Campaign(
        id=data["id"],
        name=data["name"],
        description=data.get("description", ""),
        festival_id=data.get("festival_id"),
        starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]),
        channels=tuple(data["channels"]),
        audience=Audience(**data.get("audience", {})),
        targets=Targets(**data["targets"]),
        benefit=Benefit(**benefit),
        priority=data.get("priority", 0),
        stacking=Stacking(**data.get("stacking", {})),
        caps=Caps(**data.get("caps", {})),
        floor_fen=data.get("floor_fen"),
        draft=data.get("draft", False),
        paused=data.get("paused", False),
    )


def festival_to_dict(festival: Festival) -> dict[str, Any]:
    return _plain(asdict(festival))


def festival_from_dict(data: dict[str, Any]) -> Festival:
    return Festival(
        id=data["id"],
        name=data["name"],
        description=data.get("description", ""),
        starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]),
    )
