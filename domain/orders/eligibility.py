"""May this subscriber order, and is this offering on sale to them? Pure decisions, so every
order kind asks the same questions the same way."""

from __future__ import annotations

from domain.accounts import SubscriberStatus
from domain.catalog import PlanKind
from domain.errors import fail
from domain.money import yuan
from domain.orders import OrderKind
from domain.pricing import Quote

# Order kinds the law reserves to real-name verified numbers (NOT_VERIFIED otherwise): numbers,
# devices and flash-sale units. A new kind that sells one of these adds itself here (a device
# order kind, when it exists, too), and `place_order` asks `check_real_name` for every kind.
REAL_NAME_KINDS: frozenset[OrderKind] = frozenset(
    {OrderKind.NUMBER_PURCHASE, OrderKind.FLASH_SALE}
    | {kind for kind in OrderKind if kind.value.startswith("DEVICE")}
)


def needs_real_name(kind: OrderKind) -> bool:
    return kind in REAL_NAME_KINDS


def check_real_name(kind: OrderKind, verified: bool) -> None:
    """Numbers, devices and flash-sale units are sold only to real-name verified callers."""
    if needs_real_name(kind) and not verified:
        raise fail(
            "NOT_VERIFIED",
            "This number has not completed real-name registration (实名登记): register with "
            "realNameRegister first.",
            None,
        )


def check_may_transact(status: SubscriberStatus, kind: OrderKind | None = None) -> None:
    """Business orders need an ACTIVE number: a closed one is gone, a suspended one recharges.
    A line bought online is INACTIVE until its SIM is delivered: only its own purchase order
    (NUMBER_PURCHASE) is placed on it before that."""
    if status is SubscriberStatus.INACTIVE and kind is not OrderKind.NUMBER_PURCHASE:
        raise fail(
            "NOT_ACTIVATED", "This number is activated when its SIM card is delivered.", None
        )
    if status is SubscriberStatus.CLOSED:
        raise fail("ACCOUNT_CLOSED", "This number has been closed.", None)
    if status is SubscriberStatus.SUSPENDED:
        raise fail(
            "ACCOUNT_SUSPENDED",
            "This number is suspended for arrears: recharge first, then try again.",
            None,
        )


def check_plan_orderable(
    name: str, kind: PlanKind, on_sale: bool, requires_5g: bool, device_5g: bool | None
) -> None:
    """`device_5g` is None for an anonymous quote (no device to check)."""
    if kind is PlanKind.COMBO:
        raise fail(
            "PLAN_NOT_AVAILABLE", "A combo is ordered from its packs with bundleOrder.", "planId"
        )
    if not on_sale:
        raise fail("PLAN_NOT_AVAILABLE", f"{name} is no longer on sale.", "planId")
    if requires_5g and device_5g is False:
        raise fail(
            "DEVICE_NOT_5G",
            f"{name} needs a 5G phone; we have no 5G device on record for this number.",
            "planId",
        )


def check_add_on_orderable(name: str, active: bool) -> None:
    if not active:
        raise fail("PACK_NOT_AVAILABLE", f"{name} is no longer on sale.", "packId")


def check_not_current(current_plan_id: str | None, plan_id: str, has_pending: bool) -> None:
    """Ordering the plan one is on is a no-op, unless it cancels a different pending change."""
    if current_plan_id == plan_id and not has_pending:
        raise fail("ALREADY_ON_PLAN", "You are already on this plan.", None)


def check_expected_price(quote: Quote, expected_fen: int | None) -> None:
    """The client may say what it showed the customer: a different price orders nothing."""
    if expected_fen is not None and expected_fen != quote.final_price_fen:
        raise fail(
            "PRICE_CHANGED",
            f"The price is now {yuan(quote.final_price_fen)}, not the {yuan(expected_fen)} you "
            "were shown: nothing was ordered. Quote again and confirm the new price.",
            "expectedFinalPriceFen",
        )
