from hypothesis import given
from hypothesis import strategies as st

from domain.money import allocate, div_half_up, percent_of, yuan


def test_half_up():
    assert div_half_up(5, 10) == 1
    assert div_half_up(4, 10) == 0
    assert percent_of(1, 5000) == 1
    assert percent_of(1, 4999) == 0
    assert percent_of(39800, 5000) == 19900


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=12))
def test_allocation_sums_exactly_and_stays_within_weights(total, weights):
    if sum(weights) == 0:
        total = 0
    total = min(total, sum(weights))
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


@given(st.integers(0, 10**12), st.integers(1, 10**6))
def test_half_up_is_within_half(n, d):
    q = div_half_up(n, d)
    assert abs(q * d - n) * 2 <= d


def test_yuan():
    assert yuan(12345) == "¥123.45"
    assert yuan(-5) == "-¥0.05"
