"""The server's logs (JSON lines, every logger, at DEBUG) after logging in every way (password +
captcha, SMS code, random password, QR, passkey, staff), paying by provider, buying a pack,
redeeming a prepaid card, registering a real name and buying a number (hold, purchase with an
ID number, payment, the new line's initial password by SMS): each request line has its request
id, and no password, token, captcha answer, SMS code, random password, ID number or card PIN
appears anywhere in them."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import structlog

from db.repositories.payments import add_card
from domain.payments import hash_card_pin
from server.logs import configure_logging
from tests.api.auth_helpers import ANSWER, CAPTCHA, LOGIN, SEND, last_code
from tests.api.order_helpers import new_key
from tests.api.test_number_holds import fresh_numbers, reserve
from tests.api.test_number_purchase import buy as buy_number
from tests.api.test_number_purchase import hold, pay, purchase_input, stocked
from tests.api.test_passkeys_api import ORIGIN
from tests.api.test_passkeys_api import login as passkey_login
from tests.api.test_passkeys_api import register as register_passkey
from tests.api.test_passwords_qr_staff import CHANGE, STAFF
from tests.api.test_real_name import REGISTER, new_id
from tests.api.test_recharge_api import COMPLETE, recharge_input
from tests.billing_helpers import RECHARGE
from tests.conftest import TEST_PASSWORD, subscribe
from tests.hall_clock import now as hall_now
from tests.soft_authenticator import SoftAuthenticator

BUY_PACK = """mutation BuyPack($key: String!) {
  packPurchase(packId: "ADD-7D-1G", idempotencyKey: $key, channel: APP) {
    order { id status } userErrors { code } } }"""


@pytest.fixture
def server_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root_level = logging.getLogger().level
    handler = configure_logging("debug", json=True, stream=stream)
    client_side = [logging.getLogger(n) for n in ("httpx", "httpcore", "hpack", "asyncio")]
    levels = [lg.level for lg in client_side]
    for lg in client_side:  # the test's own HTTP client, not the server
        lg.setLevel(logging.WARNING)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
        for lg, level in zip(client_side, levels, strict=True):
            lg.setLevel(level)
        structlog.reset_defaults()


async def named(api, operation: str, query: str, token: str | None = None, **variables) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables, "operationName": operation},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


@pytest.mark.calendar
async def test_no_secret_reaches_the_logs(api, services, server_logs):
    secrets_seen: dict[str, str] = {}
    sub = await subscribe(services, balance_fen=10_000, real_name=None)  # registers below
    secrets_seen["password"] = TEST_PASSWORD
    secrets_seen["fixture token"] = sub.token

    # password + captcha, with a wrong try first (the wrong secret is a secret too)
    cid = (await api.data(CAPTCHA))["captchaCreate"]["id"]
    answer = (await api.data(ANSWER, id=cid))["dev"]["captchaAnswer"]
    secrets_seen["captcha answer"] = answer
    wrong = f"Wrong#{secrets.randbelow(900) + 100}"
    secrets_seen["wrong password"] = wrong
    login = LOGIN.replace("mutation(", "mutation PasswordLogin(", 1)
    out = await named(
        api, "PasswordLogin", login, m=sub.msisdn, method="PASSWORD", s=wrong, cid=cid, ca=answer
    )
    assert out["authLogin"]["userErrors"]
    cid = (await api.data(CAPTCHA))["captchaCreate"]["id"]
    answer = (await api.data(ANSWER, id=cid))["dev"]["captchaAnswer"]
    secrets_seen["second captcha answer"] = answer
    out = await named(
        api, "PasswordLogin", login, m=sub.msisdn, method="PASSWORD", s=TEST_PASSWORD, cid=cid,
        ca=answer,
    )  # fmt: skip
    token = out["authLogin"]["session"]["token"]
    secrets_seen["password session"] = token

    # SMS code login, random password login
    other = await subscribe(services)
    await api.data(SEND, m=other.msisdn, p="LOGIN")
    code = await last_code(api, other.msisdn)
    secrets_seen["sms code"] = code
    out = await named(api, "PasswordLogin", login, m=other.msisdn, method="SMS_CODE", s=code)
    secrets_seen["sms session"] = out["authLogin"]["session"]["token"]
    third = await subscribe(services)
    await api.data(SEND, m=third.msisdn, p="RANDOM_PASSWORD")
    random_password = await last_code(api, third.msisdn)
    secrets_seen["random password"] = random_password
    out = await named(
        api, "PasswordLogin", login, m=third.msisdn, method="RANDOM_PASSWORD", s=random_password
    )
    secrets_seen["limited session"] = out["authLogin"]["session"]["token"]

    # QR login (the QR token is a bearer secret until claimed) and a staff login
    qr = (await api.data("mutation { qrLoginStart { token } }"))["qrLoginStart"]["token"]
    secrets_seen["qr token"] = qr
    confirm = "mutation($t: String!) { qrLoginConfirm(token: $t) { ok } }"
    assert (await api.as_(token).data(confirm, t=qr))["qrLoginConfirm"]["ok"]
    poll = "mutation($t: String!) { qrLoginPoll(token: $t) { session { token } } }"
    secrets_seen["qr session"] = (await api.data(poll, t=qr))["qrLoginPoll"]["session"]["token"]
    secrets_seen["staff password"] = "Operator#2026"
    staff = (await api.data(STAFF, u="operator", p="Operator#2026"))["staffLogin"]
    secrets_seen["staff session"] = staff["session"]["token"]

    # a password change, then a GET with a secret in the query string (never logged: no query)
    fresh = f"Fresh#{secrets.randbelow(9000) + 1000}"
    secrets_seen["new password"] = fresh
    changed = await api.as_(token).data(CHANGE, old=TEST_PASSWORD, new=fresh)
    assert changed["passwordChange"]["ok"]
    await api.client.get(
        "/graphql",
        params={
            "query": "query Q($s: String) { __typename }",
            "variables": json.dumps({"s": fresh}),
        },
    )

    # pay by provider, buy a pack, redeem a prepaid card, register a real name
    body = await api.data(RECHARGE, input=recharge_input(sub.msisdn, 5_000))
    payment_id = body["rechargeCreate"]["payment"]["id"]
    await api.data(COMPLETE, id=payment_id, outcome="SUCCESS")
    bought = await named(api, "BuyPack", BUY_PACK, token=token, key=new_key())
    assert bought["packPurchase"]["userErrors"] == []
    pin = f"{secrets.randbelow(10**19):019d}"
    secrets_seen["card pin"] = pin
    await add_card(
        f"T-{secrets.token_hex(4)}", hash_card_pin(pin), 5_000, hall_now() + timedelta(days=30)
    )
    card = recharge_input(sub.msisdn, None, paymentMethod="CARD_PIN", cardPin=pin)
    assert (await api.data(RECHARGE, input=card))["rechargeCreate"]["payment"]["status"] == "PAID"
    id_number = new_id()
    secrets_seen["id number"] = id_number
    registered = await api.as_(token).data(REGISTER, name="张三", id=id_number)
    assert registered["realNameRegister"]["userErrors"] == []

    # a passkey: registered by a FULL session, then a login with it
    device = SoftAuthenticator(ORIGIN)
    fourth = await subscribe(services)
    secrets_seen["passkey registrant token"] = fourth.token
    assert (await register_passkey(api, fourth, device))["userErrors"] == []
    passkey, _, _ = await passkey_login(api, fourth.msisdn, device)
    assert passkey["userErrors"] == [] and passkey["session"]["scope"] == "FULL"
    secrets_seen["passkey session"] = passkey["session"]["token"]

    # hold a number with an anonymous client token, then buy it for an ID and pay: the new
    # line's initial service password goes out by SMS
    _, numbers = await fresh_numbers(1)
    client_token = secrets.token_urlsafe(16)
    secrets_seen["number client token"] = client_token
    held = await reserve(api, numbers[0], client_token)
    assert held["reservation"]
    [wanted] = await stocked()
    buyer_token = secrets.token_urlsafe(16)
    secrets_seen["number buyer token"] = buyer_token
    buyer_id = new_id()
    secrets_seen["number buyer id number"] = buyer_id
    purchase = purchase_input(await hold(api, wanted, buyer_token), buyer_id)
    bought_number = await buy_number(api, purchase, buyer_token)
    assert bought_number["userErrors"] == [], bought_number
    assert (await pay(services, bought_number["order"]["id"]))["result"] == "PAID"
    secrets_seen["initial password"] = await last_code(api, purchase["contactMsisdn"])

    text = server_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) >= 15, text[:2000]
    assert all(len(line["request_id"]) >= 8 for line in requests)
    logins = [r for r in requests if r.get("operation") == "PasswordLogin"]
    assert len(logins) == 4 and all(r["duration_ms"] >= 0 for r in logins)
    buys = [r for r in requests if r.get("operation") == "BuyPack"]
    assert buys and buys[0]["subscriber"] and str(sub.id) != buys[0]["subscriber"]
    leaked = {name: value for name, value in secrets_seen.items() if value in text}
    assert leaked == {}, leaked


def test_uvicorn_access_log_stays_off():
    """uvicorn's access line carries the query string: configuring the logs switches it off."""
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)  # as an earlier uvicorn left it
    stream = io.StringIO()
    handler = configure_logging("info", json=True, stream=stream)
    try:
        logging.getLogger("uvicorn.access").info('%s - "GET /graphql?variables=%s"', "1.2.3.4", "x")
        logging.getLogger("uvicorn.error").info("Started server process")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
        structlog.reset_defaults()
    assert "variables" not in stream.getvalue()
    assert "Started server process" in stream.getvalue()
