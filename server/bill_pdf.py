"""The e-bill PDF (电子账单), drawn with fpdf2 in WenQuanYi Micro Hei, a CJK font that ships as a
Python package (paperang-p2-fonts-cjk), so a fresh machine needs no system fonts."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

from domain.billing import cycle_label
from domain.calendar import local
from domain.money import yuan

FONT_FAMILY = "WenQuanYi"


@cache
def cjk_font_path() -> Path:
    path = Path(str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    if not path.exists():
        raise RuntimeError("the CJK font package paperang-p2-fonts-cjk is not installed")
    return path


def _amount(amount_fen: int) -> str:
    return yuan(amount_fen).replace("¥", "")


def render_bill_pdf(
    msisdn: str, name: str | None, bill, *, title: str = "Telehall 网上营业厅 电子账单"
) -> bytes:
    """`bill` is an issued resolvers.billing.BillView."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"{title} {bill.cycle}")
    pdf.set_author("Telehall")
    pdf.add_font(FONT_FAMILY, "", str(cjk_font_path()))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT_FAMILY, size=11)
    start = local(bill.period_start).date()
    end = (local(bill.period_end) - timedelta(days=1)).date()
    facts = [
        ("手机号码", msisdn),
        ("客户名称", name or "-"),
        ("账单周期", f"{cycle_label(bill.cycle)}（{start} 至 {end}）"),
        ("计费套餐", bill.plan_name or "-"),
        ("出账时间", local(bill.issued_at).strftime("%Y-%m-%d %H:%M") if bill.issued_at else "-"),
    ]
    pdf.ln(4)
    for label, value in facts:
        pdf.cell(35, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_fill_color(230, 240, 250)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(130, 9, "费用项目", border=1, fill=True)
    pdf.cell(0, 9, "金额（元）", border=1, fill=True, new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(FONT_FAMILY, size=11)
    for item in bill.items:
        pdf.cell(130, 8, item.name, border=1)
        pdf.cell(0, 8, _amount(item.amount_fen), border=1, new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(130, 9, "本期费用合计", border=1, fill=True)
    pdf.cell(
        0, 9, _amount(bill.total_fen or 0), border=1, fill=True, new_x="LMARGIN", new_y="NEXT",
        align="R",
    )  # fmt: skip
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, size=10)
    if bill.balance_after_fen is not None:
        pdf.cell(
            0,
            7,
            f"出账后账户余额：{_amount(bill.balance_after_fen)} 元",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(
        0,
        6,
        "说明：套餐月费于出账时从余额中扣除；超出套餐的语音、短信、流量及增值业务费用已在使用时实时扣除；"
        "流量包等于订购时支付。本账单由系统自动生成。",
    )
    return bytes(pdf.output())
