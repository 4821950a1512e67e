"""Redis crashes mid-storm: kill -9 our own redis-server, start it again with no persistence
at all, carry on. The database is the source of truth: the sale is rebuilt from it (stock =
total - held - paid) when the scripts report it not loaded, so nothing is ever oversold and
every buyer's count in Redis is the database's."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from db.models.accounts import StaffUser
from db.models.flash import FlashUnit
from db.repositories.flash_sales import units_taken
from domain.sessions import Scope
from server.app import create_app
from server.embedded_redis import redis_server_binary
from server.resources import build_services
from tests.api.flash_helpers import BUY, create_sale, key
from tests.api.test_flash_storm import assert_balanced
from tests.conftest import Api, subscribe

UNITS, LIMIT = 100, 2


class Volatile:
    """A redis-server with no persistence (no RDB, no AOF) on a unix socket."""

    def __init__(self, directory: Path) -> None:
        self.socket = directory / "volatile.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", "0", "--unixsocket", str(self.socket),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return f"unix://{self.socket}"

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def test_redis_killed_mid_storm_never_oversells(settings, clock, services, tmp_path):
    redis = Volatile(tmp_path)
    url = redis.start()
    hall = build_services(settings, url, clock)
    app = create_app(settings, hall)
    transport = httpx.ASGITransport(app=app, client=("10.7.0.1", 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
            api = Api(client)
            staff = await StaffUser.get(username="marketing")

            async def marketing() -> str:
                found = await hall.stores.sessions.create(
                    Scope.STAFF, staff.id, "marketing", staff.role
                )
                return found.token

            sale = await create_sale(
                api, await marketing(), clock.now(), unitsTotal=UNITS, perSubscriberLimit=LIMIT
            )
            buyers = [await subscribe(hall) for _ in range(120)]
            clock.set(datetime.fromisoformat(sale["startsAt"]) + timedelta(seconds=1))
            rng = random.Random(10)
            answers: Counter = Counter()

            async def attempts(n: int, concurrency: int = 20) -> None:
                gate = asyncio.Semaphore(concurrency)

                async def one():
                    async with gate:
                        buyer, qty = rng.choice(buyers), rng.choice((1, 1, 2))
                        try:
                            body = await api.as_(buyer.token)(
                                BUY,
                                input={"flashSaleId": sale["id"], "quantity": qty,
                                       "idempotencyKey": key("crash")},
                            )  # fmt: skip
                        except Exception:  # Redis is down: the request fails, takes nothing
                            answers["FAILED"] += 1
                            return
                        if body.get("errors"):
                            answers["FAILED"] += 1
                            return
                        payload = body["data"]["flashSaleBuy"]
                        answers[
                            "OK" if payload["reservation"] else payload["userErrors"][0]["code"]
                        ] += 1

                await asyncio.gather(*(one() for _ in range(n)))

            await attempts(25)
            storm = asyncio.create_task(attempts(200, concurrency=10))
            while await FlashUnit.filter(sale_id=sale["id"]).count() < 55 and not storm.done():
                await asyncio.sleep(0.005)
            redis.kill9()  # mid-storm
            await storm
            sold_before = await FlashUnit.filter(sale_id=sale["id"]).count()
            assert sold_before <= UNITS

            redis.start()  # empty: no RDB, no AOF
            for b in buyers:  # sessions were in Redis too: everyone logs in again
                b.token = (await hall.stores.sessions.create(Scope.FULL, b.id, b.msisdn)).token
            await attempts(600)

            assert await units_taken(sale["id"]) == UNITS  # sold out, exactly
            await assert_balanced(hall, sale["id"])
            per_buyer = Counter(
                await FlashUnit.filter(sale_id=sale["id"]).values_list("subscriber_id", flat=True)
            )
            assert max(per_buyer.values()) <= LIMIT
            for b in buyers:
                in_redis = await hall.stores.redis.scard(
                    hall.stores.flash_sales.sale_key(sale["id"], "sub", str(b.id))
                )
                assert in_redis == per_buyer.get(b.id, 0), b.id
            assert answers["OK"] > 0 and answers["FAILED"] > 0, answers
    finally:
        await hall.stores.redis.aclose()
        redis.stop()
