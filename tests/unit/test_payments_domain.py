from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import SubscriberStatus
from domain.errors import DomainError
from domain.payments import (
    CallbackOutcome,
    CallbackRejected,
    CardFacts,
    CardStatus,
    canonical_json,
    check_card,
    check_recharge_amount,
    hash_card_pin,
    normalize_card_pin,
    sign,
    status_after_recharge,
    verify_callback,
)

SECRET = "s3cret"
PID = "0b8f3f6e-6f1d-4a43-9b7b-3c0f5d1e2a11"


def signed(body: dict, ts: int = 1_000_000, nonce: str = "ab" * 16, secret: str = SECRET):
    raw = canonical_json(body)
    return raw, str(ts), nonce, sign(secret, ts, nonce, raw)


BODY = {"paymentId": PID, "providerTxnId": "SIM123456", "amountFen": 5000, "status": "SUCCESS"}


def test_valid_callback():
    raw, ts, nonce, sig = signed(BODY)
    cb = verify_callback(SECRET, raw, ts, nonce, sig, now_seconds=1_000_010)
    assert (cb.payment_id, cb.amount_fen, cb.outcome) == (PID, 5000, CallbackOutcome.SUCCESS)


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda r, t, n, s: (r, t, n, s.replace("a", "b", 1)), "BAD_SIGNATURE"),
        (lambda r, t, n, s: (r.replace(b"5000", b"9000"), t, n, s), "BAD_SIGNATURE"),
        (lambda r, t, n, s: (r, t, n, sign("other", t, n, r)), "BAD_SIGNATURE"),
        (lambda r, t, n, s: (r, str(int(t) + 1), n, s), "BAD_SIGNATURE"),
        (lambda r, t, n, s: (r, t, None, s), "MISSING_HEADERS"),
        (lambda r, t, n, s: (r, "soon", n, s), "BAD_TIMESTAMP"),
        (lambda r, t, n, s: (r, t, "xyz", s), "BAD_NONCE"),
    ],
)
def test_forged_callbacks(mutate, code):
    raw, ts, nonce, sig = mutate(*signed(BODY))
    with pytest.raises(CallbackRejected) as caught:
        verify_callback(SECRET, raw, ts, nonce, sig, now_seconds=1_000_010)
    assert caught.value.code == code and 400 <= caught.value.status < 500


def test_stale_and_malformed():
    raw, ts, nonce, sig = signed(BODY)
    with pytest.raises(CallbackRejected, match="time window"):
        verify_callback(SECRET, raw, ts, nonce, sig, now_seconds=1_000_000 + 301)
    for bad in ({**BODY, "amountFen": -5}, {**BODY, "status": "MAYBE"}, {**BODY, "paymentId": 3}):
        raw, ts, nonce, sig = signed(bad)
        with pytest.raises(CallbackRejected) as caught:
            verify_callback(SECRET, raw, ts, nonce, sig, now_seconds=1_000_000)
        assert caught.value.code == "MALFORMED"
    raw = b"not json"
    with pytest.raises(CallbackRejected):
        verify_callback(
            SECRET, raw, "1000000", "ab" * 16, sign(SECRET, 1000000, "ab" * 16, raw), 1e6
        )


def test_canonical_json_is_sorted_and_compact():
    assert (
        canonical_json({"b": 1, "a": "中"})
        == json.dumps({"a": "中", "b": 1}, separators=(",", ":"), ensure_ascii=False).encode()
    )


@given(st.integers(-(10**9), 10**9))
def test_recharge_amounts(amount):
    if 100 <= amount <= 500_000:
        assert check_recharge_amount(amount) == amount
    else:
        with pytest.raises(DomainError) as caught:
            check_recharge_amount(amount)
        assert caught.value.code == "INVALID_AMOUNT"


def test_card_pins():
    assert normalize_card_pin("1000 2000 3000 4000 501") == "1000200030004000501"
    assert hash_card_pin("1000200030004000501") != hash_card_pin("1000200030004000502")
    for bad in ("", "12345", "1000a00030004000501", None):
        with pytest.raises(DomainError):
            normalize_card_pin(bad)


NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def card(status=CardStatus.ACTIVE, valid_for=timedelta(days=1), face=5000):
    return CardFacts(status, NOW + valid_for, face)


@pytest.mark.parametrize(
    ("facts", "expected", "code", "field"),
    [
        (None, None, "CARD_INVALID", "cardPin"),
        (card(CardStatus.VOID), None, "CARD_INVALID", "cardPin"),
        (card(CardStatus.USED), None, "CARD_USED", "cardPin"),
        (card(CardStatus.USED, valid_for=-timedelta(days=1)), None, "CARD_USED", "cardPin"),
        (card(valid_for=timedelta(0)), None, "CARD_EXPIRED", "cardPin"),
        (card(valid_for=-timedelta(days=1)), 5000, "CARD_EXPIRED", "cardPin"),
        (card(), 3000, "AMOUNT_MISMATCH", "amountFen"),
    ],
)
def test_a_card_that_may_not_be_redeemed_says_why(facts, expected, code, field):
    with pytest.raises(DomainError) as caught:
        check_card(facts, expected, NOW)
    assert (caught.value.code, caught.value.problems[0].field) == (code, field)


def test_an_active_card_in_date_is_redeemed_for_its_face_value_or_any_amount():
    check_card(card(), 5000, NOW)
    check_card(card(valid_for=timedelta(microseconds=1)), None, NOW)


@given(st.sampled_from(list(SubscriberStatus)), st.integers(-100_000, 100_000))
def test_a_recharge_reactivates_exactly_a_suspended_number_out_of_arrears(status, balance):
    after = status_after_recharge(status, balance)
    if status is SubscriberStatus.SUSPENDED and balance >= 0:
        assert after is SubscriberStatus.ACTIVE
    else:
        assert after is status
