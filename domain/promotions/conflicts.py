"""Warnings for marketers creating or updating a campaign. They never block the save; each says
what the engine will do about the problem. Every warning starts with a stable code and a colon.

EXCLUSIVE_OVERLAP   two EXCLUSIVE campaigns (neither listing the other) target the same offering
                    with overlapping windows: only the first in application order applies.
ONE_SIDED_COMBINE   one lists the other in combines_with but the other does not accept it, so they
                    never combine (stacking needs both sides).
UNKNOWN_CAMPAIGN    combines_with names a campaign that is not among `others`.
BELOW_FLOOR         the benefit would price a line below the campaign's floor; the engine clamps
                    the line to the floor, so customers get less than the benefit promises.
TERM_ENDS_EARLY     a RECURRING/FREE_TRIAL `until` falls before the campaign ends: customers who
                    buy later get fewer months, and none once `until` has passed.
OUTSIDE_FESTIVAL    the campaign's window is not inside its festival's.

Targets overlap when they share a kind, an id of the same family, or a kind that covers the other's
ids (PLAN kind vs plan ids, MALL_ITEM kind vs mall ids). Whether a pack id belongs to a pack kind,
and what a percentage does to a price, is only known from `catalog` (offerings as cart lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.money import percent_of, yuan
from domain.pricing import CartLine, OfferingKind
from domain.promotions.model import (
    BenefitKind,
    Campaign,
    Festival,
    StackingRule,
    Targets,
)
from domain.promotions.stacking import application_key, combine


def warnings_for(
    campaign: Campaign,
    others: Iterable[Campaign],
    catalog: Sequence[CartLine] = (),
    festival: Festival | None = None,
) -> list[str]:
    others = sorted((o for o in others if o.id != campaign.id), key=lambda o: o.id)
    warnings: list[str] = []
    known = {o.id for o in others}
    for missing in sorted(set(campaign.stacking.combines_with) - known):
        warnings.append(f"UNKNOWN_CAMPAIGN: combines_with names {missing}, which does not exist")
    for other in others:
        if not (_windows_overlap(campaign, other) and targets_overlap(campaign, other, catalog)):
            continue
        both_exclusive = campaign.stacking.rule is other.stacking.rule is StackingRule.EXCLUSIVE
        combines = combine(campaign, other)
        if both_exclusive and not combines:
            first, second = sorted((campaign, other), key=application_key)
            warnings.append(
                f"EXCLUSIVE_OVERLAP: {campaign.id} and {other.id} are both EXCLUSIVE on the same "
                f"offerings in overlapping windows; where both apply only {first.id} does and "
                f"{second.id} is NOT_COMBINABLE"
            )
        elif not combines and _lists(campaign, other):
            warnings.append(
                f"ONE_SIDED_COMBINE: {campaign.id} and {other.id} list each other only one way; "
                f"stacking needs both to accept, so they never combine"
            )
    warnings.extend(_floor_warnings(campaign, catalog))
    warnings.extend(_term_warnings(campaign))
    if festival is not None and (
        campaign.starts_at < festival.starts_at or campaign.ends_at > festival.ends_at
    ):
        warnings.append(
            f"OUTSIDE_FESTIVAL: {campaign.id} runs outside festival {festival.name}'s window"
        )
    return warnings


def targets_overlap(a: Campaign, b: Campaign, catalog: Sequence[CartLine] = ()) -> bool:
    ta, tb = a.targets, b.targets
    if _structural_overlap(ta, tb) or _structural_overlap(tb, ta):
        return True
    return any(ta.matches(line) and tb.matches(line) for line in catalog)


def _structural_overlap(ta: Targets, tb: Targets) -> bool:
    kinds = set(ta.kinds)
    return bool(
        kinds & set(tb.kinds)
        or set(ta.plan_ids) & set(tb.plan_ids)
        or set(ta.pack_ids) & set(tb.pack_ids)
        or set(ta.mall_item_ids) & set(tb.mall_item_ids)
        or (OfferingKind.PLAN in kinds and tb.plan_ids)
        or (OfferingKind.MALL_ITEM in kinds and tb.mall_item_ids)
    )


def _windows_overlap(a: Campaign, b: Campaign) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _lists(a: Campaign, b: Campaign) -> bool:
    return b.id in a.stacking.combines_with or a.id in b.stacking.combines_with


def _floor_warnings(campaign: Campaign, catalog: Sequence[CartLine]) -> list[str]:
    floor = campaign.floor_fen
    benefit = campaign.benefit
    if floor is None or not benefit.changes_price:
        return []
    if benefit.kind is BenefitKind.FIXED_PRICE and benefit.fixed_price_fen < floor:
        return [
            f"BELOW_FLOOR: the fixed price {yuan(benefit.fixed_price_fen)} is below the floor "
            f"{yuan(floor)}; lines will be priced at the floor"
        ]
    found = []
    for line in sorted(catalog, key=lambda line: (line.offering_id, line.kind)):
        if not campaign.targets.matches(line) or line.list_price_fen <= floor:
            continue
        alone = _price_alone(campaign, line.list_price_fen)
        if alone < floor:
            found.append(
                f"BELOW_FLOOR: {line.name} ({line.offering_id}) would cost {yuan(alone)}, below "
                f"the floor {yuan(floor)}; it will be priced at the floor"
            )
    return found


def _price_alone(campaign: Campaign, price: int) -> int:
    """The price of one line after this campaign with nothing else applied (ignoring its floor)."""
    b = campaign.benefit
    if b.kind is BenefitKind.FREE_TRIAL:
        return 0
    if b.kind is BenefitKind.FIXED_PRICE:
        return min(price, b.fixed_price_fen)
    if b.percent_bp:
        return price - percent_of(price, b.percent_bp)
    return max(price - b.amount_fen, 0)


def _term_warnings(campaign: Campaign) -> list[str]:
    until = campaign.benefit.until
    if until is None or until >= campaign.ends_at:
        return []
    return [
        f"TERM_ENDS_EARLY: the benefit runs until {until.isoformat()}, before the campaign "
        f"ends; later buyers get fewer months and none after that date"
    ]
