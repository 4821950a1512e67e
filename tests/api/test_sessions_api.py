"""me.sessions and sessionRevoke: a subscriber sees their sessions and ends one; a revoked token
fails on its very next request; a password change or reset ends every other session."""

from tests.api.auth_helpers import SEND, last_code, password_login
from tests.api.test_passwords_qr_staff import CHANGE, RESET
from tests.conftest import TEST_PASSWORD, subscribe

SESSIONS = (
    """{ me { sessions { id method scope createdAt lastSeenAt ipHash userAgent current } } }"""
)
REVOKE = """mutation($id: ID!) { sessionRevoke(input: {id: $id}) {
  session { id current } userErrors { code field } } }"""
ME = "{ me { msisdn } }"


async def test_sessions_listed_and_one_revoked_stops_at_once(api, services):
    sub = await subscribe(services)
    login = await password_login(api, sub.msisdn, TEST_PASSWORD)
    token = login["session"]["token"]
    listed = (await api.as_(token).data(SESSIONS))["me"]["sessions"]
    assert len(listed) == 3  # the fixture's FULL and LIMITED ones and this login
    mine = next(s for s in listed if s["current"])
    assert mine["method"] == "PASSWORD" and mine["scope"] == "FULL"
    assert mine["userAgent"].startswith("python-httpx")
    assert len(mine["ipHash"]) == 16 and "." not in mine["ipHash"]
    assert mine["createdAt"] and mine["lastSeenAt"]
    assert sum(s["current"] for s in listed) == 1

    other = next(s for s in listed if not s["current"] and s["scope"] == "FULL")
    assert (await api.as_(sub.token).data(ME))["me"]["msisdn"] == sub.msisdn
    revoked = (await api.as_(token).data(REVOKE, id=other["id"]))["sessionRevoke"]
    assert revoked["userErrors"] == [] and revoked["session"]["id"] == other["id"]
    # the revoked token is refused on its next request
    body = await api.as_(sub.token)(ME)
    assert body["data"]["me"] is None
    left = (await api.as_(token).data(SESSIONS))["me"]["sessions"]
    assert other["id"] not in {s["id"] for s in left} and len(left) == 2


async def test_revoke_refuses_unknown_and_other_peoples_ids(api, services):
    alice, bob = await subscribe(services), await subscribe(services)
    bobs = (await api.as_(bob.token).data(SESSIONS))["me"]["sessions"]
    answer = (await api.as_(alice.token).data(REVOKE, id=bobs[0]["id"]))["sessionRevoke"]
    assert answer["userErrors"] == [{"code": "SESSION_NOT_FOUND", "field": "id"}]
    assert (await api.as_(bob.token).data(ME))["me"]["msisdn"] == bob.msisdn
    answer = (await api.as_(alice.token).data(REVOKE, id="nope"))["sessionRevoke"]
    assert answer["userErrors"][0]["code"] == "SESSION_NOT_FOUND"


async def test_limited_session_may_list_but_not_revoke(api, services):
    sub = await subscribe(services)
    assert len((await api.as_(sub.limited_token).data(SESSIONS))["me"]["sessions"]) == 2
    body = await api.as_(sub.limited_token)(REVOKE, id="x")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_password_change_keeps_only_the_changing_session(api, services):
    sub = await subscribe(services)
    answer = (await api.as_(sub.token).data(CHANGE, old=TEST_PASSWORD, new="Hall#9753"))[
        "passwordChange"
    ]
    assert answer["userErrors"] == []
    left = (await api.as_(sub.token).data(SESSIONS))["me"]["sessions"]
    assert [s["current"] for s in left] == [True]
    assert (await api.as_(sub.limited_token)(ME))["data"]["me"] is None


async def test_password_reset_revokes_every_session(api, services):
    sub = await subscribe(services)
    await api.data(SEND, m=sub.msisdn, p="RESET_PASSWORD")
    code = await last_code(api, sub.msisdn)
    answer = (await api.data(RESET, m=sub.msisdn, c=code, new="Hall#9753"))["passwordReset"]
    assert answer["userErrors"] == []
    for token in (sub.token, sub.limited_token):
        assert (await api.as_(token)(ME))["data"]["me"] is None
