"""Okapi BM25 over an article-term table, computed in process (the same on every database).

Why in process: SQLite FTS5 and PostgreSQL tsvector rank differently and neither segments
Chinese, so the hall segments with jieba itself (domain.service.text) and stores the terms; the
score below is then one formula on both databases. A few hundred articles are far inside what
this handles in a millisecond."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Posting:
    article_id: str
    term: str
    tf: float  # weighted: title and keyword terms count more than body terms
    doc_len: float


def bm25(
    query_terms: list[str], postings: list[Posting], n_docs: int, avg_len: float
) -> list[tuple[str, float]]:
    """(article id, score) best first; ties by id so the order is stable."""
    if not postings or n_docs <= 0:
        return []
    df: dict[str, int] = defaultdict(int)
    for p in postings:
        df[p.term] += 1
    weight = defaultdict(int)
    for term in query_terms:
        weight[term] += 1
    scores: dict[str, float] = defaultdict(float)
    avg = avg_len or 1.0
    for p in postings:
        if p.term not in weight:
            continue
        idf = math.log(1 + (n_docs - df[p.term] + 0.5) / (df[p.term] + 0.5))
        norm = p.tf * (K1 + 1) / (p.tf + K1 * (1 - B + B * p.doc_len / avg))
        scores[p.article_id] += weight[p.term] * idf * norm
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
