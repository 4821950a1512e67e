"""E-invoices (电子发票): what an invoice for a bill or a recharge says, its tax split, its number
and the checks on what the customer types. Pure rules.

Tax: every amount on a bill is tax-inclusive. Each line is split into net + tax at its category's
rate (basic telecom 9 %, value-added 6 %, settings), by `split_line`, the one rounding: the net is
`gross / (1 + rate)` rounded half-up, the tax is what is left, so every line's net and tax add up
to its amount exactly, and so do the invoice's totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.billing import BillItemKind
from domain.errors import fail
from domain.money import BP_WHOLE, div_half_up, yuan


class InvoiceSource(StrEnum):
    BILL = "BILL"
    RECHARGE = "RECHARGE"


class InvoiceStatus(StrEnum):
    ISSUED = "ISSUED"
    REVERSED = "REVERSED"  # a red-letter invoice (红字发票) cancels it


class TaxCategory(StrEnum):
    BASIC = "BASIC"  # 基础电信服务
    VALUE_ADDED = "VALUE_ADDED"  # 增值电信服务


# Which tax category a bill line falls in: WLAN, MMS-free value-added services and VAS packs
# are value-added telecom; calls, SMS, data and the plan fee are basic.
VALUE_ADDED_ITEMS = frozenset({BillItemKind.VALUE_ADDED, BillItemKind.WLAN, BillItemKind.MMS})


def category_of(kind: BillItemKind) -> TaxCategory:
    return TaxCategory.VALUE_ADDED if kind in VALUE_ADDED_ITEMS else TaxCategory.BASIC


@dataclass(frozen=True)
class TaxRates:
    basic_bp: int = 900
    value_added_bp: int = 600

    def of(self, category: TaxCategory) -> int:
        return self.basic_bp if category is TaxCategory.BASIC else self.value_added_bp


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    category: TaxCategory
    amount_fen: int  # tax-inclusive, negative for a discount or a red-letter line
    rate_bp: int
    net_fen: int
    tax_fen: int


def split_line(amount_fen: int, rate_bp: int) -> tuple[int, int]:
    """(net, tax) of a tax-inclusive amount: the one place invoices round."""
    if rate_bp < 0:
        raise ValueError("a tax rate is never negative")
    net = div_half_up(amount_fen * BP_WHOLE, BP_WHOLE + rate_bp)
    return net, amount_fen - net


def invoice_lines(
    items: list[tuple[str, TaxCategory, int]], rates: TaxRates
) -> tuple[InvoiceLine, ...]:
    lines = []
    for name, category, amount in items:
        rate = rates.of(category)
        net, tax = split_line(amount, rate)
        lines.append(InvoiceLine(name, category, amount, rate, net, tax))
    return tuple(lines)


def red_letter(lines: tuple[InvoiceLine, ...]) -> tuple[InvoiceLine, ...]:
    """The reversal's lines: every figure negated, so original + reversal sum to zero."""
    return tuple(
        InvoiceLine(x.name, x.category, -x.amount_fen, x.rate_bp, -x.net_fen, -x.tax_fen)
        for x in lines
    )


def invoice_number(year: int, sequence: int) -> str:
    """Unique and sequential per (Shanghai) year: 2026 and the 8-digit running number."""
    if sequence < 1 or sequence > 99_999_999:
        raise ValueError("an invoice sequence runs 1..99,999,999 a year")
    return f"{year:04d}{sequence:08d}"


# 统一社会信用代码 (18, GB 32100: no I, O, S, V, Z) or an older 15/17/20-character taxpayer id.
TAX_ID_RE = re.compile(r"^(?:[0-9A-HJ-NPQRTUWXY]{18}|[0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{20})$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class InvoiceRequest:
    title: str
    tax_id: str | None
    email: str | None


def check_request(title: str, tax_id: str | None, email: str | None) -> InvoiceRequest:
    """A personal invoice has a title and no tax id; a company's needs a well-formed tax id."""
    clean_title = (title or "").strip()
    if not 1 <= len(clean_title) <= 100:
        raise fail("INVALID_ARGUMENT", "The invoice title is 1 to 100 characters.", "title")
    clean_tax = (tax_id or "").strip().upper() or None
    if clean_tax is not None and not TAX_ID_RE.match(clean_tax):
        raise fail(
            "INVALID_TAX_ID",
            "A taxpayer id is an 18-character unified social credit code (or 15, 17 or 20).",
            "taxId",
        )
    clean_email = (email or "").strip() or None
    if clean_email is not None and not EMAIL_RE.match(clean_email):
        raise fail("INVALID_ARGUMENT", "The email address is not valid.", "email")
    return InvoiceRequest(clean_title, clean_tax, clean_email)


def invoice_email(number: str, amount_fen: int, title: str) -> tuple[str, str]:
    """(subject, body) of the message that carries an invoice's PDF to the address given."""
    amount = yuan(amount_fen).replace("¥", "")  # as the PDF prints it
    subject = f"电子发票 {number}（价税合计 {amount} 元）"
    body = (
        f"尊敬的客户：\n\n您申请的电子发票已开具，发票号码 {number}，购买方 {title}，"
        f"价税合计 {amount} 元。发票 PDF 见附件，也可在网上营业厅下载。\n\nTelehall 网上营业厅"
    )
    return subject, body
