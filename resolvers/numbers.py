"""Number selection use cases: search and facets (anonymous) and holds."""

from __future__ import annotations

from functools import lru_cache

from db.repositories import numbers as pool
from domain.errors import fail
from domain.numbers.patterns import BIT, TAGS, PatternTag, tags_of
from domain.numbers.search import Count, Facets, NumberFilter, NumberView, Region
from resolvers.context import RequestContext
from resolvers.pagination import Page, decode_cursor, encode_cursor, page_size

CURSOR = "k:tier,msisdn"  # the keyset cursor of (tier, msisdn), as keyset_page writes it


@lru_cache(maxsize=4096)
def _tags(mask: int) -> tuple[PatternTag, ...]:
    return tuple(tags_of(mask))


def _view(row: tuple) -> NumberView:
    msisdn, province, city, tags, tier, prestore_fen, min_monthly_fen, contract_months = row
    return NumberView(
        msisdn=msisdn,
        region=Region(province, city),
        tags=_tags(tags),
        tier=tier,
        prestore_fen=prestore_fen,
        min_monthly_fen=min_monthly_fen,
        contract_months=contract_months,
        status="AVAILABLE",  # the search finds only numbers on sale now (a lapsed hold is)
    )


def _after(after: str | None) -> tuple[int, str] | None:
    if not after:
        return None
    tier, msisdn = decode_cursor(after, CURSOR, 2)
    if type(tier) is not int or not isinstance(msisdn, str):
        raise fail("INVALID_CURSOR", "`after` is not a cursor from this list.", "after")
    return tier, msisdn


async def search(
    ctx: RequestContext, f: NumberFilter, first: int | None, after: str | None
) -> Page:
    size = page_size(first)
    start = _after(after)
    rows = await pool.search(f, ctx.now(), start, size + 1) if size else []
    edges = [(encode_cursor(CURSOR, [row[4], row[0]]), _view(row)) for row in rows[:size]]
    return Page(edges, has_next_page=len(rows) > size, has_previous_page=start is not None)


async def facets(ctx: RequestContext, f: NumberFilter) -> Facets:
    per_tier: dict[int, int] = {}
    per_tag = dict.fromkeys(TAGS, 0)
    for tier, mask, n in await pool.facet_groups(f, ctx.now()):
        per_tier[tier] = per_tier.get(tier, 0) + n
        for tag in TAGS:
            if mask & BIT[tag]:
                per_tag[tag] += n
    return Facets(
        total=sum(per_tier.values()),
        tiers=[Count(str(tier), n) for tier, n in sorted(per_tier.items())],
        tags=[Count(tag.value, n) for tag, n in per_tag.items() if n],
    )
