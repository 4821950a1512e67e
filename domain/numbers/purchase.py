"""Buying a number online (numberPurchase) and handing its SIM over (simDeliveryConfirm).

What is paid: the number's prestore (预存话费, credited to the new line's balance once paid) plus
the first month of the chosen plan, whose monthly fee must reach the number's minimum monthly
spend (PLAN_BELOW_MINIMUM). Payment goes through the provider (ALIPAY, WECHAT, BANK_CARD).

The courier hands the card only to the buyer: the receiver's ID number must end in the buyer's
last 6 characters. We keep those 6 only as a keyed digest (HMAC-SHA256 with the ID secret, under
a label of its own so it never equals the whole ID's digest), never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from domain.errors import fail
from domain.payments import PaymentMethod

PROVIDER_METHODS = frozenset({PaymentMethod.ALIPAY, PaymentMethod.WECHAT, PaymentMethod.BANK_CARD})
ADDRESS_MIN, ADDRESS_MAX = 5, 200
_LAST6 = re.compile(r"[0-9]{5}[0-9X]")


def check_name(raw: str, field: str = "name") -> str:
    """The name on the ID card: 1–32 characters, no digits."""
    name = (raw or "").strip()
    if not 1 <= len(name) <= 32 or any(ch.isdigit() for ch in name):
        raise fail("INVALID_NAME", "请填写身份证上的姓名", field)
    return name


def check_address(raw: str, field: str = "shippingAddress") -> str:
    address = " ".join((raw or "").split())
    if not ADDRESS_MIN <= len(address) <= ADDRESS_MAX:
        raise fail("INVALID_ADDRESS", f"收货地址应为{ADDRESS_MIN}到{ADDRESS_MAX}个字符", field)
    return address


def check_method(method: PaymentMethod) -> PaymentMethod:
    if method not in PROVIDER_METHODS:
        raise fail("INVALID_METHOD", "选号入网请使用支付宝、微信或银行卡支付", "paymentMethod")
    return method


@dataclass(frozen=True)
class FirstPayment:
    prestore_fen: int
    first_month_fen: int

    @property
    def total_fen(self) -> int:
        return self.prestore_fen + self.first_month_fen


def first_payment(prestore_fen: int, min_monthly_fen: int, plan_fee_fen: int) -> FirstPayment:
    """The prestore and the first month; the plan must reach the number's minimum monthly spend."""
    if plan_fee_fen < min_monthly_fen:
        raise fail(
            "PLAN_BELOW_MINIMUM",
            f"该号码最低月消费{min_monthly_fen // 100}元，请选择月费不低于此的套餐",
            "planId",
        )
    return FirstPayment(prestore_fen, plan_fee_fen)


def last6_digest(id_or_last6: str, secret: str) -> str:
    """The keyed digest of an ID number's last 6 characters (what the courier checks)."""
    last6 = id_or_last6.strip().upper()[-6:]
    return hmac.new(secret.encode(), f"last6:{last6}".encode(), hashlib.sha256).hexdigest()


def check_receiver(given_last6: str, expected_digest: str, secret: str) -> None:
    """The receiver shows an ID ending in the buyer's last 6: otherwise no SIM is handed over."""
    given = (given_last6 or "").strip().upper()
    if not _LAST6.fullmatch(given) or not hmac.compare_digest(
        last6_digest(given, secret), expected_digest
    ):
        raise fail("DELIVERY_ID_MISMATCH", "收件人证件与购买人不符，不能交付号卡", "idNumberLast6")
