"""Invoices: the per-year counter (a guarded UPDATE under the row lock) and the rows."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from db.models.invoices import Invoice, InvoiceCounter
from domain.invoices import InvoiceLine, InvoiceSource, invoice_number


async def ensure_year(year: int) -> None:
    """The year's counter row, made before the issuing transaction (a failed insert inside it
    would abort it on PostgreSQL)."""
    with suppress(IntegrityError):
        await InvoiceCounter.get_or_create(year=year, defaults={"last_number": 0})


async def next_number(conn: BaseDBAsyncClient, year: int) -> str:
    """The next number of `year`: the UPDATE takes the counter's row lock until commit, so two
    invoices never share a number and a rolled-back issue leaves no gap."""
    if (
        not await InvoiceCounter.filter(year=year)
        .using_db(conn)
        .update(last_number=F("last_number") + 1)
    ):
        raise RuntimeError(f"no invoice counter for {year}: ensure_year first")
    last = (await InvoiceCounter.get(year=year).using_db(conn)).last_number
    return invoice_number(year, last)


async def of_source(source: InvoiceSource, source_id: str) -> Invoice | None:
    return await Invoice.get_or_none(source=source, source_id=source_id, red=False)


async def by_number(number: str) -> Invoice | None:
    return await Invoice.get_or_none(number=number)


async def create(
    conn: BaseDBAsyncClient,
    *,
    number: str,
    subscriber_id: int,
    source: InvoiceSource,
    source_id: str,
    title: str,
    tax_id: str | None,
    email: str | None,
    lines: tuple[InvoiceLine, ...],
    at: datetime,
    reverses: Invoice | None = None,
) -> Invoice:
    return await Invoice.create(
        number=number,
        subscriber_id=subscriber_id,
        source=source,
        source_id=source_id,
        red=reverses is not None,
        reverses=reverses,
        title=title,
        tax_id=tax_id,
        email=email,
        amount_fen=sum(x.amount_fen for x in lines),
        net_fen=sum(x.net_fen for x in lines),
        tax_fen=sum(x.tax_fen for x in lines),
        lines=[{**asdict(x), "category": x.category.value} for x in lines],
        issued_at=at,
        using_db=conn,
    )
