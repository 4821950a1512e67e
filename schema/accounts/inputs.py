from __future__ import annotations

import strawberry

from schema.enums import LoginMethodEnum, SmsPurposeEnum


@strawberry.input
class SmsCodeSendInput:
    msisdn: str
    purpose: SmsPurposeEnum


@strawberry.input
class AuthLoginInput:
    msisdn: str
    method: LoginMethodEnum
    secret: str = strawberry.field(description="Service password, SMS code or random password.")
    captcha_id: str | None = None
    captcha_answer: str | None = None


@strawberry.input
class StaffLoginInput:
    username: str
    password: str
    captcha_id: str | None = strawberry.field(
        default=None, description="Needed when the answer was CAPTCHA_REQUIRED."
    )
    captcha_answer: str | None = None


@strawberry.input
class PasswordChangeInput:
    old_password: str
    new_password: str
    msisdn: str | None = strawberry.field(
        default=None, description="Needed when not logged in (replacing an initial password)."
    )
    captcha_id: str | None = strawberry.field(
        default=None, description="Needed when not logged in, like password login."
    )
    captcha_answer: str | None = None


@strawberry.input
class PasswordResetInput:
    msisdn: str
    code: str = strawberry.field(description="The RESET_PASSWORD SMS code.")
    new_password: str


@strawberry.input
class SubscriberProvisionInput:
    msisdn: str
    plan_id: strawberry.ID
    balance_fen: int = 0
    service_password: str | None = strawberry.field(
        default=None, description="Omit for a random initial password sent by SMS."
    )
    initial_password: bool = strawberry.field(
        default=False, description="Store servicePassword as an initial one that must be changed."
    )
    credit_limit_fen: int = 0
    region: str = "BJ"
    real_name: str | None = None
    device_5g: bool = False
