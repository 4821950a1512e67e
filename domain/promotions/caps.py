"""Campaign caps: what a campaign has given out, what an order takes, and the one rule that says
whether a take fits.

An order reserves, in one atomic step, everything its quote takes from capped campaigns (units
and budget fen per campaign, see `takes_for`). The rule (`within_caps`): a take fits when units
taken nationwide, the subscriber's units and the budget spent would all stay within the caps,
counting held and confirmed reservations, so a flood of unpaid orders can never oversell. The
engine prices with it; its twin is the RESERVE Lua script in `db/stores/reservations.py`.

The life of a reservation (the Lua scripts implement it in Redis; `tests/cap_ledger.py` is its
pure reference model, and `tests/integration/test_cap_store_machine.py` runs the two side by side):
- `reserve` succeeds only if every take fits; otherwise nothing is taken and the result names the
  first campaign (in the order given) that refused.
- A reservation is held for `HOLD` (15 minutes by policy). `confirm` (payment arrived in time)
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

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.pricing import Quote
from domain.promotions.model import Caps

HOLD = timedelta(minutes=15)


@dataclass(frozen=True)
class CampaignUsage:
    """What a campaign's caps have already given out, as the engine needs it to price."""

    units_taken: int = 0  # held + confirmed, nationwide
    subscriber_units: int = 0  # held + confirmed by the subscriber being priced
    budget_spent_fen: int = 0  # held + confirmed


NO_USAGE = CampaignUsage()


def within_caps(caps: Caps, used: CampaignUsage, units: int, spend_fen: int) -> bool:
    """The one cap rule: taking `units` and `spend_fen` more keeps every cap of `caps`."""
    return (
        (caps.units_total is None or used.units_taken + units <= caps.units_total)
        and (caps.per_subscriber is None or used.subscriber_units + units <= caps.per_subscriber)
        and (caps.budget_fen is None or used.budget_spent_fen + spend_fen <= caps.budget_fen)
    )


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
    """A cap reservation in Redis, and the `CampaignRedemption` rows that record it."""

    HELD = "HELD"  # taken, waiting for a payment; not in the committed counts
    CONFIRMED = "CONFIRMED"
    RETURNED = "RETURNED"  # given back while held (cancelled, expired, paid too late)
    # Redemption rows only: out of the committed counts already, the Redis give-back (`release`)
    # still to run; the sweeper finishes it after a crash.
    RELEASING = "RELEASING"
    RELEASED = "RELEASED"  # given back after it was confirmed (`release`)
