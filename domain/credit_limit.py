"""Credit limit (信用额度): how far below zero a number keeps service, and what limit a
subscriber may choose. Pure rules; the use case gathers the profile from the database.

The quote:
- no real name: no credit (0);
- a base by whole months on the network (TENURE_STEPS);
- each of the last 6 issued bills settled with the balance at 0 or more adds ON_TIME_BONUS_FEN;
- any of them left in arrears halves the base and drops the bonus;
- capped at MAX_CREDIT_LIMIT_FEN;
- while in arrears now the limit may be lowered but not raised above the current one.
A chosen limit is whole yuan, 0..quote, and never below the current arrears (that would suspend
the number at once)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import fail
from domain.money import yuan

TENURE_STEPS: tuple[tuple[int, int], ...] = ((36, 20_000), (12, 10_000), (6, 5_000), (3, 2_000))
ON_TIME_BONUS_FEN = 2_000
HISTORY_BILLS = 6
MAX_CREDIT_LIMIT_FEN = 50_000


@dataclass(frozen=True)
class CreditProfile:
    real_name_verified: bool
    tenure_months: int
    bills_on_time: int  # of the last HISTORY_BILLS issued bills
    bills_late: int
    balance_fen: int
    current_limit_fen: int

    def __post_init__(self) -> None:
        if min(self.tenure_months, self.bills_on_time, self.bills_late, self.current_limit_fen) < 0:
            raise ValueError("counts and limits are never negative")
        if self.bills_on_time + self.bills_late > HISTORY_BILLS:
            raise ValueError(f"at most {HISTORY_BILLS} bills count")


@dataclass(frozen=True)
class CreditQuote:
    max_fen: int
    current_fen: int
    reasons: tuple[str, ...]  # what set the figure, for people


def tenure_base_fen(tenure_months: int) -> int:
    return next((fen for months, fen in TENURE_STEPS if tenure_months >= months), 0)


def credit_quote(profile: CreditProfile) -> CreditQuote:
    reasons: list[str] = []
    if not profile.real_name_verified:
        return CreditQuote(0, profile.current_limit_fen, ("未实名登记，无信用额度",))
    base = tenure_base_fen(profile.tenure_months)
    reasons.append(f"在网{profile.tenure_months}个月：{yuan(base)}")
    if profile.bills_late:
        base //= 2
        bonus = 0
        reasons.append(f"近{HISTORY_BILLS}个月有{profile.bills_late}期欠费：基础额度减半")
    else:
        bonus = profile.bills_on_time * ON_TIME_BONUS_FEN
        reasons.append(f"近{HISTORY_BILLS}个月按时缴费{profile.bills_on_time}期：{yuan(bonus)}")
    total = min(base + bonus, MAX_CREDIT_LIMIT_FEN)
    if profile.balance_fen < 0:
        total = min(total, profile.current_limit_fen)
        reasons.append("当前欠费：额度不可调高")
    return CreditQuote(total, profile.current_limit_fen, tuple(reasons))


def check_new_limit(amount_fen: int, quote: CreditQuote, balance_fen: int) -> None:
    if amount_fen < 0 or amount_fen % 100:
        raise fail(
            "INVALID_AMOUNT", "A credit limit is a whole number of yuan, 0 or more.", "amountFen"
        )
    if amount_fen > quote.max_fen:
        raise fail(
            "CREDIT_LIMIT_EXCEEDS_QUOTE",
            f"The most you may have now is {yuan(quote.max_fen)}.",
            "amountFen",
        )
    if balance_fen < -amount_fen:
        raise fail(
            "CREDIT_LIMIT_BELOW_ARREARS",
            f"You owe {yuan(-balance_fen)}: a lower limit would suspend the number at once.",
            "amountFen",
        )
