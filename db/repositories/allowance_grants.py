"""What an add-on grants: AllowanceBucket rows (source ADDON), written in the order's transaction.

Base units as the buckets keep them: data in KB (MB x 1024), voice in minutes, SMS in messages.
The bucket is valid from the purchase to the add-on's validity end. Directional and roaming
add-ons grant buckets with a `scope` (APP:<app>, ROAM:<zone>) that rating honours.

Buying a half-year pack again while one of the same pack is still live tops that bucket up
(total += the pack's amount, so the new data adds to what remains) and moves its end to six
months after this purchase, instead of opening a second bucket.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from db.models.catalog import AddOn
from db.models.usage import AllowanceBucket
from domain.allowances import from_display
from domain.calendar import as_utc
from domain.catalog import AddOnKind, allowances, validity_end

SOURCE_ADDON = "ADDON"


def bucket_scope(add_on: AddOn) -> str | None:
    """Directional packs pay only for their app, roaming packs only in their zone."""
    if add_on.kind is AddOnKind.DIRECTIONAL_VIDEO and add_on.app:
        return f"APP:{add_on.app}"
    if add_on.kind is AddOnKind.ROAMING and add_on.destination_id:  # type: ignore[attr-defined]
        return f"ROAM:{add_on.destination_id}"  # type: ignore[attr-defined]
    return None


async def grant_add_on(
    conn: BaseDBAsyncClient, subscriber_id: int, add_on: AddOn, now: datetime, order_id: object
) -> list[AllowanceBucket]:
    now = as_utc(now)  # SQLite compares instants as text: always store and query in UTC
    valid_until = validity_end(add_on.validity_kind, add_on.validity_length, now)
    granted: list[AllowanceBucket] = []
    for allowance in allowances(add_on.data_mb, add_on.voice_minutes, add_on.sms_count):
        total = from_display(allowance.kind, allowance.amount)
        if add_on.kind is AddOnKind.HALF_YEAR_DATA:
            live = (
                await AllowanceBucket.filter(
                    subscriber_id=subscriber_id,
                    source=SOURCE_ADDON,
                    source_id=add_on.id,
                    kind=allowance.kind,
                    valid_until__gt=now,
                )
                .using_db(conn)
                .order_by("-valid_until", "-id")
                .first()
            )
            if live is not None:
                await (
                    AllowanceBucket.filter(id=live.id)
                    .using_db(conn)
                    .update(
                        total=F("total") + total, valid_until=max(valid_until, live.valid_until)
                    )
                )
                await live.refresh_from_db(using_db=conn)
                granted.append(live)
                continue
        granted.append(
            await AllowanceBucket.create(
                subscriber_id=subscriber_id,
                kind=allowance.kind,
                total=total,
                used=0,
                source=SOURCE_ADDON,
                source_id=add_on.id,
                source_name=add_on.name,
                scope=bucket_scope(add_on),
                grant=f"ORDER:{order_id}",
                valid_from=now,
                valid_until=valid_until,
                using_db=conn,
            )
        )
    return granted
