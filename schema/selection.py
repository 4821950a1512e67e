"""Which sub-fields a request selects under the field being resolved (fragments looked into),
so a resolver can read in one statement what the fields below it will need."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _names(selections: Iterable[Any]) -> Iterable[str]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection.name
        elif isinstance(selection, (InlineFragment, FragmentSpread)):
            yield from _names(selection.selections)


def selects(info: Info, name: str) -> bool:
    """Whether `name` (as the client spells it, camelCase) is selected right below this field."""
    return any(name in _names(field.selections) for field in info.selected_fields)
