"""Who holds a number, for how long, and how many at once.

A hold is 15 minutes (`HoldPolicy.minutes`, setting number_hold_minutes); a caller holds at most
3 numbers at a time (number_holds_per_caller, NUMBER_HOLD_LIMIT). A caller is a subscriber
(``sub:<id>``) or, before logging in, an anonymous client token the app generates once and keeps
(``tok:<token>``, 16–64 characters of ``A-Z a-z 0-9 _ -``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import fail

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class HoldPolicy:
    minutes: int = 15
    max_per_holder: int = 3

    def until(self, now: datetime) -> datetime:
        return now + timedelta(minutes=self.minutes)

    def check_room(self, held: int) -> None:
        if held >= self.max_per_holder:
            raise fail("NUMBER_HOLD_LIMIT", f"最多同时预占{self.max_per_holder}个号码", "msisdn")


def holder_of(subscriber_id: int | None, client_token: str | None) -> str:
    if subscriber_id is not None:
        return f"sub:{subscriber_id}"
    if client_token is None or not _TOKEN.fullmatch(client_token):
        raise fail("CLIENT_TOKEN_REQUIRED", "未登录时需提供16到64位的客户端令牌", "clientToken")
    return f"tok:{client_token}"
