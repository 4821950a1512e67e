"""The pricing snapshot an order keeps round-trips, and tolerates fields it does not know."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain.pricing import (
    Adjustment,
    Cart,
    CartLine,
    Gift,
    LineQuote,
    OfferingKind,
    Quote,
    Rejection,
    flat_schedule,
    list_quote,
)
from domain.pricing_codec import quote_from_json, quote_to_json

LINES = st.builds(
    CartLine,
    offering_id=st.text(min_size=1, max_size=12),
    kind=st.sampled_from(OfferingKind),
    name=st.text(max_size=20),
    list_price_fen=st.integers(0, 10**7),
    recurring=st.booleans(),
)
WHEN = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2098, 1, 1), timezones=st.just(UTC)
)


@given(st.lists(LINES, max_size=6), WHEN)
def test_list_quotes_round_trip_through_json(lines, when):
    quote = list_quote(Cart(tuple(lines)), when)
    stored = json.loads(json.dumps(quote_to_json(quote)))
    assert quote_from_json(stored) == quote


def test_a_promoted_quote_round_trips_and_unknown_keys_are_ignored():
    when = datetime(2026, 12, 1, tzinfo=UTC)
    lines = (
        LineQuote(
            "4G-136",
            OfferingKind.PLAN,
            "4G全国套餐 136元",
            13600,
            10880,
            True,
            (Adjustment("C517", "517 网购节 8折", 2720),),
        ),
    )
    quote = Quote(
        lines=lines,
        effective_from=when,
        schedule=flat_schedule(lines, when),
        points_to_earn=108,
        rejected=(Rejection("C-APP", "APP专享", "CHANNEL"),),
        gifts=(Gift("C-GIFT", "送视频会员", "腾讯视频月卡"),),
        campaign_units=("C517",),
    )
    stored = quote_to_json(quote)
    stored["loyalty_tier"] = "GOLD"  # a field from a newer version
    stored["lines"][0]["future_field"] = True
    again = quote_from_json(json.loads(json.dumps(stored)))
    assert again == quote
    assert again.discount_fen == 2720
