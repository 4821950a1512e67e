"""Growth value (once per source event) and stage-reward claims (once per subscriber and
stage: the unique index decides, under the subscriber's row lock)."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from db.models.growth import GrowthAccount, GrowthClaim, GrowthEvent
from domain.calendar import as_utc


async def earn(
    conn: BaseDBAsyncClient, subscriber_id: int, source: str, value: int, at: datetime
) -> bool:
    if value <= 0 or await GrowthEvent.filter(source=source).using_db(conn).exists():
        return False
    await GrowthEvent.create(
        subscriber_id=subscriber_id, source=source, value=value, at=as_utc(at), using_db=conn
    )
    await GrowthAccount.bulk_create(
        [GrowthAccount(subscriber_id=subscriber_id)], ignore_conflicts=True, using_db=conn
    )
    await (
        GrowthAccount.filter(subscriber_id=subscriber_id)
        .using_db(conn)
        .update(value=F("value") + value)
    )
    return True


async def value_of(subscriber_id: int, conn: BaseDBAsyncClient | None = None) -> int:
    query = GrowthAccount.filter(subscriber_id=subscriber_id)
    found = await (query.using_db(conn) if conn else query).first()
    return found.value if found else 0


async def claims_of(subscriber_id: int) -> dict[int, GrowthClaim]:
    return {c.stage: c for c in await GrowthClaim.filter(subscriber_id=subscriber_id)}


async def claim_of(conn: BaseDBAsyncClient, subscriber_id: int, stage: int) -> GrowthClaim | None:
    return await GrowthClaim.get_or_none(subscriber_id=subscriber_id, stage=stage).using_db(conn)
