from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing import (
    BillItemKind,
    BillStatus,
    PackCharge,
    UsageCharge,
    bill_total,
    compose_bill,
    cycle_status,
    previous_cycles,
    split_by_payer,
)
from domain.rating import UsageKind

pytestmark = pytest.mark.calendar

packs = st.lists(
    st.builds(
        PackCharge,
        name=st.text(min_size=1, max_size=10),
        final_price_fen=st.integers(0, 100_000),
        discount_fen=st.integers(0, 10_000),
    ),
    max_size=4,
)
usage = st.dictionaries(st.sampled_from(list(UsageKind)), st.integers(0, 1_000_000))
vas = st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 10_000), max_size=3)


@given(fee=st.integers(0, 100_000), packs=packs, usage=usage, vas=vas, plan=st.booleans())
def test_bill_total_is_the_sum_of_items_and_what_was_paid(fee, packs, usage, vas, plan):
    usage.pop(UsageKind.VALUE_ADDED, None)
    lines = compose_bill(
        plan_name="P" if plan else None,
        monthly_fee_fen=fee,
        packs=packs,
        usage_fen=usage,
        value_added_fen=vas,
    )
    total = bill_total(lines)
    assert total == sum(line.amount_fen for line in lines)
    paid = (fee if plan else 0) + sum(p.final_price_fen for p in packs)
    assert total == paid + sum(usage.values()) + sum(vas.values())
    discounts = [line for line in lines if line.kind is BillItemKind.DISCOUNT]
    assert all(line.amount_fen < 0 for line in discounts)
    fixed = (BillItemKind.MONTHLY_FEE, BillItemKind.PACK)
    assert all(line.amount_fen != 0 for line in lines if line.kind not in fixed)


def test_cycle_status_pending_on_days_one_and_two():
    second = datetime(2026, 11, 1, 20, tzinfo=UTC)  # 2 Nov 04:00 Shanghai
    assert cycle_status("2026-10", second, issued=False) is BillStatus.PENDING
    assert cycle_status("2026-10", second, issued=True) is BillStatus.ISSUED
    assert cycle_status("2026-11", second, issued=False) is BillStatus.OPEN
    assert previous_cycles(second, 3) == ["2026-10", "2026-09", "2026-08"]
    assert previous_cycles(second, 2, include_current=True) == ["2026-11", "2026-10"]


GROUP = ["13800000001", "13900000002", "13900000003"]  # the main first
MAIN = GROUP[0]
charges = st.lists(
    st.builds(
        UsageCharge,
        msisdn=st.sampled_from(GROUP),
        kind=st.sampled_from(list(UsageKind)),
        charge_fen=st.integers(0, 50_000),
        service_name=st.sampled_from([None, "视频彩铃", "手机报"]),
        payer=st.booleans(),
    ).map(lambda c: replace(c, payer=MAIN if c.payer and c.msisdn != MAIN else None)),
    max_size=30,
)


@given(charges=charges, fee=st.integers(0, 20_000))
def test_shared_usage_is_billed_once_to_its_payer(charges, fee):
    """Every rated charge is on exactly one bill (its payer's); each bill totals its lines; the
    main's per-member lines add up to what it paid for that member."""
    bills = {}
    for msisdn in GROUP:
        usage = split_by_payer(msisdn, charges)
        bills[msisdn] = compose_bill(
            plan_name="P",
            monthly_fee_fen=fee,
            usage_fen=usage.own,
            value_added_fen=usage.own_value_added,
            members=usage.members,
        )
    usage_lines = [
        x for lines in bills.values() for x in lines if x.kind is not BillItemKind.MONTHLY_FEE
    ]
    assert sum(x.amount_fen for x in usage_lines) == sum(c.charge_fen for c in charges)
    for msisdn, lines in bills.items():
        assert bill_total(lines) == fee + sum(
            c.charge_fen for c in charges if (c.payer or c.msisdn) == msisdn
        )
        tagged = [x for x in lines if x.member_msisdn]
        assert msisdn == MAIN or tagged == []
    for member in GROUP[1:]:
        on_main = sum(x.amount_fen for x in bills[MAIN] if x.member_msisdn == member)
        paid = sum(c.charge_fen for c in charges if c.msisdn == member and c.payer == MAIN)
        assert on_main == paid
        assert all(
            x.name.startswith(f"副卡{member}") for x in bills[MAIN] if x.member_msisdn == member
        )
