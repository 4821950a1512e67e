"""Process-wide services: database connections, the Redis client and stores, ports."""

from __future__ import annotations

from db.email_sim import SimulatedEmailSender
from db.lifecycle import close_database, open_database
from db.payments_sim import SimulatedPaymentProvider
from db.redis import connect_redis
from db.sms_sim import SimulatedSmsGateway
from db.stores import Stores
from domain.clock import Clock, SettableClock, SystemClock
from domain.flash.model import ms
from domain.hashing import SecretHasher
from resolvers import growth
from resolvers.campaign_caps import restore_counters
from resolvers.context import Services
from resolvers.flash import loading as flash_loading
from resolvers.notifier import Notifier
from resolvers.payments import receive_callback
from server.invoice_pdf import render_invoice_pdf
from server.settings import Settings


def make_clock(settings: Settings) -> Clock:
    return SettableClock(settings.clock_start) if settings.clock_start else SystemClock()


def build_services(settings: Settings, redis_url: str, clock: Clock | None = None) -> Services:
    redis = connect_redis(
        redis_url,
        settings.redis_pool_max,
        settings.redis_cluster,
        settings.redis_sentinel_check_seconds,
    )
    clock = clock or make_clock(settings)
    provider = SimulatedPaymentProvider(settings.payment_secret, clock)
    # flash sales decide by Redis TIME, one clock for every host, unless business time is moved
    moved = not settings.flash_redis_time or settings.clock_start is not None
    flash_clock = (lambda: ms(clock.now())) if moved else None
    stores = Stores.build(
        redis, settings.redis_prefix, settings.session_idle_seconds, clock, flash_clock
    )
    services = Services(
        settings=settings,
        stores=stores,
        hasher=SecretHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
        sms=Notifier(clock, settings, stores),
        payments=provider,
        clock=clock,
        sms_delivery=SimulatedSmsGateway(
            redis,
            settings.redis_prefix,
            clock,
            latency_ms=settings.sms_sim_latency_ms,
            failure_rate=settings.sms_sim_failure_rate,
            per_number_per_minute=settings.sms_sim_per_number_per_minute,
            seed=settings.sms_sim_seed,
        ),
        email=SimulatedEmailSender(
            settings.data_dir / "mailbox",
            clock,
            sender=settings.email_from,
            latency_ms=settings.email_sim_latency_ms,
            failure_rate=settings.email_sim_failure_rate,
            seed=settings.email_sim_seed,
        ),
        invoice_pdf=render_invoice_pdf,
    )

    async def deliver(body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        # The simulated provider calls the same handler as POST /payments/callback.
        return await receive_callback(services, body, headers)

    provider.deliver = deliver
    growth.configure(settings)
    return services


async def open_services(settings: Settings) -> Services:
    if not settings.redis_address:
        raise RuntimeError(
            "TELEHALL_REDIS_URL (or TELEHALL_REDIS_SENTINELS) is unset: start the server with "
            "`telehall serve`"
        )
    await open_database(settings.resolved_database_url, settings.db_pool_max)
    services = build_services(settings, settings.redis_address)
    await restore_counters(services)
    await flash_loading.restore(services, services.now())
    return services


async def close_services(services: Services) -> None:
    await services.stores.redis.aclose()
    await close_database()
