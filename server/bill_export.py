"""The bill export (账单导出): the last N months as an .xlsx workbook, one sheet per month and a
summary sheet first. Amounts are numbers in yuan with two decimals (Decimal cells, format
0.00), so Excel and LibreOffice sum them; never text."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from domain.billing import BillStatus, cycle_label
from domain.calendar import local

YUAN = "0.00"
BOLD = Font(bold=True)
STATUS_NAMES = {BillStatus.ISSUED: "已出账", BillStatus.PENDING: "出账中"}


def yuan_cell(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def render_bills_xlsx(msisdn: str, bills) -> bytes:
    """`bills` are resolvers.billing.BillView, newest first."""
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append(["手机号码", msisdn])
    summary.append([])
    summary.append(["账期", "状态", "计费套餐", "本期费用(元)", "出账后余额(元)"])
    for cell in summary[3]:
        cell.font = BOLD
    total = 0
    for bill in bills:
        row = [
            bill.cycle,
            STATUS_NAMES.get(bill.status, str(bill.status)),
            bill.plan_name or "",
            yuan_cell(bill.total_fen) if bill.total_fen is not None else None,
            yuan_cell(bill.balance_after_fen) if bill.balance_after_fen is not None else None,
        ]
        summary.append(row)
        total += bill.total_fen or 0
        sheet = book.create_sheet(bill.cycle)
        sheet.append([f"{cycle_label(bill.cycle)}账单", STATUS_NAMES.get(bill.status, "")])
        sheet["A1"].font = BOLD
        if bill.issued_at:
            sheet.append(["出账时间", local(bill.issued_at).strftime("%Y-%m-%d %H:%M")])
        sheet.append([])
        sheet.append(["费用项目", "类型", "金额(元)"])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        for item in bill.items:
            sheet.append([item.name, str(item.kind), yuan_cell(item.amount_fen)])
        sheet.append(
            ["本期费用合计", "", yuan_cell(bill.total_fen) if bill.total_fen is not None else None]
        )
        sheet.cell(sheet.max_row, 1).font = BOLD
        for r in sheet.iter_rows(min_col=3, max_col=3):
            r[0].number_format = YUAN
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["C"].width = 14
    summary.append(["合计", "", "", yuan_cell(total), None])
    summary.cell(summary.max_row, 1).font = BOLD
    for r in summary.iter_rows(min_row=4, min_col=4, max_col=5):
        for cell in r:
            cell.number_format = YUAN
    for col, width in (("A", 12), ("C", 22), ("D", 16), ("E", 16)):
        summary.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
