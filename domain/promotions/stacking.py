"""Which campaigns may share a cart line. The engine, the conflict warnings and the tests all
ask this one module.

Stacking is decided per cart line: campaigns on different lines never conflict, so a plan's
EXCLUSIVE half-price offer does not cost the same customer the 10 % off their recharge.

Campaigns are applied in order (priority desc, id asc). Each campaign has a set of campaigns it
accepts on a shared line, applied before it ("earlier") or after it ("later"):

    rule        accepts earlier        accepts later
    STACKABLE   all                    all
    EXCLUSIVE   none                   none
    STOP_AFTER  all                    none

A non-empty `combines_with` replaces both defaults with exactly the campaigns listed: it narrows a
STACKABLE campaign and makes an exception to EXCLUSIVE or STOP_AFTER. A pair combines only if
both sides accept each other, so one marketer listing another's campaign cannot force it on them.
"""

from __future__ import annotations

from domain.promotions.model import Campaign, Stacking, StackingRule

ANY = None  # "accepts every campaign" (kept distinct from an empty set, which accepts none)


def accepts_earlier(stacking: Stacking) -> frozenset[str] | None:
    if stacking.combines_with:
        return frozenset(stacking.combines_with)
    return frozenset() if stacking.rule is StackingRule.EXCLUSIVE else ANY


def accepts_later(stacking: Stacking) -> frozenset[str] | None:
    if stacking.combines_with:
        return frozenset(stacking.combines_with)
    return ANY if stacking.rule is StackingRule.STACKABLE else frozenset()


def can_follow(earlier: Campaign, later: Campaign) -> bool:
    """May `later` apply to a line that `earlier` already applied to?"""
    after = accepts_later(earlier.stacking)
    before = accepts_earlier(later.stacking)
    return (after is ANY or later.id in after) and (before is ANY or earlier.id in before)


def application_key(campaign: Campaign) -> tuple[int, str]:
    """Higher priority first; equal priorities in campaign id order, so ties are deterministic."""
    return (-campaign.priority, campaign.id)


def combine(earlier: Campaign, later: Campaign) -> bool:
    """Order-free form of `can_follow`: would these two combine on a shared line?"""
    first, second = sorted((earlier, later), key=application_key)
    return can_follow(first, second)
