"""A fresh `make run` shows data in every usage and billing query (the test session seeds the
same demo data)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models.accounts import Subscriber
from db.models.ledger import BalanceEntry
from db.models.payments import RechargeCard
from db.seed.usage import DEMO_CARDS
from domain.payments import hash_card_pin
from domain.sessions import Scope
from tests.hall_clock import now as hall_now

pytestmark = pytest.mark.calendar

DEMO = """query($from: DateTime, $to: DateTime) { me {
  balance { amountFen }
  allowances { kind total used remaining source }
  usageRecords(first: 100) {
    edges { node { kind chargeFen counterparty } } pageInfo { hasNextPage } }
  dataUsage(granularity: DAY, from: $from, to: $to) { kilobytes byCategory { category } }
  bills(last: 6) { cycle status totalFen items { amountFen } }
  recharges(first: 50) { edges { node { amountFen status } } }
  autoRecharge { enabled thresholdFen amountFen }
} }"""


async def test_demo_subscribers_have_history(api, services):
    now = hall_now()
    for msisdn in ("18600000001", "18600000002", "18600000003"):
        row = await Subscriber.get(msisdn=msisdn)
        token = (await services.stores.sessions.create(Scope.FULL, row.id, msisdn)).token
        me = (
            await api.as_(token).data(
                DEMO, **{"from": (now - timedelta(days=30)).isoformat(), "to": now.isoformat()}
            )
        )["me"]
        assert me["allowances"], msisdn
        records = me["usageRecords"]["edges"]
        assert me["usageRecords"]["pageInfo"]["hasNextPage"], msisdn
        assert {"VOICE", "DATA"} <= {e["node"]["kind"] for e in records}
        assert all(
            e["node"]["counterparty"] in (None, "10086") or "****" in e["node"]["counterparty"]
            for e in records
        )
        assert sum(p["kilobytes"] for p in me["dataUsage"]) > 0
        bills = me["bills"]
        assert len(bills) == 6
        issued = [b for b in bills if b["status"] == "ISSUED"]
        assert len(issued) >= 5  # the newest is PENDING on days 1–2 of a month
        assert all(b["totalFen"] == sum(i["amountFen"] for i in b["items"]) for b in issued)
        assert len(me["recharges"]["edges"]) >= 5
        # the ledger adds up to the balance the hall shows
        entries = await BalanceEntry.filter(subscriber_id=row.id).order_by("id")
        assert sum(e.delta_fen for e in entries) == me["balance"]["amountFen"]
        assert entries[-1].balance_after_fen == me["balance"]["amountFen"]
    first = await Subscriber.get(msisdn="18600000001")
    assert first.balance_fen == 12_850
    third = await Subscriber.get(msisdn="18600000003")
    assert (third.status, third.balance_fen) == ("SUSPENDED", -1_520)
    for serial, pin, face in DEMO_CARDS:
        card = await RechargeCard.get(serial=serial)
        assert card.pin_hash == hash_card_pin(pin) and card.face_value_fen == face
