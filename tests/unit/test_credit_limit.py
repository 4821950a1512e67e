"""The credit-limit rules: what a profile may get, and which chosen limits are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.credit_limit import (
    MAX_CREDIT_LIMIT_FEN,
    CreditProfile,
    CreditQuote,
    check_new_limit,
    credit_quote,
)
from domain.errors import DomainError


def profile(**kw) -> CreditProfile:
    args = dict(
        real_name_verified=True,
        tenure_months=24,
        bills_on_time=6,
        bills_late=0,
        balance_fen=1_000,
        current_limit_fen=0,
    )
    args.update(kw)
    return CreditProfile(**args)


def test_figures_of_the_rules():
    assert credit_quote(profile()).max_fen == 10_000 + 6 * 2_000
    assert credit_quote(profile(tenure_months=2, bills_on_time=0)).max_fen == 0
    assert credit_quote(profile(tenure_months=40)).max_fen == 20_000 + 12_000
    assert credit_quote(profile(bills_on_time=5, bills_late=1)).max_fen == 5_000
    assert credit_quote(profile(real_name_verified=False)).max_fen == 0
    in_arrears = profile(balance_fen=-500, current_limit_fen=3_000)
    assert credit_quote(in_arrears).max_fen == 3_000


profiles = st.builds(
    CreditProfile,
    real_name_verified=st.booleans(),
    tenure_months=st.integers(0, 240),
    bills_on_time=st.integers(0, 3),
    bills_late=st.integers(0, 3),
    balance_fen=st.integers(-100_000, 100_000),
    current_limit_fen=st.integers(0, MAX_CREDIT_LIMIT_FEN),
)


@given(profiles)
def test_the_quote_is_bounded_and_needs_a_real_name(p):
    q = credit_quote(p)
    assert 0 <= q.max_fen <= MAX_CREDIT_LIMIT_FEN
    if not p.real_name_verified:
        assert q.max_fen == 0
    if p.balance_fen < 0:
        assert q.max_fen <= p.current_limit_fen


@given(profiles, st.integers(0, 60))
def test_more_tenure_never_lowers_the_quote(p, more):
    longer = CreditProfile(**{**p.__dict__, "tenure_months": p.tenure_months + more})
    assert credit_quote(longer).max_fen >= credit_quote(p).max_fen


@given(profiles)
def test_a_late_bill_never_raises_the_quote(p):
    if p.bills_on_time == 0:
        return
    worse = CreditProfile(
        **{**p.__dict__, "bills_on_time": p.bills_on_time - 1, "bills_late": p.bills_late + 1}
    )
    assert credit_quote(worse).max_fen <= credit_quote(p).max_fen


@pytest.mark.parametrize(
    ("amount", "balance", "code"),
    [
        (20_100, 0, "CREDIT_LIMIT_EXCEEDS_QUOTE"),
        (-100, 0, "INVALID_AMOUNT"),
        (150, 0, "INVALID_AMOUNT"),
        (1_000, -2_000, "CREDIT_LIMIT_BELOW_ARREARS"),
    ],
)
def test_refused_limits(amount, balance, code):
    with pytest.raises(DomainError) as refused:
        check_new_limit(amount, CreditQuote(20_000, 0, ()), balance)
    assert refused.value.code == code and refused.value.problems[0].field == "amountFen"


def test_accepted_limits():
    check_new_limit(20_000, CreditQuote(20_000, 0, ()), 0)
    check_new_limit(2_000, CreditQuote(20_000, 0, ()), -2_000)
    check_new_limit(0, CreditQuote(0, 0, ()), 0)
