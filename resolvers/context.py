"""What every use case receives: the caller, the stores, the ports and per-request loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from db.stores import Stores
from domain.clock import Clock, SystemClock
from domain.hashing import SecretHasher
from domain.invoices import InvoiceLine
from domain.ports import EmailSender, PaymentProvider, SmsDeliveryGateway, SmsGateway
from domain.sessions import Scope, Session, SessionMethod, ip_hash
from resolvers.catalog_cache import CatalogCache

# (the Invoice row, its typed lines, the subscriber's number) -> the PDF
InvoicePdf = Callable[[Any, list[InvoiceLine], str], bytes]


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
    ip_captcha_failures: int
    ip_slow_seconds: float
    sms_per_client_hour: int
    sms_per_request: int
    payment_secret: str
    payment_secret_previous: str
    id_number_secret: str
    id_numbers_per_person: int
    jobs_lease_seconds: int
    jobs_max_attempts: int
    jobs_history_days: int
    sms_batch: int
    sms_concurrency: int
    sms_claim_seconds: int
    sms_send_timeout_seconds: float
    sms_max_attempts: int
    sms_retry_base_seconds: float
    sms_retry_cap_seconds: float
    email_from: str
    email_batch: int
    email_concurrency: int
    email_claim_seconds: int
    email_send_timeout_seconds: float
    email_max_attempts: int
    email_retry_base_seconds: float
    email_retry_cap_seconds: float
    number_hold_minutes: int
    number_holds_per_caller: int
    number_tier_terms: Any  # tier -> terms with prestore_fen, min_monthly_fen, contract_months
    growth_per_yuan_order: int
    growth_per_ten_yuan_recharge: int
    points_reminder_days: list[int]
    points_expiry_batch_accounts: int
    points_expiry_parallel: int
    points_mall_payment_minutes: int
    lucky_draw_cost_points: int
    lucky_draw_daily_limit: int
    roaming_deposit_fen: int
    roaming_min_tenure_months: int
    invoice_tax_basic_bp: int
    invoice_tax_value_added_bp: int
    webauthn_rp_id: str
    webauthn_rp_name: str
    passkey_challenge_seconds: int
    notify_daily_cap: int
    notify_batch: int

    @property
    def webauthn_origin_list(self) -> list[str]: ...


@dataclass
class Services:
    """Built once per process and shared by every request."""

    settings: HallSettings
    stores: Stores
    hasher: SecretHasher
    sms: SmsGateway
    payments: PaymentProvider | None = None
    clock: Clock = field(default_factory=SystemClock)
    sms_delivery: SmsDeliveryGateway | None = None  # the SMS centre the sender delivers to
    email: EmailSender | None = None  # the mail service the e-mail sender delivers to
    # the e-invoice PDF (server.invoice_pdf: drawn where the HTTP routes draw it)
    invoice_pdf: InvoicePdf | None = None
    catalog: CatalogCache = field(default_factory=CatalogCache)  # the hot catalog rows

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
    sms_requested: int = 0  # SMS codes asked for in this request (aliases), capped per request
    unavailable: bool = False  # a field failed because Redis is away: the answer is 503
    user_agent: str = ""  # the client's User-Agent, kept with a session it opens
    # a websocket's connection_init payload (strawberry sets it), read by subscriptions
    connection_params: dict[str, Any] | None = None
    # GraphQL over HTTP: the session is read, and the rate limit charged with the query's cost,
    # in one Redis round trip once the cost is measured (`server.admission`)
    admission_pending: bool = False
    bearer_token: str | None = None
    query_cost: int | None = None  # measured by the schema's limits before execution
    rate_limited_for: int = 0  # seconds to wait: the answer is 429 with Retry-After
    bucket_remaining: int | None = None  # points left after this request (extensions.cost)
    # the catalog version, read by the admission script (`resolvers.catalog_cache`)
    catalog_version: str | None = None
    catalog_version_read: bool = False

    async def open_session(
        self, scope: Scope, subject_id: int, name: str, method: SessionMethod
    ) -> Session:
        """A new subscriber session remembering how, from where and with what it was opened."""
        return await self.stores.sessions.create(
            scope,
            subject_id,
            name,
            method=method.value,
            ip_hash=ip_hash(self.settings.id_number_secret, self.client_ip),
            user_agent=self.user_agent,
        )

    @property
    def settings(self) -> HallSettings:
        return self.services.settings

    @property
    def stores(self) -> Stores:
        return self.services.stores

    def now(self) -> datetime:
        return self.services.clock.now()
