from hypothesis import given
from hypothesis import strategies as st

from domain.billing import scheduled_fee


def test_scheduled_fee_reads_the_cycle():
    pricing = {
        "schedule": [
            {"month": "2027-05", "price_fen": 19_900},
            {"month": "2027-06", "price_fen": 39_800},
        ]
    }
    assert scheduled_fee(pricing, "2027-05") == 19_900
    assert scheduled_fee(pricing, "2027-07") is None
    assert scheduled_fee({}, "2027-05") is None and scheduled_fee(None, "2027-05") is None


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "month": st.text(max_size=7),
                "price_fen": st.integers(-5, 10**6) | st.none() | st.text(max_size=3),
            }
        )
    )
)
def test_scheduled_fee_never_returns_a_negative_or_a_non_int(schedule):
    for entry in schedule:
        value = scheduled_fee({"schedule": schedule}, entry["month"])
        assert value is None or (isinstance(value, int) and value >= 0)
