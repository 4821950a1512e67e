"""Which state a campaign goes to next when marketing acts on it; status itself is derived by
`model.status_at`, never stored:

    create ──draft──▶ DRAFT ──update(draft: false)──▶ SCHEDULED ──starts──▶ ACTIVE ──ends──▶ ENDED
           └─published──────────────────────────────▲        pause ⇅ resume          ▲
                                                      PAUSED ─────────end─────────────┘

- Edits (`edited`) only while DRAFT or SCHEDULED: a running campaign's terms are a promise to the
  customers who saw them; pause or end it instead (CAMPAIGN_NOT_EDITABLE).
- A published window never starts in the past (`published`): a campaign published with
  `starts_at` before now starts now (warning STARTS_NOW), so no quote made earlier is
  contradicted by the record. A window already over cannot be saved.
- `paused` from SCHEDULED or ACTIVE, `resumed` from PAUSED, `ended` from anything but DRAFT and
  ENDED (INVALID_TRANSITION otherwise). Ending stops new orders at once: `ends_at` becomes now
  (never earlier, so orders placed inside the confirmed window stay inside it, and never later).
  A campaign ended before it started keeps a 1 µs window ending now, so it never applies.
- Every change is guarded by the campaign's `version`; `check_version` and the repository's
  guarded write raise the same `version_conflict()`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from domain.calendar import as_utc
from domain.errors import DomainError, fail
from domain.promotions.model import Campaign, CampaignStatus, Stacking, status_at

Status = CampaignStatus
EDITABLE = (Status.DRAFT, Status.SCHEDULED)
PAUSABLE = (Status.SCHEDULED, Status.ACTIVE)
_US = timedelta(microseconds=1)


def version_conflict() -> DomainError:
    return fail(
        "VERSION_CONFLICT",
        "Someone changed this campaign since you loaded it; reload and try again.",
        "version",
    )


def check_version(current: int, expected: int | None) -> None:
    """`expected` is the version the client loaded (None: it did not say)."""
    if expected is not None and expected != current:
        raise version_conflict()


def published(campaign: Campaign, now: datetime) -> tuple[Campaign, list[str]]:
    """The campaign as it is saved at `now`, with the warnings that explain any change."""
    now = as_utc(now)
    if campaign.ends_at <= now:
        raise fail("INVALID_CAMPAIGN", "The window is already over.", "endsAt")
    if campaign.draft or campaign.starts_at >= now:
        return campaign, []
    warning = (
        f"STARTS_NOW: startsAt {campaign.starts_at.isoformat()} is in the past; "
        "a published campaign starts when it is published"
    )
    return dataclasses.replace(campaign, starts_at=now), [warning]


def check_editable(campaign: Campaign, now: datetime) -> None:
    status = status_at(campaign, now)
    if status not in EDITABLE:
        raise fail(
            "CAMPAIGN_NOT_EDITABLE",
            f"The campaign is {status.value}: only DRAFT and SCHEDULED campaigns can be edited. "
            "Pause or end it instead.",
            "id",
        )


def edited(current: Campaign, changes: dict[str, Any], now: datetime) -> tuple[Campaign, list[str]]:
    """`current` with `changes` (domain Campaign fields, plus `stacking_rule` and
    `combines_with` for its stacking), as saved at `now`."""
    check_editable(current, now)
    changes = dict(changes)
    rule = changes.pop("stacking_rule", current.stacking.rule)
    combines = changes.pop("combines_with", current.stacking.combines_with)
    changes["stacking"] = Stacking(rule, tuple(combines))
    return published(dataclasses.replace(current, **changes), now)


def _refuse(status: CampaignStatus, doing: str) -> DomainError:
    return fail("INVALID_TRANSITION", f"A {status.value} campaign cannot be {doing}.", "id")


def paused(campaign: Campaign, now: datetime) -> Campaign:
    status = status_at(campaign, now)
    if status not in PAUSABLE:
        raise _refuse(status, "paused")
    return dataclasses.replace(campaign, paused=True)


def resumed(campaign: Campaign, now: datetime) -> Campaign:
    status = status_at(campaign, now)
    if status is not Status.PAUSED:
        raise _refuse(status, "resumed")
    return dataclasses.replace(campaign, paused=False)


def ended(campaign: Campaign, now: datetime) -> Campaign:
    now = as_utc(now)
    status = status_at(campaign, now)
    if status in (Status.DRAFT, Status.ENDED):
        raise _refuse(status, "ended")
    if campaign.ends_at <= now:  # paused past its window: it is simply over
        return dataclasses.replace(campaign, paused=False)
    if campaign.starts_at > now:  # never started: it never will
        return dataclasses.replace(campaign, paused=False, starts_at=now - _US, ends_at=now)
    return dataclasses.replace(campaign, paused=False, ends_at=now)
