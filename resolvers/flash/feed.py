"""Live flash-sale stock for subscriptions: one reader per process follows the event streams
of every sale someone watches (one XREAD over all of them) and fans the news out to each
watcher, at most `MAX_PUSHES_PER_SECOND` per sale, the latest state winning."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from db.repositories.flash_sales import terms_of, units_taken
from domain.flash.model import SaleStatus, status_at
from resolvers.context import Services
from resolvers.flash.loading import cached_sale

MAX_PUSHES_PER_SECOND = 5
BLOCK_MS = 200


@dataclass(frozen=True)
class StockUpdate:
    flash_sale_id: str
    remaining: int
    status: SaleStatus


class StockFeed:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.watchers: dict[str, set[asyncio.Queue[StockUpdate]]] = {}
        self.last_ids: dict[str, str] = {}
        self.last_push: dict[str, float] = {}
        self.pending: dict[str, int] = {}
        self.reader: asyncio.Task | None = None

    async def watch(self, sale_id: str) -> AsyncIterator[StockUpdate]:
        queue: asyncio.Queue[StockUpdate] = asyncio.Queue(maxsize=1)
        # from the stream's current tail, not "$": on a Redis Cluster the reader does not block
        if sale_id not in self.watchers:
            tail = await self.services.stores.flash_sales.events_tail(sale_id)
            self.last_ids.setdefault(sale_id, tail)  # before the reader can see the watcher
        self.watchers.setdefault(sale_id, set()).add(queue)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read())
        try:
            remaining = await self.services.stores.flash_sales.remaining(sale_id)
            if (update := await self._update(sale_id, remaining)) is not None:
                yield update
            while True:
                yield await queue.get()
        finally:
            self.watchers[sale_id].discard(queue)
            if not self.watchers[sale_id]:
                for table in (self.watchers, self.last_ids, self.last_push, self.pending):
                    table.pop(sale_id, None)

    async def _update(self, sale_id: str, remaining: int | None) -> StockUpdate | None:
        sale = await cached_sale(sale_id)
        if sale is None:
            return None
        left = remaining
        if left is None:
            left = sale.units_total - await units_taken(sale_id)
        status = status_at(terms_of(sale), sale.cancelled, left, self.services.now())
        return StockUpdate(sale_id, left, status)

    async def _read(self) -> None:
        store = self.services.stores.flash_sales
        while self.watchers:
            streams = {store.sale_key(sid, "events"): self.last_ids[sid] for sid in self.watchers}
            try:
                found = await store.read_events(streams, count=1000, block_ms=BLOCK_MS)
            except Exception:  # Redis away: try again shortly, the watchers stay
                await asyncio.sleep(0.5)
                continue
            for key, entries in found or []:
                sale_id = key.split("{fs:", 1)[1].split("}", 1)[0]
                if sale_id not in self.last_ids or not entries:
                    continue
                self.last_ids[sale_id] = entries[-1][0]
                self.pending[sale_id] = int(entries[-1][1]["remaining"])
            await self._flush()

    async def _flush(self) -> None:
        now = time.monotonic()
        for sale_id, remaining in list(self.pending.items()):
            if now - self.last_push.get(sale_id, 0.0) < 1 / MAX_PUSHES_PER_SECOND:
                continue
            del self.pending[sale_id]
            self.last_push[sale_id] = now
            update = await self._update(sale_id, remaining)
            for queue in list(self.watchers.get(sale_id, ())):
                if update is None:
                    continue
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()  # a slow client gets the latest, not a backlog
                queue.put_nowait(update)


_feeds: dict[int, StockFeed] = {}


def feed(services: Services) -> StockFeed:
    """The process's one feed (per Services)."""
    found = _feeds.get(id(services))
    if found is None:
        found = _feeds[id(services)] = StockFeed(services)
    return found
