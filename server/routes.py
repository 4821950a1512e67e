"""Plain HTTP beside GraphQL: the payment provider's webhook, the e-bill PDF, the recharge CSV and
(dev/test only) the simulated provider's cashier page."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from domain.calendar import local
from domain.errors import DomainError
from domain.money import yuan
from domain.payments import CallbackOutcome
from domain.sessions import Capability, Session
from resolvers import billing, invoices, payments
from resolvers.context import Services
from resolvers.service import tickets
from server.bill_export import render_bills_xlsx
from server.bill_pdf import render_bill_pdf
from server.invoice_pdf import render_acceptance_form_pdf, render_invoice_pdf

log = structlog.get_logger("telehall.routes")


def _services(request: Request) -> Services:
    return request.app.state.services


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": code, "message": message}, status)


def _unavailable(request: Request) -> JSONResponse:
    """503 with Retry-After: the provider (and any client) retries later."""
    response = _error(503, "UNAVAILABLE", "Try again later.")
    retry = getattr(_services(request).settings, "redis_retry_after_seconds", 5)
    response.headers["retry-after"] = str(retry)
    return response


async def _subscriber_session(request: Request) -> Session | JSONResponse:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _error(401, "UNAUTHENTICATED", "Send Authorization: Bearer <token>.")
    session = await _services(request).stores.sessions.resolve(token)
    if session is None:
        return _error(401, "UNAUTHENTICATED", "Your session has expired or was revoked.")
    if not session.is_subscriber or not session.may(Capability.READ_BASIC):
        return _error(403, "FORBIDDEN", "This needs a subscriber session.")
    return session


async def payment_callback(request: Request) -> JSONResponse:
    try:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, answer = await payments.receive_callback(_services(request), body, headers)
    except Exception:  # never a 500 to the provider: a 503 it retries later, by design
        log.exception("payment callback failed")
        return _unavailable(request)
    return JSONResponse(answer, status)


def _never_500(handler):
    """Unexpected failures answer 503 with a reason, never a bare 500."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception:
            log.exception("route failed", path=request.url.path)
            return _unavailable(request)

    return guarded


@_never_500
async def bill_pdf(request: Request) -> Response:
    session = await _subscriber_session(request)
    if isinstance(session, JSONResponse):
        return session
    cycle = request.path_params["cycle"]
    try:
        subscriber, bill = await billing.issued_bill_for_pdf(session.subject_id, cycle)
    except DomainError as error:
        status = 400 if error.code == "INVALID_CYCLE" else 404
        return _error(status, error.code, error.problems[0].message)
    pdf = render_bill_pdf(subscriber.msisdn, subscriber.real_name, bill)
    return _download(pdf, PDF, f"bill-{bill.cycle}.pdf")


PDF = "application/pdf"


def _download(content: bytes, media_type: str, filename: str) -> Response:
    """A file of the caller's own: an attachment no cache keeps."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "private, no-store",
        },
    )


@_never_500
async def invoice_pdf(request: Request) -> Response:
    session = await _subscriber_session(request)
    if isinstance(session, JSONResponse):
        return session
    number = request.path_params["number"]
    try:
        invoice, subscriber = await invoices.invoice_and_owner(session.subject_id, number)
    except DomainError as error:
        return _error(404, error.code, error.problems[0].message)
    pdf = render_invoice_pdf(invoice, invoices.lines_of(invoice), subscriber.msisdn)
    return _download(pdf, PDF, f"invoice-{invoice.number}.pdf")


@_never_500
async def acceptance_form_pdf(request: Request) -> Response:
    session = await _subscriber_session(request)
    if isinstance(session, JSONResponse):
        return session
    try:
        subscriber, order = await invoices.order_for_form(
            session.subject_id, request.path_params["order_id"]
        )
    except DomainError as error:
        return _error(404, error.code, error.problems[0].message)
    pdf = render_acceptance_form_pdf(order, subscriber.msisdn, subscriber.real_name)
    return _download(pdf, PDF, f"acceptance-{order.id}.pdf")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@_never_500
async def bills_xlsx(request: Request) -> Response:
    session = await _subscriber_session(request)
    if isinstance(session, JSONResponse):
        return session
    raw = request.query_params.get("last", "6")
    if not raw.isdigit():
        return _error(400, "INVALID_ARGUMENT", "last is a whole number of months, 1 to 12.")
    try:
        subscriber, views = await billing.bills_for_export(
            session.subject_id, int(raw), _services(request).now()
        )
    except DomainError as error:
        status = 400 if error.code == "INVALID_ARGUMENT" else 404
        return _error(status, error.code, error.problems[0].message)
    return _download(render_bills_xlsx(subscriber.msisdn, views), XLSX, "bills.xlsx")


METHOD_NAMES = {
    "ALIPAY": "支付宝",
    "WECHAT": "微信支付",
    "BANK_CARD": "银行卡",
    "CARD_PIN": "充值卡",
}


@_never_500
async def recharges_csv(request: Request) -> Response:
    session = await _subscriber_session(request)
    if isinstance(session, JSONResponse):
        return session
    rows = await payments.all_recharges(session.subject_id, _services(request).now())
    out = io.StringIO()
    out.write("\ufeff")  # a BOM so spreadsheet programs read the Chinese headers as UTF-8
    writer = csv.writer(out)
    writer.writerow(
        ["充值时间", "充值金额(元)", "实付金额(元)", "支付方式", "渠道", "方式", "交易流水号"]
    )
    for p in rows:
        writer.writerow(
            [
                local(p.paid_at).strftime("%Y-%m-%d %H:%M:%S") if p.paid_at else "",
                yuan(p.amount_fen).replace("¥", ""),
                yuan(p.payable_fen).replace("¥", ""),
                METHOD_NAMES.get(str(p.method), str(p.method)),
                str(p.channel),
                "自动充值" if str(p.trigger) == "AUTO" else "手动充值",
                p.provider_txn_id or "",
            ]
        )
    return _download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "recharges.csv")


@_never_500
async def sim_cashier(request: Request) -> Response:
    """Dev/test: the simulated provider's cashier page for a payment."""
    payment = await payments.payment_by_id(
        request.path_params["payment_id"], _services(request).now()
    )
    if payment is None:
        return _error(404, "UNKNOWN_PAYMENT", "No such payment.")
    if request.method == "POST":
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        outcome = (
            CallbackOutcome.FAILED if form.get("outcome") == ["FAILED"] else CallbackOutcome.SUCCESS
        )
        status, answer = await _services(request).payments.complete(str(payment.id), outcome)  # type: ignore[union-attr]
        return HTMLResponse(
            f"<p>模拟支付回调：HTTP {status}</p><pre>{escape(json.dumps(answer))}</pre>"
            '<p><a href="">返回</a></p>'
        )
    return HTMLResponse(
        f"""<!doctype html><meta charset="utf-8"><title>模拟收银台</title>
<h1>模拟收银台（Telehall 开发环境）</h1>
<p>充值号码 {escape(payment.msisdn)}，充值 {yuan(payment.amount_fen)}，
应付 {yuan(payment.payable_fen)}，状态 {escape(str(payment.status))}</p>
<form method="post"><button name="outcome" value="SUCCESS">支付成功</button>
<button name="outcome" value="FAILED">支付失败</button></form>"""
    )


def billing_routes(include_dev: bool) -> list[Route]:
    routes = [
        Route("/payments/callback", payment_callback, methods=["POST"]),
        Route("/bills/export.xlsx", bills_xlsx, methods=["GET"]),
        Route("/bills/{cycle}.pdf", bill_pdf, methods=["GET"]),
        Route("/recharges.csv", recharges_csv, methods=["GET"]),
        Route("/invoices/{number}.pdf", invoice_pdf, methods=["GET"]),
        Route("/orders/{order_id}/acceptance.pdf", acceptance_form_pdf, methods=["GET"]),
    ]
    if include_dev:
        routes.append(Route("/payments/sim/{payment_id}", sim_cashier, methods=["GET", "POST"]))
    return routes


MALL_IMAGES = Path(__file__).parent / "static" / "mall"


async def mall_image(request: Request) -> Response:
    """The points mall's item pictures, served by the hall itself (no CDN on a carrier intranet)."""
    name = request.path_params["name"]
    path = MALL_IMAGES / f"{name}.svg"
    if not name.isalnum() or not path.is_file():
        return _error(404, "NOT_FOUND", "No such image.")
    return Response(
        path.read_bytes(),
        media_type="image/svg+xml",
        headers={"cache-control": "public, max-age=86400"},
    )


@_never_500
async def ticket_attachment(request: Request) -> Response:
    """A ticket screenshot, to its customer and to staff; anyone else gets 404."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _error(401, "UNAUTHENTICATED", "Send Authorization: Bearer <token>.")
    session = await _services(request).stores.sessions.resolve(token)
    if session is None:
        return _error(401, "UNAUTHENTICATED", "Your session has expired or was revoked.")
    found = await tickets.attachment_for(session, request.path_params["attachment_id"])
    if found is None:
        return _error(404, "NOT_FOUND", "No such attachment.")
    return Response(
        bytes(found.data),
        media_type=found.content_type,
        headers={"cache-control": "private, no-store", "x-content-type-options": "nosniff"},
    )


def service_routes() -> list[Route]:
    return [Route("/attachments/{attachment_id}", ticket_attachment, methods=["GET"])]


def mall_routes() -> list[Route]:
    return [Route("/static/mall/{name}.svg", mall_image, methods=["GET"])]
