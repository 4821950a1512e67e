"""Number selection use cases: search and facets (anonymous) and holds."""

from __future__ import annotations

from datetime import datetime

from tortoise.functions import Count as CountOf
from tortoise.queryset import QuerySet

from db.models.numbers import PhoneNumber
from db.repositories import numbers as pool
from domain.numbers.patterns import BIT, TAGS, tags_of
from domain.numbers.search import Count, Facets, NumberFilter, NumberView, Region
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page

ORDER = ("tier", "msisdn")


def matching(f: NumberFilter, now: datetime) -> QuerySet[PhoneNumber]:
    query = PhoneNumber.filter(pool.available(now))
    if f.province:
        query = query.filter(province=f.province)
    if f.city:
        query = query.filter(city=f.city)
    if f.prefix:
        query = pool.head_range(query, f.prefix)
    if f.ends_with:
        query = pool.tail_range(query, f.ends_with)
    if f.contains:
        query = pool.containing(query, f.contains)
    if f.tags:
        query = pool.with_mask(query, "tags", f.tag_mask, f.tag_mask)
    if f.exclude_digits:
        query = pool.with_mask(query, "digits", f.excluded_mask, 0)
    if f.max_prestore_fen is not None:
        query = query.filter(prestore_fen__lte=f.max_prestore_fen)
    if f.max_min_monthly_fen is not None:
        query = query.filter(min_monthly_fen__lte=f.max_min_monthly_fen)
    return query


def view(row: PhoneNumber, now: datetime) -> NumberView:
    held = row.status == "RESERVED" and row.reserved_until is not None and row.reserved_until > now
    status = "RESERVED" if held else ("AVAILABLE" if row.status == "RESERVED" else row.status)
    return NumberView(
        msisdn=row.msisdn,
        region=Region(row.province, row.city),
        tags=tags_of(row.tags),
        tier=row.tier,
        prestore_fen=row.prestore_fen,
        min_monthly_fen=row.min_monthly_fen,
        contract_months=row.contract_months,
        status=status,
    )


async def search(
    ctx: RequestContext, f: NumberFilter, first: int | None, after: str | None
) -> Page:
    now = ctx.now()
    page = await keyset_page(matching(f, now), first, after, ORDER)
    return Page(
        [(cursor, view(row, now)) for cursor, row in page.edges],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def facets(ctx: RequestContext, f: NumberFilter) -> Facets:
    now = ctx.now()
    by_tier = (
        await matching(f, now).annotate(n=CountOf("id")).group_by("tier").values_list("tier", "n")
    )
    by_mask = (
        await matching(f, now).annotate(n=CountOf("id")).group_by("tags").values_list("tags", "n")
    )
    per_tag = dict.fromkeys(TAGS, 0)
    for mask, n in by_mask:
        for tag in TAGS:
            if mask & BIT[tag]:
                per_tag[tag] += n
    return Facets(
        total=sum(n for _, n in by_tier),
        tiers=[Count(str(tier), n) for tier, n in sorted(by_tier)],
        tags=[Count(tag.value, n) for tag, n in per_tag.items() if n],
    )
