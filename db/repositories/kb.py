"""Knowledge-base storage: articles, their weighted terms, and the postings a query needs."""

from __future__ import annotations

from collections import Counter

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Avg

from db.models.service import KbArticle, KbTerm
from domain.service.ranking import Posting
from domain.service.text import terms

TITLE_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0
TERM_MAX = 64


def weighted_terms(title: str, keywords: str, body: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (keywords, KEYWORD_WEIGHT), (body, 1.0)):
        for term in terms(text):
            counts[term[:TERM_MAX]] += weight
    return counts


async def reindex(conn: BaseDBAsyncClient, article: KbArticle) -> None:
    """Replace the article's terms (none when archived) and store its length."""
    await KbTerm.filter(article_id=article.id).using_db(conn).delete()
    if article.archived:
        article.doc_len = 0
    else:
        counts = weighted_terms(article.title, article.keywords, article.body)
        await KbTerm.bulk_create(
            [KbTerm(article_id=article.id, term=t, tf=tf) for t, tf in counts.items()],
            using_db=conn,
        )
        article.doc_len = sum(counts.values())
    await KbArticle.filter(id=article.id).using_db(conn).update(doc_len=article.doc_len)


async def postings(query_terms: list[str]) -> tuple[list[Posting], int, float]:
    """The postings of the query's terms, the number of live articles and their mean length."""
    live = KbArticle.filter(archived=False)
    n_docs = await live.count()
    avg = await live.annotate(avg=Avg("doc_len")).first().values_list("avg", flat=True)
    wanted = sorted({t[:TERM_MAX] for t in query_terms})
    if not wanted or not n_docs:
        return [], n_docs, 0.0
    rows = await KbTerm.filter(term__in=wanted, article__archived=False).values_list(
        "article_id", "term", "tf", "article__doc_len"
    )
    return [Posting(a, t, tf, dl) for a, t, tf, dl in rows], n_docs, float(avg or 0)
