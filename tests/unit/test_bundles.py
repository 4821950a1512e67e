"""Composition rules of the 4G national combo, proven by properties."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from db.seed.catalog import PACKS
from domain.bundles import (
    MAX_VAS_PACKS,
    BundleSelection,
    bundle_cart,
    combo_id,
    compose,
    composition_problems,
)
from domain.catalog import PackInfo, PackKind
from domain.errors import DomainError
from domain.pricing import list_quote

ON_SALE = [PackInfo(pid, kind, name, amount, price) for pid, kind, name, amount, price, _ in PACKS]
RETIRED = [
    PackInfo("OLD-DATA-50M", PackKind.DATA, "流量包 50MB", 50, 500, active=False),
    PackInfo("OLD-VOICE-100", PackKind.VOICE, "语音包 100分钟", 100, 2000, active=False),
    PackInfo("OLD-SMS-100", PackKind.SMS, "短信包 100条", 100, 500, active=False),
    PackInfo("OLD-VAS-RBT", PackKind.VAS, "彩铃", 0, 500, active=False),
]
CATALOG = {p.id: p for p in ON_SALE + RETIRED}
BY_KIND = {kind: [p for p in ON_SALE if p.kind is kind] for kind in PackKind}
UNKNOWN = [f"NO-SUCH-{i}" for i in range(6)]
EFFECTIVE = datetime(2026, 11, 30, 16, tzinfo=UTC)


def codes(selection: BundleSelection) -> Counter[str]:
    problems, _ = composition_problems(selection, CATALOG)
    return Counter(p.code for p in problems)


@st.composite
def valid_selections(draw) -> tuple[BundleSelection, list[PackInfo]]:
    data = draw(st.sampled_from(BY_KIND[PackKind.DATA]))
    voice = draw(st.none() | st.sampled_from(BY_KIND[PackKind.VOICE]))
    sms = draw(st.none() | st.sampled_from(BY_KIND[PackKind.SMS]))
    vas = draw(st.lists(st.sampled_from(BY_KIND[PackKind.VAS]), unique_by=lambda p: p.id))
    selection = BundleSelection(
        data.id, voice.id if voice else None, sms.id if sms else None, tuple(p.id for p in vas)
    )
    return selection, [p for p in (data, voice, sms, *vas) if p is not None]


@given(valid_selections())
def test_combo_list_price_is_the_sum_of_its_packs(case):
    selection, packs = case
    combo = compose(selection, CATALOG)
    total = sum(p.price_fen for p in packs)
    assert combo.monthly_fee_fen == total
    quote = list_quote(bundle_cart(combo), EFFECTIVE)
    assert quote.list_price_fen == quote.final_price_fen == total
    assert sorted(line.offering_id for line in quote.lines) == sorted(p.id for p in packs)
    assert [m.price_fen for m in quote.schedule] == [total] * 12
    assert combo.amount_of(PackKind.DATA) == sum(p.amount for p in packs if p.kind is PackKind.DATA)


@given(valid_selections(), st.randoms(use_true_random=False), st.data())
def test_composition_is_independent_of_the_order_packs_are_given(case, rnd, data):
    selection, packs = case
    reference = compose(selection, CATALOG)
    shuffled = list(selection.vas_pack_ids)
    rnd.shuffle(shuffled)
    # Moving the optional packs into vasPackIds changes nothing either: a combo is a set.
    voice, sms = selection.voice_pack_id, selection.sms_pack_id
    move = data.draw(st.booleans())
    extra = [i for i in (voice, sms) if i] if move else []
    same = BundleSelection(
        selection.data_pack_id,
        None if move else voice,
        None if move else sms,
        tuple(extra + shuffled),
    )
    combo = compose(same, CATALOG)
    assert combo == reference
    assert combo.id == reference.id == combo_id([p.id for p in packs])
    assert combo.name == reference.name
    assert same.fingerprint() == selection.fingerprint()


@st.composite
def defective_selections(draw) -> tuple[BundleSelection, Counter[str]]:
    """A valid combo with defects injected; each defect implies exactly one code."""
    (base, _packs) = draw(valid_selections())
    expected: Counter[str] = Counter()
    data_id = base.data_pack_id
    vas = list(base.vas_pack_ids)
    data_defect = draw(st.sampled_from(["none", "missing", "vas_as_data", "unknown", "retired"]))
    if data_defect == "missing":
        data_id = None
        expected["DATA_PACK_REQUIRED"] += 1
    elif data_defect == "vas_as_data":
        unused = [p for p in BY_KIND[PackKind.VAS] if p.id not in vas]
        if unused:
            data_id = draw(st.sampled_from(unused)).id
            expected["DATA_PACK_REQUIRED"] += 1
    elif data_defect == "unknown":
        data_id = "NO-SUCH-DATA"
        expected["UNKNOWN_PACK"] += 1
    elif data_defect == "retired":
        data_id = "OLD-DATA-50M"
        expected["PACK_NOT_AVAILABLE"] += 1
    extra: list[str] = []
    for unknown in draw(st.lists(st.sampled_from(UNKNOWN), unique=True, max_size=3)):
        extra.append(unknown)
        expected["UNKNOWN_PACK"] += 1
    retired_left = [p.id for p in RETIRED if p.id != data_id]
    for retired in draw(st.lists(st.sampled_from(retired_left), unique=True, max_size=2)):
        extra.append(retired)
        expected["PACK_NOT_AVAILABLE"] += 1
    present = [i for i in (data_id, base.voice_pack_id, base.sms_pack_id, *vas) if i]
    if present:
        for duplicate in draw(st.lists(st.sampled_from(present), max_size=3)):
            extra.append(duplicate)
            expected["DUPLICATE_PACK"] += 1
    # A second pack of a single kind, only where that kind already has its one pack.
    has = {
        PackKind.DATA: data_defect == "none",
        PackKind.VOICE: base.voice_pack_id is not None,
        PackKind.SMS: base.sms_pack_id is not None,
    }
    for kind, filled in has.items():
        if not filled:
            continue
        taken = {base.data_pack_id, base.voice_pack_id, base.sms_pack_id}
        others = [p.id for p in BY_KIND[kind] if p.id not in taken]
        for second in draw(st.lists(st.sampled_from(others), unique=True, max_size=2)):
            extra.append(second)
            expected["TOO_MANY_OF_KIND"] += 1
    vas += extra
    order = draw(st.permutations(vas))
    selection = BundleSelection(data_id, base.voice_pack_id, base.sms_pack_id, tuple(order))
    return selection, expected


@settings(max_examples=300)
@given(defective_selections())
def test_every_invalid_composition_yields_exactly_the_codes_its_defects_imply(case):
    selection, expected = case
    problems, _ = composition_problems(selection, CATALOG)
    assert Counter(p.code for p in problems) == expected
    assert all(p.field for p in problems)
    if expected:
        try:
            compose(selection, CATALOG)
        except DomainError as error:
            assert Counter(p.code for p in error.problems) == expected
        else:
            raise AssertionError("an invalid composition was accepted")
    else:
        compose(selection, CATALOG)


ANY_ID = st.sampled_from([p.id for p in ON_SALE + RETIRED] + UNKNOWN + ["", "  "])


@given(
    st.none() | ANY_ID,
    st.none() | ANY_ID,
    st.none() | ANY_ID,
    st.lists(ANY_ID, max_size=8),
    st.randoms(use_true_random=False),
)
def test_codes_do_not_depend_on_the_order_of_vas_packs(data, voice, sms, vas, rnd):
    shuffled = list(vas)
    rnd.shuffle(shuffled)
    a = codes(BundleSelection(data, voice, sms, tuple(vas)))
    b = codes(BundleSelection(data, voice, sms, tuple(shuffled)))
    assert a == b


def test_each_problem_names_its_field():
    selection = BundleSelection(
        "VAS-CLOUD", "NOPE", "OLD-SMS-100", ("VAS-CALLER-ID", "VAS-CALLER-ID", "VOICE-200")
    )
    problems, _ = composition_problems(selection, CATALOG)
    assert sorted((p.code, p.field) for p in problems) == [
        ("DATA_PACK_REQUIRED", "dataPackId"),
        ("DUPLICATE_PACK", "vasPackIds[1]"),
        ("PACK_NOT_AVAILABLE", "smsPackId"),
        ("UNKNOWN_PACK", "voicePackId"),
    ]


def test_the_pack_in_its_own_slot_is_kept_and_the_extra_one_reported():
    problems, _ = composition_problems(
        BundleSelection("DATA-1G", "VOICE-200", None, ("VOICE-500", "DATA-2G")), CATALOG
    )
    assert sorted((p.code, p.field) for p in problems) == [
        ("TOO_MANY_OF_KIND", "vasPackIds[0]"),
        ("TOO_MANY_OF_KIND", "vasPackIds[1]"),
    ]


def test_an_absurd_number_of_vas_packs_is_one_problem():
    selection = BundleSelection("DATA-1G", vas_pack_ids=tuple(["VAS-CLOUD"] * (MAX_VAS_PACKS + 1)))
    assert codes(selection) == Counter({"TOO_MANY_OF_KIND": 1})


def test_an_empty_selection_needs_a_data_pack():
    assert codes(BundleSelection()) == Counter({"DATA_PACK_REQUIRED": 1})


def test_combo_ids_fit_the_plan_id_column():
    combo = compose(BundleSelection("DATA-11G", "VOICE-3000", "SMS-600", ("VAS-CLOUD",)), CATALOG)
    assert len(combo.id) <= 32 and combo.id.startswith("COMBO-")
    assert combo.name == "4G全国组合（11GB+3000分钟+600条+和彩云网盘 50GB）"
