"""Self-service real-name registration (实名补登记) for a subscriber not yet verified."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from db.repositories import identities
from db.repositories.business_orders import lock_subscriber
from domain.errors import fail
from domain.numbers.identity import id_digest, mask_id, parse_resident_id
from domain.numbers.purchase import check_name
from resolvers.context import RequestContext


async def register(ctx: RequestContext, subscriber_id: int, name: str, id_number: str) -> str:
    """Verify the caller's real name; returns the masked ID number."""
    now = ctx.now()
    clean_name = check_name(name)
    resident = parse_resident_id(id_number, now)
    digest = id_digest(resident.number, ctx.settings.id_number_secret)
    async with in_transaction() as conn:
        subscriber = await lock_subscriber(conn, subscriber_id)
        if subscriber is None:
            raise fail("NOT_FOUND", "号码不存在")
        if subscriber.real_name_verified:
            raise fail("REAL_NAME_ALREADY_VERIFIED", "该号码已完成实名登记")
        if not await identities.take_quota(conn, digest, ctx.settings.id_numbers_per_person):
            limit = ctx.settings.id_numbers_per_person
            raise fail("ID_LIMIT_REACHED", f"同一证件最多登记{limit}个号码", "idNumber")
        await identities.record(
            conn, subscriber.id, clean_name, mask_id(resident.number), digest, now
        )
        subscriber.real_name_verified = True
        subscriber.real_name = clean_name
        await subscriber.save(using_db=conn, update_fields=["real_name_verified", "real_name"])
    await ctx.services.sms.send(
        subscriber.msisdn,
        "REAL_NAME_REGISTERED",
        f"您的号码已完成实名登记（证件{mask_id(resident.number)}）。",
    )
    return mask_id(resident.number)
