import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.points.growth import STAGES, GrowthRules, check_claim, next_stage, stage_of


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_stages_never_go_down_as_value_grows(a, b):
    low, high = sorted((a, b))
    assert stage_of(low).number <= stage_of(high).number
    upcoming = next_stage(low)
    assert upcoming is None or upcoming.threshold > low


def test_thresholds_and_claims():
    assert stage_of(0).name == "种子" and stage_of(299).number == 2 and stage_of(300).number == 3
    assert next_stage(5000) is None
    assert check_claim(2, 100).reward_name == "200积分"
    with pytest.raises(DomainError) as error:
        check_claim(3, 299)
    assert error.value.code == "STAGE_NOT_REACHED"
    with pytest.raises(DomainError):
        check_claim(1, 10_000)
    assert [s.threshold for s in STAGES] == sorted(s.threshold for s in STAGES)


def test_rules_count_whole_yuan():
    rules = GrowthRules()
    assert rules.for_order(1099) == 10 and rules.for_recharge(5000) == 5
    assert rules.for_order(-5) == 0
