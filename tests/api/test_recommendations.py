"""me.recommendations: from the median of the last 3 months' usage, never dearer than staying."""

from datetime import datetime

from db.models.usage import UsageRecord
from domain.calendar import SHANGHAI
from tests.conftest import subscribe

RECOMMENDATIONS = """{ me { recommendations { kind monthlyFeeFen monthlySavingFen reason
  plan { id monthlyFeeFen } combo { id name monthlyFeeFen packs { id } allowances { kind amount }
  selection { dataPackId voicePackId smsPackId vasPackIds } } } } }"""
NOW = datetime(2026, 11, 22, 10, tzinfo=SHANGHAI)


async def _used(subscriber_id: int, month: int, data_mb: int, voice: int, sms: int) -> None:
    """Rated detail records of that month (what recommendations read)."""
    at = datetime(2026, month, 10, tzinfo=SHANGHAI)
    for kind, used in (("DATA", data_mb * 1024), ("VOICE", voice), ("SMS", sms)):
        await UsageRecord.create(
            event_id=f"rec-{subscriber_id}-{month}-{kind}", fingerprint="x",
            subscriber_id=subscriber_id, kind=kind, cycle=f"2026-{month:02d}", occurred_at=at,
            quantity=used,
        )  # fmt: skip


async def test_empty_without_usage(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services)
    assert (await api.as_(sub.token).data(RECOMMENDATIONS))["me"]["recommendations"] == []


async def test_a_light_user_on_an_expensive_plan(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, plan_id="4G-396")
    await _used(sub.id, 8, 500, 150, 20)
    await _used(sub.id, 9, 700, 180, 5)
    await _used(sub.id, 10, 600, 400, 10)
    await _used(sub.id, 11, 9_000, 2000, 500)  # the month in progress is left out
    recs = (await api.as_(sub.token).data(RECOMMENDATIONS))["me"]["recommendations"]
    by_kind = {r["kind"]: r for r in recs}
    plan = by_kind["PLAN"]
    # Median 600MB, 180 min, 10 SMS. No 4G plan includes SMS, so none covers it all and the
    # cheapest at that usage wins: 4G-106 (800MB, 300 min). Both plans pay the 10 SMS (¥0.10
    # each) on top, so the saving is the difference of the fees.
    assert plan["plan"]["id"] == "4G-106" and plan["monthlyFeeFen"] == 10600
    assert plan["monthlySavingFen"] == 39600 - 10600
    assert "近3个月" in plan["reason"]
    combo = by_kind["COMBO"]
    assert combo["combo"]["selection"] == {
        "dataPackId": "DATA-1G",
        "voicePackId": "VOICE-200",
        "smsPackId": "SMS-200",
        "vasPackIds": [],
    }
    assert combo["monthlyFeeFen"] == combo["combo"]["monthlyFeeFen"] == 4800 + 3200 + 1000
    # The combo covers everything, SMS included: the current plan's ¥1.00 of SMS is saved too.
    assert combo["monthlySavingFen"] == 39600 + 10 * 10 - combo["monthlyFeeFen"]
    assert all(r["monthlySavingFen"] > 0 for r in recs)
    assert recs == sorted(recs, key=lambda r: -r["monthlySavingFen"])


async def test_nothing_when_the_current_plan_is_already_cheapest(api, services, clock):
    clock.set(NOW)
    sub = await subscribe(services, plan_id="4G-76")
    for month in (8, 9, 10):
        await _used(sub.id, month, 390, 190, 0)
    recs = (await api.as_(sub.token).data(RECOMMENDATIONS))["me"]["recommendations"]
    # 4G-76 costs ¥76; the cheapest covering combo (500MB + 200 min) costs ¥56, so only a combo.
    assert [r["kind"] for r in recs] == ["COMBO"]
    assert recs[0]["monthlySavingFen"] == 7600 - (2400 + 3200)
