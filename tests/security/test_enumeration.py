"""Finding 8: smsCodeSend said NOT_FOUND for numbers that are not ours; a wrong password took
~315 ms for a known number and ~8 ms for an unknown one (argon2 ran only for known ones); one
anonymous request sent 15 SMS (5 numbers x 3 purposes through aliases)."""

from domain.hashing import SecretHasher
from tests.api.auth_helpers import LOGIN, OUTBOX, SEND, captcha
from tests.conftest import new_msisdn, subscribe
from tests.security.helpers import app_client


class CountingHasher(SecretHasher):
    """The real argon2 hasher, counting verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_kib=64)
        self.verified = 0

    def verify(self, stored_hash: str, secret: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, secret)


async def test_sms_code_send_answers_alike_for_unknown_numbers(api, services):
    sub = await subscribe(services)
    known = (await api.data(SEND, m=sub.msisdn, p="LOGIN"))["smsCodeSend"]
    unknown_number = new_msisdn()
    unknown = (await api.data(SEND, m=unknown_number, p="LOGIN"))["smsCodeSend"]
    assert known == unknown == {"resendAfterSeconds": 60, "userErrors": []}
    assert (await api.data(OUTBOX, m=unknown_number))["dev"]["outbox"] == []
    again = (await api.data(SEND, m=unknown_number, p="LOGIN"))["smsCodeSend"]
    assert again["userErrors"][0]["code"] == "RESEND_TOO_SOON"  # the cooldown applies alike
    # and the login that follows answers alike: a wrong code is CODE_INVALID for both
    for number in (sub.msisdn, unknown_number):
        out = (await api.data(LOGIN, m=number, method="SMS_CODE", s="000000"))["authLogin"]
        assert out["userErrors"][0]["code"] == "CODE_INVALID"


async def test_wrong_password_does_the_same_work_for_unknown_numbers(settings, services):
    hasher = CountingHasher()
    sub = await subscribe(services)
    async with app_client(settings, services, hasher=hasher) as api:
        answers = []
        for number in (sub.msisdn, new_msisdn()):
            cid, answer = await captcha(api)
            before = hasher.verified
            out = await api.data(
                LOGIN, m=number, method="PASSWORD", s="Wrong#1", cid=cid, ca=answer
            )
            assert hasher.verified == before + 1  # one argon2 verification, known or not
            answers.append(out["authLogin"])
    assert answers[0] == answers[1]


async def test_one_request_sends_at_most_one_sms(api, services):
    """The reported fan-out (5 numbers x 3 purposes as aliases) is refused whole by the
    root-mutation limit; within the limit, one request still sends at most one code."""
    numbers = [(await subscribe(services)).msisdn for _ in range(5)]

    def fields(pairs) -> str:
        return " ".join(
            f'a{i}{p[:3]}: smsCodeSend(input: {{msisdn: "{m}", purpose: {p}}}) '
            "{ resendAfterSeconds userErrors { code } }"
            for i, (m, p) in enumerate(pairs)
        )

    every = [(m, p) for m in numbers for p in ("LOGIN", "RESET_PASSWORD", "RANDOM_PASSWORD")]
    refused = await api("mutation { " + fields(every) + " }")
    assert refused.get("data") is None
    assert refused["errors"][0]["extensions"]["code"] == "TOO_MANY_MUTATIONS"
    data = await api.data("mutation { " + fields(every[:4]) + " }")
    codes = [out["userErrors"][0]["code"] if out["userErrors"] else "OK" for out in data.values()]
    assert codes.count("OK") == 1 and codes.count("RATE_LIMITED") == 3
    sent = 0
    for m in numbers:
        outbox = (await api.data(OUTBOX, m=m))["dev"]["outbox"]
        sent += sum(1 for n in outbox if n["kind"].startswith("SMS_"))
    assert sent == 1


async def test_sms_codes_are_capped_per_client_address(settings, services):
    async with app_client(settings, services, sms_per_client_hour=3) as api:
        codes = []
        for _ in range(5):
            out = (await api.data(SEND, m=new_msisdn(), p="LOGIN"))["smsCodeSend"]
            codes.append(out["userErrors"][0]["code"] if out["userErrors"] else "OK")
    assert codes == ["OK", "OK", "OK", "RATE_LIMITED", "RATE_LIMITED"]
