"""Every way into the hall: service password + captcha, SMS code, random password (LIMITED),
QR confirmed by the app, and staff login. Failures change nothing but the failure counters."""

from __future__ import annotations

import base64
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from captcha.image import ImageCaptcha

from db.models.accounts import StaffUser, Subscriber
from domain.accounts import (
    check_can_log_in,
    check_msisdn,
    check_new_password,
    password_problems,
)
from domain.errors import DomainError, Problem, fail
from domain.sessions import Scope, Session
from resolvers.accounts import subscriber_by_msisdn
from resolvers.context import RequestContext

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


async def check_captcha(ctx: RequestContext, captcha_id: str | None, answer: str | None) -> None:
    if not captcha_id or not answer:
        raise fail("CAPTCHA_INVALID", "Enter the characters shown in the image.", "captchaAnswer")
    expected = await ctx.stores.captchas.take(captcha_id)
    if expected is None:
        born = ctx.stores.captchas.born_ms(captcha_id)
        if (
            born is not None
            and ctx.now().timestamp() * 1000 - born >= ctx.settings.captcha_seconds * 1000
        ):
            raise fail("CAPTCHA_EXPIRED", "The image has expired; get a new one.", "captchaId")
        raise fail("CAPTCHA_INVALID", "That image was already used or never issued.", "captchaId")
    if not secrets.compare_digest(expected, answer):
        raise fail("CAPTCHA_INVALID", "The characters do not match the image.", "captchaAnswer")


SMS_TEXT = {
    SmsPurpose.LOGIN: "您的登录验证码为{code}，5分钟内有效，请勿泄露。",
    SmsPurpose.RESET_PASSWORD: "您正在重置服务密码，验证码为{code}，5分钟内有效。",
    SmsPurpose.RANDOM_PASSWORD: "您的随机密码为{code}，5分钟内有效，仅可查询及充值。",
}


async def sms_code_send(ctx: RequestContext, msisdn: str, purpose: SmsPurpose) -> int:
    """Send a code; returns seconds until another may be requested."""
    msisdn = check_msisdn(msisdn)
    subscriber = await subscriber_by_msisdn(msisdn)
    if subscriber is None:
        raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
    check_can_log_in(subscriber.status)
    code = f"{secrets.randbelow(10**6):06d}"
    s = ctx.settings
    outcome, seconds = await ctx.stores.sms_codes.issue(
        purpose.value, msisdn, code, s.sms_code_seconds, s.sms_resend_seconds, s.sms_daily_limit
    )
    if outcome == "COOLDOWN":
        raise fail("RESEND_TOO_SOON", f"Wait {seconds} s before asking for another code.", "msisdn")
    if outcome == "DAILY_LIMIT":
        raise fail("DAILY_LIMIT", "Too many codes for this number today.", "msisdn")
    await ctx.services.sms.send(msisdn, f"SMS_{purpose.value}", SMS_TEXT[purpose].format(code=code))
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


async def _raise_if_locked(ctx: RequestContext, msisdn: str) -> None:
    seconds = await ctx.stores.lockouts.locked_for(msisdn, ctx.client_ip)
    if seconds > 0:
        raise _locked(seconds, ctx.now())


def _locked(seconds: int, now: datetime) -> DomainError:
    until = (now + timedelta(seconds=seconds)).isoformat(timespec="seconds")
    return fail(
        "LOCKED", f"Too many wrong attempts; password login is locked until {until}.", "secret"
    )


async def _count_failure(ctx: RequestContext, msisdn: str, error: DomainError) -> DomainError:
    s = ctx.settings
    locked = await ctx.stores.lockouts.record_failure(
        msisdn, ctx.client_ip, s.lockout_failures, s.ip_lockout_failures, s.lockout_seconds
    )
    return _locked(locked, ctx.now()) if locked else error


def _bad_credentials() -> DomainError:
    return fail("INVALID_CREDENTIALS", "The number or password is wrong.", "secret")


async def _verify_service_password(ctx: RequestContext, msisdn: str, secret: str) -> Subscriber:
    """The subscriber whose password this is, or a counted failure."""
    subscriber = await subscriber_by_msisdn(msisdn)
    hasher = ctx.services.hasher
    if subscriber is None or not hasher.verify(subscriber.service_password_hash, secret or ""):
        raise await _count_failure(ctx, msisdn, _bad_credentials())
    await ctx.stores.lockouts.record_success(msisdn)
    return subscriber


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
        subscriber = await subscriber_by_msisdn(msisdn)
        if subscriber is None:
            raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
        scope = Scope.FULL
    elif method is LoginMethod.RANDOM_PASSWORD:
        await _raise_if_locked(ctx, msisdn)
        try:
            await _check_code(ctx, SmsPurpose.RANDOM_PASSWORD, msisdn, secret, "secret")
        except DomainError as error:
            raise await _count_failure(ctx, msisdn, error) from None
        subscriber = await subscriber_by_msisdn(msisdn)
        if subscriber is None:
            raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
        scope = Scope.LIMITED
    else:
        await _raise_if_locked(ctx, msisdn)
        await check_captcha(ctx, captcha_id, captcha_answer)
        subscriber = await _verify_service_password(ctx, msisdn, secret)
        if subscriber.on_initial_password:
            raise fail(
                "INITIAL_PASSWORD_MUST_CHANGE",
                "This number is still on its initial password: change or reset it first.",
                "secret",
            )
        scope = Scope.FULL
    check_can_log_in(subscriber.status)
    return await ctx.stores.sessions.create(scope, subscriber.id, subscriber.msisdn)


async def staff_login(ctx: RequestContext, username: str, password: str) -> Session:
    username = (username or "").strip()
    key = f"staff:{username[:64]}"
    await _raise_if_locked(ctx, key)
    staff = await StaffUser.get_or_none(username=username) if username else None
    if staff is None or not ctx.services.hasher.verify(staff.password_hash, password or ""):
        error = fail("INVALID_CREDENTIALS", "The username or password is wrong.", "password")
        raise await _count_failure(ctx, key, error)
    await ctx.stores.lockouts.record_success(key)
    return await ctx.stores.sessions.create(Scope.STAFF, staff.id, staff.username, staff.role)


async def auth_logout(ctx: RequestContext) -> bool:
    if ctx.session is None:
        return False
    await ctx.stores.sessions.revoke(ctx.session.token)
    return True


async def _set_password(ctx: RequestContext, subscriber: Subscriber, new_password: str) -> None:
    check_new_password(new_password, subscriber.msisdn)
    if ctx.services.hasher.verify(subscriber.service_password_hash, new_password):
        raise fail(
            "WEAK_PASSWORD", "Choose a password different from the current one.", "newPassword"
        )
    subscriber.service_password_hash = ctx.services.hasher.hash(new_password)
    subscriber.on_initial_password = False
    await subscriber.save(update_fields=["service_password_hash", "on_initial_password"])
    keep = ctx.session.token if ctx.session and ctx.session.subject_id == subscriber.id else None
    await ctx.stores.sessions.revoke_all(Scope.FULL, subscriber.id, keep=keep)
    await ctx.services.sms.send(
        subscriber.msisdn, "PASSWORD_CHANGED", "您的服务密码已修改，如非本人操作请致电10086。"
    )


async def password_change(
    ctx: RequestContext, msisdn: str | None, old_password: str, new_password: str
) -> Subscriber:
    """By a logged-in subscriber, or anonymously with the number (how an initial password is
    replaced before first login). A wrong old password counts as a failed attempt."""
    if ctx.session is not None and ctx.session.is_subscriber and not msisdn:
        msisdn = ctx.session.name
    if not msisdn:
        raise fail("INVALID_MSISDN", "Give the number whose password to change.", "msisdn")
    msisdn = check_msisdn(msisdn)
    problems = _new_password_problems(new_password, msisdn)
    if problems:
        raise DomainError(*problems)
    await _raise_if_locked(ctx, msisdn)
    subscriber = await _verify_service_password(ctx, msisdn, old_password)
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
    subscriber = await subscriber_by_msisdn(msisdn)
    if subscriber is None:
        raise fail("NOT_FOUND", "This number is not one of ours.", "msisdn")
    check_can_log_in(subscriber.status)
    await _set_password(ctx, subscriber, new_password)
    await ctx.stores.lockouts.record_success(msisdn)
    return subscriber
