"""Real parts only: a real Redis (TELEHALL_TEST_REDIS_URL or the embedded redis-server) and a real
database (TELEHALL_TEST_DATABASE_URL, a fresh PostgreSQL database per run, or SQLite)."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from db.config import is_postgres
from db.lifecycle import apply_migrations, close_database, open_database
from db.seed.demo import seed_demo
from domain.clock import SettableClock
from domain.sessions import Scope
from resolvers.accounts import provision_subscriber
from resolvers.context import RequestContext, Services
from server.app import create_app
from server.embedded_redis import EmbeddedRedis
from server.resources import build_services
from server.settings import Env, Settings
from tests.hall_clock import CLOCK, SEEDED_AT

RUN_ID = secrets.token_hex(4)
TEST_PASSWORD = "Tele#2468"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("TELEHALL_TEST_REDIS_URL"):
        yield url
        return
    embedded = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield embedded.start()
    embedded.stop()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    admin_url = os.environ.get("TELEHALL_TEST_DATABASE_URL")
    if not admin_url:
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"telehall_test_{RUN_ID}"
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def settings(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        env=Env.TEST,
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        db_pool_max=30,
        redis_url=redis_url,
        redis_prefix=f"telehall-test-{RUN_ID}:",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        rate_limit_bucket_points=1_000_000_000,
        rate_limit_points_per_second=1_000_000,
        ip_lockout_failures=1_000_000,
        ip_captcha_failures=1_000_000,
        sms_per_client_hour=1_000_000,
        sms_daily_limit=1_000,
        flash_redis_time=False,
    )


@pytest.fixture(scope="session")
def session_clock() -> SettableClock:
    return CLOCK


@pytest.fixture
def clock(session_clock: SettableClock) -> Iterator[SettableClock]:
    """The hall's clock for one test: `clock.set(instant)` freezes it there; reset afterwards."""
    yield session_clock
    session_clock.reset()


@pytest.fixture(scope="session")
async def services(settings: Settings, session_clock: SettableClock) -> AsyncIterator[Services]:
    await apply_migrations(settings.resolved_database_url)
    await open_database(settings.resolved_database_url, settings.db_pool_max)
    built = build_services(settings, settings.redis_url or "", session_clock)
    await seed_demo(built.hasher, SEEDED_AT)
    try:
        yield built
    finally:
        redis = built.stores.redis
        keys = [k async for k in redis.scan_iter(match=settings.redis_prefix + "*", count=1000)]
        for i in range(0, len(keys), 500):
            await redis.delete(*keys[i : i + 500])
        await redis.aclose()
        await close_database()


@pytest.fixture
def db_is_postgres(settings: Settings) -> bool:
    return is_postgres(settings.resolved_database_url)


@pytest.fixture
def postgres_only(db_is_postgres: bool) -> None:
    if not db_is_postgres:
        pytest.skip("race test: only PostgreSQL proves it (set TELEHALL_TEST_DATABASE_URL)")


_numbers = itertools.count(1)
_base = 13_000_000_000 + secrets.randbelow(9_000) * 100_000


def new_msisdn() -> str:
    """A number no other test of this run uses."""
    return str(_base + next(_numbers))


def make_ctx(services: Services, session=None, ip: str = "127.0.0.1") -> RequestContext:
    return RequestContext(services=services, session=session, client_ip=ip)


@pytest.fixture
def ctx(services: Services) -> RequestContext:
    return make_ctx(services, ip=f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


class Api:
    """A GraphQL client bound to the ASGI app, optionally carrying a bearer token."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)

    async def post(self, query: str, variables: dict | None = None) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(self, query: str, **variables: object) -> dict:
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, **variables: object) -> dict:
        body = await self(query, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture
async def api(settings: Settings, services: Services) -> AsyncIterator[Api]:
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=(f"10.8.{secrets.randbelow(250)}.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        yield Api(client)


class Subscribed:
    def __init__(self, msisdn: str, subscriber_id: int, token: str, limited_token: str) -> None:
        self.msisdn, self.id, self.token, self.limited_token = (
            msisdn,
            subscriber_id,
            token,
            limited_token,
        )


async def subscribe(
    services: Services, plan_id: str = "4G-136", balance_fen: int = 10_000, **kwargs: object
) -> Subscribed:
    """Provision a fresh subscriber and open a FULL and a LIMITED session for it. It is
    real-name verified unless `real_name=None` is given (numbers, devices and flash sales
    refuse unverified numbers: NOT_VERIFIED)."""
    kwargs.setdefault("real_name", "测试用户")
    msisdn = new_msisdn()
    sub = await provision_subscriber(
        make_ctx(services), msisdn, plan_id, TEST_PASSWORD, balance_fen, **kwargs
    )
    sessions = services.stores.sessions
    full = await sessions.create(Scope.FULL, sub.id, msisdn)
    limited = await sessions.create(Scope.LIMITED, sub.id, msisdn)
    return Subscribed(msisdn, sub.id, full.token, limited.token)


@pytest.fixture
async def subscriber(services: Services) -> Subscribed:
    return await subscribe(services)


@pytest.fixture
async def operator_token(services: Services) -> str:
    from db.models.accounts import StaffUser

    staff = await StaffUser.get(username="operator")
    return (
        await services.stores.sessions.create(Scope.STAFF, staff.id, "operator", staff.role)
    ).token


@pytest.fixture
async def marketing_token(services: Services) -> str:
    from db.models.accounts import StaffUser

    staff = await StaffUser.get(username="marketing")
    return (
        await services.stores.sessions.create(Scope.STAFF, staff.id, "marketing", staff.role)
    ).token
