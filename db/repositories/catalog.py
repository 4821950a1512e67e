"""Catalog reads, and the plan row a composed combo becomes."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from db.models.catalog import AddOn, Pack, Plan, RoamingDestination
from domain.bundles import MAX_ID_LENGTH, Combo
from domain.catalog import PackInfo, PackKind, PlanKind

COMBO_SORT_ORDER = 10_000


def _ids(ids: Iterable[str]) -> list[str]:
    """Ids worth a query: an over-long id can't exist, so it never reaches the database."""
    return sorted({i for i in ids if i and len(i) <= MAX_ID_LENGTH})


async def listed_plans() -> list[Plan]:
    return await Plan.filter(kind=PlanKind.PLAN, listed=True, active=True)


async def hot_rows() -> tuple[list[Plan], list[Pack], list[AddOn], list[RoamingDestination]]:
    """What each worker caches (`resolvers.catalog_cache`): the listed plans, every pack, add-on
    and roaming destination, in the order the hall shows them."""
    return await listed_plans(), await Pack.all(), await AddOn.all(), await RoamingDestination.all()


async def plan_by_id(plan_id: str) -> Plan | None:
    plan_id = (plan_id or "").strip()
    if not plan_id or len(plan_id) > MAX_ID_LENGTH:
        return None
    return await Plan.get_or_none(id=plan_id)


async def add_on_by_id(add_on_id: str) -> AddOn | None:
    add_on_id = (add_on_id or "").strip()
    if not add_on_id or len(add_on_id) > MAX_ID_LENGTH:
        return None
    return await AddOn.get_or_none(id=add_on_id)


async def pack_exists(pack_id: str) -> bool:
    pack_id = (pack_id or "").strip()
    return bool(pack_id) and len(pack_id) <= MAX_ID_LENGTH and await Pack.exists(id=pack_id)


def pack_info(pack: Pack) -> PackInfo:
    return PackInfo(
        id=pack.id,
        kind=pack.kind,
        name=pack.name,
        amount=pack.amount,
        price_fen=pack.price_fen,
        active=pack.active,
    )


async def pack_infos(ids: Iterable[str]) -> dict[str, PackInfo]:
    """The packs named (on sale or not), by id; unknown ids are simply absent."""
    wanted = _ids(i.strip() for i in ids)
    rows = await Pack.filter(id__in=wanted) if wanted else []
    return {row.id: pack_info(row) for row in rows}


async def all_pack_infos() -> list[PackInfo]:
    return [pack_info(row) for row in await Pack.all()]


def _combo_fields(combo: Combo) -> dict[str, object]:
    return {
        "kind": PlanKind.COMBO,
        "name": combo.name,
        "monthly_fee_fen": combo.monthly_fee_fen,
        "data_mb": combo.amount_of(PackKind.DATA),
        "voice_minutes": combo.amount_of(PackKind.VOICE),
        "sms_count": combo.amount_of(PackKind.SMS),
        "requires_5g": False,
        "components": list(combo.pack_ids),
        "listed": False,
        "active": True,
        "sort_order": COMBO_SORT_ORDER,
    }


async def ensure_combo_plan(combo: Combo) -> Plan:
    """The unlisted COMBO plan row of this set of packs, created on first order and refreshed to
    the packs' current prices. Safe under concurrent orders of the same combo."""
    fields = _combo_fields(combo)
    plan = await Plan.get_or_none(id=combo.id)
    if plan is None:
        try:
            return await Plan.create(id=combo.id, **fields)
        except IntegrityError:
            plan = await Plan.get(id=combo.id)
    changed = {k: v for k, v in fields.items() if getattr(plan, k) != v}
    if changed:
        await Plan.filter(id=plan.id).update(**changed)
        await plan.refresh_from_db()
    return plan
