"""The SMS sender against the simulated SMS centre (real Redis, real database): codes first,
backoff on transient failures, the per-number rate limit, refusals, codes too old to send, and two
senders at once delivering each notice exactly once."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from datetime import timedelta

import pytest

from db.models.accounts import Notification
from db.repositories import outbox
from db.sms_sim import SimulatedSmsGateway
from domain.sms import CODE_PRIORITY
from resolvers import sms_sender
from tests.conftest import new_msisdn
from tests.hall_clock import now as hall_now


@pytest.fixture
async def quiet_outbox(services, clock):
    """Earlier tests queued notices nobody sent: mark them sent so these tests see their own."""
    clock.set(hall_now())
    await Notification.filter(sent_at__isnull=True, failed_at__isnull=True).update(
        sent_at=hall_now()
    )


def with_gateway(services, **options):
    gateway = SimulatedSmsGateway(
        services.stores.redis,
        services.settings.redis_prefix + f"sms{secrets.token_hex(3)}:",
        services.clock,
        **({"latency_ms": 0, "per_number_per_minute": 1000, "seed": 7} | options),
    )
    return dataclasses.replace(services, sms_delivery=gateway), gateway


async def notices_of(msisdn: str) -> list[Notification]:
    return await Notification.filter(msisdn=msisdn).order_by("id")


async def test_codes_jump_the_queue(services, quiet_outbox) -> None:
    msisdn = new_msisdn()
    for i in range(3):
        await services.sms.send(msisdn, "ORDER_PACK_PURCHASE", f"notice {i}")
    await services.sms.send(msisdn, "SMS_LOGIN", "您的验证码是123456")
    now = services.now()
    (first,) = await outbox.claim("w1", now, now + timedelta(seconds=30), 1)
    assert first.kind == "SMS_LOGIN" and first.priority == CODE_PRIORITY
    assert first.attempts == 1 and first.claimed_by == "w1"


async def test_transient_failures_back_off_then_send_or_give_up(services, clock, quiet_outbox):
    msisdn = new_msisdn()
    await services.sms.send(msisdn, "RECHARGE", "充值成功")
    failing, _ = with_gateway(services, failure_rate=1.0)
    report = await sms_sender.drain(failing)
    assert (report.sent, report.retried) == (0, 1)
    (notice,) = await notices_of(msisdn)
    assert notice.failure_reason == "GATEWAY_BUSY" and notice.attempts == 1
    wait = timedelta(seconds=services.settings.sms_retry_base_seconds)
    assert notice.next_attempt_at == services.now() + wait
    assert (await sms_sender.drain(failing)).retried == 0  # not due yet
    clock.advance(wait)
    await sms_sender.drain(failing)
    (notice,) = await notices_of(msisdn)
    assert notice.attempts == 2
    assert notice.next_attempt_at == services.now() + 2 * wait  # doubled
    healthy, gateway = with_gateway(services)
    clock.advance(2 * wait)
    assert (await sms_sender.drain(healthy)).sent == 1
    (notice,) = await notices_of(msisdn)
    assert notice.sent_at == services.now() and notice.failed_at is None
    assert await gateway.delivered(msisdn) == [str(notice.id)]

    other = new_msisdn()
    await services.sms.send(other, "RECHARGE", "充值成功")
    for _ in range(services.settings.sms_max_attempts):
        await sms_sender.drain(failing)
        clock.advance(timedelta(seconds=services.settings.sms_retry_cap_seconds))
    (given_up,) = await notices_of(other)
    assert given_up.failure_reason == "RETRIES_EXHAUSTED:GATEWAY_BUSY"
    assert given_up.failed_at is not None and given_up.sent_at is None


async def test_the_per_number_rate_limit_delays_the_rest(services, clock, quiet_outbox):
    msisdn = new_msisdn()
    for i in range(4):
        await services.sms.send(msisdn, "ORDER_PACK_PURCHASE", f"notice {i}")
    limited, gateway = with_gateway(services, per_number_per_minute=2)
    report = await sms_sender.drain(limited)
    assert (report.sent, report.retried) == (2, 2)
    waiting = [n for n in await notices_of(msisdn) if n.sent_at is None]
    assert {n.failure_reason for n in waiting} == {"RATE_LIMITED"}
    next_minute = services.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    assert all(n.next_attempt_at >= next_minute for n in waiting)
    clock.advance(timedelta(seconds=65))
    assert (await sms_sender.drain(limited)).sent == 2
    assert len(set(await gateway.delivered(msisdn))) == 4


async def test_refused_and_stale_codes_fail_with_their_reason(services, clock, quiet_outbox):
    await services.sms.send("00000000000", "RECHARGE", "无效号码")
    msisdn = new_msisdn()
    await services.sms.send(msisdn, "SMS_LOGIN", "您的验证码是654321")
    clock.advance(timedelta(seconds=services.settings.sms_code_seconds + 1))
    sender, gateway = with_gateway(services)
    assert (await sms_sender.drain(sender)).failed == 2
    (refused,) = await Notification.filter(msisdn="00000000000", sent_at__isnull=True).limit(1)
    assert refused.failure_reason == "REJECTED:INVALID_NUMBER"
    (stale,) = await notices_of(msisdn)
    assert stale.failure_reason == "CODE_EXPIRED" and await gateway.delivered(msisdn) == []


async def test_two_senders_at_once_deliver_each_notice_once(services, clock, quiet_outbox):
    clock.resume()  # retries come due as time really passes
    numbers = [new_msisdn() for _ in range(3)]
    for i in range(60):
        await services.sms.send(numbers[i % 3], "ORDER_PACK_PURCHASE", f"notice {i}")
    # dedup off: the SMS centre would deliver a second copy, so only the claims keep it to one
    shared, gateway = with_gateway(services, dedup=False, latency_ms=5, failure_rate=0.2)
    settings = shared.settings.model_copy(update={"sms_batch": 7, "sms_retry_base_seconds": 0.001})
    shared = dataclasses.replace(shared, settings=settings)
    for _ in range(20):
        await asyncio.gather(
            sms_sender.drain(shared, worker="host-a:1"), sms_sender.drain(shared, worker="host-b:2")
        )
        if not await Notification.filter(msisdn__in=numbers, sent_at__isnull=True).exists():
            break
        await asyncio.sleep(0.01)
    delivered = [i for m in numbers for i in await gateway.delivered(m)]
    ids = {str(n.id) for m in numbers for n in await notices_of(m)}
    assert sorted(delivered) == sorted(ids)  # every one, and none twice
    assert not await Notification.filter(msisdn__in=numbers, sent_at__isnull=True).exists()
