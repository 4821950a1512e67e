"""Every knob is an environment variable prefixed TELEHALL_ (e.g. TELEHALL_PORT=9000)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"

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
    rate_limit_per_minute: int = Field(default=600, ge=1, description="requests per client IP")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # multipart GraphQL requests (ticket screenshots: 3 x 5 MB and the form around them)
    upload_max_body_bytes: int = Field(default=16_000_000, ge=1024)
    max_query_depth: int = Field(default=12, ge=1)

    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)

    payment_secret: str = "dev-payment-secret-change-me"
    id_number_secret: str = Field(
        default="dev-id-number-secret-change-me",
        description="HMAC key of resident ID numbers (stored only masked and keyed-hashed)",
    )
    id_numbers_per_person: int = Field(default=5, ge=1, description="numbers per ID nationwide")

    flash_redis_time: bool = Field(
        default=True,
        description="flash-sale windows and deadlines by Redis TIME (false: the hall's clock, "
        "for tests that move business time)",
    )
    flash_reap_seconds: float = Field(
        default=1.0, gt=0, description="how often the server reaps unpaid flash-sale units"
    )

    clock_start: datetime | None = Field(
        default=None,
        description="dev/test only: the hall's clock starts at this instant (ISO 8601 with offset) "
        "and runs on from it, to see the hall on another day",
    )

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

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'telehall.sqlite3').resolve()}"

    @property
    def is_dev_like(self) -> bool:
        return self.env in (Env.DEV, Env.TEST)


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
