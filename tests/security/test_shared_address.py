"""Finding 3: 20 wrong logins for random numbers from one address locked the right password of
another number and the operator's staffLogin for 30 minutes (a CGNAT address, a company NAT);
and X-Forwarded-For from 127.0.0.1 was trusted by default, so rotating it shed every limit.

Now the address only escalates (captcha, then a delay), never locks an account whose own
counter is clean; X-Forwarded-For is read only from TELEHALL_TRUSTED_PROXIES."""

from tests.api.auth_helpers import LOGIN, captcha, password_login
from tests.conftest import TEST_PASSWORD, new_msisdn, subscribe
from tests.security.helpers import app_client, random_ip

STAFF = """mutation($u: String!, $p: String!, $cid: String, $ca: String) {
  staffLogin(input: {username: $u, password: $p, captchaId: $cid, captchaAnswer: $ca}) {
    session { scope } userErrors { code } } }"""
ESCALATE = dict(ip_captcha_failures=5, ip_lockout_failures=8, ip_slow_seconds=0.01)


async def _wrong_logins_for_random_numbers(api, n: int) -> None:
    for _ in range(n):
        out = await password_login(api, new_msisdn(), "Wrong#1234")
        assert out["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_many_wrong_numbers_from_one_address_lock_nobody(settings, services):
    sub = await subscribe(services)
    async with app_client(settings, services, **ESCALATE) as api:
        await _wrong_logins_for_random_numbers(api, 20)
        # the right password of a number whose own counter is clean still works
        assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["session"]["scope"] == "FULL"
        # the operator behind the same NAT: a captcha is asked, then the login works
        refused = (await api.data(STAFF, u="operator", p="Operator#2026"))["staffLogin"]
        assert refused["userErrors"][0]["code"] == "CAPTCHA_REQUIRED"
        cid, answer = await captcha(api)
        out = await api.data(STAFF, u="operator", p="Operator#2026", cid=cid, ca=answer)
        assert out["staffLogin"]["session"]["scope"] == "STAFF"


async def test_random_password_login_needs_a_captcha_once_the_address_escalates(settings, services):
    sub = await subscribe(services)
    async with app_client(settings, services, **ESCALATE) as api:
        await _wrong_logins_for_random_numbers(api, 5)
        out = await api.data(LOGIN, m=sub.msisdn, method="RANDOM_PASSWORD", s="000000")
        assert out["authLogin"]["userErrors"][0]["code"] == "CAPTCHA_REQUIRED"


async def test_a_number_still_locks_on_its_own_counter(settings, services):
    sub = await subscribe(services)
    async with app_client(settings, services, **ESCALATE) as api:
        for _ in range(3):
            await password_login(api, sub.msisdn, "Wrong#1234")
    async with app_client(settings, services, **ESCALATE) as elsewhere:  # another address
        out = await password_login(elsewhere, sub.msisdn, TEST_PASSWORD)
        assert out["userErrors"][0]["code"] == "LOCKED"


RATE = "{ __typename }"
TIGHT = {"rate_limit_bucket_points": 10, "rate_limit_points_per_second": 0.001}


async def test_forwarded_for_is_ignored_without_trusted_proxies(settings, services):
    async with app_client(settings, services, ip="127.0.0.1", trusted_proxies="", **TIGHT) as api:
        statuses = []
        for _ in range(12):  # rotating X-Forwarded-For from 127.0.0.1 no longer sheds the limit
            response = await api.with_headers(**{"x-forwarded-for": random_ip()}).post(RATE)
            statuses.append(response.status_code)
    assert 429 in statuses


async def test_forwarded_for_is_read_from_a_trusted_proxy_only_from_the_right(settings, services):
    proxy = random_ip()
    async with app_client(settings, services, ip=proxy, trusted_proxies=proxy, **TIGHT) as api:
        real_client = random_ip()
        statuses = []
        for _ in range(12):  # the client forges the left part; the proxy appends the real address
            forged = f"{random_ip()}, {real_client}"
            response = await api.with_headers(**{"x-forwarded-for": forged}).post(RATE)
            statuses.append(response.status_code)
        assert 429 in statuses
        other = await api.with_headers(**{"x-forwarded-for": random_ip()}).post(RATE)
        assert other.status_code == 200  # another client behind the same proxy has its own limit
