"""The 4G shared plan (4G共享套餐): one main number on a plan of kind SHARED shares its data and
voice with up to MAX_MEMBERS secondary numbers. Pure rules: who may join, when a change of the
main number takes effect, when a group ends, and rating a group's usage against the shared
buckets.

No double counting: the group's events are rated in one run, in occurrence order, against ONE
list of bucket states (each member's own buckets plus the main's shared ones), so a unit a member
drew is gone for every other member; every event's quantity is drawn or overflows, never both.
The database path keeps this by the guarded `used <= total - amount` UPDATE."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.accounts import SubscriberStatus
from domain.calendar import next_month_start
from domain.errors import fail
from domain.rating import BucketState, Rates, Rating, RatingRun, UsageEvent

MAX_MEMBERS = 4


def check_member_addable(
    *,
    main_msisdn: str,
    member_msisdn: str,
    member_status: SubscriberStatus | None,
    member_in_a_group: bool,
    members_now: int,
) -> None:
    """May `member_msisdn` join the main's group? `member_status` None: not our subscriber."""
    if member_msisdn == main_msisdn:
        raise fail("INVALID_ARGUMENT", "The main number is in its group already.", "msisdn")
    if member_status is None:
        raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
    if member_status is not SubscriberStatus.ACTIVE:
        raise fail(
            "SHARED_MEMBER_NOT_ELIGIBLE",
            "Only an active number may join a shared plan (this one is closed or suspended).",
            "msisdn",
        )
    if member_in_a_group:
        raise fail("SHARED_MEMBER_IN_GROUP", "This number already shares another plan.", "msisdn")
    if members_now >= MAX_MEMBERS:
        raise fail(
            "SHARED_GROUP_FULL", f"A shared plan has at most {MAX_MEMBERS} secondary numbers.", None
        )


def main_change_effective(now: datetime) -> datetime:
    """A new main number takes over at 00:00 on the 1st of next month (Asia/Shanghai)."""
    return next_month_start(now)


class DissolveReason(StrEnum):
    MAIN_LEFT_PLAN = "MAIN_LEFT_PLAN"  # the main's plan change to a non-SHARED plan took effect
    MAIN_CLOSED = "MAIN_CLOSED"  # the main number was closed (销户): nobody is left to pay


def dissolve_reason(main_status: SubscriberStatus, main_on_shared: bool) -> DissolveReason | None:
    """Whether a group outlives what happened to its main number. A closed main ends the group
    even on the SHARED plan (a closed account pays no bills and hands nothing over); a SUSPENDED
    main keeps it (a recharge brings the whole group back)."""
    if main_status is SubscriberStatus.CLOSED:
        return DissolveReason.MAIN_CLOSED
    if not main_on_shared:
        return DissolveReason.MAIN_LEFT_PLAN
    return None


def shares_with_members(main_status: SubscriberStatus, main_on_shared: bool) -> bool:
    """Whether members draw the main's buckets (and the main pays for them) right now."""
    return dissolve_reason(main_status, main_on_shared) is None


def dissolution_summary(main_msisdn: str, reason: DissolveReason) -> str:
    why = "主卡已销户" if reason is DissolveReason.MAIN_CLOSED else "主卡已变更为非共享套餐"
    return f"4G共享套餐解散（{why}，主卡{main_msisdn}）"


def dissolution_notice(main_msisdn: str, reason: DissolveReason) -> str:
    """The SMS each member receives: from now on they use and pay for their own plan."""
    why = "已销户" if reason is DissolveReason.MAIN_CLOSED else "已变更为非共享套餐"
    return (
        f"主卡{main_msisdn}{why}，您加入的4G共享套餐已解散，"
        "即日起您的流量和语音按本号码自己的套餐计算。"
    )


@dataclass(frozen=True)
class MemberEvent:
    member: str  # msisdn
    event: UsageEvent


@dataclass
class GroupRating:
    ratings: list[tuple[MemberEvent, Rating]] = field(default_factory=list)
    buckets: list[BucketState] = field(default_factory=list)

    def breakdown(self, shared_ids: Iterable[int]) -> dict[str, MemberShare]:
        """Per member: what they drew from the shared buckets and what they were charged (the
        bill's per-member breakdown)."""
        shared = set(shared_ids)
        out: dict[str, MemberShare] = {}
        for item, rating in self.ratings:
            share = out.setdefault(item.member, MemberShare())
            share.shared_drawn += sum(d.amount for d in rating.draws if d.bucket_id in shared)
            share.charge_fen += rating.charge_fen
        return out


@dataclass
class MemberShare:
    shared_drawn: int = 0
    charge_fen: int = 0


def rate_group(
    events: Sequence[MemberEvent],
    shared: Sequence[BucketState],
    own: dict[str, Sequence[BucketState]],
    rates: Rates,
) -> GroupRating:
    """Rate a group's events in occurrence order; a member draws their own buckets and the
    shared ones, never another member's own."""
    states: dict[int, BucketState] = {b.id: b for b in shared}
    for buckets in own.values():
        for b in buckets:
            if b.id in states:
                raise ValueError(f"bucket {b.id} is both shared and a member's own")
            states[b.id] = b
    shared_ids = {b.id for b in shared}
    owner = {b.id: m for m, buckets in own.items() for b in buckets}
    result = GroupRating()
    ordered = sorted(events, key=lambda x: (x.event.occurred_at, x.event.event_id))
    # each member's own cumulative data overflow (their pay-as-you-go is their own)
    overflow: dict[str, dict[str, int]] = {}
    for item in ordered:
        visible = [
            b for b in states.values() if b.id in shared_ids or owner.get(b.id) == item.member
        ]
        run = RatingRun(visible, rates, overflow.setdefault(item.member, {}))
        rating = run.rate(item.event)
        for b in run.buckets:
            states[b.id] = b
        result.ratings.append((item, rating))
    result.buckets = list(states.values())
    return result
