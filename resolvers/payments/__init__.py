"""Recharge: payments for any ACTIVE or SUSPENDED number, the provider's signed callback that
credits exactly once, prepaid cards, auto-recharge and the recharge history.

    shared     payer scope, fingerprints, idempotency, the provider, pricing with caps held
    recharge   rechargeCreate (provider payment or prepaid card), a payment by id
    callback   the provider's callback (exactly-once credit) and the dev cashier
    auto       auto-recharge settings and the top-up below the threshold
    history    credited recharges of the last 24 months
"""

from resolvers.payments.auto import (
    auto_recharge_disable,
    auto_recharge_of,
    auto_recharge_set,
    maybe_auto_recharge,
)
from resolvers.payments.callback import dev_payment_complete, receive_callback
from resolvers.payments.history import all_recharges, recharges
from resolvers.payments.recharge import payment_by_id, recharge_create
from resolvers.payments.shared import payer_scope, priced_payment

__all__ = [
    "all_recharges",
    "auto_recharge_disable",
    "auto_recharge_of",
    "auto_recharge_set",
    "dev_payment_complete",
    "maybe_auto_recharge",
    "payer_scope",
    "payment_by_id",
    "priced_payment",
    "receive_callback",
    "recharge_create",
    "recharges",
]
