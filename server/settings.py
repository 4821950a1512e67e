"""Every knob is an environment variable prefixed TELEHALL_ (e.g. TELEHALL_PORT=9000)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.redis import SentinelTarget, sentinel_addresses
from domain.numbers.patterns import DEFAULT_TIER_TERMS, PLAIN_TIER
from domain.relying_party import relying_party_problems

# The secrets the hall holds (field name -> what it protects). In prod each must be set, long,
# unknown to the public and distinct: the dev defaults below are published in this repository,
# so a prod server running on one lets anybody forge payment callbacks or reverse ID hashes.
SECRET_FIELDS = {
    "payment_secret": "HMAC key of the payment provider's callbacks",
    "id_number_secret": "HMAC key of resident ID numbers",
}
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "dev-payment-secret-change-me",
        "dev-id-number-secret-change-me",
        "change-me",
        "changeme",
        "secret",
        "password",
        "test",
        "dev",
    }
)
SECRET_MIN_LENGTH = 32


class NumberTierTerms(BaseModel):
    """What a number of one tier costs: prestore, minimum monthly spend, contract months."""

    prestore_fen: int = Field(ge=0)
    min_monthly_fen: int = Field(ge=0)
    contract_months: int = Field(ge=0, le=60)


def _default_tier_terms() -> dict[int, NumberTierTerms]:
    return {
        tier: NumberTierTerms(
            prestore_fen=t.prestore_fen,
            min_monthly_fen=t.min_monthly_fen,
            contract_months=t.contract_months,
        )
        for tier, t in DEFAULT_TIER_TERMS.items()
    }


class Env(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEHALL_", extra="ignore")

    env: Env = Env.DEV
    data_dir: Path = Path(".data")
    database_url: str | None = Field(
        default=None, description="postgres://… or sqlite://…; default SQLite under data_dir"
    )
    db_pool_max: int = Field(default=20, ge=1)
    redis_url: str | None = Field(
        default=None, description="redis://…; unset starts an embedded redis-server"
    )
    redis_prefix: str = "telehall:"
    redis_pool_max: int = Field(default=64, ge=1)
    redis_cluster: bool = Field(
        default=False,
        description="TELEHALL_REDIS_URL names a node of a Redis Cluster (also implied by a "
        "redis+cluster:// URL)",
    )
    redis_sentinels: str = Field(
        default="",
        description="comma-separated host:port of the Redis Sentinels (instead of "
        "TELEHALL_REDIS_URL): the hall asks them where the master is and follows a failover",
    )
    redis_sentinel_master: str = Field(
        default="", description="the master group's name the sentinels monitor (with SENTINELS)"
    )
    redis_sentinel_check_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often each process asks the sentinels whether the master moved",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"
    log_json: bool = Field(
        default=True, description="one JSON object per log line (false: readable console lines)"
    )
    log_hash_secret: str | None = Field(
        default=None,
        description="HMAC key of the subscriber-id hash in logs (unset: the ID number secret)",
    )
    otel_enabled: bool = Field(
        default=False,
        description="OpenTelemetry spans per GraphQL operation (needs the `otel` extra; the SDK "
        "and exporter come from the environment, e.g. opentelemetry-instrument)",
    )
    metrics_token: str | None = Field(
        default=None,
        description="when set, GET /metrics needs `Authorization: Bearer <token>` (see "
        "docs/deploy.md: metrics name business figures, keep them off the public network)",
    )

    session_idle_seconds: int = Field(default=15 * 60, ge=60)
    qr_login_seconds: int = Field(default=120, ge=30)
    captcha_seconds: int = Field(default=5 * 60, ge=30)
    # customer service: the handling time the queue's estimated wait assumes per conversation
    service_handle_seconds: int = Field(default=6 * 60, ge=30)
    sms_code_seconds: int = Field(default=5 * 60, ge=30)
    sms_resend_seconds: int = Field(default=60, ge=1)
    sms_code_max_tries: int = Field(default=5, ge=1)
    sms_daily_limit: int = Field(default=10, ge=1, description="codes per number per day")
    lockout_failures: int = Field(default=3, ge=1)
    lockout_seconds: int = Field(default=30 * 60, ge=1)
    ip_lockout_failures: int = Field(default=20, ge=1)
    # cost-based rate limit (Shopify's bucket): a bucket per client IP and one per subject,
    # each request taking its query's cost (`extensions.cost`), other HTTP routes 1 point
    rate_limit_bucket_points: int = Field(
        default=2000, ge=10, description="points a client's bucket holds"
    )
    rate_limit_points_per_second: float = Field(
        default=200.0, gt=0, description="points a bucket refills each second"
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # multipart GraphQL requests (ticket screenshots: 3 x 5 MB and the form around them)
    upload_max_body_bytes: int = Field(default=16_000_000, ge=1024)
    max_query_depth: int = Field(default=10, ge=1, description="field nesting, fragments expanded")
    max_query_aliases: int = Field(default=15, ge=0, description="aliases, fragments expanded")
    max_query_tokens: int = Field(default=2000, ge=100, description="lexer tokens per document")
    max_query_directives: int = Field(default=50, ge=0)
    max_root_mutations: int = Field(default=4, ge=1, description="mutation fields per request")
    max_query_cost: int = Field(
        default=1000, ge=10, description="objects 1, lists times first/last, mutations 10"
    )
    max_batch_operations: int = Field(
        default=5, ge=1, description="operations per JSON array (cost and mutations summed)"
    )
    persisted_query_ttl_seconds: int = Field(
        default=7 * 86400, ge=60, description="a persisted query's life in Redis after it is sent"
    )
    persisted_query_max_entries: int = Field(
        default=10_000, ge=1, description="persisted queries kept in Redis (oldest dropped)"
    )
    persisted_query_cache_size: int = Field(
        default=1000, ge=1, description="parsed and validated persisted queries per process"
    )
    introspection: bool | None = Field(
        default=None, description="introspection on (default: on outside prod, off in prod)"
    )

    webauthn_rp_id: str = Field(
        default="localhost", description="WebAuthn relying party id: the hall's registrable domain"
    )
    webauthn_rp_name: str = "网上营业厅"
    webauthn_origins: str = Field(
        default="http://localhost:8000",
        description="comma-separated origins a passkey response may come from (web hall, app)",
    )
    passkey_challenge_seconds: int = Field(default=120, ge=10, le=600)
    notify_daily_cap: int = Field(
        default=3, ge=0, description="interest pushes per subscriber per Shanghai day"
    )
    notify_batch: int = Field(default=1000, ge=1, description="subscribers per fan-out batch")

    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)

    payment_secret: str = "dev-payment-secret-change-me"
    payment_secret_previous: str = Field(
        default="",
        description="while rotating the payment secret: callbacks signed with this one are "
        "still accepted (remove it once the provider signs with the new one)",
    )
    id_number_secret: str = Field(
        default="dev-id-number-secret-change-me",
        description="HMAC key of resident ID numbers (stored only masked and keyed-hashed)",
    )
    id_numbers_per_person: int = Field(default=5, ge=1, description="numbers per ID nationwide")
    number_hold_minutes: int = Field(default=15, ge=1, le=24 * 60, description="a hold's life")
    number_holds_per_caller: int = Field(default=3, ge=1, description="holds one caller may keep")
    number_tier_terms: dict[int, NumberTierTerms] = Field(
        default_factory=_default_tier_terms,
        description="JSON {tier: {prestoreFen…}} as prestore_fen, min_monthly_fen, "
        "contract_months per tier 1 (best) to 6 (plain), copied onto numbers as they are stocked",
    )

    roaming_deposit_fen: int = Field(
        default=50_000,
        ge=0,
        description="deposit held from the balance to open international roaming before the "
        "minimum tenure (fen)",
    )
    roaming_min_tenure_months: int = Field(
        default=6, ge=0, description="months on the network that open roaming without a deposit"
    )
    invoice_tax_basic_bp: int = Field(
        default=900, ge=0, le=10_000, description="VAT on basic telecom services (basis points)"
    )
    invoice_tax_value_added_bp: int = Field(
        default=600, ge=0, le=10_000, description="VAT on value-added telecom services (bp)"
    )

    flash_redis_time: bool = Field(
        default=True,
        description="flash-sale windows and deadlines by Redis TIME (false: the hall's clock, "
        "for tests that move business time)",
    )
    flash_reap_seconds: float = Field(
        default=1.0, gt=0, description="how often the server reaps unpaid flash-sale units"
    )

    jobs_in_process: bool = Field(
        default=False,
        description="run the job runner and the SMS sender inside each server worker (make run "
        "turns it on; production runs `telehall jobs worker` instead)",
    )
    jobs_tick_seconds: float = Field(
        default=15.0, gt=0, description="how often due jobs are looked for"
    )
    jobs_lease_seconds: int = Field(
        default=120, ge=5, description="a job's lease, renewed while it runs"
    )
    jobs_max_attempts: int = Field(default=3, ge=1, description="runs of one failing slot")
    jobs_history_days: int = Field(default=30, ge=1, description="job runs kept")

    sms_send_seconds: float = Field(default=1.0, gt=0, description="how often the sender looks")
    sms_batch: int = Field(default=50, ge=1, le=1000)
    sms_concurrency: int = Field(default=8, ge=1, le=100)
    sms_claim_seconds: int = Field(default=60, ge=5, description="a claimed notice's lease")
    sms_send_timeout_seconds: float = Field(default=10.0, gt=0)
    sms_max_attempts: int = Field(default=6, ge=1)
    sms_retry_base_seconds: float = Field(default=5.0, gt=0)
    sms_retry_cap_seconds: float = Field(default=600.0, gt=0)
    sms_sim_latency_ms: int = Field(default=30, ge=0, description="simulated SMS centre")
    sms_sim_failure_rate: float = Field(default=0.05, ge=0, le=1)
    sms_sim_per_number_per_minute: int = Field(default=5, ge=1)
    sms_sim_seed: int | None = Field(default=None, description="set: failures are reproducible")
    email_from: str = Field(default="Telehall 网上营业厅 <invoice@telehall.example>")
    email_batch: int = Field(default=20, ge=1, le=500)
    email_concurrency: int = Field(default=4, ge=1, le=50)
    email_claim_seconds: int = Field(default=120, ge=5, description="a claimed e-mail's lease")
    email_send_timeout_seconds: float = Field(default=30.0, gt=0)
    email_max_attempts: int = Field(default=8, ge=1)
    email_retry_base_seconds: float = Field(default=30.0, gt=0)
    email_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    email_sim_latency_ms: int = Field(default=80, ge=0, description="simulated mail server")
    email_sim_failure_rate: float = Field(default=0.05, ge=0, le=1)
    email_sim_seed: int | None = Field(default=None, description="set: failures are reproducible")

    shutdown_grace_seconds: float = Field(
        default=20.0, gt=0, description="on SIGTERM, how long in-flight requests may finish"
    )

    # --- points, mall, growth tree (沃之树), lucky draw: policies ------------------------------
    growth_per_yuan_order: int = Field(
        default=1, ge=0, description="growth value per whole yuan of a pack or plan order"
    )
    growth_per_ten_yuan_recharge: int = Field(
        default=1, ge=0, description="growth value per whole ten yuan recharged"
    )
    points_reminder_days: list[int] = Field(
        default=[30, 7], description="expiry reminders this many days before points expire"
    )
    points_expiry_batch_accounts: int = Field(
        default=500, ge=1, le=5000, description="accounts per year-end expiry transaction"
    )
    points_expiry_parallel: int = Field(
        default=2, ge=1, le=8, description="year-end expiry batches run at once (PostgreSQL)"
    )
    device_payment_minutes: int = Field(
        default=15, ge=1, description="the window to pay a device bought through the provider"
    )
    points_mall_payment_minutes: int = Field(
        default=30, ge=1, description="the window to pay a points + cash redemption's cash part"
    )
    lucky_draw_cost_points: int = Field(default=50, ge=0, description="points per lucky draw")
    lucky_draw_daily_limit: int = Field(
        default=1, ge=1, description="lucky draws per subscriber per Shanghai day"
    )

    clock_start: datetime | None = Field(
        default=None,
        description="dev/test only: the hall's clock starts at this instant (ISO 8601 with offset) "
        "and runs on from it, to see the hall on another day",
    )

    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or CIDR networks of the reverse proxies in front "
        "of the hall (e.g. 10.0.0.0/8,127.0.0.1): only a request from one of them has its "
        "X-Forwarded-For read; default none, so the client address is the TCP peer",
    )
    ip_captcha_failures: int = Field(
        default=5,
        ge=1,
        description="wrong secrets from one client address (any number) in a "
        "lockout window after which every password attempt from it needs a fresh captcha",
    )
    ip_slow_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="the delay added to each further password "
        "attempt from an address past ip_lockout_failures (it never locks a number)",
    )
    sms_per_client_hour: int = Field(
        default=20, ge=1, description="SMS codes one client address may ask for per hour"
    )
    sms_per_request: int = Field(
        default=1, ge=1, description="SMS codes one GraphQL request may send (aliases)"
    )
    redis_retry_after_seconds: int = Field(
        default=5, ge=1, description="Retry-After of the 503 answered while Redis is down"
    )

    @model_validator(mode="after")
    def _secrets_set_in_prod(self) -> Settings:
        if self.env is not Env.PROD:
            return self
        problems = []
        seen: dict[str, str] = {}
        for name, meaning in SECRET_FIELDS.items():
            value = getattr(self, name) or ""
            var = "TELEHALL_" + name.upper()
            if name not in self.model_fields_set or not value.strip():
                problems.append(f"{var} ({meaning}) is not set")
            elif value.strip().lower() in KNOWN_DEFAULT_SECRETS:
                problems.append(f"{var} ({meaning}) is a published default")
            elif len(value) < SECRET_MIN_LENGTH:
                problems.append(f"{var} ({meaning}) is shorter than {SECRET_MIN_LENGTH} characters")
            elif value in seen:
                problems.append(f"{var} is the same value as TELEHALL_{seen[value].upper()}")
            seen.setdefault(value, name)
        previous = self.payment_secret_previous
        if previous and (
            previous.strip().lower() in KNOWN_DEFAULT_SECRETS or len(previous) < SECRET_MIN_LENGTH
        ):
            problems.append("TELEHALL_PAYMENT_SECRET_PREVIOUS is a default or too short")
        if problems:
            raise ValueError(
                "refusing to run in prod with unsafe secrets: "
                + "; ".join(problems)
                + ". Set each to a random value (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`), see docs/security.md."
            )
        return self

    @model_validator(mode="after")
    def _relying_party_real_in_prod(self) -> Settings:
        # the dev defaults (localhost, http) would bind every passkey registered in prod to a
        # host no customer reaches, and plain http lets a relay on the path replay a ceremony
        if self.env is not Env.PROD:
            return self
        problems = relying_party_problems(self.webauthn_rp_id, self.webauthn_origin_list)
        if problems:
            raise ValueError(
                "refusing to run in prod with a local passkey relying party: "
                + "; ".join(problems)
                + ". E.g. TELEHALL_WEBAUTHN_RP_ID=hall.example.com "
                "TELEHALL_WEBAUTHN_ORIGINS=https://hall.example.com, see docs/security.md."
            )
        return self

    @model_validator(mode="after")
    def _clock_only_outside_prod(self) -> Settings:
        if self.clock_start is not None:
            if self.env is Env.PROD:
                raise ValueError(
                    "TELEHALL_CLOCK_START is refused in prod: the hall runs on real time"
                )
            if self.clock_start.tzinfo is None:
                raise ValueError(
                    "TELEHALL_CLOCK_START needs an offset, e.g. 2027-05-17T10:00+08:00"
                )
        return self

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(
            ip_network(part.strip(), strict=False)
            for part in self.trusted_proxies.split(",")
            if part.strip()
        )

    @model_validator(mode="after")
    def _proxies_parse(self) -> Settings:
        try:
            self.trusted_networks  # noqa: B018 - parse once, fail at start-up
        except ValueError as error:
            raise ValueError(f"TELEHALL_TRUSTED_PROXIES: {error}") from None
        return self

    @model_validator(mode="after")
    def _every_tier_priced(self) -> Settings:
        missing = set(range(1, PLAIN_TIER + 1)) - set(self.number_tier_terms)
        if missing:
            raise ValueError(f"TELEHALL_NUMBER_TIER_TERMS lacks tiers {sorted(missing)}")
        return self

    @model_validator(mode="after")
    def _one_way_to_redis(self) -> Settings:
        if not self.redis_sentinels and not self.redis_sentinel_master:
            return self
        if not (self.redis_sentinels and self.redis_sentinel_master):
            raise ValueError(
                "TELEHALL_REDIS_SENTINELS and TELEHALL_REDIS_SENTINEL_MASTER go together"
            )
        if self.redis_url or self.redis_cluster:
            raise ValueError(
                "TELEHALL_REDIS_SENTINELS replaces TELEHALL_REDIS_URL and TELEHALL_REDIS_CLUSTER:"
                " set only one of them"
            )
        try:
            sentinel_addresses(self.redis_sentinels)
        except ValueError as error:
            raise ValueError(f"TELEHALL_REDIS_SENTINELS: {error}") from None
        return self

    @property
    def redis_address(self) -> str | None:
        """TELEHALL_REDIS_URL, or the Sentinel URL the sentinel settings spell; None: embedded."""
        if self.redis_sentinels:
            target = SentinelTarget(
                sentinel_addresses(self.redis_sentinels), self.redis_sentinel_master
            )
            return target.url
        return self.redis_url

    @property
    def webauthn_origin_list(self) -> list[str]:
        return [o.strip() for o in self.webauthn_origins.split(",") if o.strip()]

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'telehall.sqlite3').resolve()}"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.env is not Env.PROD

    @property
    def is_dev_like(self) -> bool:
        return self.env in (Env.DEV, Env.TEST)


class SettingsRefused(SystemExit):
    """The settings are unusable: the process stops with this message (no traceback)."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise SettingsRefused(f"Telehall will not start: {reasons}") from None
