import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import check_msisdn, mask_msisdn, password_problems
from domain.errors import DomainError
from domain.sessions import Capability, Scope, Session
from tests.hall_clock import now as hall_now


@pytest.mark.parametrize("raw", ["18600000001", "+86 186 0000 0001", "186-0000-0001"])
def test_msisdn_accepts_mainland_numbers(raw):
    assert check_msisdn(raw) == "18600000001"


@pytest.mark.parametrize(
    "raw", ["", "1860000000", "186000000011", "12600000001", "2860000000a", "abc"]
)
def test_msisdn_rejects_malformed(raw):
    with pytest.raises(DomainError) as caught:
        check_msisdn(raw)
    assert caught.value.code == "INVALID_MSISDN"


def test_mask():
    assert mask_msisdn("18600000001") == "186****0001"


@pytest.mark.parametrize("weak", ["111111", "123456", "654321", "abcdef", "00000001", "12345"])
def test_weak_passwords(weak):
    codes = {p.code for p in password_problems(weak, "18600000001")}
    assert codes == {"WEAK_PASSWORD"}


def test_substring_of_number_is_weak():
    assert password_problems("600000", "18600000001")
    assert not password_problems("135790", "18600000001")
    assert not password_problems("Telehall#2026", "18600000001")


@given(st.characters(min_codepoint=48, max_codepoint=122), st.integers(6, 32))
def test_any_repeated_character_is_weak(ch, n):
    assert password_problems(ch * n)


@given(st.integers(0, 4), st.integers(6, 10))
def test_any_ascending_run_is_weak(start, length):
    run = "".join(str((start + i) % 10) for i in range(length))
    if "90" in run:  # wraps around 9 -> 0: not a run
        return
    assert password_problems(run)


def _session(scope):
    return Session("t", scope, 1, "18600000001", None, hall_now())


def test_limited_may_only_read_basics_and_recharge():
    limited = _session(Scope.LIMITED)
    assert limited.may(Capability.READ_BASIC) and limited.may(Capability.RECHARGE)
    assert not limited.may(Capability.READ_DETAIL) and not limited.may(Capability.TRANSACT)
    assert all(_session(Scope.FULL).may(c) for c in Capability)
    assert not any(_session(Scope.STAFF).may(c) for c in Capability)
