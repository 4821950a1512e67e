"""Recharge payments: amounts, the signed provider callback, prepaid card PINs, auto-recharge.

Callback format (what the payment provider POSTs to /payments/callback):
  headers  X-Telehall-Timestamp: unix seconds
           X-Telehall-Nonce:     16 to 64 hex characters, never reused
           X-Telehall-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{nonce}." + body)>
  body     canonical JSON (sorted keys, no spaces, UTF-8):
           {"amountFen": 5000, "paidAt": "2026-10-01T08:00:00+00:00", "paymentId": "<uuid>",
            "providerTxnId": "SIM...", "status": "SUCCESS" | "FAILED"}
The signature covers the exact bytes received. A callback outside ±5 minutes, with a reused nonce,
a bad signature, an amount other than the payment's payable amount or a transaction id other than
the one that paid it changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.accounts import SubscriberStatus
from domain.errors import DomainError, fail

MIN_RECHARGE_FEN = 100  # ¥1
MAX_RECHARGE_FEN = 500_000  # ¥5,000
MAX_AUTO_THRESHOLD_FEN = 100_000  # ¥1,000
CALLBACK_WINDOW_SECONDS = 300
PAYMENT_TTL_SECONDS = 30 * 60  # an unpaid payment expires after 30 minutes
SIGNATURE_PREFIX = "sha256="
NONCE_RE = re.compile(r"^[0-9a-f]{16,64}$")


class PaymentMethod(StrEnum):
    ALIPAY = "ALIPAY"
    WECHAT = "WECHAT"
    BANK_CARD = "BANK_CARD"
    CARD_PIN = "CARD_PIN"  # a prepaid recharge card (充值卡), redeemed by its PIN


AUTO_DEBIT_METHODS = frozenset(
    {PaymentMethod.ALIPAY, PaymentMethod.WECHAT, PaymentMethod.BANK_CARD}
)


class PaymentStatus(StrEnum):
    CREATED = "CREATED"
    PAID = "PAID"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"  # paid, then given back (a flash-sale payment after its deadline)


class PaymentPurpose(StrEnum):
    RECHARGE = "RECHARGE"  # credited to the balance
    FLASH_SALE = "FLASH_SALE"  # pays a flash-sale reservation, never touches the balance
    NUMBER_PURCHASE = "NUMBER_PURCHASE"  # a number bought online: prestore + first month
    POINTS_MALL = "POINTS_MALL"  # the cash part of a points + cash redemption
    DEVICE_PURCHASE = "DEVICE_PURCHASE"  # a phone or accessory bought outside flash sales


class PaymentTrigger(StrEnum):
    MANUAL = "MANUAL"
    AUTO = "AUTO"  # auto-recharge below a threshold


class CallbackOutcome(StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class CardStatus(StrEnum):
    ACTIVE = "ACTIVE"
    USED = "USED"
    VOID = "VOID"


def check_recharge_amount(amount_fen: int | None, field: str = "amountFen") -> int:
    if (
        amount_fen is None
        or isinstance(amount_fen, bool)
        or not (MIN_RECHARGE_FEN <= amount_fen <= MAX_RECHARGE_FEN)
    ):
        raise fail("INVALID_AMOUNT", "Recharge ¥1 to ¥5,000 (100 to 500000 fen).", field)
    return amount_fen


def check_auto_threshold(threshold_fen: int, field: str = "thresholdFen") -> int:
    if not (0 <= threshold_fen <= MAX_AUTO_THRESHOLD_FEN):
        raise fail("INVALID_AMOUNT", "The threshold is ¥0 to ¥1,000 (0 to 100000 fen).", field)
    return threshold_fen


# Prepaid cards: the PIN is 16 to 19 digits and is stored only as its SHA-256 hash (the PIN's own
# entropy, ~10^16 and up, is what makes the hash safe). Lookups are by hash.
CARD_PIN_RE = re.compile(r"^\d{16,19}$")


def normalize_card_pin(pin: str | None, field: str = "cardPin") -> str:
    cleaned = re.sub(r"[\s-]", "", pin or "")
    if not CARD_PIN_RE.match(cleaned):
        raise fail("CARD_INVALID", "A card PIN is 16 to 19 digits.", field)
    return cleaned


def hash_card_pin(pin: str) -> str:
    return hashlib.sha256(pin.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class CardFacts:
    """What the card record says about a prepaid card."""

    status: CardStatus
    valid_until: datetime
    face_value_fen: int


def card_used() -> DomainError:
    return fail("CARD_USED", "This card has already been used.", "cardPin")


def check_card(card: CardFacts | None, expected_amount_fen: int | None, now: datetime) -> None:
    """May this card (None: no card has this PIN) be redeemed at `now`, for the amount the payer
    expects (None: any)? A voided card is answered as an unknown one."""
    if card is None or card.status is CardStatus.VOID:
        raise fail("CARD_INVALID", "No card with this PIN.", "cardPin")
    if card.status is CardStatus.USED:
        raise card_used()
    if card.valid_until <= now:
        raise fail("CARD_EXPIRED", "This card has expired.", "cardPin")
    if expected_amount_fen is not None and expected_amount_fen != card.face_value_fen:
        raise fail(
            "AMOUNT_MISMATCH",
            f"This card is worth {card.face_value_fen} fen, not {expected_amount_fen}.",
            "amountFen",
        )


# --- after a recharge ------------------------------------------------------------------------


def status_after_recharge(
    status: SubscriberStatus, balance_after_fen: int, credit_limit_fen: int = 0
) -> SubscriberStatus:
    """A number suspended for arrears is back in service once a recharge brings its balance back
    within the credit limit (at −creditLimit or more; suspension is below it, see rating); any
    other status stays as it is (a closed number stays closed)."""
    if status is SubscriberStatus.SUSPENDED and balance_after_fen >= -credit_limit_fen:
        return SubscriberStatus.ACTIVE
    return status


# --- the signed callback ---------------------------------------------------------------------


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: int | str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}.{nonce}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


class CallbackRejected(Exception):
    """A callback that must change nothing; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Callback:
    payment_id: str
    provider_txn_id: str
    amount_fen: int
    outcome: CallbackOutcome
    nonce: str


def verify_callback(
    secret: str,
    body: bytes,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    now_seconds: float,
    window_seconds: int = CALLBACK_WINDOW_SECONDS,
) -> Callback:
    """Check headers, time window and signature (constant time), then parse the body."""
    if not timestamp or not nonce or not signature:
        raise CallbackRejected(400, "MISSING_HEADERS", "Timestamp, nonce and signature needed.")
    if not re.fullmatch(r"\d{1,12}", timestamp):
        raise CallbackRejected(400, "BAD_TIMESTAMP", "The timestamp is unix seconds.")
    if not NONCE_RE.match(nonce):
        raise CallbackRejected(400, "BAD_NONCE", "The nonce is 16 to 64 hex characters.")
    expected = sign(secret, timestamp, nonce, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise CallbackRejected(401, "BAD_SIGNATURE", "The signature does not match.")
    if abs(now_seconds - int(timestamp)) > window_seconds:
        raise CallbackRejected(400, "STALE_TIMESTAMP", "The callback is outside the time window.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackRejected(400, "MALFORMED", "The body is not JSON.") from exc
    if not isinstance(data, dict):
        raise CallbackRejected(400, "MALFORMED", "The body is a JSON object.")
    payment_id, txn, amount, status = (
        data.get("paymentId"),
        data.get("providerTxnId"),
        data.get("amountFen"),
        data.get("status"),
    )
    if not isinstance(payment_id, str) or not re.fullmatch(r"[0-9a-fA-F-]{32,36}", payment_id):
        raise CallbackRejected(400, "MALFORMED", "paymentId is a UUID.")
    if not isinstance(txn, str) or not re.fullmatch(r"[A-Za-z0-9_-]{6,64}", txn):
        raise CallbackRejected(400, "MALFORMED", "providerTxnId is 6 to 64 characters.")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise CallbackRejected(400, "MALFORMED", "amountFen is a positive integer.")
    try:
        outcome = CallbackOutcome(status)
    except ValueError as exc:
        raise CallbackRejected(400, "MALFORMED", "status is SUCCESS or FAILED.") from exc
    return Callback(payment_id, txn, amount, outcome, nonce)
