"""Composing the 4G national combo (4G全国组合): exactly one DATA pack, at most one VOICE pack, at
most one SMS pack and any number of distinct value-added (VAS) packs. The monthly fee is the sum.

The request names packs in slots (`dataPackId`, `voicePackId`, `smsPackId`, `vasPackIds`), but
the composition is the *set* of packs named: the kind rules count that set by each pack's real
kind, so neither the order of `vasPackIds` nor which slot a pack came in changes the combo.
Every problem is reported at once, each at the field that carries it:

- UNKNOWN_PACK        an id the catalog does not have (also blank ids)
- PACK_NOT_AVAILABLE  a pack retired from sale
- DUPLICATE_PACK      an id already named in an earlier field (reported at the later one)
- TOO_MANY_OF_KIND    a second DATA, VOICE or SMS pack (reported at each extra one: the pack in
                      the kind's own slot is kept, otherwise the first named), or more than
                      `MAX_VAS_PACKS` entries in `vasPackIds` (then nothing else is checked)
- DATA_PACK_REQUIRED  no DATA pack in the composition, unless the id in `dataPackId` was itself
                      reported as unknown, unavailable or a duplicate
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.catalog import KIND_ORDER, PackInfo, PackKind
from domain.errors import DomainError, Problem
from domain.pricing import Cart, CartLine, OfferingKind

MAX_VAS_PACKS = 20
MAX_ID_LENGTH = 64
COMBO_PREFIX = "COMBO-"
COMBO_NAME = "4G全国组合"

SLOT_FIELD = {PackKind.DATA: "dataPackId", PackKind.VOICE: "voicePackId", PackKind.SMS: "smsPackId"}
SINGLE_KINDS = (PackKind.DATA, PackKind.VOICE, PackKind.SMS)
KIND_LABEL = {PackKind.DATA: "流量包", PackKind.VOICE: "语音包", PackKind.SMS: "短信包"}


@dataclass(frozen=True)
class BundleSelection:
    """What the customer picked; None means the slot was left empty."""

    data_pack_id: str | None = None
    voice_pack_id: str | None = None
    sms_pack_id: str | None = None
    vas_pack_ids: tuple[str, ...] = ()

    def entries(self) -> list[tuple[str, str]]:
        """(field, id) for every id given, in the order the request lists them."""
        named = [
            ("dataPackId", self.data_pack_id),
            ("voicePackId", self.voice_pack_id),
            ("smsPackId", self.sms_pack_id),
        ]
        named += [(f"vasPackIds[{i}]", pack_id) for i, pack_id in enumerate(self.vas_pack_ids)]
        return [(field, pack_id) for field, pack_id in named if pack_id is not None]

    def fingerprint(self) -> str:
        """Stable across the order packs are given in: what an idempotency key is bound to."""
        return "BUNDLE:" + ",".join(sorted((pid or "").strip() for _, pid in self.entries()))


def canonical(packs: Sequence[PackInfo]) -> tuple[PackInfo, ...]:
    return tuple(sorted(packs, key=lambda p: (KIND_ORDER[p.kind], p.id)))


def combo_id(pack_ids: Sequence[str]) -> str:
    """Deterministic from the set of pack ids: the same combo is the same plan row."""
    digest = hashlib.sha256("+".join(sorted(set(pack_ids))).encode("utf-8")).hexdigest()
    return COMBO_PREFIX + digest[:16].upper()


def pack_label(pack: PackInfo) -> str:
    if pack.kind is PackKind.DATA:
        return f"{pack.amount // 1024}GB" if pack.amount % 1024 == 0 else f"{pack.amount}MB"
    if pack.kind is PackKind.VOICE:
        return f"{pack.amount}分钟"
    if pack.kind is PackKind.SMS:
        return f"{pack.amount}条"
    return pack.name


@dataclass(frozen=True)
class Combo:
    packs: tuple[PackInfo, ...]  # canonical order: DATA, VOICE, SMS, VAS, then by id

    @property
    def id(self) -> str:
        return combo_id([p.id for p in self.packs])

    @property
    def name(self) -> str:
        name = f"{COMBO_NAME}（{'+'.join(pack_label(p) for p in self.packs)}）"
        return name if len(name) <= 128 else name[:127] + "…"

    @property
    def monthly_fee_fen(self) -> int:
        return sum(p.price_fen for p in self.packs)

    def amount_of(self, kind: PackKind) -> int:
        return sum(p.amount for p in self.packs if p.kind is kind)

    @property
    def pack_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.packs)


def composition_problems(
    selection: BundleSelection, catalog: Mapping[str, PackInfo]
) -> tuple[list[Problem], list[tuple[str, PackInfo]]]:
    """Every problem of the selection, and the usable (field, pack) entries it names."""
    if len(selection.vas_pack_ids) > MAX_VAS_PACKS:
        return [
            Problem(
                "TOO_MANY_OF_KIND",
                f"A combo takes at most {MAX_VAS_PACKS} value-added packs.",
                "vasPackIds",
            )
        ], []
    problems: list[Problem] = []
    flagged: set[str] = set()
    seen: set[str] = set()
    usable: list[tuple[str, PackInfo]] = []
    for field, raw in selection.entries():
        pack_id = raw.strip()
        if pack_id in seen:
            problems.append(Problem("DUPLICATE_PACK", f"{pack_id} is already in the combo.", field))
            flagged.add(field)
            continue
        seen.add(pack_id)
        pack = catalog.get(pack_id) if 0 < len(pack_id) <= MAX_ID_LENGTH else None
        if pack is None:
            shown = pack_id[:MAX_ID_LENGTH] or "(blank)"
            problems.append(Problem("UNKNOWN_PACK", f"There is no pack {shown}.", field))
            flagged.add(field)
        elif not pack.active:
            problems.append(
                Problem("PACK_NOT_AVAILABLE", f"{pack.name} is no longer on sale.", field)
            )
            flagged.add(field)
        else:
            usable.append((field, pack))

    for kind in SINGLE_KINDS:
        group = [(field, pack) for field, pack in usable if pack.kind is kind]
        if len(group) <= 1:
            continue
        own = [entry for entry in group if entry[0] == SLOT_FIELD[kind]]
        keep = own[0] if own else group[0]
        for field, pack in group:
            if (field, pack) != keep:
                problems.append(
                    Problem(
                        "TOO_MANY_OF_KIND",
                        f"A combo takes one {KIND_LABEL[kind]}; {pack.name} would be a second.",
                        field,
                    )
                )
    has_data = any(pack.kind is PackKind.DATA for _, pack in usable)
    if not has_data and "dataPackId" not in flagged:
        given = dict(usable).get("dataPackId")
        message = (
            f"{given.name} is not a data pack; a combo needs exactly one data pack."
            if given is not None
            else "A combo needs exactly one data pack."
        )
        problems.append(Problem("DATA_PACK_REQUIRED", message, "dataPackId"))
    return problems, usable


def compose(selection: BundleSelection, catalog: Mapping[str, PackInfo]) -> Combo:
    """The combo the selection describes, or a DomainError listing every problem."""
    problems, usable = composition_problems(selection, catalog)
    if problems:
        raise DomainError(*problems)
    return Combo(canonical([pack for _, pack in usable]))


def bundle_cart(combo: Combo) -> Cart:
    """One recurring line per pack: promotions may target single packs of a combo."""
    return Cart(
        tuple(
            CartLine(
                offering_id=p.id,
                kind=OfferingKind(p.kind.value),
                name=p.name,
                list_price_fen=p.price_fen,
                recurring=True,
            )
            for p in combo.packs
        )
    )
