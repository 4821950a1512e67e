"""Idempotency keys: the client's, and the hall's own.

Clients choose their keys freely (1 to 64 characters) except that none starts with
INTERNAL_PREFIX: keys the hall writes itself (the recharge order of a payment, the payment of a
flash-sale order, an auto-recharge) start with it, so no client key can ever occupy one. Before
this, `packPurchase(idempotencyKey: "payment:<id>")` sent ahead of the provider's callback made
the callback fail and the payer's money was never credited.

Anonymous payers have no account to scope their keys to: `anonymous_scope` gives each client
token a scope of its own (and a request without a token a one-off scope), so a second anonymous
payer sending the same key never receives the first payer's payment.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from domain.errors import fail

MAX_KEY_LENGTH = 64
INTERNAL_PREFIX = "!"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def check_client_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise fail("INVALID_IDEMPOTENCY_KEY", "Give a key of 1 to 64 characters.", "idempotencyKey")
    if key.startswith(INTERNAL_PREFIX):
        raise fail(
            "INVALID_IDEMPOTENCY_KEY",
            f"Keys starting with {INTERNAL_PREFIX!r} are reserved for the hall itself.",
            "idempotencyKey",
        )
    return key


def internal_key(kind: str, ref: object) -> str:
    """A key in the hall's own namespace, e.g. internal_key("payment", payment_id)."""
    key = f"{INTERNAL_PREFIX}{kind}:{ref}"
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"internal key too long: {key}")
    return key


def anonymous_scope(client_token: str | None) -> str:
    """The payer scope of an anonymous caller (at most 32 characters, like the column)."""
    if client_token is None:
        return "anon1:" + secrets.token_hex(12)  # no token: this request shares with nobody
    if not _TOKEN.fullmatch(client_token):
        raise fail(
            "CLIENT_TOKEN_REQUIRED",
            "A clientToken is 16 to 64 of A-Z a-z 0-9 _ -.",
            "clientToken",
        )
    return "anon:" + hashlib.sha256(client_token.encode()).hexdigest()[:26]
