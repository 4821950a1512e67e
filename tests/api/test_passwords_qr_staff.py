from db.models.accounts import Subscriber
from domain.accounts import SubscriberStatus
from tests.api.auth_helpers import LOGIN, SEND, captcha, last_code, password_login
from tests.conftest import TEST_PASSWORD, new_msisdn, subscribe

CHANGE = """mutation($m: String, $old: String!, $new: String!, $cid: String, $ca: String) {
  passwordChange(input: {msisdn: $m, oldPassword: $old, newPassword: $new,
                         captchaId: $cid, captchaAnswer: $ca}) {
    ok userErrors { code field message } } }"""
RESET = """mutation($m: String!, $c: String!, $new: String!) {
  passwordReset(input: {msisdn: $m, code: $c, newPassword: $new}) { ok userErrors { code field } } }"""
PROVISION = """mutation($m: String!, $p: ID!, $pw: String, $init: Boolean!, $b: Int!) {
  subscriberProvision(input: {msisdn: $m, planId: $p, servicePassword: $pw, initialPassword: $init,
                              balanceFen: $b}) {
    subscriber { msisdn status } userErrors { code field } } }"""
STAFF = """mutation($u: String!, $p: String!) {
  staffLogin(input: {username: $u, password: $p}) { session { token role scope expiresAt }
  userErrors { code } } }"""


async def anonymous_change(api, msisdn: str, old: str, new: str) -> dict:
    """Anonymous passwordChange needs a captcha, like password login."""
    cid, answer = await captcha(api)
    return (await api.data(CHANGE, m=msisdn, old=old, new=new, cid=cid, ca=answer))[
        "passwordChange"
    ]


async def provision(api, operator_token, **overrides):
    args = dict(m=new_msisdn(), p="4G-76", pw="246813", init=True, b=0) | overrides
    out = (await api.as_(operator_token).data(PROVISION, **args))["subscriberProvision"]
    return args["m"], out


async def test_initial_password_must_be_changed_first(api, operator_token):
    msisdn, out = await provision(api, operator_token)
    assert out["subscriber"] == {"msisdn": msisdn, "status": "ACTIVE"}
    refused = await password_login(api, msisdn, "246813")
    assert refused["userErrors"][0]["code"] == "INITIAL_PASSWORD_MUST_CHANGE"
    changed = await anonymous_change(api, msisdn, "246813", "Fresh#7788")
    assert changed == {"ok": True, "userErrors": []}
    assert (await password_login(api, msisdn, "Fresh#7788"))["session"]["scope"] == "FULL"
    assert (await password_login(api, msisdn, "246813"))["userErrors"][0][
        "code"
    ] == "INVALID_CREDENTIALS"


async def test_demo_initial_password_number(api):
    out = await password_login(api, "18600000002", "135790")
    assert out["userErrors"][0]["code"] == "INITIAL_PASSWORD_MUST_CHANGE"


async def test_weak_new_password_is_refused_and_nothing_changes(api, services):
    sub = await subscribe(services)
    out = await anonymous_change(api, sub.msisdn, TEST_PASSWORD, "123456")
    assert out["ok"] is False and out["userErrors"][0]["code"] == "WEAK_PASSWORD"
    tail = sub.msisdn[-6:]
    out = await anonymous_change(api, sub.msisdn, TEST_PASSWORD, tail)
    assert out["userErrors"][0]["code"] == "WEAK_PASSWORD"
    assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["session"]


async def test_change_revokes_other_sessions_but_keeps_this_one(api, services):
    sub = await subscribe(services)
    me = "{ me { msisdn } }"
    other = (await password_login(api, sub.msisdn, TEST_PASSWORD))["session"]["token"]
    out = (await api.as_(sub.token).data(CHANGE, old=TEST_PASSWORD, new="Newer#5566"))[
        "passwordChange"
    ]
    assert out["ok"]
    assert (await api.as_(sub.token).data(me))["me"]["msisdn"] == sub.msisdn
    assert (await api.as_(other).data(me))["me"] is None


async def test_password_reset_by_sms_code(api, services):
    sub = await subscribe(services)
    await api.data(SEND, m=sub.msisdn, p="RESET_PASSWORD")
    code = await last_code(api, sub.msisdn)
    out = (await api.data(RESET, m=sub.msisdn, c=code, new="Reset#8080"))["passwordReset"]
    assert out == {"ok": True, "userErrors": []}
    assert (await password_login(api, sub.msisdn, "Reset#8080"))["session"]
    kinds = [
        m["kind"]
        for m in (
            await api.data(
                "query($m: String!) { dev { outbox(msisdn: $m) { kind } } }", m=sub.msisdn
            )
        )["dev"]["outbox"]
    ]
    assert "PASSWORD_CHANGED" in kinds


async def test_password_reset_with_wrong_code(api, services):
    sub = await subscribe(services)
    await api.data(SEND, m=sub.msisdn, p="RESET_PASSWORD")
    out = (await api.data(RESET, m=sub.msisdn, c="999999x", new="Reset#8080"))["passwordReset"]
    assert out["userErrors"][0]["code"] == "CODE_INVALID"


async def test_qr_login(api, subscriber):
    start = (
        await api.data(
            "mutation { qrLoginStart { token imageBase64 expiresAt userErrors { code } } }"
        )
    )["qrLoginStart"]
    token = start["token"]
    poll = "mutation($t: String!) { qrLoginPoll(token: $t) { state session { token scope } userErrors { code } } }"
    assert (await api.data(poll, t=token))["qrLoginPoll"]["state"] == "PENDING"
    anonymous = await api("mutation($t: String!) { qrLoginConfirm(token: $t) { ok } }", t=token)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    confirm = "mutation($t: String!) { qrLoginConfirm(token: $t) { ok userErrors { code } } }"
    assert (await api.as_(subscriber.token).data(confirm, t=token))["qrLoginConfirm"]["ok"]
    assert (await api.as_(subscriber.token).data(confirm, t=token))["qrLoginConfirm"]["userErrors"][
        0
    ]["code"] == "QR_ALREADY_CONFIRMED"
    claimed = (await api.data(poll, t=token))["qrLoginPoll"]
    assert claimed["state"] == "CONFIRMED" and claimed["session"]["scope"] == "FULL"
    me = (await api.as_(claimed["session"]["token"]).data("{ me { msisdn } }"))["me"]
    assert me["msisdn"] == subscriber.msisdn
    assert (await api.data(poll, t=token))["qrLoginPoll"]["state"] == "EXPIRED"


async def test_staff_login_and_provision_permissions(api, subscriber):
    out = (await api.data(STAFF, u="operator", p="Operator#2026"))["staffLogin"]
    assert out["session"]["role"] == "OPERATOR" and out["session"]["scope"] == "STAFF"
    operator = out["session"]["token"]
    assert (await api.data(STAFF, u="operator", p="nope"))["staffLogin"]["userErrors"][0][
        "code"
    ] == "INVALID_CREDENTIALS"
    msisdn, created = await provision(api, operator, pw="Strong#1357", init=False, b=500)
    assert created["userErrors"] == []
    dup = (await provision(api, operator, m=msisdn))[1]
    assert dup["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert (await provision(api, operator, p="NO-SUCH"))[1]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await provision(api, operator, m="12"))[1]["userErrors"][0]["code"] == "INVALID_MSISDN"
    assert (await provision(api, operator, b=-1))[1]["userErrors"][0]["code"] == "INVALID_AMOUNT"
    marketing = (await api.data(STAFF, u="marketing", p="Marketing#2026"))["staffLogin"]["session"][
        "token"
    ]
    for token, code in (
        (None, "UNAUTHENTICATED"),
        (subscriber.token, "FORBIDDEN"),
        (marketing, "FORBIDDEN"),
    ):
        body = await api.as_(token)(PROVISION, m=new_msisdn(), p="4G-76", pw=None, init=False, b=0)
        assert body["errors"][0]["extensions"]["code"] == code


async def test_provision_without_password_sends_initial_one(api, operator_token):
    msisdn, out = await provision(api, operator_token, pw=None, init=False)
    assert out["userErrors"] == []
    initial = await last_code(api, msisdn)
    assert (await password_login(api, msisdn, initial))["userErrors"][0][
        "code"
    ] == "INITIAL_PASSWORD_MUST_CHANGE"


async def test_suspended_may_log_in_closed_may_not(api, services):
    sub = await subscribe(services)
    await Subscriber.filter(id=sub.id).update(status=SubscriberStatus.SUSPENDED)
    assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["session"]
    await Subscriber.filter(id=sub.id).update(status=SubscriberStatus.CLOSED)
    assert (await password_login(api, sub.msisdn, TEST_PASSWORD))["userErrors"][0][
        "code"
    ] == "ACCOUNT_CLOSED"
    # a closed number is answered like an unknown one (no enumeration) and gets no SMS
    out = (await api.data(SEND, m=sub.msisdn, p="LOGIN"))["smsCodeSend"]
    assert out["userErrors"] == []
    outbox = "query($m: String!) { dev { outbox(msisdn: $m) { kind } } }"
    kinds = [n["kind"] for n in (await api.data(outbox, m=sub.msisdn))["dev"]["outbox"]]
    assert "SMS_LOGIN" not in kinds
    _ = LOGIN
