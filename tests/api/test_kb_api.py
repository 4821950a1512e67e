"""The knowledge base through GraphQL: anyone searches, only operators write, archived articles
drop out of search, bad input is a userError that changes nothing."""

from __future__ import annotations

CREATE = """mutation($input: KbArticleCreateInput!) { kbArticleCreate(input: $input) {
  article { id title version archived } userErrors { code field } } }"""
UPDATE = """mutation($input: KbArticleUpdateInput!) { kbArticleUpdate(input: $input) {
  article { id title version } userErrors { code field } } }"""
ARCHIVE = """mutation($id: ID!) { kbArticleArchive(id: $id) {
  article { id archived } userErrors { code } } }"""
SEARCH = """query($q: String!) { kbSearch(query: $q, first: 3) { score article { id title } } }"""


async def test_an_operator_writes_an_article_search_finds_it_and_archive_removes_it(
    api, operator_token, subscriber
):
    op = api.as_(operator_token)
    body = {"title": "携号转网怎么办理", "body": "携号转网需要满足在网条件，发送短信查询资格。",
            "category": "ACCOUNT", "keywords": "携号转网 转网 换运营商"}  # fmt: skip
    made = (await op.data(CREATE, input=body))["kbArticleCreate"]
    assert made["userErrors"] == []
    article_id = made["article"]["id"]
    top = (await api.data(SEARCH, q="我想携号转网到别家"))["kbSearch"]
    assert top[0]["article"]["id"] == article_id

    changed = (
        await op.data(UPDATE, input={"id": article_id, "version": 1, "title": "携号转网的条件"})
    )["kbArticleUpdate"]
    assert changed["article"] == {"id": article_id, "title": "携号转网的条件", "version": 2}
    stale = await op.data(UPDATE, input={"id": article_id, "version": 1, "title": "x"})
    assert stale["kbArticleUpdate"]["userErrors"] == [
        {"code": "VERSION_CONFLICT", "field": "version"}
    ]

    assert (await op.data(ARCHIVE, id=article_id))["kbArticleArchive"]["article"]["archived"]
    top = (await api.data(SEARCH, q="我想携号转网到别家"))["kbSearch"]
    assert article_id not in [hit["article"]["id"] for hit in top]

    customer = await api.as_(subscriber.token)(CREATE, input=body)
    assert customer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_empty_title_is_refused_and_nothing_is_stored(api, operator_token):
    bad = {"title": "  ", "body": "正文", "category": "BILLING"}
    result = (await api.as_(operator_token).data(CREATE, input=bad))["kbArticleCreate"]
    assert result == {
        "article": None,
        "userErrors": [{"code": "INVALID_ARTICLE", "field": "title"}],
    }


async def test_a_bad_first_is_a_graphql_error_with_its_code(api):
    body = await api('query { kbSearch(query: "话费", first: 500) { score } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
