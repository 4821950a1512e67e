"""The Lua-scripted stores against a real Redis."""

import asyncio
import secrets

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


async def test_the_gate_counts_and_resolves_in_one_round_trip(services):
    """The Guard's pipeline: the rate-limit hit and the session renew, as the two stores do
    them one by one; a script Redis forgot (a restart) falls back to the ordinary calls."""
    import secrets

    from db.stores.gate import Gate

    stores = services.stores
    made = await stores.sessions.create(Scope.FULL, 4242, "13800000000")
    client = f"gate-{secrets.token_hex(4)}"
    ok, session = await stores.gate.admit("test", client, 2, made.token)
    assert ok and session is not None and session.subject_id == 4242
    ok, unknown = await stores.gate.admit("test", client, 2, "no-such-token")
    assert ok and unknown is None
    ok, _ = await stores.gate.admit("test", client, 2, None)
    assert not ok  # the third hit of this window, limit 2

    class Forgotten(type(stores.rate_limits)):
        hit_sha = "0" * 40  # a script Redis does not know

    forgetful = Forgotten(stores.redis, stores.rate_limits.prefix, stores.rate_limits.clock)
    ok, session = await Gate(forgetful, stores.sessions).admit("test", f"{client}-b", 5, made.token)
    assert ok and session is not None and session.subject_id == 4242
