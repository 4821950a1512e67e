"""Pushes by interest: topics and channels a subscriber chose, quiet hours (Asia/Shanghai) that
defer delivery, and a daily cap. Pure rules: the fan-out job asks these for every subscriber."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from domain.calendar import SHANGHAI, as_utc
from domain.errors import fail
from domain.sms import is_code


class Topic(StrEnum):
    DATA_PACKS = "DATA_PACKS"
    PLANS = "PLANS"
    DEVICES = "DEVICES"
    FLASH_SALES = "FLASH_SALES"
    POINTS_MALL = "POINTS_MALL"
    ROAMING = "ROAMING"
    FESTIVALS = "FESTIVALS"


class InboxTopic(StrEnum):
    """What an inbox notice is about: one of the interest topics, or the hall's own notices."""

    DATA_PACKS = "DATA_PACKS"
    PLANS = "PLANS"
    DEVICES = "DEVICES"
    FLASH_SALES = "FLASH_SALES"
    POINTS_MALL = "POINTS_MALL"
    ROAMING = "ROAMING"
    FESTIVALS = "FESTIVALS"
    POINTS = "POINTS"  # points about to expire
    ACCOUNT = "ACCOUNT"  # confirmations of business done and security notices


# The notices the daily cap counts: marketing pushes and points reminders. Confirmations and
# security notices (ACCOUNT) neither count towards it nor wait for it.
CAPPED_TOPICS = (*(t.value for t in Topic), InboxTopic.POINTS.value)


class NotifyChannel(StrEnum):
    SMS = "SMS"
    APP = "APP"


DEFAULT_QUIET_START = 22 * 60
DEFAULT_QUIET_END = 8 * 60


@dataclass(frozen=True)
class Interest:
    topic: Topic
    channels: frozenset[NotifyChannel]


def check_interests(pairs: list[tuple[str, list[str]]]) -> list[Interest]:
    """Each topic at most once, with at least one channel."""
    seen: set[Topic] = set()
    out = []
    for topic, channels in pairs:
        t = Topic(topic)
        if t in seen:
            raise fail("INTEREST_INVALID", f"{t.value} is listed twice.", "interests")
        if not channels:
            raise fail("INTEREST_INVALID", f"{t.value} needs at least one channel.", "interests")
        seen.add(t)
        out.append(Interest(t, frozenset(NotifyChannel(c) for c in channels)))
    return out


def parse_minute(text: str, field: str) -> int:
    """'HH:MM' (00:00–23:59) as minutes after midnight."""
    try:
        hours, minutes = (text or "").strip().split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        value = int(hours) * 60 + int(minutes)
        if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
            raise ValueError
    except ValueError:
        raise fail("QUIET_HOURS_INVALID", "Quiet hours are HH:MM, 00:00 to 23:59.", field) from None
    return value


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class QuietHours:
    """[start, end) in minutes after Shanghai midnight; start > end wraps past midnight;
    start == end means no quiet hours."""

    start: int = DEFAULT_QUIET_START
    end: int = DEFAULT_QUIET_END

    def is_quiet(self, at: datetime) -> bool:
        t = at.astimezone(SHANGHAI)
        minute = t.hour * 60 + t.minute
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def deliver_at(self, at: datetime) -> datetime:
        """`at` itself outside quiet hours, else the first instant after them."""
        if not self.is_quiet(at):
            return at
        local = at.astimezone(SHANGHAI)
        end = datetime.combine(local.date(), time(self.end // 60, self.end % 60), tzinfo=SHANGHAI)
        if end <= local:
            end += timedelta(days=1)
        return as_utc(end)


def shanghai_day_bounds(at: datetime) -> tuple[datetime, datetime]:
    """The half-open UTC window of the Shanghai day holding `at`."""
    local = at.astimezone(SHANGHAI)
    start = datetime(local.year, local.month, local.day, tzinfo=SHANGHAI)
    return as_utc(start), as_utc(start + timedelta(days=1))


@dataclass(frozen=True)
class PushDecision:
    """What one subscriber gets for one announcement: nothing, or a notice delivered at
    `deliver_at` on `channels`."""

    channels: frozenset[NotifyChannel]
    deliver_at: datetime | None

    @property
    def pushed(self) -> bool:
        return self.deliver_at is not None


SKIP = PushDecision(frozenset(), None)


def decide_push(
    topic: Topic,
    interests: dict[Topic, frozenset[NotifyChannel]],
    eligible: bool,
    quiet: QuietHours,
    at: datetime,
    delivered: Mapping[datetime, int],
    daily_cap: int,
) -> PushDecision:
    """One notice if the subscriber asked for the topic, the audience admits them, and the day it
    would be delivered on (after quiet hours) still has room under the cap. `delivered` counts
    the subscriber's pushes by the UTC start of their Shanghai delivery day."""
    channels = interests.get(topic)
    if not channels or not eligible:
        return SKIP
    deliver_at = quiet.deliver_at(at)
    if delivered.get(shanghai_day_bounds(deliver_at)[0], 0) >= daily_cap:
        return SKIP
    return PushDecision(channels, deliver_at)


class NoticeClass(StrEnum):
    """How a notice the hall sends on its own travels (`notice_class` of its SMS kind)."""

    # a login, reset or join code, or a password (a new number's initial service password, a
    # reset WLAN password): SMS only and at once. Never in the inbox (whoever holds an app
    # session, a LIMITED one too, would read it there) and never deferred (a person waits).
    CODE = "CODE"
    # what was just done on the account (orders, payments, password or passkey changes): inbox
    # and SMS at once. Quiet hours and the cap do not apply: a confirmation that arrives at
    # 08:00 for a purchase made at 23:00, or a "your password was changed" that waits, is how
    # a customer misses fraud on their own number.
    TRANSACTIONAL = "TRANSACTIONAL"
    # points about to expire: inbox and SMS, deferred past quiet hours and past a full day's
    # cap (never dropped: the points are lost if the customer is not told).
    REMINDER = "REMINDER"


REMINDER_KINDS = frozenset({"POINTS_EXPIRING"})
SECRET_KINDS = frozenset({"NUMBER_PAID", "ORDER_WLAN_PASSWORD"})  # their text holds a password


def notice_class(kind: str) -> NoticeClass:
    if is_code(kind) or kind in SECRET_KINDS:
        return NoticeClass.CODE
    if kind in REMINDER_KINDS:
        return NoticeClass.REMINDER
    return NoticeClass.TRANSACTIONAL


def inbox_topic(kind: str) -> InboxTopic:
    return InboxTopic.POINTS if kind in REMINDER_KINDS else InboxTopic.ACCOUNT


# The inbox title of a notice, by the first prefix of its SMS kind that matches
TITLES = (
    ("POINTS_EXPIRING", "积分即将到期"),
    ("POINTS_", "积分通知"),
    ("FLASH_", "秒杀订单"),
    ("NUMBER_", "选号订单"),
    ("PASSKEY_", "账号安全"),
    ("PASSWORD_", "账号安全"),
    ("REAL_NAME_", "账号安全"),
    ("RECHARGE", "充值通知"),
    ("AUTO_RECHARGE_", "充值通知"),
    ("BILL_", "账单通知"),
    ("INVOICE_", "发票通知"),
    ("ORDER_INVOICE", "发票通知"),
    ("TICKET_", "工单进度"),
    ("ORDER_", "业务办理"),
)


def notice_title(kind: str) -> str:
    return next((title for prefix, title in TITLES if kind.startswith(prefix)), "服务通知")


MAX_DEFER_DAYS = 31


def remind_at(
    quiet: QuietHours, at: datetime, delivered: Mapping[datetime, int], daily_cap: int
) -> datetime:
    """When a reminder is delivered: after quiet hours, on the first Shanghai day whose cap has
    room (`delivered` as for `decide_push`). With no room in a month (or a cap of 0, which
    silences marketing only) it goes on the last day tried rather than never."""
    deliver_at = quiet.deliver_at(at)
    for _ in range(MAX_DEFER_DAYS):
        day, next_day = shanghai_day_bounds(deliver_at)
        if daily_cap <= 0 or delivered.get(day, 0) < daily_cap:
            return deliver_at
        deliver_at = quiet.deliver_at(next_day)
    return deliver_at


def campaign_topic(plan_ids: tuple, mall_item_ids: tuple, kinds: tuple[str, ...]) -> Topic:
    """Which interest a campaign speaks to, from what it targets."""
    kinds_set = {str(k) for k in kinds}
    if mall_item_ids or "MALL_ITEM" in kinds_set:
        return Topic.POINTS_MALL
    if plan_ids or "PLAN" in kinds_set:
        return Topic.PLANS
    if "DEVICE" in kinds_set:
        return Topic.DEVICES
    return Topic.DATA_PACKS
