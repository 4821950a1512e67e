"""Tier terms and the hold policy are settings with realistic defaults."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from domain.numbers.patterns import DEFAULT_TIER_TERMS
from domain.numbers.stocking import stock_row, tier_terms
from server.settings import Settings


def test_defaults_are_the_domain_terms_and_a_15_minute_hold_of_3() -> None:
    settings = Settings()
    assert tier_terms(settings.number_tier_terms) == DEFAULT_TIER_TERMS
    assert (settings.number_hold_minutes, settings.number_holds_per_caller) == (15, 3)


def test_terms_come_from_the_environment_and_every_tier_is_priced(monkeypatch) -> None:
    terms = {
        str(t): {"prestore_fen": 100 * t, "min_monthly_fen": 10 * t, "contract_months": t}
        for t in range(1, 7)
    }
    monkeypatch.setenv("TELEHALL_NUMBER_TIER_TERMS", json.dumps(terms))
    monkeypatch.setenv("TELEHALL_NUMBER_HOLD_MINUTES", "20")
    settings = Settings()
    assert settings.number_hold_minutes == 20
    configured = tier_terms(settings.number_tier_terms)
    row = stock_row("13800138000", "北京", "北京", configured)
    tier = row[8]
    assert row[9:] == (100 * tier, 10 * tier, tier)
    del terms["6"]
    monkeypatch.setenv("TELEHALL_NUMBER_TIER_TERMS", json.dumps(terms))
    with pytest.raises(ValidationError, match="lacks tiers"):
        Settings()
