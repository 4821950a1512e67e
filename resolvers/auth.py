"""Every way into the hall: service password + captcha, SMS code, random password (LIMITED),
QR confirmed by the app, and staff login. Failures change nothing but the failure counters."""

from __future__ import annotations

import asyncio
import base64
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from captcha.image import ImageCaptcha

from db.models.accounts import StaffUser, Subscriber
from domain.accounts import (
    SubscriberStatus,
    check_can_log_in,
    check_msisdn,
    check_new_password,
    password_problems,
)
from domain.errors import DomainError, Problem, fail
from domain.sessions import Scope, Session, SessionMethod, ip_hash
from resolvers.accounts import subscriber_by_msisdn
from resolvers.context import RequestContext
from resolvers.login_attempts import guarded_attempt, verify_secret

CAPTCHA_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
CAPTCHA_LENGTH = 4
_captcha_images = ImageCaptcha(width=160, height=60)


class SmsPurpose(StrEnum):
    LOGIN = "LOGIN"
    RESET_PASSWORD = "RESET_PASSWORD"
    RANDOM_PASSWORD = "RANDOM_PASSWORD"


class LoginMethod(StrEnum):
    PASSWORD = "PASSWORD"
    SMS_CODE = "SMS_CODE"
    RANDOM_PASSWORD = "RANDOM_PASSWORD"


@dataclass(frozen=True)
class Captcha:
    id: str
    image_base64: str
    expires_at: datetime


async def captcha_create(ctx: RequestContext) -> Captcha:
    answer = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
    png = io.BytesIO()
    _captcha_images.write(answer, png, format="png")
    ttl = ctx.settings.captcha_seconds
    captcha_id = await ctx.stores.captchas.put(answer, ttl, ctx.now())
    return Captcha(
        id=captcha_id,
        image_base64=base64.b64encode(png.getvalue()).decode("ascii"),
        expires_at=ctx.now() + timedelta(seconds=ttl),
    )


SMS_TEXT = {
    SmsPurpose.LOGIN: "您的登录验证码为{code}，5分钟内有效，请勿泄露。",
    SmsPurpose.RESET_PASSWORD: "您正在重置服务密码，验证码为{code}，5分钟内有效。",
    SmsPurpose.RANDOM_PASSWORD: "您的随机密码为{code}，5分钟内有效，仅可查询及充值。",
}


async def sms_code_send(ctx: RequestContext, msisdn: str, purpose: SmsPurpose) -> int:
    """Send a code; returns seconds until another may be requested. A number that is not ours
    (or closed) gets the very same answer and a code that is stored but never sent, so neither
    this nor the login that follows tells which numbers exist."""
    msisdn = check_msisdn(msisdn)
    s = ctx.settings
    ctx.sms_requested += 1
    if ctx.sms_requested > s.sms_per_request:
        raise fail(
            "RATE_LIMITED", f"At most {s.sms_per_request} SMS code(s) per request.", "msisdn"
        )
    if not await ctx.stores.rate_limits.allow("sms", ctx.client_ip, s.sms_per_client_hour, 3600):
        raise fail("RATE_LIMITED", "Too many SMS codes from your network; try later.", "msisdn")
    subscriber = await subscriber_by_msisdn(msisdn)
    deliver = subscriber is not None and subscriber.status is not SubscriberStatus.CLOSED
    code = f"{secrets.randbelow(10**6):06d}"
    outcome, seconds = await ctx.stores.sms_codes.issue(
        purpose.value, msisdn, code, s.sms_code_seconds, s.sms_resend_seconds, s.sms_daily_limit
    )
    if outcome == "COOLDOWN":
        raise fail("RESEND_TOO_SOON", f"Wait {seconds} s before asking for another code.", "msisdn")
    if outcome == "DAILY_LIMIT":
        raise fail("DAILY_LIMIT", "Too many codes for this number today.", "msisdn")
    if deliver:
        text = SMS_TEXT[purpose].format(code=code)
        await ctx.services.sms.send(msisdn, f"SMS_{purpose.value}", text)
    return seconds


async def _check_code(ctx: RequestContext, purpose: SmsPurpose, msisdn: str, code: str, field: str):
    verdict = await ctx.stores.sms_codes.verify(
        purpose.value, msisdn, (code or "").strip(), ctx.settings.sms_code_max_tries
    )
    if verdict.outcome == "EXPIRED":
        raise fail("CODE_EXPIRED", "No valid code for this number; request a new one.", field)
    if verdict.outcome == "INVALID":
        hint = (
            f" {verdict.tries_left} tries left."
            if verdict.tries_left > 0
            else " Request a new one."
        )
        raise fail("CODE_INVALID", "The code is wrong." + hint, field)


def _bad_credentials() -> DomainError:
    return fail("INVALID_CREDENTIALS", "The number or password is wrong.", "secret")


async def _known(msisdn: str) -> Subscriber:
    """After a right SMS code: the subscriber (an unknown number's code is never delivered, so
    reaching here without one is a 1-in-a-million guess: answered like a wrong secret)."""
    subscriber = await subscriber_by_msisdn(msisdn)
    if subscriber is None:
        raise _bad_credentials()
    return subscriber


async def _verify_service_password(
    ctx: RequestContext,
    msisdn: str,
    secret: str,
    captcha_id: str | None,
    captcha_answer: str | None,
    captcha_always: bool = True,
) -> Subscriber:
    """The subscriber whose password this is, or a counted failure (see login_attempts)."""

    async def check() -> Subscriber:
        subscriber = await subscriber_by_msisdn(msisdn)
        stored = subscriber.service_password_hash if subscriber else None
        if not await verify_secret(ctx, stored, secret):
            raise _bad_credentials()
        return subscriber  # type: ignore[return-value]

    return await guarded_attempt(
        ctx, msisdn, check, captcha_id, captcha_answer, captcha_always=captcha_always
    )


async def auth_login(
    ctx: RequestContext,
    msisdn: str,
    method: LoginMethod,
    secret: str,
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
) -> Session:
    msisdn = check_msisdn(msisdn)
    if method is LoginMethod.SMS_CODE:
        await _check_code(ctx, SmsPurpose.LOGIN, msisdn, secret, "secret")
        subscriber = await _known(msisdn)
        scope = Scope.FULL
    elif method is LoginMethod.RANDOM_PASSWORD:

        async def check() -> Subscriber:
            await _check_code(ctx, SmsPurpose.RANDOM_PASSWORD, msisdn, secret, "secret")
            return await _known(msisdn)

        subscriber = await guarded_attempt(
            ctx, msisdn, check, captcha_id, captcha_answer, captcha_always=False
        )
        scope = Scope.LIMITED
    else:
        subscriber = await _verify_service_password(ctx, msisdn, secret, captcha_id, captcha_answer)
        if subscriber.on_initial_password:
            raise fail(
                "INITIAL_PASSWORD_MUST_CHANGE",
                "This number is still on its initial password: change or reset it first.",
                "secret",
            )
        scope = Scope.FULL
    check_can_log_in(subscriber.status)
    return await ctx.open_session(
        scope, subscriber.id, subscriber.msisdn, SessionMethod(method.value)
    )


async def staff_login(
    ctx: RequestContext,
    username: str,
    password: str,
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
) -> Session:
    username = (username or "").strip()

    async def check() -> StaffUser:
        staff = await StaffUser.get_or_none(username=username) if username else None
        if not await verify_secret(ctx, staff.password_hash if staff else None, password):
            raise fail("INVALID_CREDENTIALS", "The username or password is wrong.", "password")
        return staff  # type: ignore[return-value]

    staff = await guarded_attempt(
        ctx, f"staff:{username[:64]}", check, captcha_id, captcha_answer, captcha_always=False
    )
    return await ctx.stores.sessions.create(
        Scope.STAFF,
        staff.id,
        staff.username,
        staff.role,
        method=SessionMethod.STAFF_PASSWORD.value,
        ip_hash=ip_hash(ctx.settings.id_number_secret, ctx.client_ip),
        user_agent=ctx.user_agent,
    )


async def auth_logout(ctx: RequestContext) -> bool:
    if ctx.session is None:
        return False
    await ctx.stores.sessions.revoke(ctx.session.token)
    return True


async def _set_password(ctx: RequestContext, subscriber: Subscriber, new_password: str) -> None:
    check_new_password(new_password, subscriber.msisdn)
    if await verify_secret(ctx, subscriber.service_password_hash, new_password):
        raise fail(
            "WEAK_PASSWORD", "Choose a password different from the current one.", "newPassword"
        )
    subscriber.service_password_hash = await asyncio.to_thread(
        ctx.services.hasher.hash, new_password
    )
    subscriber.on_initial_password = False
    await subscriber.save(update_fields=["service_password_hash", "on_initial_password"])
    keep = ctx.session.token if ctx.session and ctx.session.subject_id == subscriber.id else None
    await ctx.stores.sessions.revoke_all(Scope.FULL, subscriber.id, keep=keep)
    await ctx.services.sms.send(
        subscriber.msisdn, "PASSWORD_CHANGED", "您的服务密码已修改，如非本人操作请致电10086。"
    )


async def password_change(
    ctx: RequestContext,
    msisdn: str | None,
    old_password: str,
    new_password: str,
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
) -> Subscriber:
    """By a logged-in subscriber, or anonymously with the number (how an initial password is
    replaced before first login). A wrong old password counts as a failed attempt; anonymously
    (or for another number than the session's) it needs a captcha, like password login."""
    own = ctx.session.name if ctx.session is not None and ctx.session.is_subscriber else None
    if own and not msisdn:
        msisdn = own
    if not msisdn:
        raise fail("INVALID_MSISDN", "Give the number whose password to change.", "msisdn")
    msisdn = check_msisdn(msisdn)
    problems = _new_password_problems(new_password, msisdn)
    if problems:
        raise DomainError(*problems)
    subscriber = await _verify_service_password(
        ctx, msisdn, old_password, captcha_id, captcha_answer, captcha_always=msisdn != own
    )
    check_can_log_in(subscriber.status)
    await _set_password(ctx, subscriber, new_password)
    return subscriber


def _new_password_problems(new_password: str, msisdn: str) -> list[Problem]:
    return password_problems(new_password or "", msisdn)


async def password_reset(
    ctx: RequestContext, msisdn: str, code: str, new_password: str
) -> Subscriber:
    msisdn = check_msisdn(msisdn)
    problems = _new_password_problems(new_password, msisdn)
    if problems:
        raise DomainError(*problems)
    await _check_code(ctx, SmsPurpose.RESET_PASSWORD, msisdn, code, "code")
    subscriber = await _known(msisdn)
    check_can_log_in(subscriber.status)
    await _set_password(ctx, subscriber, new_password)
    await ctx.stores.lockouts.record_success(msisdn)
    return subscriber
