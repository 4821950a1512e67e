"""Which of the customer's own figures a question asks for; the bot answers those directly."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    BALANCE = "BALANCE"
    DATA_LEFT = "DATA_LEFT"
    BILL_STATUS = "BILL_STATUS"
    ROAMING_RATES = "ROAMING_RATES"


_ASKS_AMOUNT = ("多少", "还剩", "剩多少", "剩余", "余量", "还有", "查", "几")


def intents(text: str, destination_named: bool) -> set[Intent]:
    found: set[Intent] = set()
    if ("余额" in text or "话费" in text or "欠费" in text) and any(
        w in text for w in _ASKS_AMOUNT
    ):
        found.add(Intent.BALANCE)
    if "流量" in text and any(w in text for w in _ASKS_AMOUNT) and not destination_named:
        found.add(Intent.DATA_LEFT)
    if "账单" in text or "出账" in text:
        found.add(Intent.BILL_STATUS)
    if destination_named and any(
        w in text for w in ("漫游", "流量", "上网", "资费", "多少钱", "收费")
    ):
        found.add(Intent.ROAMING_RATES)
    return found


def yuan(fen: int) -> str:
    """Display only (never for arithmetic): 12345 -> '123.45'."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
