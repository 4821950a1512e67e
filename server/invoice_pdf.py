"""The e-invoice (电子发票) and the acceptance form (电子受理单) PDFs, drawn like the e-bill
(server.bill_pdf: fpdf2 and its packaged CJK font)."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from domain.calendar import local
from domain.invoices import InvoiceLine, TaxCategory
from domain.money import yuan
from server.bill_pdf import FONT_FAMILY, cjk_font_path

CATEGORY_NAMES = {TaxCategory.BASIC: "基础电信服务", TaxCategory.VALUE_ADDED: "增值电信服务"}


def _amount(fen: int) -> str:
    return yuan(fen).replace("¥", "")


def _when(instant: datetime | None) -> str:
    return local(instant).strftime("%Y-%m-%d %H:%M") if instant else "-"


def _document(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author("Telehall")
    pdf.add_font(FONT_FAMILY, "", str(cjk_font_path()))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.ln(4)
    return pdf


def _facts(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    for label, value in facts:
        pdf.cell(35, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def render_invoice_pdf(invoice, lines: list[InvoiceLine], msisdn: str) -> bytes:
    """`invoice` is a db Invoice row; `lines` its typed lines."""
    title = "增值税电子普通发票（红字）" if invoice.red else "增值税电子普通发票"
    pdf = _document(title)
    _facts(
        pdf,
        [
            ("发票号码", invoice.number),
            ("开票日期", _when(invoice.issued_at)),
            ("购买方名称", invoice.title),
            ("纳税人识别号", invoice.tax_id or "-"),
            ("手机号码", msisdn),
            ("销售方", "Telehall 网上营业厅"),
        ],
    )
    widths = (70, 35, 25, 30, 30)
    pdf.set_fill_color(230, 240, 250)
    for w, head in zip(widths, ("项目", "类别", "税率", "金额（不含税）", "税额"), strict=True):
        pdf.cell(w, 9, head, border=1, fill=True)
    pdf.ln()
    for x in lines:
        row = (
            x.name,
            CATEGORY_NAMES[x.category],
            f"{x.rate_bp / 100:g}%",
            _amount(x.net_fen),
            _amount(x.tax_fen),
        )
        for w, text in zip(widths, row, strict=True):
            pdf.cell(w, 8, text, border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, f"合计金额：{_amount(invoice.net_fen)} 元", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"合计税额：{_amount(invoice.tax_fen)} 元", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"价税合计：{_amount(invoice.amount_fen)} 元", new_x="LMARGIN", new_y="NEXT")
    if invoice.red and invoice.reverses_id:
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, size=10)
        pdf.cell(0, 7, "本发票为红字发票，冲销原发票。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render_acceptance_form_pdf(order, msisdn: str, name: str | None) -> bytes:
    """`order` is a db Order row: what was ordered, when it takes effect, and the price."""
    pdf = _document("业务受理单（电子）")
    detail = order.detail
    _facts(
        pdf,
        [
            ("受理单号", str(order.id)),
            ("手机号码", msisdn),
            ("客户名称", name or "-"),
            ("业务类型", order.kind.value),
            ("办理内容", detail.summary or order.kind.value),
            ("受理时间", _when(order.created_at)),
            ("生效时间", _when(order.effective_from)),
            ("状态", order.status.value),
            ("标准资费", f"{_amount(order.list_price_fen)} 元"),
            ("优惠后资费", f"{_amount(order.final_price_fen)} 元"),
            ("本次扣费", f"{_amount(detail.charged_fen)} 元"),
            ("办理渠道", detail.channel or "-"),
        ],
    )
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.multi_cell(
        0,
        6,
        "说明：本受理单由系统在业务办理时自动生成，与营业厅纸质受理单具有同等效力。"
        "如有疑问请拨打客服热线。",
    )
    return bytes(pdf.output())
