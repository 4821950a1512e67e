from __future__ import annotations

import strawberry

from domain.bundles import BundleSelection


@strawberry.input(
    description="A 4G national combo: one data pack, optional voice, SMS and VAS packs."
)
class BundleInput:
    data_pack_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required: the combo's one DATA pack."
    )
    voice_pack_id: strawberry.ID | None = None
    sms_pack_id: strawberry.ID | None = None
    vas_pack_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Distinct value-added packs."
    )

    def selection(self) -> BundleSelection:
        return BundleSelection(
            data_pack_id=self.data_pack_id,
            voice_pack_id=self.voice_pack_id,
            sms_pack_id=self.sms_pack_id,
            vas_pack_ids=tuple(self.vas_pack_ids or ()),
        )
