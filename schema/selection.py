"""Which sub-fields a request selects under the field being resolved (fragments looked into),
so a resolver can read in one statement what the fields below it will need."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _fields(selections: Iterable[Any]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (InlineFragment, FragmentSpread)):
            yield from _fields(selection.selections)


def _names(selections: Iterable[Any]) -> Iterable[str]:
    return (field.name for field in _fields(selections))


def selects(info: Info, name: str) -> bool:
    """Whether `name` (as the client spells it, camelCase) is selected right below this field."""
    return any(name in _names(field.selections) for field in info.selected_fields)


def node_fields(info: Info) -> set[str]:
    """The fields selected on the nodes of the connection being resolved (under `edges { node }`
    and under `nodes`)."""
    found: set[str] = set()
    for connection in info.selected_fields:
        for part in _fields(connection.selections):
            if part.name == "nodes":
                found.update(_names(part.selections))
            elif part.name == "edges":
                for node in _fields(part.selections):
                    if node.name == "node":
                        found.update(_names(node.selections))
    return found
