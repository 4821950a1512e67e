"""Finding 6: with Redis down, /graphql, /payments/callback and /healthz answered a bare HTTP 500.
Now: 503 with Retry-After (the provider retries the callback, by design, on 5xx), anonymous
reads that need no Redis keep working, and the same running app recovers when Redis returns.

A real redis-server of this test's own is stopped and started again under the running app."""

import httpx
import pytest

from domain.payments import CallbackOutcome
from domain.sessions import Scope
from server.app import create_app
from server.embedded_redis import EmbeddedRedis
from server.resources import build_services
from tests.billing_helpers import RECHARGE, balance_of, key
from tests.conftest import subscribe

pytestmark = pytest.mark.calendar

PLANS = "{ catalog { plans { id name monthlyFeeFen } } }"
ME = "{ me { msisdn } }"
CAPTCHA = "mutation { captchaCreate { id userErrors { code } } }"


@pytest.fixture
async def outage(settings, session_clock, tmp_path):
    redis = EmbeddedRedis(tmp_path / "redis")
    url = redis.start()
    services = build_services(settings, url, session_clock)
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=("10.200.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        yield redis, services, client
    redis.stop()
    await services.stores.redis.aclose()


def _retry_after(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0


async def test_redis_down_is_503_with_retry_after_and_recovers(outage, services):
    redis, own, client = outage
    sub = await subscribe(services, balance_fen=1_000)
    token = (await own.stores.sessions.create(Scope.FULL, sub.id, sub.msisdn)).token
    auth = {"authorization": f"Bearer {token}"}
    recharge = {
        "msisdn": sub.msisdn, "amountFen": 5_000, "channel": "WEB",
        "paymentMethod": "ALIPAY", "idempotencyKey": key(),
    }  # fmt: skip
    created = await client.post(
        "/graphql", json={"query": RECHARGE, "variables": {"input": recharge}}
    )
    payment = created.json()["data"]["rechargeCreate"]["payment"]
    body, headers = own.payments.callback(payment["id"], 5_000, CallbackOutcome.SUCCESS)

    redis.stop()  # Redis goes away while the app runs

    assert (await client.get("/healthz")).status_code == 200  # alive: no restart wanted
    _retry_after(await client.get("/readyz"))  # but take no traffic
    _retry_after(await client.post("/payments/callback", content=body, headers=headers))
    assert await balance_of(sub.id) == 1_000  # nothing credited, the provider will retry
    me = await client.post("/graphql", json={"query": ME}, headers=auth)
    _retry_after(me)
    assert me.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    captcha = await client.post("/graphql", json={"query": CAPTCHA})
    _retry_after(captcha)
    assert captcha.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "Error" not in captcha.json()["errors"][0]["message"]  # no Redis internals leak
    plans = await client.post("/graphql", json={"query": PLANS})  # needs no Redis
    assert plans.status_code == 200 and plans.json()["data"]["catalog"]["plans"]

    redis.start()  # Redis is back: the same app serves again, no restart

    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    retried = await client.post("/payments/callback", content=body, headers=headers)
    assert retried.status_code == 200 and retried.json()["result"] == "CREDITED"
    assert await balance_of(sub.id) == 6_000
    again = await client.post("/graphql", json={"query": ME}, headers=auth)
    assert again.status_code == 200 and again.json()["data"]["me"]["msisdn"] == sub.msisdn
    assert (await client.post("/graphql", json={"query": CAPTCHA})).status_code == 200
