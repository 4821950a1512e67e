import pytest

from domain.accounts import SubscriberStatus
from domain.catalog import PlanKind
from domain.errors import DomainError
from domain.orders.eligibility import (
    check_add_on_orderable,
    check_may_transact,
    check_not_current,
    check_plan_orderable,
)


def code_of(call, *args) -> str | None:
    try:
        call(*args)
    except DomainError as error:
        return error.code
    return None


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (SubscriberStatus.ACTIVE, None),
        (SubscriberStatus.SUSPENDED, "ACCOUNT_SUSPENDED"),
        (SubscriberStatus.CLOSED, "ACCOUNT_CLOSED"),
    ],
)
def test_only_active_numbers_order(status, code):
    assert code_of(check_may_transact, status) == code


@pytest.mark.parametrize(
    ("kind", "on_sale", "needs_5g", "device_5g", "code"),
    [
        (PlanKind.PLAN, True, False, False, None),
        (PlanKind.COMBO, True, False, True, "PLAN_NOT_AVAILABLE"),
        (PlanKind.PLAN, False, False, True, "PLAN_NOT_AVAILABLE"),
        (PlanKind.PLAN, True, True, False, "DEVICE_NOT_5G"),
        (PlanKind.PLAN, True, True, True, None),
        (PlanKind.PLAN, True, True, None, None),  # an anonymous quote has no device to check
    ],
)
def test_plans_on_sale_and_the_5g_device(kind, on_sale, needs_5g, device_5g, code):
    assert code_of(check_plan_orderable, "5G智享", kind, on_sale, needs_5g, device_5g) == code


def test_packs_on_sale():
    assert code_of(check_add_on_orderable, "7天流量包", True) is None
    assert code_of(check_add_on_orderable, "7天流量包", False) == "PACK_NOT_AVAILABLE"


def test_ordering_the_current_plan_only_cancels_a_pending_change():
    assert code_of(check_not_current, "4G-76", "4G-76", False) == "ALREADY_ON_PLAN"
    assert code_of(check_not_current, "4G-76", "4G-76", True) is None
    assert code_of(check_not_current, "4G-76", "4G-136", False) is None
