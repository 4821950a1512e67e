"""The pure reference model of cap reservations (`domain.promotions.caps` states the rules): the
Redis Lua scripts must match it step for step (`tests/integration/test_cap_store_machine.py`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.calendar import as_utc
from domain.promotions.caps import HOLD, CampaignUsage, CapTake, ReservationState, within_caps
from domain.promotions.model import Caps

_GIVEN_BACK = (ReservationState.RETURNED, ReservationState.RELEASED)


@dataclass(frozen=True)
class ReserveResult:
    ok: bool
    refused_by: str | None = None  # campaign id whose cap was reached
    unloaded: str | None = None  # capped campaign whose counters must be rebuilt first


@dataclass
class Reservation:
    reservation_id: str
    subscriber_id: str
    takes: tuple[CapTake, ...]
    expires_at: datetime
    state: ReservationState


class CapLedger:
    def __init__(self, caps: Mapping[str, Caps], hold: timedelta = HOLD) -> None:
        self._caps = dict(caps)
        self._hold = hold
        self._reservations: dict[str, Reservation] = {}
        self._results: dict[str, ReserveResult] = {}
        self._units: dict[str, int] = defaultdict(int)
        self._budget: dict[str, int] = defaultdict(int)
        self._subscriber_units: dict[tuple[str, str], int] = defaultdict(int)
        self._committed_units: dict[str, int] = defaultdict(int)
        self._committed_budget: dict[str, int] = defaultdict(int)
        self._committed_sub: dict[tuple[str, str], int] = defaultdict(int)
        self._loaded: set[str] = set(self._caps)  # loaded at start-up

    def restart(self) -> None:
        """Redis restarted empty: every reservation and counter is gone, nothing is loaded;
        what was committed (the database) stays."""
        self._reservations.clear()
        self._results.clear()
        self._units.clear()
        self._budget.clear()
        self._subscriber_units.clear()
        self._loaded.clear()

    def load(self, campaign_id: str) -> bool:
        """Rebuild a campaign's counters from what was committed: each becomes the larger of
        what it holds and the committed count. False when it was loaded already."""
        if campaign_id in self._loaded:
            return False
        cid = campaign_id
        self._units[cid] = max(self._units[cid], self._committed_units[cid])
        self._budget[cid] = max(self._budget[cid], self._committed_budget[cid])
        for (c, subscriber), n in list(self._committed_sub.items()):
            if c == cid:
                key = (cid, subscriber)
                self._subscriber_units[key] = max(self._subscriber_units[key], n)
        self._loaded.add(cid)
        return True

    def committed_of(self, campaign_id: str) -> tuple[int, int, dict[str, int]]:
        """What the database would hand to a rebuild: units, budget, units per subscriber."""
        per = {s: n for (c, s), n in self._committed_sub.items() if c == campaign_id and n}
        return self._committed_units[campaign_id], self._committed_budget[campaign_id], per

    def _capped(self, campaign_id: str) -> bool:
        caps = self._caps.get(campaign_id)
        return caps is not None and (
            caps.units_total is not None
            or caps.per_subscriber is not None
            or caps.budget_fen is not None
        )

    def reserve(
        self, reservation_id: str, subscriber_id: str, takes: Iterable[CapTake], at: datetime
    ) -> ReserveResult:
        if reservation_id in self._results:
            return self._results[reservation_id]
        takes = tuple(takes)
        if len({t.campaign_id for t in takes}) != len(takes):
            raise ValueError("one take per campaign")
        if any(t.units < 0 or t.budget_fen < 0 for t in takes):
            raise ValueError("takes are never negative")
        unloaded = next(
            (t.campaign_id for t in takes if self._capped(t.campaign_id)
             and t.campaign_id not in self._loaded),
            None,
        )  # fmt: skip
        if unloaded is not None:
            return ReserveResult(ok=False, unloaded=unloaded)  # fails closed, not remembered
        refused = next((t.campaign_id for t in takes if not self._fits(t, subscriber_id)), None)
        result = ReserveResult(ok=refused is None, refused_by=refused)
        self._results[reservation_id] = result
        if result.ok:
            for t in takes:
                self._move(t, subscriber_id, +1)
            self._reservations[reservation_id] = Reservation(
                reservation_id, subscriber_id, takes, as_utc(at) + self._hold, ReservationState.HELD
            )
        return result

    def confirm(self, reservation_id: str, at: datetime) -> bool:
        r = self._reservations.get(reservation_id)
        if r is None or r.state in _GIVEN_BACK:
            return False
        if r.state is ReservationState.CONFIRMED:
            return True
        if as_utc(at) >= r.expires_at:
            self._give_back(r)
            return False
        r.state = ReservationState.CONFIRMED
        for t in r.takes:
            self._committed_units[t.campaign_id] += t.units
            self._committed_budget[t.campaign_id] += t.budget_fen
            self._committed_sub[(t.campaign_id, r.subscriber_id)] += t.units
        return True

    def cancel(self, reservation_id: str) -> bool:
        """True when the reservation is (now) given back."""
        r = self._reservations.get(reservation_id)
        if r is None or r.state is ReservationState.CONFIRMED:
            return False
        self._give_back(r)
        return True

    def expire(self, reservation_id: str, at: datetime) -> bool:
        """Give back an unpaid reservation whose hold has lapsed; early calls change nothing."""
        r = self._reservations.get(reservation_id)
        if r is None or r.state is not ReservationState.HELD or as_utc(at) < r.expires_at:
            return r is not None and r.state in _GIVEN_BACK
        self._give_back(r)
        return True

    def release(self, reservation_id: str) -> bool:
        """Give back a reservation, confirmed or held; True when it is (now) given back."""
        r = self._reservations.get(reservation_id)
        if r is None:
            return False
        if r.state is ReservationState.CONFIRMED:
            for t in r.takes:
                self._move(t, r.subscriber_id, -1)
                self._committed_units[t.campaign_id] -= t.units
                self._committed_budget[t.campaign_id] -= t.budget_fen
                self._committed_sub[(t.campaign_id, r.subscriber_id)] -= t.units
            r.state = ReservationState.RELEASED
            return True
        self._give_back(r)
        return True

    def due(self, at: datetime) -> list[str]:
        """Held reservations whose hold has lapsed at `at`, for the sweeper."""
        t = as_utc(at)
        return sorted(
            r.reservation_id
            for r in self._reservations.values()
            if r.state is ReservationState.HELD and r.expires_at <= t
        )

    def state(self, reservation_id: str) -> ReservationState | None:
        r = self._reservations.get(reservation_id)
        return None if r is None else r.state

    def usage(self, campaign_id: str, subscriber_id: str | None = None) -> CampaignUsage:
        return CampaignUsage(
            units_taken=self._units[campaign_id],
            subscriber_units=(
                self._subscriber_units[(campaign_id, subscriber_id)] if subscriber_id else 0
            ),
            budget_spent_fen=self._budget[campaign_id],
        )

    def usage_for(self, subscriber_id: str | None) -> dict[str, CampaignUsage]:
        """The snapshot `engine.evaluate` takes, for every campaign this ledger knows."""
        ids = set(self._caps) | set(self._units)
        return {cid: self.usage(cid, subscriber_id) for cid in ids}

    def committed(self, campaign_id: str) -> tuple[int, int]:
        """Confirmed units and budget fen: what PostgreSQL holds for this campaign."""
        return self._committed_units[campaign_id], self._committed_budget[campaign_id]

    def _fits(self, take: CapTake, subscriber_id: str) -> bool:
        caps = self._caps.get(take.campaign_id)
        if caps is None:
            return True
        cid = take.campaign_id
        used = CampaignUsage(
            self._units[cid], self._subscriber_units[(cid, subscriber_id)], self._budget[cid]
        )
        return within_caps(caps, used, take.units, take.budget_fen)

    def _give_back(self, r: Reservation) -> None:
        """A held reservation returns its takes; one already given back stays as it is."""
        if r.state is ReservationState.HELD:
            for t in r.takes:
                self._move(t, r.subscriber_id, -1)
            r.state = ReservationState.RETURNED

    def _move(self, take: CapTake, subscriber_id: str, sign: int) -> None:
        self._units[take.campaign_id] += sign * take.units
        self._budget[take.campaign_id] += sign * take.budget_fen
        self._subscriber_units[(take.campaign_id, subscriber_id)] += sign * take.units
