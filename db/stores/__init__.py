"""Redis-backed stores. Each atomic step is a Lua script, identical on embedded and system Redis."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from db.stores.campaign_caps import CampaignCapStore
from db.stores.captchas import CaptchaStore
from db.stores.catalog_version import CatalogVersionStore
from db.stores.chat_feed import ChatFeedStore
from db.stores.flash_sales import FlashSaleStore
from db.stores.gate import Gate
from db.stores.inbox_push import InboxPushStore
from db.stores.leases import LeaseStore
from db.stores.lockouts import LockoutStore
from db.stores.nonces import NonceStore
from db.stores.passkey_challenges import PasskeyChallengeStore
from db.stores.persisted_queries import PersistedQueryStore
from db.stores.qr_logins import QrLoginStore
from db.stores.rate_limits import RateLimitStore
from db.stores.sessions import SessionStore
from db.stores.sms_codes import SmsCodeStore
from domain.clock import Clock


@dataclass
class Stores:
    redis: Redis
    captchas: CaptchaStore
    chat_feed: ChatFeedStore
    sms_codes: SmsCodeStore
    lockouts: LockoutStore
    sessions: SessionStore
    qr_logins: QrLoginStore
    rate_limits: RateLimitStore
    nonces: NonceStore
    campaign_caps: CampaignCapStore
    catalog_version: CatalogVersionStore
    flash_sales: FlashSaleStore
    gate: Gate
    leases: LeaseStore
    passkey_challenges: PasskeyChallengeStore
    inbox_push: InboxPushStore
    persisted_queries: PersistedQueryStore

    @classmethod
    def build(
        cls, redis: Redis, prefix: str, session_idle_seconds: int, clock: Clock, flash_clock_ms=None
    ) -> Stores:
        sessions = SessionStore(redis, prefix, session_idle_seconds, clock)
        rate_limits = RateLimitStore(redis, prefix, clock)
        catalog_version = CatalogVersionStore(redis, prefix)
        return cls(
            redis=redis,
            captchas=CaptchaStore(redis, prefix),
            chat_feed=ChatFeedStore(redis, prefix),
            sms_codes=SmsCodeStore(redis, prefix),
            lockouts=LockoutStore(redis, prefix),
            sessions=sessions,
            qr_logins=QrLoginStore(redis, prefix),
            rate_limits=rate_limits,
            nonces=NonceStore(redis, prefix),
            campaign_caps=CampaignCapStore(redis, prefix),
            catalog_version=catalog_version,
            flash_sales=FlashSaleStore(redis, prefix, flash_clock_ms),
            gate=Gate(redis, prefix, sessions, catalog_version, clock),
            leases=LeaseStore(redis, prefix),
            passkey_challenges=PasskeyChallengeStore(redis, prefix),
            inbox_push=InboxPushStore(redis, prefix),
            persisted_queries=PersistedQueryStore(redis, prefix),
        )
