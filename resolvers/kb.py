"""The knowledge base: search for everyone, operators' changes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db.models.service import KbArticle
from db.repositories import kb as repo
from domain.errors import fail
from domain.service.kb import ArticleDraft, check_article
from domain.service.ranking import bm25
from domain.service.text import query_terms
from domain.sessions import Scope
from resolvers.context import RequestContext

SEARCH_MAX = 20
QUERY_MAX = 200


@dataclass(frozen=True)
class KbHit:
    article: KbArticle
    score: float


def _staff(ctx: RequestContext) -> bool:
    return ctx.session is not None and ctx.session.scope is Scope.STAFF


def _actor(ctx: RequestContext) -> str:
    return ctx.session.name if ctx.session else "system"


async def search(query: str, first: int = 5) -> list[KbHit]:
    """The best live articles for a customer's question, best first."""
    if not 1 <= first <= SEARCH_MAX:
        raise fail("INVALID_ARGUMENT", f"`first` is 1 to {SEARCH_MAX}.", "first")
    words = query_terms(query.strip()[:QUERY_MAX])
    postings, n_docs, avg = await repo.postings(words)
    ranked = bm25(words, postings, n_docs, avg)[:first]
    rows = {a.id: a for a in await KbArticle.filter(id__in=[i for i, _ in ranked])}
    return [KbHit(rows[i], s) for i, s in ranked if i in rows]


async def article(ctx: RequestContext, article_id: str) -> KbArticle | None:
    found = await KbArticle.get_or_none(id=article_id)
    if found is None or (found.archived and not _staff(ctx)):
        return None
    return found


async def create(ctx: RequestContext, draft: ArticleDraft) -> KbArticle:
    draft = check_article(draft)
    async with in_transaction() as conn:
        row = await KbArticle.create(
            id=f"kb-{secrets.token_hex(6)}",
            **vars(draft),
            created_at=ctx.now(),
            updated_at=ctx.now(),
            updated_by=_actor(ctx),
            using_db=conn,
        )
        await repo.reindex(conn, row)
    return row


async def _live(article_id: str) -> KbArticle:
    found = await KbArticle.get_or_none(id=article_id)
    if found is None or found.archived:
        raise fail("NOT_FOUND", "No such article.", "id")
    return found


async def update(
    ctx: RequestContext, article_id: str, changes: dict[str, Any], version: int | None
) -> KbArticle:
    found = await _live(article_id)
    current = ArticleDraft(**{k: getattr(found, k) for k in ArticleDraft.__dataclass_fields__})
    draft = check_article(replace(current, **changes))
    async with in_transaction() as conn:
        query = KbArticle.filter(id=found.id, archived=False)
        if version is not None:
            query = query.filter(version=version)
        updated = await query.using_db(conn).update(
            **vars(draft), version=F("version") + 1, updated_at=ctx.now(), updated_by=_actor(ctx)
        )
        if not updated:
            raise fail("VERSION_CONFLICT", "Someone changed this article first.", "version")
        row = await KbArticle.get(id=found.id).using_db(conn)
        await repo.reindex(conn, row)
    return row


async def archive(ctx: RequestContext, article_id: str) -> KbArticle:
    found = await _live(article_id)
    async with in_transaction() as conn:
        await (
            KbArticle.filter(id=found.id)
            .using_db(conn)
            .update(
                archived=True,
                version=F("version") + 1,
                updated_at=ctx.now(),
                updated_by=_actor(ctx),
            )
        )
        row = await KbArticle.get(id=found.id).using_db(conn)
        await repo.reindex(conn, row)
    return row
