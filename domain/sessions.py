"""Who is calling and what they may do. LIMITED sessions (random-password login) see the basics
and may recharge; everything else needs a FULL session."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.accounts import StaffRole


class Scope(StrEnum):
    FULL = "FULL"
    LIMITED = "LIMITED"
    STAFF = "STAFF"


class Capability(StrEnum):
    READ_BASIC = "READ_BASIC"  # balance, allowances, bills, points, basic info
    RECHARGE = "RECHARGE"
    READ_DETAIL = "READ_DETAIL"  # detail records, orders
    TRANSACT = "TRANSACT"  # plan, bundle, pack, number business, redemption, QR confirm


class SessionMethod(StrEnum):
    """How a session was opened (shown in `me.sessions`)."""

    PASSWORD = "PASSWORD"
    SMS_CODE = "SMS_CODE"
    RANDOM_PASSWORD = "RANDOM_PASSWORD"
    QR = "QR"
    PASSKEY = "PASSKEY"
    STAFF_PASSWORD = "STAFF_PASSWORD"


def ip_hash(secret: str, ip: str) -> str:
    """A keyed hash of the client address: a customer can tell two sessions' networks apart
    without the hall showing (or an unkeyed hash revealing, IPv4 being small) the address."""
    digest = hmac.new(secret.encode(), b"session-ip:" + ip.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


LIMITED_CAPABILITIES = frozenset({Capability.READ_BASIC, Capability.RECHARGE})


@dataclass(frozen=True)
class Session:
    token: str
    scope: Scope
    subject_id: int  # subscriber id, or staff user id for STAFF
    name: str  # msisdn or staff username
    role: StaffRole | None
    expires_at: datetime

    @property
    def is_subscriber(self) -> bool:
        return self.scope is not Scope.STAFF

    def may(self, capability: Capability) -> bool:
        if self.scope is Scope.FULL:
            return True
        if self.scope is Scope.LIMITED:
            return capability in LIMITED_CAPABILITIES
        return False

    def has_role(self, *roles: StaffRole) -> bool:
        return self.scope is Scope.STAFF and (self.role in roles or self.role is StaffRole.ADMIN)
