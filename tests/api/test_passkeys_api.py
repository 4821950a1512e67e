"""Passkeys end to end with a software authenticator: registration, login (a FULL session with
no captcha), and the forgeries that must fail: a replayed assertion, a cloned credential whose
counter went back, a wrong origin, a wrong relying party, another key's signature."""

import json

from tests.api.auth_helpers import OUTBOX
from tests.conftest import subscribe
from tests.soft_authenticator import SoftAuthenticator, b64url

ORIGIN = "http://localhost:8000"
REG_BEGIN = "mutation { passkeyRegisterBegin { challengeId optionsJson userErrors { code } } }"
REG_FINISH = """mutation($c: String!, $j: String!, $n: String) {
  passkeyRegisterFinish(input: {challengeId: $c, credentialJson: $j, name: $n}) {
    passkey { id name createdAt lastUsedAt } userErrors { code field } } }"""
LOGIN_BEGIN = """mutation($m: String!) { passkeyLoginBegin(input: {msisdn: $m}) {
  challengeId optionsJson userErrors { code } } }"""
LOGIN_FINISH = """mutation($c: String!, $j: String!) {
  passkeyLoginFinish(input: {challengeId: $c, credentialJson: $j}) {
    session { token scope } userErrors { code field } } }"""
PASSKEYS = "{ me { passkeys { id name lastUsedAt } sessions { method current } } }"
REMOVE = """mutation($id: ID!) { passkeyRemove(input: {id: $id}) {
  passkey { id } userErrors { code } } }"""


async def register(api, sub, device: SoftAuthenticator, name="我的手机") -> dict:
    begun = (await api.as_(sub.token).data(REG_BEGIN))["passkeyRegisterBegin"]
    credential = device.create(begun["optionsJson"])
    done = await api.as_(sub.token).data(REG_FINISH, c=begun["challengeId"], j=credential, n=name)
    return done["passkeyRegisterFinish"]


async def login(api, msisdn, device: SoftAuthenticator, **forge) -> tuple[dict, str, str]:
    begun = (await api.data(LOGIN_BEGIN, m=msisdn))["passkeyLoginBegin"]
    assertion = device.get(begun["optionsJson"], **forge)
    done = await api.data(LOGIN_FINISH, c=begun["challengeId"], j=assertion)
    return done["passkeyLoginFinish"], begun["challengeId"], assertion


async def test_register_then_log_in_with_a_passkey(api, services):
    sub = await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    registered = await register(api, sub, device)
    assert registered["userErrors"] == [] and registered["passkey"]["name"] == "我的手机"
    kinds = [n["kind"] for n in (await api.data(OUTBOX, m=sub.msisdn))["dev"]["outbox"]]
    assert "PASSKEY_REGISTERED" in kinds

    answer, _, _ = await login(api, sub.msisdn, device)
    assert answer["userErrors"] == [] and answer["session"]["scope"] == "FULL"
    me = (await api.as_(answer["session"]["token"]).data(PASSKEYS))["me"]
    assert me["passkeys"][0]["lastUsedAt"] is not None
    assert next(s for s in me["sessions"] if s["current"])["method"] == "PASSKEY"
    # a second login with the counter moving on works too
    again, _, _ = await login(api, sub.msisdn, device)
    assert again["userErrors"] == []


async def test_registering_twice_the_same_credential_and_limited_sessions_refused(api, services):
    sub = await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    assert (await register(api, sub, device))["userErrors"] == []
    twice = await register(api, sub, device)
    assert twice["userErrors"][0]["code"] == "PASSKEY_ALREADY_REGISTERED"
    body = await api.as_(sub.limited_token)(REG_BEGIN)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_replayed_assertion_is_refused(api, services):
    sub = await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    await register(api, sub, device)
    answer, challenge_id, assertion = await login(api, sub.msisdn, device)
    assert answer["userErrors"] == []
    replay = (await api.data(LOGIN_FINISH, c=challenge_id, j=assertion))["passkeyLoginFinish"]
    assert replay["session"] is None
    assert replay["userErrors"][0]["code"] == "PASSKEY_CHALLENGE_EXPIRED"


async def test_cloned_credential_with_a_counter_gone_back_is_refused(api, services):
    sub = await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    await register(api, sub, device)
    assert (await login(api, sub.msisdn, device))[0]["userErrors"] == []
    assert (await login(api, sub.msisdn, device))[0]["userErrors"] == []
    device.sign_count = 0  # a copy of the key that signed fewer times: the counter goes back
    answer, _, _ = await login(api, sub.msisdn, device)
    assert answer["session"] is None
    assert answer["userErrors"][0]["code"] == "PASSKEY_SIGN_COUNT"


async def test_wrong_origin_wrong_rp_and_foreign_key_are_refused(api, services):
    sub = await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    await register(api, sub, device)
    for forge in ({"origin": "https://evil.example"}, {"rp_id": "evil.example"}):
        answer, _, _ = await login(api, sub.msisdn, device, **forge)
        assert answer["userErrors"][0]["code"] == "PASSKEY_INVALID", forge
    impostor = SoftAuthenticator(ORIGIN)
    impostor.credential_id = device.credential_id  # same id, another private key
    impostor.sign_count = 50
    answer, _, _ = await login(api, sub.msisdn, impostor)
    assert answer["userErrors"][0]["code"] == "PASSKEY_INVALID"
    # the genuine device still logs in
    assert (await login(api, sub.msisdn, device))[0]["userErrors"] == []


async def test_registration_from_a_wrong_origin_is_refused(api, services):
    sub = await subscribe(services)
    begun = (await api.as_(sub.token).data(REG_BEGIN))["passkeyRegisterBegin"]
    credential = SoftAuthenticator(ORIGIN).create(begun["optionsJson"], origin="https://evil.test")
    done = await api.as_(sub.token).data(REG_FINISH, c=begun["challengeId"], j=credential)
    assert done["passkeyRegisterFinish"]["userErrors"][0]["code"] == "PASSKEY_INVALID"
    assert (await api.as_(sub.token).data(PASSKEYS))["me"]["passkeys"] == []


async def test_another_numbers_passkey_and_garbage_do_not_log_in(api, services):
    alice, bob = await subscribe(services), await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    await register(api, alice, device)
    answer, _, _ = await login(api, bob.msisdn, device)  # alice's key, bob's number
    assert answer["userErrors"][0]["code"] == "PASSKEY_INVALID"
    begun = (await api.data(LOGIN_BEGIN, m=alice.msisdn))["passkeyLoginBegin"]
    for junk in ("", "{}", "not json", json.dumps({"id": b64url(b"x"), "response": {}})):
        done = await api.data(LOGIN_FINISH, c=begun["challengeId"], j=junk)
        assert done["passkeyLoginFinish"]["userErrors"][0]["code"] in {
            "PASSKEY_INVALID",
            "PASSKEY_CHALLENGE_EXPIRED",
        }


async def test_challenges_live_two_minutes_and_are_single_use(api, services):
    sub = await subscribe(services)
    begun = (await api.data(LOGIN_BEGIN, m=sub.msisdn))["passkeyLoginBegin"]
    store = services.stores.passkey_challenges
    ttl = await services.stores.redis.pttl(store.key("passkey-challenge", begun["challengeId"]))
    assert 110_000 < ttl <= 120_000
    assert await store.take(begun["challengeId"]) is not None
    assert await store.take(begun["challengeId"]) is None


async def test_remove_a_passkey(api, services):
    sub, other = await subscribe(services), await subscribe(services)
    device = SoftAuthenticator(ORIGIN)
    passkey = (await register(api, sub, device))["passkey"]
    refused = (await api.as_(other.token).data(REMOVE, id=passkey["id"]))["passkeyRemove"]
    assert refused["userErrors"] == [{"code": "PASSKEY_NOT_FOUND"}]
    removed = (await api.as_(sub.token).data(REMOVE, id=passkey["id"]))["passkeyRemove"]
    assert removed["userErrors"] == []
    assert (await api.as_(sub.token).data(PASSKEYS))["me"]["passkeys"] == []
    answer, _, _ = await login(api, sub.msisdn, device)
    assert answer["userErrors"][0]["code"] == "PASSKEY_INVALID"
