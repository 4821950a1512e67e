"""What every use case receives: the caller, the stores, the ports and per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from db.stores import Stores
from domain.clock import Clock, SystemClock
from domain.hashing import SecretHasher
from domain.ports import PaymentProvider, SmsGateway
from domain.sessions import Session


class HallSettings(Protocol):
    """The settings the use cases read (server.settings.Settings satisfies it)."""

    session_idle_seconds: int
    qr_login_seconds: int
    captcha_seconds: int
    service_handle_seconds: int
    sms_code_seconds: int
    sms_resend_seconds: int
    sms_code_max_tries: int
    sms_daily_limit: int
    lockout_failures: int
    lockout_seconds: int
    ip_lockout_failures: int
    payment_secret: str
    id_number_secret: str
    id_numbers_per_person: int


@dataclass
class Services:
    """Built once per process and shared by every request."""

    settings: HallSettings
    stores: Stores
    hasher: SecretHasher
    sms: SmsGateway
    payments: PaymentProvider | None = None
    clock: Clock = field(default_factory=SystemClock)

    def now(self) -> datetime:
        return self.clock.now()


@dataclass
class RequestContext:
    services: Services
    session: Session | None
    client_ip: str
    token_rejected: bool = False  # a bearer token was sent but is expired, revoked or forged
    loaders: dict[str, Any] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    # graphql-transport-ws: the connection_init payload (browsers cannot send headers there)
    connection_params: dict[str, Any] | None = None

    @property
    def settings(self) -> HallSettings:
        return self.services.settings

    @property
    def stores(self) -> Stores:
        return self.services.stores

    def now(self) -> datetime:
        return self.services.clock.now()
