"""A document the HTTP layer checked against its sha256 (automatic persisted queries), handed to
the schema's extensions in the operation's extensions under `persistedQuery`.

Only the server makes one (a client's `persistedQuery` is JSON, never this class), so the
extensions may trust it: once it has validated in this process, `document` is set and later
requests with the same hash take the fast path, neither parsed nor validated again. Its cost
still depends on the variables, so it is measured per request, memoised here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode

from schema.limits import Measure

KEY = "persistedQuery"
MAX_MEASURES = 32  # variable shapes remembered per document (page sizes differ by screen)


@dataclass(eq=False)
class PersistedDocument:
    sha256: str
    query: str
    document: DocumentNode | None = None  # set once it parsed and validated in this process
    measures: dict[tuple, Measure] = field(default_factory=dict)

    def measure(self, key: tuple, compute: Callable[[], Measure]) -> Measure:
        known = self.measures.get(key)
        if known is None:
            if len(self.measures) >= MAX_MEASURES:
                self.measures.clear()
            known = self.measures[key] = compute()
        return known


def persisted_of(extensions: Mapping[str, Any] | None) -> PersistedDocument | None:
    value = (extensions or {}).get(KEY)
    return value if isinstance(value, PersistedDocument) else None
