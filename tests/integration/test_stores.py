"""The Lua-scripted stores against a real Redis."""

import asyncio
import secrets
from datetime import timedelta

from domain.rate_limits import BucketPolicy
from domain.sessions import Scope


async def test_session_idle_expiry_slides(services):
    from db.stores.sessions import SessionStore

    store = SessionStore(
        services.stores.redis, services.settings.redis_prefix + "short:", 1, services.clock
    )
    session = await store.create(Scope.FULL, 1, "13000000000")
    await asyncio.sleep(0.6)
    assert await store.resolve(session.token)  # touching renews the idle timer
    await asyncio.sleep(0.6)
    assert await store.resolve(session.token)
    await asyncio.sleep(1.3)
    assert await store.resolve(session.token) is None


async def test_revoke_is_immediate(services):
    store = services.stores.sessions
    session = await store.create(Scope.FULL, 99, "13000000099")
    await store.revoke(session.token)
    assert await store.resolve(session.token) is None


async def test_lockout_counts_per_ip_but_never_locks_a_clean_number(services):
    lockouts = services.stores.lockouts
    ip = f"10.55.{secrets.randbelow(250)}.9"
    for i in range(4):
        attempt = await lockouts.begin(f"1300000{i:04d}{ip}", ip, limit=3, lock_seconds=60)
        assert attempt.outcome == "OK" and attempt.ip_failures == i
        assert await lockouts.finish(f"1300000{i:04d}{ip}", ip, attempt, False, 3, 60) == 0
    clean = await lockouts.begin(f"13999990000{ip}", ip, limit=3, lock_seconds=60)
    assert clean.outcome == "OK" and clean.ip_failures == 4  # counted, not locked


async def test_lockout_takes_the_attempt_before_verifying(services):
    lockouts = services.stores.lockouts
    account, ip = f"acct-{secrets.token_hex(4)}", "10.56.0.1"
    attempts = await asyncio.gather(*(lockouts.begin(account, ip, 3, 60) for _ in range(20)))
    assert [a.outcome for a in attempts].count("OK") == 1  # one verification in flight
    first = next(a for a in attempts if a.outcome == "OK")
    assert await lockouts.finish(account, ip, first, False, 3, 60) == 0
    for _ in range(2):
        attempt = await lockouts.begin(account, ip, 3, 60)
        locked = await lockouts.finish(account, ip, attempt, False, 3, 60)
    assert locked == 60
    assert (await lockouts.begin(account, ip, 3, 60)).outcome == "LOCKED"


async def test_an_attempt_that_never_finished_stays_counted(services):
    lockouts = services.stores.lockouts
    account, ip = f"acct-{secrets.token_hex(4)}", "10.56.0.2"
    for _ in range(3):  # a worker died after each begin: the in-flight mark lapses, the count stays
        await lockouts.begin(account, ip, 3, 60)
        await services.stores.redis.delete(lockouts.key("inflight", "{acct:" + account + "}"))
    assert (await lockouts.begin(account, ip, 3, 60)).outcome == "LOCKED"


async def test_concurrent_code_verification_admits_one(services):
    codes = services.stores.sms_codes
    await codes.issue("LOGIN", "13000001111", "123456", 300, 60, 10)
    verdicts = await asyncio.gather(
        *(codes.verify("LOGIN", "13000001111", "123456", 5) for _ in range(20))
    )
    assert sorted(v.outcome for v in verdicts).count("OK") == 1


async def test_concurrent_qr_claim_admits_one(services):
    qr = services.stores.qr_logins
    token = await qr.start(60)
    assert await qr.confirm(token, 7, "13000000007") == "OK"
    claims = await asyncio.gather(*(qr.claim(token) for _ in range(20)))
    assert [c[0] for c in claims].count("CONFIRMED") == 1


async def test_the_gate_renews_the_session_and_charges_both_buckets_in_one_script(services, clock):
    """One EVALSHA: the session read and renewed, the address's and the subject's buckets each
    charged the cost."""
    from tests.cost_counters import counting

    stores = services.stores
    clock.set(clock.now())
    policy = BucketPolicy(capacity=100, per_second=10)
    subject = 424_200 + secrets.randbelow(1000)
    made = await stores.sessions.create(Scope.FULL, subject, "13800000000")
    client = f"gate-{secrets.token_hex(4)}"
    await stores.gate.admit(f"{client}-warm", None, 1, policy)  # the script is loaded
    with counting(stores.redis) as counted:
        admitted = await stores.gate.admit(client, made.token, 30, policy)
    assert counted.redis == ["EVALSHA"]
    assert admitted.allowed and admitted.session.subject_id == subject
    assert admitted.remaining == 70
    other = await stores.gate.admit(f"{client}-b", made.token, 50, policy)  # same subject
    assert other.allowed and other.remaining == 20  # the subject's bucket: 100 - 30 - 50
    unknown = await stores.gate.admit(client, "no-such-token", 10, policy)
    assert unknown.allowed and unknown.session is None and unknown.remaining == 60
    last = await stores.gate.admit(client, made.token, 20, policy)
    assert last.allowed and last.session.subject_id == subject and last.remaining == 0


async def test_a_bucket_just_inside_and_just_outside(services, clock):
    """Exactly the bucket's points pass; one more waits the refill time of what is missing,
    taking nothing from either bucket; refilled at the rate as the hall's clock moves."""
    stores = services.stores
    start = clock.now()
    clock.set(start)
    policy = BucketPolicy(capacity=100, per_second=4)
    made = await stores.sessions.create(Scope.FULL, 515_000 + secrets.randbelow(1000), "x")
    client = f"edge-{secrets.token_hex(4)}"
    assert (await stores.gate.admit(client, made.token, 60, policy)).allowed
    inside = await stores.gate.admit(client, made.token, 40, policy)
    assert inside.allowed and inside.remaining == 0
    outside = await stores.gate.admit(client, made.token, 1, policy)
    assert not outside.allowed and outside.retry_after_seconds == 1  # 1 point at 4/s: 250 ms
    clock.set(start + timedelta(seconds=2))  # 8 points back
    assert not (await stores.gate.admit(client, made.token, 9, policy)).allowed
    refilled = await stores.gate.admit(client, made.token, 8, policy)
    assert refilled.allowed and refilled.remaining == 0
    costly = await stores.gate.admit(client, made.token, 100, policy)
    assert not costly.allowed and costly.retry_after_seconds == 25  # a full bucket: 100 / 4


async def test_the_script_keeps_the_pure_bucket_rule(services, clock):
    """Redis's bucket and `domain.rate_limits` agree over a walk of costs and clock steps."""
    import random

    from domain.rate_limits import Level, refilled, wait_ms

    stores = services.stores
    start = clock.now()
    policy = BucketPolicy(capacity=50, per_second=3)
    client = f"walk-{secrets.token_hex(4)}"
    chooser = random.Random(517)
    level, at = None, 0
    for _ in range(60):
        at += chooser.choice((0, 100, 333, 1000, 4000))
        clock.set(start + timedelta(milliseconds=at))
        cost = chooser.randint(1, 60)
        now_ms = int(clock.now().timestamp() * 1000)
        model = refilled(policy, level, now_ms)
        wait = wait_ms(policy, model, policy.charge_of(cost))
        level = model if wait else Level(model.tokens - policy.charge_of(cost), model.at_ms)
        admitted = await stores.gate.admit(client, None, cost, policy)
        assert admitted.allowed == (wait == 0)
        assert admitted.remaining == int(level.tokens)
