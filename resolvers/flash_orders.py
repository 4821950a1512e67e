"""Buying in a flash sale, paying for it, and giving back what is not paid in time. Everything
specific to the flash-sale order kind lives here, so it can move onto the ordering pipeline.

- buy: Redis takes the units atomically (`db.stores.flash_sales`); the database then records
  the reservation under its own guards (units_taken <= units_total, unique unit numbers per
  subscriber); if it refuses, the units go back to Redis. After SOLD_OUT this process sheds
  further attempts for a moment (a local flag) without a Redis round trip.
- pay: Redis CONFIRM decides against the deadline, inside the transaction that takes the balance
  or after the provider's signed callback. A payment that arrives after the units went back is
  refused and refunded (order REFUNDED, reason PAID_AFTER_DEADLINE): never a unit sold twice.
- reap: held reservations past their deadline go back to stock, in Redis and then in the
  database; database rows Redis no longer holds are given back after a grace period.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation, FlashSale
from db.models.orders import Order
from db.models.payments import Payment
from db.repositories import balances, catalog
from db.repositories import flash_sales as repo
from db.repositories import payments as payments_repo
from db.repositories.business_orders import lock_subscriber
from db.repositories.orders import check_key, place_once, previous_order
from domain.accounts import SubscriberStatus
from domain.errors import fail
from domain.flash.ledger import TakeCode
from domain.flash.model import (
    PAID_AFTER_DEADLINE,
    ItemKind,
    ReservationStatus,
    check_address,
    check_eligible,
    check_quantity,
    from_ms,
    refusal,
)
from domain.money import yuan
from domain.orders import OrderKind, OrderStatus
from domain.payments import PaymentMethod, PaymentPurpose, PaymentStatus
from domain.pricing import Channel
from resolvers.context import RequestContext, Services
from resolvers.flash_sales import cached_sale, load, rebuild

SOLD_OUT_SHED_SECONDS = 0.5
ORPHAN_GRACE = timedelta(seconds=60)
ALREADY_PAID = "ALREADY_PAID"


class FlashPayMethod(StrEnum):
    BALANCE = "BALANCE"
    ALIPAY = "ALIPAY"
    WECHAT = "WECHAT"
    BANK_CARD = "BANK_CARD"


# --- the local sold-out flag ------------------------------------------------------------------

_sold_out: dict[str, float] = {}


def _shed(sale_id: str) -> bool:
    until = _sold_out.get(sale_id)
    return until is not None and time.monotonic() < until


def _mark_sold_out(sale_id: str) -> None:
    _sold_out[sale_id] = time.monotonic() + SOLD_OUT_SHED_SECONDS


def stock_returned(sale_id: str) -> None:
    _sold_out.pop(sale_id, None)


# --- buy --------------------------------------------------------------------------------------


async def _take(services: Services, sale: FlashSale, key: str, rid: str, sub: str, qty: int):
    store = services.stores.flash_sales
    result = await store.take(sale.id, key, rid, sub, qty)
    if result.code is TakeCode.NOT_LOADED:
        await load(services, sale)
        result = await store.take(sale.id, key, rid, sub, qty)
    if result.code is TakeCode.NOT_LOADED:
        raise fail("TRY_AGAIN", "The flash sale is being prepared; try again.", "flashSaleId")
    return result


_needs_5g_cache: dict[str, bool] = {}


async def _needs_5g(sale: FlashSale) -> bool:
    """Whether the item is a 5G plan (a catalog fact: read once per process)."""
    if sale.item_kind is not ItemKind.PLAN:
        return False
    if sale.item_id not in _needs_5g_cache:
        plan = await catalog.plan_by_id(sale.item_id)
        _needs_5g_cache[sale.item_id] = bool(plan and plan.requires_5g)
    return _needs_5g_cache[sale.item_id]


async def flash_buy(
    ctx: RequestContext,
    subscriber_id: int,
    sale_id: str,
    quantity: int,
    idempotency_key: str,
    shipping_address: str | None,
) -> FlashReservation:
    key = check_key(idempotency_key)
    sale = await cached_sale(sale_id)
    if sale is None:
        raise fail("NOT_FOUND", "No such flash sale.", "flashSaleId")
    terms = repo.terms_of(sale)
    check_quantity(quantity, terms)
    address = check_address(terms.item_kind, shipping_address)
    if _shed(sale.id) and terms.starts_at <= ctx.now() < terms.ends_at:
        # sold out a moment ago: answer without the database, one Redis GET for a replay
        store = ctx.services.stores.flash_sales
        earlier = await store.earlier(sale.id, str(subscriber_id), key)
        if earlier is not None and earlier.ok and earlier.reservation_id:
            if (found := await repo.reservation(earlier.reservation_id)) is not None:
                return found
        raise refusal(earlier.code if earlier is not None and not earlier.ok else TakeCode.SOLD_OUT)
    subscriber = await Subscriber.get_or_none(id=subscriber_id)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    check_eligible(
        subscriber.status is SubscriberStatus.ACTIVE, await _needs_5g(sale), subscriber.device_5g
    )
    rid, sub = str(uuid4()), str(subscriber_id)
    result = await _take(ctx.services, sale, key, rid, sub, quantity)
    if not result.ok:
        if result.code is TakeCode.SOLD_OUT and quantity == 1:  # then nothing is left
            _mark_sold_out(sale.id)
        raise refusal(result.code)
    if result.reservation_id != rid:  # the same request again: its reservation
        if (found := await repo.reservation(result.reservation_id or "")) is not None:
            return found
        raise fail("TRY_AGAIN", "Your earlier request is still being recorded.", "idempotencyKey")
    new = repo.NewReservation(
        rid, sale.id, subscriber_id, key, result.units, from_ms(result.deadline_ms or 0),
        {"address": address} if address else None,
    )  # fmt: skip
    try:
        row = await repo.record_reservation(new)
    except repo.NoRoom as refused:
        # Redis granted what the database refuses: Redis is behind (it restarted while a take
        # was being recorded). The database wins: give the take back and rebuild the sale.
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        await rebuild(ctx.services, sale.id)
        if refused.reason == "SOLD_OUT" and quantity == 1:
            _mark_sold_out(sale.id)
        raise refusal(TakeCode(refused.reason)) from None
    except IntegrityError:  # this key made a reservation Redis had forgotten (a restart)
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        if (earlier := await repo.reservation_by_key(sale.id, subscriber_id, key)) is not None:
            return earlier
        raise
    except BaseException:
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        raise
    await ctx.services.sms.send(
        subscriber.msisdn,
        "FLASH_RESERVED",
        f"您已抢到{sale.name}×{quantity}，请在15分钟内完成支付，逾期自动释放。",
    )
    return row


# --- pay --------------------------------------------------------------------------------------


class _Late(Exception):
    pass


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


async def _settle(services: Services, sale: FlashSale, rid: str, sub: str, action: str) -> str:
    store = services.stores.flash_sales
    state = await store.settle(sale.id, rid, sub, action)
    if state == "NOT_LOADED":
        await load(services, sale)
        state = await store.settle(sale.id, rid, sub, action)
    if state in ("RETURNED", "RELEASED"):
        stock_returned(sale.id)
    return state


async def _list_price(sale: FlashSale) -> int:
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        return device.list_price_fen if device else sale.sale_price_fen
    if sale.item_kind is ItemKind.PLAN:
        plan = await catalog.plan_by_id(sale.item_id)
        return plan.monthly_fee_fen if plan else sale.sale_price_fen
    if sale.item_kind is ItemKind.PACK:
        add_on = await catalog.add_on_by_id(sale.item_id)
        return add_on.price_fen if add_on else sale.sale_price_fen
    return sale.sale_price_fen


async def _deliver(conn, sale: FlashSale, subscriber_id: int) -> None:
    """A phone bought is recorded on the subscriber: the 5G check of plan changes reads it."""
    if sale.item_kind is ItemKind.DEVICE:
        device = await repo.device_by_id(sale.item_id)
        if device is not None and not device.accessory:
            await (
                Subscriber.filter(id=subscriber_id)
                .using_db(conn)
                .update(device_id=device.id, device_5g=device.is_5g)
            )


async def flash_pay(
    ctx: RequestContext,
    subscriber_id: int,
    reservation_id: str,
    method: FlashPayMethod,
    idempotency_key: str,
) -> Order:
    key = check_key(idempotency_key)
    r = await repo.reservation(reservation_id)
    if r is None or r.subscriber_id != subscriber_id:  # type: ignore[attr-defined]
        raise fail("NOT_FOUND", "No such reservation.", "reservationId")
    fingerprint = _fingerprint("flash-pay", r.id, method)
    if (earlier := await previous_order(subscriber_id, key, fingerprint)) is not None:
        return earlier
    if r.status is ReservationStatus.PAID and r.order_id:
        return await Order.get(id=r.order_id)
    if r.status is not ReservationStatus.HELD:
        raise fail(
            "RESERVATION_EXPIRED", "Payment was due by then: the units went back.", "reservationId"
        )
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    amount = sale.sale_price_fen * r.quantity
    now = ctx.now()
    details = {
        "fingerprint": fingerprint, "summary": f"秒杀 {sale.name}×{r.quantity}",
        "flash_sale_id": sale.id, "reservation_id": str(r.id), "method": method.value,
    }  # fmt: skip
    list_fen = await _list_price(sale) * r.quantity
    if method is FlashPayMethod.BALANCE:
        return await _pay_from_balance(ctx, sale, r, key, fingerprint, details, amount, list_fen)
    payment_id = uuid4()

    async def place(conn) -> Order:
        order = await Order.create(
            subscriber_id=subscriber_id, kind=OrderKind.FLASH_SALE,
            status=OrderStatus.PENDING_PAYMENT, idempotency_key=key, list_price_fen=list_fen,
            final_price_fen=amount, details={**details, "payment_id": str(payment_id)},
            using_db=conn,
        )  # fmt: skip
        subscriber = await Subscriber.get(id=subscriber_id).using_db(conn)
        await Payment.create(
            id=payment_id, subscriber_id=subscriber_id, msisdn=subscriber.msisdn,
            payer_scope=f"sub:{subscriber_id}", idempotency_key=f"flash:{order.id}",
            fingerprint=fingerprint, amount_fen=amount, payable_fen=amount,
            method=PaymentMethod(method.value), channel=Channel.APP,
            purpose=PaymentPurpose.FLASH_SALE, reference=str(order.id), using_db=conn,
        )  # fmt: skip
        await FlashReservation.filter(id=r.id).using_db(conn).update(order_id=order.id)
        return order

    order, created = await place_once(subscriber_id, key, fingerprint, place)
    if created:
        provider = ctx.services.payments
        if provider is None:
            raise RuntimeError("no payment provider is configured")
        url = await provider.start(str(payment_id), amount, method.value, False)
        order.details = {**order.details, "pay_url": url}
        await Order.filter(id=order.id).update(details=order.details)
        await Payment.filter(id=payment_id).update(pay_url=url, created_at=now)
    return order


async def _pay_from_balance(ctx, sale, r, key, fingerprint, details, amount, list_fen) -> Order:
    subscriber_id = r.subscriber_id
    now = ctx.now()

    async def place(conn) -> Order:
        await lock_subscriber(conn, subscriber_id)
        order = await Order.create(
            subscriber_id=subscriber_id, kind=OrderKind.FLASH_SALE, status=OrderStatus.COMPLETED,
            idempotency_key=key, list_price_fen=list_fen, final_price_fen=amount,
            details={**details, "charged_fen": amount}, effective_from=now, using_db=conn,
        )  # fmt: skip
        await balances.debit(conn, subscriber_id, amount, "FLASH_SALE", str(order.id), at=now)
        state = await _settle(ctx.services, sale, str(r.id), str(subscriber_id), "CONFIRM")
        if state != "CONFIRMED":
            raise _Late
        if not await repo.mark_paid(conn, r.id, order.id):
            await _settle(ctx.services, sale, str(r.id), str(subscriber_id), "RELEASE")
            raise _Late
        await _deliver(conn, sale, subscriber_id)
        return order

    try:
        order, created = await place_once(subscriber_id, key, fingerprint, place)
    except _Late:
        await repo.give_back(r.id, ReservationStatus.EXPIRED)
        raise fail(
            "RESERVATION_EXPIRED", "Payment was due by then: the units went back.", "reservationId"
        ) from None
    if created:
        subscriber = await Subscriber.get(id=subscriber_id)
        await ctx.services.sms.send(
            subscriber.msisdn, "FLASH_PAID", f"您已支付{yuan(amount)}，{sale.name}购买成功。"
        )
    return order


# --- the provider's callback for a flash-sale payment -----------------------------------------


async def callback(
    services: Services, payment: Payment, txn: str, succeeded: bool
) -> tuple[int, dict]:
    """Called by `resolvers.payments.receive_callback` once the signature, nonce and amount
    are verified. Duplicates change nothing; a success after the deadline is refunded."""
    pid = str(payment.id)
    order = await Order.get(id=UUID(payment.reference or ""))
    if not succeeded:
        if await payments_repo.settle_failed(pid, "PROVIDER"):
            await Order.filter(id=order.id, status=OrderStatus.PENDING_PAYMENT).update(
                status=OrderStatus.FAILED
            )
            return 200, {"ok": True, "result": "FAILED_RECORDED", "paymentId": pid}
        return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": pid}
    moved = await Payment.filter(id=payment.id, status__in=payments_repo.SETTLEABLE).update(
        status=PaymentStatus.PAID, provider_txn_id=txn, paid_at=services.now()
    )
    if not moved:
        fresh = await Payment.get(id=payment.id)
        if fresh.provider_txn_id == txn:
            return 200, {"ok": True, "result": "ALREADY_PROCESSED", "paymentId": pid}
        return 409, {"ok": False, "error": "TXN_MISMATCH", "message": "Paid by another txn."}
    r = await FlashReservation.get(id=UUID(order.details["reservation_id"]))
    sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
    sub = str(r.subscriber_id)  # type: ignore[attr-defined]
    state = await _settle(services, sale, str(r.id), sub, "CONFIRM")
    subscriber = await Subscriber.get(id=r.subscriber_id)  # type: ignore[attr-defined]
    async with in_transaction() as conn:
        if state == "CONFIRMED" and await repo.mark_paid(conn, r.id, order.id):
            await (
                Order.filter(id=order.id)
                .using_db(conn)
                .update(status=OrderStatus.COMPLETED, effective_from=services.now())
            )
            await _deliver(conn, sale, subscriber.id)
            paid = True
        else:
            paid = False
    if paid:
        await services.sms.send(subscriber.msisdn, "FLASH_PAID", f"{sale.name}购买成功。")
        return 200, {"ok": True, "result": "CONFIRMED", "paymentId": pid}
    fresh_r = await FlashReservation.get(id=r.id)
    reason = ALREADY_PAID if fresh_r.status is ReservationStatus.PAID else PAID_AFTER_DEADLINE
    if reason == PAID_AFTER_DEADLINE and state == "CONFIRMED":
        await _settle(services, sale, str(r.id), sub, "RELEASE")  # the database gave it back
    await repo.give_back(r.id, ReservationStatus.EXPIRED)
    await _refund(services, payment, order, reason, subscriber.msisdn)
    return 200, {"ok": True, "result": "REFUNDED", "reason": reason, "paymentId": pid}


async def _refund(services: Services, payment: Payment, order: Order, reason: str, msisdn: str):
    """The provider gives the money back (the simulator settles refunds at once)."""
    await Payment.filter(id=payment.id).update(status=PaymentStatus.REFUNDED, failure_reason=reason)
    await Order.filter(id=order.id).update(
        status=OrderStatus.REFUNDED, details={**order.details, "status_reason": reason}
    )
    await services.sms.send(
        msisdn,
        "FLASH_REFUNDED",
        f"您的秒杀订单支付晚于截止时间，{yuan(payment.payable_fen)}已原路退回。",
    )


# --- reaping and statistics -------------------------------------------------------------------


async def _expire_order(r: FlashReservation) -> None:
    if r.order_id:
        await Order.filter(id=r.order_id, status=OrderStatus.PENDING_PAYMENT).update(
            status=OrderStatus.EXPIRED
        )


async def reap(services: Services, now: datetime | None = None) -> int:
    """Give back every reservation unpaid at its deadline. Safe to run anywhere, any time."""
    now = now or services.now()
    store = services.stores.flash_sales
    returned = 0
    for sale in await repo.sales_live_at(now):
        if not await store.loaded(sale.id):
            await load(services, sale)
        for rid, sub in await store.due(sale.id):
            if await _settle(services, sale, rid, sub, "EXPIRE") != "RETURNED":
                continue
            if (row := await repo.give_back(rid, ReservationStatus.EXPIRED)) is not None:
                returned += 1
                await _expire_order(row)
    for r in await repo.overdue(now - ORPHAN_GRACE):
        sale = await FlashSale.get(id=r.sale_id)  # type: ignore[attr-defined]
        await _settle(services, sale, str(r.id), str(r.subscriber_id), "RELEASE")  # type: ignore[attr-defined]
        if (row := await repo.give_back(r.id, ReservationStatus.EXPIRED)) is not None:
            returned += 1
            await _expire_order(row)
    return returned


async def flush_stats(services: Services, now: datetime | None = None) -> int:
    """Add the answers Redis counted to the database, one batch per sale."""
    store = services.stores.flash_sales
    flushed = 0
    for sale in await repo.sales_live_at(now or services.now()):
        counts = await store.take_stats(sale.id)
        if counts:
            await repo.add_stats(sale.id, counts)
            await store.stats_flushed(sale.id)
            flushed += sum(counts.values())
    return flushed
