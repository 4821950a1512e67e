"""Finding 2: 30 parallel anonymous passwordChange guesses got 20 verifications past a limit of 3,
then the right one replaced the password; authLogin the same. The attempt is now taken in Redis
before argon2 runs (one in flight per number), and anonymous passwordChange needs a captcha.

The race is in Redis (the counter), not in the database, so these run on SQLite and PostgreSQL."""

import asyncio
from collections import Counter

from tests.api.auth_helpers import LOGIN, captcha, password_login
from tests.conftest import TEST_PASSWORD, subscribe

CHANGE = """mutation($m: String, $old: String!, $new: String!, $cid: String, $ca: String) {
  passwordChange(input: {msisdn: $m, oldPassword: $old, newPassword: $new,
                         captchaId: $cid, captchaAnswer: $ca}) { ok userErrors { code } } }"""


async def _codes(calls) -> Counter:
    outs = await asyncio.gather(*calls)
    return Counter(o["userErrors"][0]["code"] if o["userErrors"] else "OK" for o in outs)


async def test_anonymous_password_change_needs_a_captcha(api, services):
    sub = await subscribe(services)

    async def change() -> dict:
        out = await api.data(CHANGE, m=sub.msisdn, old=TEST_PASSWORD, new="Taken#9911")
        return out["passwordChange"]

    outs = await _codes(change() for _ in range(30))
    assert outs == Counter({"CAPTCHA_INVALID": 30})
    assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["session"]


async def _burst_of_change_guesses(api, msisdn: str, n: int) -> Counter:
    captchas = [await captcha(api) for _ in range(n)]

    async def guess(i: int, cid: str, answer: str) -> dict:
        out = await api.data(
            CHANGE, m=msisdn, old=f"Guess#{i:04d}", new="Taken#9911", cid=cid, ca=answer
        )
        return out["passwordChange"]

    return await _codes(guess(i, cid, a) for i, (cid, a) in enumerate(captchas))


async def test_parallel_password_change_guesses_get_three_verifications(api, services):
    sub = await subscribe(services)
    wrong = 0
    for _ in range(10):  # bursts of 15 parallel guesses until the number locks
        outs = await _burst_of_change_guesses(api, sub.msisdn, 15)
        assert set(outs) <= {"INVALID_CREDENTIALS", "ATTEMPT_IN_PROGRESS", "LOCKED"}, outs
        wrong += outs["INVALID_CREDENTIALS"]
        if outs["LOCKED"]:
            break
    assert wrong == 2  # the 3rd wrong secret locks: never more verifications than the limit
    # and now even the right old password is refused: the lock holds
    cid, answer = await captcha(api)
    right = await api.data(
        CHANGE, m=sub.msisdn, old=TEST_PASSWORD, new="Taken#9911", cid=cid, ca=answer
    )
    assert right["passwordChange"]["userErrors"][0]["code"] == "LOCKED"


async def test_parallel_login_guesses_get_three_verifications(api, services):
    sub = await subscribe(services)
    wrong = 0
    for _ in range(10):
        captchas = [await captcha(api) for _ in range(15)]
        outs = await _codes(
            _login(api, sub.msisdn, f"Guess#{i:04d}", cid, a) for i, (cid, a) in enumerate(captchas)
        )
        assert set(outs) <= {"INVALID_CREDENTIALS", "ATTEMPT_IN_PROGRESS", "LOCKED"}, outs
        wrong += outs["INVALID_CREDENTIALS"]
        if outs["LOCKED"]:
            break
    assert wrong == 2
    assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["userErrors"][0][
        "code"
    ] == "LOCKED"


async def _login(api, msisdn, secret, cid, answer) -> dict:
    data = await api.data(LOGIN, m=msisdn, method="PASSWORD", s=secret, cid=cid, ca=answer)
    return data["authLogin"]


async def test_the_reported_attack_on_postgres(api, services, postgres_only):
    """As reported: 30 parallel anonymous passwordChange, 29 wrong guesses and the right one,
    each with its own captcha, against PostgreSQL (database reads truly concurrent)."""
    sub = await subscribe(services)
    captchas = [await captcha(api) for _ in range(30)]
    guesses = [f"Guess#{i:04d}" for i in range(29)] + [TEST_PASSWORD]

    async def guess(old: str, cid: str, answer: str) -> dict:
        out = await api.data(CHANGE, m=sub.msisdn, old=old, new="Taken#9911", cid=cid, ca=answer)
        return out["passwordChange"]

    outs = await _codes(guess(g, c, a) for g, (c, a) in zip(guesses, captchas, strict=True))
    assert set(outs) <= {"OK", "INVALID_CREDENTIALS", "ATTEMPT_IN_PROGRESS", "LOCKED"}, outs
    verified = outs["INVALID_CREDENTIALS"] + outs["OK"] + min(outs["LOCKED"], 1)
    assert verified <= 3, outs  # never more verifications than the limit
    assert outs["OK"] <= 1
