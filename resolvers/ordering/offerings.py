"""What can be ordered: catalogue lookups that ask `domain.orders.eligibility`, and their carts."""

from __future__ import annotations

from db.models.accounts import Subscriber
from db.models.catalog import AddOn, Plan
from db.repositories import catalog
from domain.bundles import BundleSelection, Combo, compose
from domain.errors import fail
from domain.orders.eligibility import check_add_on_orderable, check_plan_orderable
from domain.pricing import Cart, CartLine, OfferingKind


def _one_line(offering_id: str, kind: OfferingKind, name: str, fen: int, recurring: bool) -> Cart:
    return Cart((CartLine(offering_id, kind, name, fen, recurring=recurring),))


def plan_cart(plan: Plan) -> Cart:
    return _one_line(plan.id, OfferingKind.PLAN, plan.name, plan.monthly_fee_fen, True)


def add_on_cart(add_on: AddOn) -> Cart:
    return _one_line(add_on.id, OfferingKind.ADDON, add_on.name, add_on.price_fen, False)


async def combo_of(selection: BundleSelection) -> Combo:
    found = await catalog.pack_infos(pid for _, pid in selection.entries())
    return compose(selection, found)


async def plan_for_change(plan_id: str, subscriber: Subscriber | None) -> Plan:
    """The plan to change to; `subscriber` None for an anonymous quote (no device check)."""
    plan = await catalog.plan_by_id(plan_id)
    if plan is None:
        raise fail("UNKNOWN_PLAN", f"There is no plan {(plan_id or '').strip()[:64]}.", "planId")
    check_plan_orderable(
        plan.name,
        plan.kind,
        plan.active and plan.listed,
        plan.requires_5g,
        None if subscriber is None else subscriber.device_5g,
    )
    return plan


async def add_on_for_purchase(pack_id: str) -> AddOn:
    add_on = await catalog.add_on_by_id(pack_id)
    if add_on is None:
        if await catalog.pack_exists(pack_id):
            raise fail(
                "PACK_NOT_AVAILABLE",
                "This pack is part of the 4G national combo: order it with bundleOrder.",
                "packId",
            )
        raise fail("UNKNOWN_PACK", f"There is no pack {(pack_id or '').strip()[:64]}.", "packId")
    check_add_on_orderable(add_on.name, add_on.active)
    return add_on
