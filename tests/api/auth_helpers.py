"""GraphQL snippets the auth tests share."""

CAPTCHA = "mutation { captchaCreate { id imageBase64 expiresAt userErrors { code } } }"
ANSWER = "query($id: String!) { dev { captchaAnswer(id: $id) } }"
LOGIN = """mutation($m: String!, $method: LoginMethod!, $s: String!, $cid: String, $ca: String) {
  authLogin(input: {msisdn: $m, method: $method, secret: $s, captchaId: $cid, captchaAnswer: $ca}) {
    session { token scope expiresAt } userErrors { code field message } } }"""
SEND = """mutation($m: String!, $p: SmsPurpose!) {
  smsCodeSend(input: {msisdn: $m, purpose: $p}) { resendAfterSeconds userErrors { code field } } }"""
OUTBOX = "query($m: String!) { dev { outbox(msisdn: $m) { kind text createdAt } } }"


async def captcha(api) -> tuple[str, str]:
    created = (await api.data(CAPTCHA))["captchaCreate"]
    answer = (await api.data(ANSWER, id=created["id"]))["dev"]["captchaAnswer"]
    return created["id"], answer


async def password_login(api, msisdn: str, secret: str) -> dict:
    cid, answer = await captcha(api)
    data = await api.data(LOGIN, m=msisdn, method="PASSWORD", s=secret, cid=cid, ca=answer)
    return data["authLogin"]


async def last_code(api, msisdn: str) -> str:
    outbox = (await api.data(OUTBOX, m=msisdn))["dev"]["outbox"]
    text = outbox[0]["text"]
    return next(word for word in _digit_runs(text) if len(word) == 6)


def _digit_runs(text: str) -> list[str]:
    runs, current = [], ""
    for ch in text:
        if ch.isdigit():
            current += ch
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs
