from __future__ import annotations

from datetime import datetime

import strawberry

from schema.accounts.types import AuthSession, ProvisionedSubscriber
from schema.errors import UserError


@strawberry.type
class CaptchaCreatePayload:
    id: str | None = None
    image_base64: str | None = strawberry.field(default=None, description="PNG image, base64.")
    expires_at: datetime | None = None
    user_errors: list[UserError]


@strawberry.type
class SmsCodeSendPayload:
    resend_after_seconds: int | None = None
    user_errors: list[UserError]


@strawberry.type
class SessionPayload:
    session: AuthSession | None = None
    user_errors: list[UserError]


@strawberry.type
class LogoutPayload:
    ok: bool


@strawberry.type
class PasswordPayload:
    ok: bool = False
    user_errors: list[UserError]


@strawberry.type
class SubscriberProvisionPayload:
    subscriber: ProvisionedSubscriber | None = None
    user_errors: list[UserError]


@strawberry.type
class QrLoginStartPayload:
    token: str | None = None
    image_base64: str | None = strawberry.field(
        default=None, description="PNG of the QR code the app scans, base64."
    )
    expires_at: datetime | None = None
    user_errors: list[UserError]


@strawberry.type
class QrLoginConfirmPayload:
    ok: bool = False
    user_errors: list[UserError]


@strawberry.type
class QrLoginPollPayload:
    state: str | None = strawberry.field(default=None, description="PENDING, CONFIRMED or EXPIRED.")
    session: AuthSession | None = None
    user_errors: list[UserError]
