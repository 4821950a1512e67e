"""Seeds the knowledge base once (articles an operator changed are left alone)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from db.models.service import KbArticle
from db.repositories.kb import reindex
from db.seed.kb_articles import ARTICLES
from domain.service.kb import KbCategory


async def seed_kb(now: datetime) -> None:
    existing = set(await KbArticle.all().values_list("id", flat=True))
    async with in_transaction() as conn:
        for article_id, category, title, keywords, related, body in ARTICLES:
            if article_id in existing:
                continue
            article = await KbArticle.create(
                id=article_id,
                title=title,
                body=body,
                category=KbCategory(category),
                keywords=keywords,
                related=related,
                created_at=now,
                updated_at=now,
                using_db=conn,
            )
            await reindex(conn, article)
