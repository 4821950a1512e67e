"""Knowledge-base types, the search query and the operators' mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.service.kb import ArticleDraft, KbCategory
from resolvers import kb
from schema.errors import UserError, payload
from schema.pagination import query as run_query
from schema.permissions import OPERATOR, context

KbCategoryEnum = strawberry.enum(KbCategory, name="KbCategory")


@strawberry.type(description="An FAQ article; `body` is Markdown.")
class KbArticle:
    id: strawberry.ID
    title: str
    body: str
    category: KbCategoryEnum
    keywords: str
    related: str = strawberry.field(description="Business it is about: pack ids, roaming zones.")
    archived: bool
    version: int
    updated_at: datetime


@strawberry.type
class KbHit:
    article: KbArticle
    score: float = strawberry.field(
        description="BM25 over jieba-segmented terms; higher is better."
    )


@strawberry.input
class KbArticleCreateInput:
    title: str
    body: str
    category: KbCategoryEnum
    keywords: str = ""
    related: str = ""


@strawberry.input(description="Only the fields sent change.")
class KbArticleUpdateInput:
    id: strawberry.ID
    version: int | None = strawberry.field(
        default=None, description="When given, VERSION_CONFLICT if someone changed it first."
    )
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    category: KbCategoryEnum | None = strawberry.UNSET
    keywords: str | None = strawberry.UNSET
    related: str | None = strawberry.UNSET

    def changes(self) -> dict:
        names = ("title", "body", "category", "keywords", "related")
        return {
            n: getattr(self, n)
            for n in names
            if getattr(self, n) is not strawberry.UNSET and getattr(self, n) is not None
        }


@strawberry.type
class KbArticlePayload:
    article: KbArticle | None = None
    user_errors: list[UserError]


@strawberry.type
class KbQuery:
    @strawberry.field(
        description="The best articles for a question in Chinese (jieba + BM25), best first; "
        "`first` is 1 to 20. Anyone may search."
    )
    async def kb_search(self, info: Info, query: str, first: int = 5) -> list[KbHit]:
        return await run_query(lambda: kb.search(query, first))  # type: ignore[return-value]

    @strawberry.field
    async def kb_article(self, info: Info, id: strawberry.ID) -> KbArticle | None:
        return await kb.article(context(info), str(id))  # type: ignore[return-value]


@strawberry.type
class KbMutation:
    @strawberry.mutation(permission_classes=OPERATOR, description="OPERATOR: add an article.")
    async def kb_article_create(self, info: Info, input: KbArticleCreateInput) -> KbArticlePayload:
        draft = ArticleDraft(input.title, input.body, input.category, input.keywords, input.related)
        return await payload(KbArticlePayload, lambda: _article(kb.create(context(info), draft)))

    @strawberry.mutation(
        permission_classes=OPERATOR, description="OPERATOR: change an article; it is re-indexed."
    )
    async def kb_article_update(self, info: Info, input: KbArticleUpdateInput) -> KbArticlePayload:
        work = kb.update(context(info), str(input.id), input.changes(), input.version)
        return await payload(KbArticlePayload, lambda: _article(work))

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="OPERATOR: archive an article; search no longer finds it.",
    )
    async def kb_article_archive(self, info: Info, id: strawberry.ID) -> KbArticlePayload:
        return await payload(KbArticlePayload, lambda: _article(kb.archive(context(info), str(id))))


async def _article(work) -> dict:
    return {"article": await work}
