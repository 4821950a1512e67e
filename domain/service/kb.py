"""Knowledge-base articles: what an operator may write, checked before it is stored."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import fail

TITLE_MAX = 120
BODY_MAX = 20_000
KEYWORDS_MAX = 500
RELATED_MAX = 200


class KbCategory(StrEnum):
    ACCOUNT = "ACCOUNT"  # login, captcha, lockout, passwords
    BILLING = "BILLING"  # bills, detail records, balance
    RECHARGE = "RECHARGE"
    PLAN = "PLAN"  # plans, combos, packs, business
    NETWORK = "NETWORK"  # coverage, 5G
    ROAMING = "ROAMING"
    POINTS = "POINTS"  # points and the mall
    NUMBERS = "NUMBERS"  # number purchase and real name
    PROMOTIONS = "PROMOTIONS"  # campaigns and flash sales
    SERVICE = "SERVICE"  # the service itself: agents, tickets, ratings


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    category: KbCategory
    keywords: str = ""
    related: str = ""  # business the article is about: pack ids, roaming zone codes


def check_article(draft: ArticleDraft) -> ArticleDraft:
    title, body = draft.title.strip(), draft.body.strip()
    if not title or len(title) > TITLE_MAX:
        raise fail("INVALID_ARTICLE", f"A title is 1 to {TITLE_MAX} characters.", "title")
    if not body or len(body) > BODY_MAX:
        raise fail("INVALID_ARTICLE", f"A body is 1 to {BODY_MAX} characters.", "body")
    if len(draft.keywords) > KEYWORDS_MAX:
        raise fail(
            "INVALID_ARTICLE", f"Keywords are at most {KEYWORDS_MAX} characters.", "keywords"
        )
    if len(draft.related) > RELATED_MAX:
        raise fail("INVALID_ARTICLE", f"Related is at most {RELATED_MAX} characters.", "related")
    return ArticleDraft(title, body, draft.category, draft.keywords.strip(), draft.related.strip())
