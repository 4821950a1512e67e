"""Directional and roaming packs pay only for their own use; plan allowances only at home."""

from datetime import UTC, datetime, timedelta

from domain.allowances import AllowanceKind
from domain.rating import BucketState, UsageEvent, UsageKind, rate_event

AT = datetime(2026, 11, 10, 12, tzinfo=UTC)
MB = 1024 * 1024


def bucket(id_, total_kb, scope=None, days=30):
    return BucketState(
        id_,
        AllowanceKind.DATA,
        total_kb,
        0,
        AT - timedelta(days=1),
        AT + timedelta(days=days),
        "X",
        "x",
        scope,
    )


PLAN = bucket(1, 10_240)
IQIYI = bucket(2, 30_720, "APP:爱奇艺", days=60)
HMT = bucket(3, 1_024, "ROAM:HMT", days=1)


def data(mb, app=None, zone=None):
    return UsageEvent("e", UsageKind.DATA, AT, bytes=mb * MB, service_name=app, roaming_zone=zone)


def test_general_data_never_touches_a_directional_pack():
    rating = rate_event(data(5), [PLAN, IQIYI, HMT])
    assert [d.bucket_id for d in rating.draws] == [1]


def test_app_data_uses_its_directional_pack_first():
    rating = rate_event(data(5, app="爱奇艺"), [PLAN, IQIYI, HMT])
    assert [d.bucket_id for d in rating.draws] == [2]


def test_directional_pack_overflow_falls_back_to_the_plan():
    small = bucket(2, 1_024, "APP:爱奇艺")
    rating = rate_event(data(3, app="爱奇艺"), [PLAN, small])
    assert [(d.bucket_id, d.amount) for d in rating.draws] == [(2, 1_024), (1, 2_048)]


def test_roaming_use_draws_only_its_zone_pack_then_pays():
    rating = rate_event(data(2, zone="HMT"), [PLAN, IQIYI, HMT])
    assert [(d.bucket_id, d.amount) for d in rating.draws] == [(3, 1_024)]
    assert rating.overflow == 1_024 and rating.charge_fen > 0
    elsewhere = rate_event(data(1, zone="EU"), [PLAN, HMT])
    assert elsewhere.draws == () and elsewhere.overflow == 1_024
