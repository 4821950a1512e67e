"""Conversations: bad input is a userError that stores nothing, nobody reads another's
conversation, anonymous visitors need a captcha, two unhelpful answers hand over, LIMITED
sessions may chat, operators read the figures."""

from __future__ import annotations

from datetime import timedelta

from db.models.service import ChatMessage
from tests.api.service_helpers import agent_token
from tests.conftest import subscribe

START = """mutation($c: String, $a: String) { chatStart(captchaId: $c, captchaAnswer: $a) {
  conversation { id status } visitorToken userErrors { code field } } }"""
SEND = """mutation($id: ID!, $text: String!, $v: String) {
  chatSend(conversationId: $id, text: $text, visitorToken: $v) {
  message { id } userErrors { code field } } }"""
CONV = "query($id: ID!) { conversation(id: $id) { status } }"
HISTORY = """query($id: ID!, $v: String) { chatHistory(conversationId: $id, visitorToken: $v,
  first: 100) { nodes { sender text articleIds } } }"""


async def _start(api, token) -> str:
    return (await api.as_(token).data(START))["chatStart"]["conversation"]["id"]


async def test_empty_and_oversized_messages_are_refused_and_not_stored(api, subscriber):
    conv = await _start(api, subscriber.token)
    me = api.as_(subscriber.token)
    for text, code in (("   ", "MESSAGE_EMPTY"), ("话" * 5000, "MESSAGE_TOO_LONG")):
        result = (await me.data(SEND, id=conv, text=text))["chatSend"]
        assert result == {"message": None, "userErrors": [{"code": code, "field": "text"}]}
    assert await ChatMessage.filter(conversation_id=conv).count() == 1  # the greeting only


async def test_a_customer_never_sees_or_writes_into_another_customers_conversation(
    api, services, subscriber
):
    conv = await _start(api, subscriber.token)
    other = await subscribe(services)
    stranger = api.as_(other.token)
    assert (await stranger.data(CONV, id=conv))["conversation"] is None
    sent = (await stranger.data(SEND, id=conv, text="你好"))["chatSend"]
    assert sent["userErrors"] == [{"code": "NOT_FOUND", "field": "conversationId"}]
    history = await stranger(HISTORY, id=conv)
    assert history["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await api.data(CONV, id=conv))["conversation"] is None  # anonymous
    assert await ChatMessage.filter(conversation_id=conv).count() == 1


async def test_an_anonymous_visitor_solves_a_captcha_and_keeps_a_token(api):
    refused = (await api.data(START))["chatStart"]
    assert refused["userErrors"][0]["code"] == "CAPTCHA_INVALID" and refused["conversation"] is None
    captcha = (await api.data("mutation { captchaCreate { id } }"))["captchaCreate"]["id"]
    answer = (await api.data("query($id: String!) { dev { captchaAnswer(id: $id) } }", id=captcha))[
        "dev"
    ]["captchaAnswer"]
    started = (await api.data(START, c=captcha, a=answer))["chatStart"]
    conv, token = started["conversation"]["id"], started["visitorToken"]
    assert token
    sent = (await api.data(SEND, id=conv, text="去香港旅游流量包多少钱", v=token))["chatSend"]
    assert sent["userErrors"] == []
    nodes = (await api.data(HISTORY, id=conv, v=token))["chatHistory"]["nodes"]
    assert "98.00元" in nodes[-1]["text"] and "kb-roaming-hmt" in nodes[-1]["articleIds"]
    wrong = (await api.data(SEND, id=conv, text="你好", v="guess"))["chatSend"]
    assert wrong["userErrors"][0]["code"] == "NOT_FOUND"


async def test_two_unhelpful_answers_hand_over_to_the_queue(api, subscriber):
    conv = await _start(api, subscriber.token)
    me = api.as_(subscriber.token)
    await me.data(SEND, id=conv, text="嗯嗯嗯")
    assert (await me.data(CONV, id=conv))["conversation"]["status"] == "BOT"
    await me.data(SEND, id=conv, text="哈哈哈")
    assert (await me.data(CONV, id=conv))["conversation"]["status"] == "QUEUED"


async def test_a_limited_session_chats_and_gets_its_own_data_left(api, subscriber):
    conv = await _start(api, subscriber.limited_token)
    me = api.as_(subscriber.limited_token)
    await me.data(SEND, id=conv, text="我这个月流量还剩多少")
    nodes = (await me.data(HISTORY, id=conv))["chatHistory"]["nodes"]
    assert nodes[-1]["sender"] == "BOT" and "剩余通用流量" in nodes[-1]["text"]


async def test_only_the_holding_agent_writes_and_a_customer_cannot_accept(
    api, services, subscriber
):
    conv = await _start(api, subscriber.token)
    me = api.as_(subscriber.token)
    await me.data(SEND, id=conv, text="转人工")
    accept = "mutation($id: ID!) { chatAccept(conversationId: $id) { userErrors { code } } }"
    assert (await me(accept, id=conv))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    _, first = await agent_token(services)
    _, second = await agent_token(services)
    assert (await api.as_(first).data(accept, id=conv))["chatAccept"]["userErrors"] == []
    twice = (await api.as_(second).data(accept, id=conv))["chatAccept"]["userErrors"]
    assert twice == [{"code": "CONVERSATION_NOT_QUEUED"}]
    intruder = (await api.as_(second).data(SEND, id=conv, text="我来"))["chatSend"]
    assert intruder["userErrors"] == [{"code": "NOT_YOUR_CONVERSATION", "field": None}]


async def test_service_stats_count_the_conversations_for_operators(
    api, services, subscriber, operator_token, clock
):
    conv = await _start(api, subscriber.token)
    me = api.as_(subscriber.token)
    await me.data(SEND, id=conv, text="积分什么时候过期")
    await me.data(
        "mutation($id: ID!) { chatClose(conversationId: $id) { userErrors { code } } }", id=conv
    )
    now = clock.now()
    stats = """query($f: DateTime!, $t: DateTime!) { serviceStats(from: $f, to: $t) {
      total { conversations botResolvedShare } perDay { key conversations } } }"""
    args = {
        "f": (now - timedelta(hours=1)).isoformat(),
        "t": (now + timedelta(hours=1)).isoformat(),
    }
    figures = (await api.as_(operator_token).data(stats, **args))["serviceStats"]
    assert figures["total"]["conversations"] >= 1 and figures["total"]["botResolvedShare"] > 0
    assert (await me(stats, **args))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    backwards = await api.as_(operator_token)(stats, f=args["t"], t=args["f"])
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_an_agent_transfers_to_another_agent_or_back_to_the_queue(api, services, subscriber):
    conv = await _start(api, subscriber.token)
    await api.as_(subscriber.token).data(SEND, id=conv, text="转人工")
    first_name, first = await agent_token(services)
    second_name, second = await agent_token(services)
    accept = "mutation($id: ID!) { chatAccept(conversationId: $id) { userErrors { code } } }"
    transfer = """mutation($id: ID!, $to: String) { chatTransfer(conversationId: $id, toAgent: $to) {
      conversation { status agent } userErrors { code field } } }"""
    await api.as_(first).data(accept, id=conv)
    nobody = (await api.as_(first).data(transfer, id=conv, to="no-such-agent"))["chatTransfer"]
    assert nobody["userErrors"] == [{"code": "NOT_FOUND", "field": "toAgent"}]
    moved = (await api.as_(first).data(transfer, id=conv, to=second_name))["chatTransfer"]
    assert moved["conversation"] == {"status": "AGENT", "agent": second_name}
    gone = (await api.as_(first).data(SEND, id=conv, text="还在"))["chatSend"]
    assert gone["userErrors"][0]["code"] == "NOT_YOUR_CONVERSATION"
    assert (await api.as_(second).data(SEND, id=conv, text="您好"))["chatSend"]["userErrors"] == []
    back = (await api.as_(second).data(transfer, id=conv))["chatTransfer"]
    assert back["conversation"] == {"status": "QUEUED", "agent": None}
    assert first_name != second_name


async def test_agents_racing_for_one_conversation_one_wins(api, services, subscriber):
    import asyncio

    conv = await _start(api, subscriber.token)
    await api.as_(subscriber.token).data(SEND, id=conv, text="转人工")
    tokens = [(await agent_token(services))[1] for _ in range(5)]
    accept = "mutation($id: ID!) { chatAccept(conversationId: $id) { userErrors { code } } }"
    results = await asyncio.gather(*(api.as_(t).data(accept, id=conv) for t in tokens))
    codes = sorted(str(r["chatAccept"]["userErrors"]) for r in results)
    assert codes == ["[]"] + ["[{'code': 'CONVERSATION_NOT_QUEUED'}]"] * 4
