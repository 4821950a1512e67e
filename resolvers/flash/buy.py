"""Buying in a flash sale: Redis takes the units atomically, the database records the
reservation under its own guards; when it refuses, the units go back and the sale is rebuilt.

The cost of an attempt follows its answer: a refusal (sold out, over the limit, outside the
window) is the TAKE script and nothing else — no database read — because the storm is almost all
refusals. Only a unit Redis granted reads the subscriber (eligibility, real name: a refused
buyer's units go straight back) and writes once, in one transaction: the SMS notice, the
reservation and its unit rows — rows of its own only, so wins of one sale do not queue on a
shared row (the unit rows' keys and bounds are the database's guard against overselling). After
SOLD_OUT a process sheds attempts for a moment with one Redis GET (a replay still gets its first
answer)."""

from __future__ import annotations

from uuid import uuid4

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.models.accounts import Subscriber
from db.models.flash import FlashReservation, FlashSale
from db.repositories import catalog
from db.repositories import flash_sales as repo
from db.repositories.orders import check_key
from domain.accounts import SubscriberStatus
from domain.calendar import local
from domain.errors import DomainError, fail
from domain.flash.ledger import TakeCode
from domain.flash.model import (
    ItemKind,
    check_address,
    check_eligible,
    check_quantity,
    from_ms,
    refusal,
)
from domain.orders import OrderKind
from domain.orders.eligibility import check_real_name
from resolvers.context import RequestContext, Services
from resolvers.flash.loading import cached_sale, load, mark_sold_out, rebuild, settle, shed


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


async def _eligible_buyer(sale: FlashSale, subscriber_id: int) -> Subscriber:
    subscriber = await Subscriber.get_or_none(id=subscriber_id)
    if subscriber is None:
        raise fail("NOT_FOUND", "This subscriber no longer exists.", None)
    check_eligible(
        subscriber.status is SubscriberStatus.ACTIVE, await _needs_5g(sale), subscriber.device_5g
    )
    check_real_name(OrderKind.FLASH_SALE, subscriber.real_name_verified)
    return subscriber


def _code(refused: BaseException) -> str:
    """The statistics' name for why a granted unit went back (FAILED: not a business rule)."""
    if isinstance(refused, DomainError):
        return refused.problems[0].code
    return "FAILED"


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
    if shed(sale.id) and terms.starts_at <= ctx.now() < terms.ends_at:
        # sold out a moment ago: answer without the database, one Redis GET for a replay
        store = ctx.services.stores.flash_sales
        earlier = await store.earlier(sale.id, str(subscriber_id), key)
        found = None
        if earlier is not None and earlier.ok and earlier.reservation_id:
            found = await repo.reservation(earlier.reservation_id)
        if found is not None:
            return found
        raise refusal(earlier.code if earlier is not None and not earlier.ok else TakeCode.SOLD_OUT)
    rid, sub = str(uuid4()), str(subscriber_id)
    result = await _take(ctx.services, sale, key, rid, sub, quantity)
    if not result.ok:
        if result.code is TakeCode.SOLD_OUT and quantity == 1:  # then nothing is left
            mark_sold_out(sale.id)
        raise refusal(result.code)
    if result.reservation_id != rid:  # the same request again: its reservation
        if (found := await repo.reservation(result.reservation_id or "")) is not None:
            return found
        raise fail("TRY_AGAIN", "Your earlier request is still being recorded.", "idempotencyKey")
    try:
        subscriber = await _eligible_buyer(sale, subscriber_id)
    except BaseException as refused:
        # a granted unit for a buyer who may not have it: back at once, and the request key
        # forgotten, so that asking again is decided again (not replayed as this grant)
        await settle(ctx.services, sale, rid, sub, "RELEASE")
        await ctx.services.stores.flash_sales.forget_request(sale.id, sub, key, _code(refused))
        raise
    new = repo.NewReservation(
        rid, sale.id, subscriber_id, key, result.units, result.numbers,
        from_ms(result.deadline_ms or 0), {"address": address} if address else None,
    )  # fmt: skip
    try:
        async with in_transaction() as conn:  # the attempt's one write
            await ctx.services.sms.send(
                subscriber.msisdn,
                "FLASH_RESERVED",
                f"您已抢到{sale.name}×{quantity}，请在{local(new.pay_by):%H:%M}前完成支付，逾期自动释放。",
                using_db=conn,
                subscriber_id=subscriber_id,
            )
            row = await repo.record_reservation(conn, new)
    except repo.NoRoom:
        # Redis granted what the database refuses: Redis is behind (it restarted while a take
        # was being recorded). The database wins: give the take back and rebuild the sale.
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        await rebuild(ctx.services, sale.id)
        reason = TakeCode(await repo.refused_as(sale, subscriber_id, quantity))
        if reason is TakeCode.SOLD_OUT and quantity == 1:
            mark_sold_out(sale.id)
        raise refusal(reason) from None
    except IntegrityError:  # this key made a reservation Redis had forgotten (a restart)
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        if (earlier := await repo.reservation_by_key(sale.id, subscriber_id, key)) is not None:
            return earlier
        raise
    except BaseException:
        await ctx.services.stores.flash_sales.settle(sale.id, rid, sub, "RELEASE")
        raise
    return row
