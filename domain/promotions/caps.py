"""Campaign caps: the pure reference model that the Redis Lua script must match, step for step.

An order reserves, in one atomic step, everything its quote takes from capped campaigns (units
and budget fen per campaign, see `takes_for`). The rules:

- `reserve` succeeds only if, for every campaign in it, units taken nationwide, the subscriber's
  units and the budget spent would all stay within the caps; otherwise nothing is taken and the
  result names the first campaign (in the order given) that refused. "Taken" counts held and
  confirmed reservations, so a flood of unpaid orders can never oversell.
- A reservation is held for `hold` (15 minutes by policy). `confirm` (payment arrived in time)
  makes it permanent; this is what PostgreSQL keeps as committed counts. A confirmation that
  arrives after the hold has lapsed is refused and the reservation is returned, exactly as if the
  sweeper had expired it first: the order must take its units again.
- `cancel` and `expire` give a held reservation back. Confirmed reservations are never given back
  by them; refunds are a separate business.
- `release` is the one way back for a confirmed reservation: an order that was committed before it
  took effect (a plan change scheduled for the 1st) and was then superseded or cancelled gives its
  units and budget back, and the committed counts drop by as much (state RELEASED). On a held
  reservation it acts as `cancel`.
- Every operation is idempotent per reservation id: reserving an id again returns the first
  result (even a refusal) and changes nothing; repeating confirm/cancel/expire changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.calendar import as_utc
from domain.pricing import Quote
from domain.promotions.model import Caps

HOLD = timedelta(minutes=15)


@dataclass(frozen=True)
class CampaignUsage:
    """What a campaign's caps have already given out, as the engine needs it to price."""

    units_taken: int = 0  # held + confirmed, nationwide
    subscriber_units: int = 0  # held + confirmed by the subscriber being priced
    budget_spent_fen: int = 0  # held + confirmed


@dataclass(frozen=True)
class CapTake:
    campaign_id: str
    units: int
    budget_fen: int


def takes_for(quote: Quote) -> tuple[CapTake, ...]:
    """What an order placed on this quote must reserve: the applied campaigns that have caps."""
    capped = set(quote.campaign_units)
    return tuple(
        CapTake(a.campaign_id, a.units, a.spend_fen)
        for a in quote.applied
        if a.campaign_id in capped
    )


class ReservationState(StrEnum):
    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    RETURNED = "RETURNED"  # given back while held (cancelled, expired, paid too late)
    RELEASED = "RELEASED"  # given back after it was confirmed (`release`)


_GIVEN_BACK = (ReservationState.RETURNED, ReservationState.RELEASED)


@dataclass(frozen=True)
class ReserveResult:
    ok: bool
    refused_by: str | None = None  # campaign id whose cap was reached


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
        return (
            (caps.units_total is None or self._units[cid] + take.units <= caps.units_total)
            and (
                caps.per_subscriber is None
                or self._subscriber_units[(cid, subscriber_id)] + take.units <= caps.per_subscriber
            )
            and (caps.budget_fen is None or self._budget[cid] + take.budget_fen <= caps.budget_fen)
        )

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
