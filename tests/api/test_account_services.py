"""Call settings, international services and WLAN: each a business order in me.orders,
idempotent, refused to LIMITED sessions, with an SMS notice; bad input changes nothing."""

from datetime import timedelta

from db.models.accounts import Subscriber
from db.models.ledger import BalanceEntry
from tests.api.order_helpers import OUTBOX, PACK_PURCHASE, balance_of, codes, new_key, orders_of
from tests.conftest import new_msisdn, subscribe
from tests.hall_clock import now as hall_now

PAYLOAD = "order { id kind status summary chargedFen } userErrors { code field message }"
FORWARD = (
    "mutation($kind: ForwardingKind!, $to: String!, $key: String!) { callForwardingSet("
    "input: {kind: $kind, targetMsisdn: $to}, idempotencyKey: $key) { " + PAYLOAD + " } }"
)
CLEAR = (
    "mutation($kind: ForwardingKind!, $key: String!) { callForwardingClear(kind: $kind, "
    "idempotencyKey: $key) { " + PAYLOAD + " } }"
)
WAITING = (
    "mutation($on: Boolean!, $key: String!) { callWaitingSet(enabled: $on, idempotencyKey: $key) "
    "{ " + PAYLOAD + " } }"
)
INTL = (
    "mutation($r: Boolean, $ld: Boolean, $key: String!) { internationalServicesSet(input: "
    "{roaming: $r, longDistance: $ld, idempotencyKey: $key}) { " + PAYLOAD + " } }"
)
WLAN = (
    "mutation($on: Boolean!, $key: String!) { wlanSet(enabled: $on, idempotencyKey: $key) "
    "{ " + PAYLOAD + " } }"
)
WLAN_RESET = (
    "mutation($key: String!) { wlanPasswordReset(idempotencyKey: $key) { " + PAYLOAD + " } }"
)
SETTINGS = """{ me { callSettings { forwarding { kind targetMsisdn } callWaiting callerIdDisplay }
  internationalServices { roaming longDistance roamingDepositFen } wlan { enabled } } }"""


async def outbox(api, msisdn):
    return (await api.data(OUTBOX, m=msisdn))["dev"]["outbox"]


async def test_forwarding_is_set_cleared_recorded_and_noticed(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    target = new_msisdn()
    key = new_key()
    out = (await me.data(FORWARD, kind="BUSY", to=target, key=key))["callForwardingSet"]
    assert out["userErrors"] == []
    assert out["order"]["kind"] == "CALL_SETTINGS" and out["order"]["status"] == "COMPLETED"
    assert target in out["order"]["summary"] and out["order"]["chargedFen"] == 0
    again = (await me.data(FORWARD, kind="BUSY", to=target, key=key))["callForwardingSet"]
    assert again["order"]["id"] == out["order"]["id"]
    assert len(await orders_of(sub.id)) == 1
    settings = (await me.data(SETTINGS))["me"]["callSettings"]
    assert settings == {
        "forwarding": [{"kind": "BUSY", "targetMsisdn": target}],
        "callWaiting": True,
        "callerIdDisplay": True,
    }
    notices = [n for n in await outbox(api, sub.msisdn) if n["kind"] == "ORDER_CALL_SETTINGS"]
    assert len(notices) == 1 and "遇忙呼叫转移" in notices[0]["text"]

    cleared = (await me.data(CLEAR, kind="BUSY", key=new_key()))["callForwardingClear"]
    assert cleared["userErrors"] == []
    assert (await me.data(SETTINGS))["me"]["callSettings"]["forwarding"] == []
    assert len(await orders_of(sub.id)) == 2


async def test_forwarding_to_an_invalid_or_own_number_changes_nothing(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    for target, code in ((sub.msisdn, "FORWARD_TO_OWN_NUMBER"), ("1234", "INVALID_MSISDN")):
        out = await me.data(FORWARD, kind="UNCONDITIONAL", to=target, key=new_key())
        assert codes(out["callForwardingSet"]) == [code]
        assert out["callForwardingSet"]["userErrors"][0]["field"] == "targetMsisdn"
    assert (await me.data(SETTINGS))["me"]["callSettings"]["forwarding"] == []
    assert await orders_of(sub.id) == []
    assert not [n for n in await outbox(api, sub.msisdn) if n["kind"].startswith("ORDER_")]


async def test_call_waiting_and_wlan_switch(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    assert (await me.data(WAITING, on=False, key=new_key()))["callWaitingSet"]["userErrors"] == []
    assert (await me.data(WLAN, on=True, key=new_key()))["wlanSet"]["userErrors"] == []
    got = (await me.data(SETTINGS))["me"]
    assert got["callSettings"]["callWaiting"] is False and got["wlan"] == {"enabled": True}
    kinds = sorted(o.kind.value for o in await orders_of(sub.id))
    assert kinds == ["CALL_SETTINGS", "WLAN"]


async def test_the_wlan_password_goes_by_sms_only(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.token)
    raw = (await me.post(WLAN_RESET, {"key": new_key()})).text
    assert '"userErrors":[]' in raw.replace(" ", "")
    (notice,) = [n for n in await outbox(api, sub.msisdn) if n["kind"] == "ORDER_WLAN_PASSWORD"]
    password = notice["text"].split("重置为")[1][:8]
    assert len(password) == 8 and password not in raw
    from db.models.account_services import ServiceSettings

    row = await ServiceSettings.get(subscriber_id=sub.id)
    assert row.wlan_password_hash and password not in row.wlan_password_hash
    assert services.hasher.verify(row.wlan_password_hash, password)


async def test_limited_sessions_are_refused(api, services):
    sub = await subscribe(services)
    me = api.as_(sub.limited_token)
    for query, vars in (
        (FORWARD, {"kind": "BUSY", "to": new_msisdn()}),
        (WAITING, {"on": False}),
        (INTL, {"r": True}),
        (WLAN, {"on": True}),
        (WLAN_RESET, {}),
    ):
        body = await me(query, key=new_key(), **vars)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
    assert await orders_of(sub.id) == []
    assert (await me.data(SETTINGS))["me"]["callSettings"]["callWaiting"] is True


async def test_roaming_needs_a_real_name(api, services):
    sub = await subscribe(services, real_name=None)
    out = (await api.as_(sub.token).data(INTL, r=True, key=new_key()))["internationalServicesSet"]
    assert codes(out) == ["NOT_VERIFIED"]
    assert await orders_of(sub.id) == []


async def test_roaming_before_six_months_holds_a_deposit_and_returns_it(api, services):
    sub = await subscribe(services, balance_fen=60_000, real_name="张三")
    me = api.as_(sub.token)
    out = (await me.data(INTL, r=True, ld=True, key=new_key()))["internationalServicesSet"]
    assert out["userErrors"] == [] and out["order"]["kind"] == "INTERNATIONAL_SERVICES"
    assert await balance_of(sub.id) == 10_000
    got = (await me.data(SETTINGS))["me"]["internationalServices"]
    assert got == {"roaming": True, "longDistance": True, "roamingDepositFen": 50_000}
    notice = [
        n for n in await outbox(api, sub.msisdn) if n["kind"] == "ORDER_INTERNATIONAL_SERVICES"
    ]
    assert "¥500.00" in notice[0]["text"]

    bought = (await me.data(PACK_PURCHASE, pack="ROAM-HMT-1D", key=new_key()))["packPurchase"]
    assert bought["userErrors"] == []

    closed = (await me.data(INTL, r=False, key=new_key()))["internationalServicesSet"]
    assert closed["userErrors"] == []
    assert await balance_of(sub.id) == 10_000 - 2_500 + 50_000
    reasons = [e.reason for e in await BalanceEntry.filter(subscriber_id=sub.id).order_by("id")]
    assert "ROAMING_DEPOSIT" in reasons and "ROAMING_DEPOSIT_RETURN" in reasons
    refused = (await me.data(PACK_PURCHASE, pack="ROAM-HMT-1D", key=new_key()))["packPurchase"]
    assert codes(refused) == ["ROAMING_NOT_OPEN"]


async def test_roaming_after_six_months_is_free_and_a_short_balance_is_refused(api, services):
    veteran = await subscribe(services, balance_fen=0, real_name="李四")
    await Subscriber.filter(id=veteran.id).update(joined_at=hall_now() - timedelta(days=200))
    out = await api.as_(veteran.token).data(INTL, r=True, key=new_key())
    assert out["internationalServicesSet"]["userErrors"] == []
    assert await balance_of(veteran.id) == 0

    newcomer = await subscribe(services, balance_fen=100, real_name="王五")
    out = await api.as_(newcomer.token).data(INTL, r=True, key=new_key())
    assert codes(out["internationalServicesSet"]) == ["INSUFFICIENT_BALANCE"]
    got = (await api.as_(newcomer.token).data(SETTINGS))["me"]["internationalServices"]
    assert got["roaming"] is False and await orders_of(newcomer.id) == []


async def test_a_roaming_pack_without_roaming_open_is_refused(api, services):
    sub = await subscribe(services, balance_fen=20_000)
    out = await api.as_(sub.token).data(PACK_PURCHASE, pack="ROAM-EU-1D", key=new_key())
    assert codes(out["packPurchase"]) == ["ROAMING_NOT_OPEN"]
    assert await balance_of(sub.id) == 20_000
