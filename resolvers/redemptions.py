"""Redeeming points in the mall, cancelling before fulfilment, and the operator's fulfilment.

One transaction per redemption, locks in the hall's order (subscriber, points account, then
the item's stock row, shared by all customers, so taken last and held briefly): the
per-subscriber count, the points (earliest-expiring lots first), the cash part (from the phone
balance), the stock, the delivery (a code, a data bucket, bill credit) and the record. Any
refusal rolls all of it back. The same idempotencyKey returns the first redemption."""

from __future__ import annotations

import hashlib
import json
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db import metrics
from db.models.accounts import Subscriber
from db.models.catalog import AddOn
from db.models.points import MallItem, Redemption
from db.repositories import balances, mall
from db.repositories import points as points_repo
from db.repositories.allowance_grants import grant_add_on
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key
from domain.accounts import SubscriberStatus
from domain.errors import fail
from domain.money import yuan
from domain.points.mall import (
    CANCELLABLE,
    CODE_KINDS,
    ItemTerms,
    MallItemKind,
    RedemptionStatus,
    ShippingAddress,
    check_address,
    check_cancellable,
    cost_of,
    first_status,
    next_fulfilment,
    out_of_stock,
)
from resolvers.context import RequestContext
from resolvers.pagination import Page, keyset_page


def terms_of(item: MallItem) -> ItemTerms:
    return ItemTerms(
        kind=item.kind,
        points_price=item.points_price,
        cash_price_fen=item.cash_price_fen,
        per_subscriber_limit=item.per_subscriber_limit,
        available_from=item.available_from,
        available_until=item.available_until,
        archived=item.archived,
    )


def _fingerprint(item_id: str, quantity: int, address: ShippingAddress | None) -> str:
    raw = json.dumps([item_id, quantity, address.as_json() if address else None], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _same(found: Redemption, fingerprint: str) -> Redemption:
    if found.fingerprint != fingerprint:
        raise fail(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotencyKey was already used for a different redemption.",
            "idempotencyKey",
        )
    return found


async def _deliver(conn, item: MallItem, subscriber_id: int, rid: UUID, quantity: int, now):
    codes: list[str] = []
    if item.kind in CODE_KINDS:
        codes = await mall.hand_out_codes(conn, item.id, rid, quantity)
    elif item.kind is MallItemKind.DATA_PACK:
        add_on = await AddOn.get_or_none(id=item.add_on_id).using_db(conn)
        if add_on is None:
            raise fail("NOT_AVAILABLE", "This data pack is no longer offered.", "itemId")
        for unit in range(quantity):  # one bucket per unit: a grant key is unique per bucket
            await grant_add_on(conn, subscriber_id, add_on, now, f"M{rid.hex}:{unit}")
    elif item.kind is MallItemKind.BILL_CREDIT:
        await balances.credit(
            conn, subscriber_id, item.credit_fen * quantity, "POINTS_MALL_CREDIT", str(rid), at=now
        )
    return codes


async def points_redeem(
    ctx: RequestContext,
    subscriber_id: int,
    item_id: str,
    quantity: int,
    key: str,
    address: ShippingAddress | None,
) -> Redemption:
    key = check_key(key)
    now = ctx.now()
    item = await mall.item_by_id(item_id)
    if item is None:
        raise fail("NOT_FOUND", "There is no such item in the mall.", "itemId")
    address = check_address(item.kind, address)
    fingerprint = _fingerprint(item.id, quantity, address)
    if (found := await mall.redemption_by_key(None, subscriber_id, key)) is not None:
        return _same(found, fingerprint)
    cost = cost_of(terms_of(item), quantity, now)
    if item.stock < quantity:  # answer a sold-out item before counting points: the guard decides
        raise out_of_stock()
    rid = uuid4()
    try:
        async with in_transaction() as conn:
            subscriber = await lock_subscriber(conn, subscriber_id)
            if subscriber is None or subscriber.status is SubscriberStatus.CLOSED:
                raise fail("ACCOUNT_CLOSED", "This number has been closed.", None)
            if (found := await mall.redemption_by_key(conn, subscriber_id, key)) is not None:
                return _same(found, fingerprint)
            await mall.take_limit(conn, item.id, subscriber_id, quantity, item.per_subscriber_limit)
            if cost.points:
                await points_repo.redeem(
                    conn, subscriber_id, f"REDEEM:{rid}", cost.points, now, note=item.name
                )
            if cost.cash_fen:
                await balances.debit(
                    conn, subscriber_id, cost.cash_fen, "POINTS_MALL", str(rid), at=now
                )
            # The item's stock row is shared by every customer: take it last, hold it briefly.
            await mall.take_stock(conn, item.id, quantity)
            codes = await _deliver(conn, item, subscriber_id, rid, quantity, now)
            redemption = await Redemption.create(
                id=rid,
                subscriber_id=subscriber_id,
                item_id=item.id,
                idempotency_key=key,
                fingerprint=fingerprint,
                quantity=quantity,
                points_spent=cost.points,
                cash_fen=cost.cash_fen,
                status=first_status(item.kind),
                shipping_address=address.as_json() if address else None,
                codes=codes,
                created_at=now,
                using_db=conn,
            )
    except IntegrityError:
        if (found := await mall.redemption_by_key(None, subscriber_id, key)) is not None:
            return _same(found, fingerprint)
        raise
    metrics.points_redeemed(cost.points)  # a new redemption only: replays returned above
    cash = f"和{yuan(cost.cash_fen)}话费" if cost.cash_fen else ""
    delivery = f"，兑换码：{'、'.join(codes)}" if codes else ""
    await ctx.services.sms.send(
        subscriber.msisdn,
        "POINTS_REDEEMED",
        f"您已使用{cost.points}积分{cash}兑换{item.name}×{quantity}{delivery}。",
    )
    return redemption


async def _own(subscriber_id: int, redemption_id: str) -> Redemption:
    try:
        rid = UUID(str(redemption_id))
    except ValueError:
        rid = None
    found = await Redemption.get_or_none(id=rid) if rid else None
    if found is None or found.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "No such redemption.", "id")
    return found


async def redemption_cancel(
    ctx: RequestContext, subscriber_id: int, redemption_id: str
) -> Redemption:
    """Before fulfilment: points, cash and stock go back exactly once."""
    redemption = await _own(subscriber_id, redemption_id)
    if redemption.status is RedemptionStatus.CANCELLED:
        return redemption
    check_cancellable(redemption.status)
    now = ctx.now()
    async with in_transaction() as conn:
        await lock_subscriber(conn, subscriber_id)
        if not await mall.move_status(conn, redemption.id, CANCELLABLE, RedemptionStatus.CANCELLED):
            fresh = await Redemption.get(id=redemption.id).using_db(conn)
            if fresh.status is RedemptionStatus.CANCELLED:
                return fresh
            check_cancellable(fresh.status)
        item_id = redemption.item_id  # type: ignore[attr-defined]
        await mall.return_limit(conn, item_id, subscriber_id, redemption.quantity)
        await points_repo.refund(
            conn, subscriber_id, f"REDEEM:{redemption.id}", now, note="兑换取消"
        )
        if redemption.cash_fen:
            await balances.credit(
                conn,
                subscriber_id,
                redemption.cash_fen,
                "POINTS_MALL_REFUND",
                str(redemption.id),
                at=now,
            )
        await mall.return_stock(conn, item_id, redemption.quantity)
    subscriber = await Subscriber.get(id=subscriber_id)
    await ctx.services.sms.send(
        subscriber.msisdn,
        "POINTS_REDEMPTION_CANCELLED",
        f"您的积分兑换已取消，{redemption.points_spent}积分已退回。",
    )
    return await Redemption.get(id=redemption.id)


async def redemption_fulfil(
    ctx: RequestContext,
    redemption_id: str,
    target: RedemptionStatus,
    tracking_number: str | None = None,
) -> Redemption:
    """OPERATOR: ORDERED -> SHIPPED (with a tracking number) -> DELIVERED."""
    try:
        found = await Redemption.get_or_none(id=UUID(str(redemption_id)))
    except ValueError:
        found = None
    if found is None:
        raise fail("NOT_FOUND", "No such redemption.", "id")
    if found.status is target:
        return found  # a repeated call changes nothing
    next_fulfilment(found.status, target)
    changes = {}
    if target is RedemptionStatus.SHIPPED:
        tracking = (tracking_number or "").strip()
        if not 4 <= len(tracking) <= 40:
            raise fail("TRACKING_REQUIRED", "Give the carrier's tracking number.", "trackingNumber")
        changes["tracking_number"] = tracking
    async with in_transaction() as conn:
        if not await mall.move_status(conn, found.id, {found.status}, target, **changes):
            raise fail("INVALID_TRANSITION", "The redemption changed meanwhile.", "status")
    subscriber = await Subscriber.get(id=found.subscriber_id)  # type: ignore[attr-defined]
    text = (
        f"您兑换的商品已发货，运单号{changes['tracking_number']}。"
        if target is RedemptionStatus.SHIPPED
        else "您兑换的商品已签收，感谢使用积分商城。"
    )
    await ctx.services.sms.send(subscriber.msisdn, f"POINTS_GOODS_{target.value}", text)
    return await Redemption.get(id=found.id)


async def redemptions_page(
    subscriber_id: int, first: int | None, after: str | None
) -> Page[Redemption]:
    return await keyset_page(
        mall.redemptions_of(subscriber_id), first, after, ("-created_at", "-id")
    )
