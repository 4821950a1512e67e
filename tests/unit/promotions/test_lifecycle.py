"""Campaign lifecycle decisions: publish, edit, pause, resume, end, and the version guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.promotions import lifecycle
from domain.promotions.model import CampaignStatus, Festival, StackingRule, status_at

from .builders import DURING, FESTIVAL_END, FESTIVAL_START, campaign

S = CampaignStatus
BEFORE = FESTIVAL_START - timedelta(days=3)
AFTER = FESTIVAL_END + timedelta(hours=1)
_US = timedelta(microseconds=1)


def code_of(action, *args) -> str:
    with pytest.raises(DomainError) as caught:
        action(*args)
    return caught.value.code


def test_a_published_campaign_never_starts_in_the_past():
    saved, warnings = lifecycle.published(campaign(), DURING)
    assert saved.starts_at == DURING and status_at(saved, DURING) is S.ACTIVE
    assert [w.split(":")[0] for w in warnings] == ["STARTS_NOW"]


def test_a_future_start_and_a_draft_are_kept_as_given():
    future = campaign()
    assert lifecycle.published(future, BEFORE) == (future, [])
    draft = campaign(draft=True)
    assert lifecycle.published(draft, DURING) == (draft, [])


def test_a_window_already_over_is_not_saved():
    assert code_of(lifecycle.published, campaign(), FESTIVAL_END) == "INVALID_CAMPAIGN"


def test_edits_only_while_draft_or_scheduled():
    renamed, _ = lifecycle.edited(campaign(), {"name": "new"}, BEFORE)
    assert renamed.name == "new"
    assert code_of(lifecycle.edited, campaign(), {"name": "x"}, DURING) == "CAMPAIGN_NOT_EDITABLE"
    paused = campaign(paused=True)
    assert code_of(lifecycle.edited, paused, {}, BEFORE) == "CAMPAIGN_NOT_EDITABLE"


def test_an_edit_merges_the_stacking_parts_it_was_given():
    current = campaign(rule=StackingRule.EXCLUSIVE, combines_with=("a",))
    only_rule, _ = lifecycle.edited(current, {"stacking_rule": StackingRule.STACKABLE}, BEFORE)
    assert only_rule.stacking.rule is StackingRule.STACKABLE
    assert only_rule.stacking.combines_with == ("a",)
    only_ids, _ = lifecycle.edited(current, {"combines_with": ["b"]}, BEFORE)
    assert only_ids.stacking.rule is StackingRule.EXCLUSIVE
    assert only_ids.stacking.combines_with == ("b",)


def test_publishing_a_draft_by_edit_starts_it_now_when_its_start_passed():
    published, warnings = lifecycle.edited(campaign(draft=True), {"draft": False}, DURING)
    assert published.starts_at == DURING and warnings[0].startswith("STARTS_NOW")


def test_pause_and_resume():
    for at in (BEFORE, DURING):
        assert status_at(lifecycle.paused(campaign(), at), at) is S.PAUSED
    assert status_at(lifecycle.resumed(campaign(paused=True), DURING), DURING) is S.ACTIVE
    assert code_of(lifecycle.paused, campaign(draft=True), DURING) == "INVALID_TRANSITION"
    assert code_of(lifecycle.paused, campaign(), AFTER) == "INVALID_TRANSITION"
    assert code_of(lifecycle.paused, campaign(paused=True), DURING) == "INVALID_TRANSITION"
    assert code_of(lifecycle.resumed, campaign(), DURING) == "INVALID_TRANSITION"


def test_ending_a_running_campaign_ends_its_window_now():
    ended = lifecycle.ended(campaign(), DURING)
    assert (ended.starts_at, ended.ends_at) == (FESTIVAL_START, DURING)
    assert status_at(ended, DURING) is S.ENDED


def test_ending_a_scheduled_campaign_leaves_a_window_that_never_applied():
    ended = lifecycle.ended(campaign(), BEFORE)
    assert (ended.starts_at, ended.ends_at) == (BEFORE - _US, BEFORE)
    assert status_at(ended, BEFORE) is S.ENDED


def test_ending_a_paused_campaign_unpauses_it_and_one_past_its_window_keeps_it():
    assert lifecycle.ended(campaign(paused=True), DURING).ends_at == DURING
    over = lifecycle.ended(campaign(paused=True), AFTER)
    assert not over.paused and over.ends_at == FESTIVAL_END
    assert status_at(over, AFTER) is S.ENDED


def test_drafts_and_ended_campaigns_cannot_be_ended():
    assert code_of(lifecycle.ended, campaign(draft=True), DURING) == "INVALID_TRANSITION"
    assert code_of(lifecycle.ended, campaign(), AFTER) == "INVALID_TRANSITION"


@given(st.integers(-10, 10), st.one_of(st.none(), st.integers(-10, 10)))
def test_the_version_guard_refuses_exactly_a_stale_version(current, expected):
    if expected is None or expected == current:
        lifecycle.check_version(current, expected)
    else:
        assert code_of(lifecycle.check_version, current, expected) == "VERSION_CONFLICT"


@given(st.integers(-2 * 24 * 60, 9 * 24 * 60))
def test_a_festival_has_the_status_its_window_gives_a_published_campaign(minutes):
    at = FESTIVAL_START + timedelta(minutes=minutes)
    festival = Festival("f", "517", FESTIVAL_START, FESTIVAL_END)
    assert status_at(festival, at) is status_at(campaign(), at)
