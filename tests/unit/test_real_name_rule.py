"""Which order kinds need a real-name verified buyer, and what an unverified one is told."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.orders import OrderKind
from domain.orders.eligibility import REAL_NAME_KINDS, check_real_name


@pytest.mark.parametrize("kind", list(OrderKind))
def test_only_numbers_devices_and_flash_sales_need_a_real_name(kind: OrderKind) -> None:
    check_real_name(kind, True)  # a verified buyer may buy anything
    if kind in REAL_NAME_KINDS:
        with pytest.raises(DomainError) as refused:
            check_real_name(kind, False)
        assert refused.value.problems[0].code == "NOT_VERIFIED"
    else:
        check_real_name(kind, False)


def test_the_kinds_the_issue_names_are_gated() -> None:
    assert {OrderKind.NUMBER_PURCHASE, OrderKind.FLASH_SALE} <= REAL_NAME_KINDS
    assert OrderKind.PLAN_CHANGE not in REAL_NAME_KINDS
