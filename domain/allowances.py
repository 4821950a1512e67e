"""Allowance kinds and their base units: data is counted in KB so rating never rounds a session
up to a whole MB before the allowance is gone."""

from __future__ import annotations

from enum import StrEnum

KB_PER_MB = 1024


class AllowanceKind(StrEnum):
    DATA = "DATA"
    VOICE = "VOICE"
    SMS = "SMS"


DISPLAY_UNIT = {AllowanceKind.DATA: "MB", AllowanceKind.VOICE: "MIN", AllowanceKind.SMS: "MSG"}


def to_display(kind: AllowanceKind, base_amount: int) -> int:
    """Base units to what the hall shows; data rounds down so 'remaining' never overstates."""
    return base_amount // KB_PER_MB if kind is AllowanceKind.DATA else base_amount


def from_display(kind: AllowanceKind, amount: int) -> int:
    return amount * KB_PER_MB if kind is AllowanceKind.DATA else amount
