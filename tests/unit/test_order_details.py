from hypothesis import given
from hypothesis import strategies as st

from domain.orders import OrderKind
from domain.orders.details import (
    OrderDetails,
    PackPurchaseDetails,
    PlanChangeDetails,
    RechargeDetails,
    details_from_json,
)

text = st.text(max_size=20)


@given(
    fingerprint=text,
    summary=text,
    charged=st.integers(0, 10**9),
    plan=text,
    packs=st.lists(text, max_size=4),
    superseded=st.integers(0, 3),
)
def test_plan_change_details_round_trip(fingerprint, summary, charged, plan, packs, superseded):
    details = PlanChangeDetails(
        fingerprint=fingerprint,
        summary=summary,
        charged_fen=charged,
        plan_id=plan,
        pack_ids=tuple(packs),
        superseded=superseded,
    )
    for kind in (OrderKind.BUNDLE, OrderKind.PLAN_CHANGE):
        assert details_from_json(kind, details.to_json()) == details


@given(buckets=st.lists(st.integers(1, 10**6), max_size=3), until=st.none() | text)
def test_pack_purchase_details_round_trip(buckets, until):
    details = PackPurchaseDetails(
        "fp", "订购", 800, add_on_id="ADD-7D-1G", bucket_ids=tuple(buckets), valid_until=until
    )
    assert details_from_json(OrderKind.PACK_PURCHASE, details.to_json()) == details


def test_records_written_before_versions_read_as_version_one():
    old = {
        "fingerprint": "payment:1",
        "payment_id": "1",
        "method": "ALIPAY",
        "channel": "APP",
        "trigger": "MANUAL",
    }
    details = details_from_json(OrderKind.RECHARGE, old)
    assert details == RechargeDetails(
        "payment:1", channel="APP", payment_id="1", method="ALIPAY", trigger="MANUAL"
    )
    assert details.summary == "" and details.charged_fen == 0


def test_kinds_without_a_class_keep_their_fields():
    raw = {
        "v": 1,
        "fingerprint": "f",
        "summary": "选号",
        "charged_fen": 100,
        "number": "18612345678",
    }
    unclassed = "A_KIND_WITHOUT_ITS_CLASS"  # e.g. rows of a kind this code no longer types
    details = details_from_json(unclassed, raw)  # type: ignore[arg-type]
    assert type(details) is OrderDetails and details.extra == {"number": "18612345678"}
    assert details.to_json() == {**raw, "channel": None, "cap_reservation": None}
    assert details_from_json(unclassed, details.to_json()) == details  # type: ignore[arg-type]


def test_a_redemption_reads_back_typed():
    from domain.orders.details import RedemptionDetails

    details = RedemptionDetails(
        fingerprint="f", summary="积分兑换", charged_fen=1990, item_id="mall-1", quantity=2,
        points=2000, method="ALIPAY", payment_id="p-1",
    )  # fmt: skip
    again = details_from_json(OrderKind.POINTS_REDEMPTION, details.to_json())
    assert again == details and type(again) is RedemptionDetails


def test_a_newer_version_is_refused():
    import pytest

    with pytest.raises(ValueError):
        details_from_json(OrderKind.RECHARGE, {"v": 99, "fingerprint": "f"})
