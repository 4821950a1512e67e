"""Real-name identities: the per-ID quota is one guarded UPDATE, race-free on both databases."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F

from db.models.numbers import IdentityQuota, SubscriberIdentity


async def take_quota(conn, id_digest: str, limit: int) -> bool:
    db = conn
    if db.capabilities.dialect == "postgres":
        sql = "INSERT INTO identity_quota (id_digest, used) VALUES ($1, 0) ON CONFLICT DO NOTHING"
    else:
        sql = "INSERT INTO identity_quota (id_digest, used) VALUES (?, 0) ON CONFLICT DO NOTHING"
    await db.execute_query(sql, [id_digest])
    updated = (
        await IdentityQuota.filter(id_digest=id_digest, used__lt=limit)
        .using_db(conn)
        .update(used=F("used") + 1)
    )
    return updated == 1


async def record(
    conn, subscriber_id: int, name: str, masked: str, digest: str, at: datetime
) -> None:
    await SubscriberIdentity.create(
        subscriber_id=subscriber_id,
        name=name,
        id_masked=masked,
        id_digest=digest,
        registered_at=at,
        using_db=conn,
    )


async def give_back_quota(conn, id_digest: str) -> None:
    """One number fewer on this ID (a purchase unpaid, failed or refunded)."""
    await (
        IdentityQuota.filter(id_digest=id_digest, used__gt=0)
        .using_db(conn)
        .update(used=F("used") - 1)
    )


async def replace(
    conn, subscriber_id: int, name: str, masked: str, digest: str, at: datetime
) -> None:
    """The real name behind a line bought online (an earlier unpaid attempt's row goes)."""
    await SubscriberIdentity.filter(subscriber_id=subscriber_id).using_db(conn).delete()
    await record(conn, subscriber_id, name, masked, digest, at)


async def forget(conn, subscriber_id: int) -> None:
    await SubscriberIdentity.filter(subscriber_id=subscriber_id).using_db(conn).delete()
