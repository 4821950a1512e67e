"""The number pool seed: `telehall seed --numbers N` and a modest demo pool."""

from __future__ import annotations

from collections.abc import Callable

from tortoise import connections
from tortoise.transactions import in_transaction

from db.repositories.numbers import index_contains, last_id, stock
from domain.numbers.patterns import DEFAULT_TIER_TERMS, TierTerms
from domain.numbers.regions import sample_numbers
from domain.numbers.stocking import stock_row

DEMO_POOL = 5_000
BATCH = 20_000


async def seed_numbers(
    count: int,
    progress: Callable[[int], None] | None = None,
    seed: int = 12,
    terms: dict[int, TierTerms] = DEFAULT_TIER_TERMS,
) -> None:
    """Stock `count` numbers over the region blocks in one transaction, in big batches."""
    db = connections.get("default")
    if db.capabilities.dialect == "sqlite":
        # a million rows touch four indexes at random places: keep their pages in memory
        await db.execute_script("PRAGMA cache_size = -262144")
    async with in_transaction() as conn:
        since = await last_id(conn)
        batch: list[tuple] = []
        for msisdn, block in sample_numbers(count, seed):
            batch.append(stock_row(msisdn, block.province, block.city, terms))
            if len(batch) >= BATCH:
                await stock(batch, conn, index=False)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            await stock(batch, conn, index=False)
            if progress:
                progress(len(batch))
        await index_contains(conn, since)  # the contains index, in one sorted pass
