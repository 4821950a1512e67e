from __future__ import annotations

import strawberry

from schema.catalog.types import Catalog


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="Plans, combo packs, add-ons and roaming packs on sale.")
    def catalog(self) -> Catalog:
        return Catalog()
