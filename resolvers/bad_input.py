"""Exceptions that mean the client sent a value storage cannot take (an id longer than its
column, a value outside a field's range): the schema answers them as INVALID_ARGUMENT instead
of masking them as an internal error. Named here so the schema needs no storage import."""

from __future__ import annotations

from tortoise.exceptions import ValidationError

BAD_INPUT: tuple[type[Exception], ...] = (ValidationError,)
