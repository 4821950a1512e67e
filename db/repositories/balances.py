"""Balance moves are guarded single-row updates plus an append-only ledger entry, in the caller's
transaction: race-free on PostgreSQL and SQLite alike."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from db.models.accounts import Subscriber
from db.models.ledger import BalanceEntry
from domain.errors import fail


async def _after(subscriber_id: int, conn: BaseDBAsyncClient) -> int:
    return (
        await Subscriber.filter(id=subscriber_id)
        .using_db(conn)
        .first()
        .values_list("balance_fen", flat=True)
    )


async def debit(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    amount_fen: int,
    reason: str,
    ref: str | None = None,
    *,
    allow_overdraft: bool = False,
    at: datetime,
) -> int:
    """Take `amount_fen`; without overdraft, refuse what the balance can't cover."""
    if amount_fen < 0:
        raise ValueError("debit takes a non-negative amount")
    query = Subscriber.filter(id=subscriber_id)
    if not allow_overdraft:
        query = query.filter(balance_fen__gte=amount_fen)
    if amount_fen and not await query.using_db(conn).update(
        balance_fen=F("balance_fen") - amount_fen
    ):
        raise fail(
            "INSUFFICIENT_BALANCE", "Your balance does not cover this; please recharge first."
        )
    after = await _after(subscriber_id, conn)
    await BalanceEntry.create(
        subscriber_id=subscriber_id,
        delta_fen=-amount_fen,
        balance_after_fen=after,
        reason=reason,
        ref=ref,
        created_at=at,
        using_db=conn,
    )
    return after


async def credit(
    conn: BaseDBAsyncClient,
    subscriber_id: int,
    amount_fen: int,
    reason: str,
    ref: str | None = None,
    *,
    at: datetime,
) -> int:
    """Add `amount_fen` at instant `at` (the hall's clock, or a backdated demo entry)."""
    if amount_fen < 0:
        raise ValueError("credit takes a non-negative amount")
    await (
        Subscriber.filter(id=subscriber_id)
        .using_db(conn)
        .update(balance_fen=F("balance_fen") + amount_fen)
    )
    after = await _after(subscriber_id, conn)
    await BalanceEntry.create(
        subscriber_id=subscriber_id,
        delta_fen=amount_fen,
        balance_after_fen=after,
        reason=reason,
        ref=ref,
        created_at=at,
        using_db=conn,
    )
    return after
