"""How every guessable secret (service password, random password, staff password) is tried.

    result = await guarded_attempt(ctx, account, check, captcha_id, captcha_answer,
                                   captcha_always=True)

1. The client address's recent wrong secrets escalate: past `ip_captcha_failures` a captcha is
   required even where the method normally takes none; past `ip_lockout_failures` every attempt
   waits `ip_slow_seconds` first. The address never locks an account (one NAT, many people).
2. The attempt is taken before the secret is verified (`LockoutStore.begin`, one Lua script):
   refused LOCKED, refused ATTEMPT_IN_PROGRESS while another verification of the same account
   runs, else counted in advance. So 30 parallel guesses get one verification, not 30.
3. `check()` verifies (argon2 in a worker thread, so one verification never stalls the others)
   and raises a DomainError for a wrong secret; the count is then kept and locks at the limit,
   or cleared on success.

Unknown accounts go through the same steps and verify against a dummy hash, so the answer and
its timing do not tell which numbers or usernames exist.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import cache
from typing import TypeVar

from domain.errors import DomainError, fail
from domain.hashing import SecretHasher
from resolvers.context import RequestContext

T = TypeVar("T")


@cache
def _dummy_hash(hasher: SecretHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


async def verify_secret(ctx: RequestContext, stored_hash: str | None, secret: str) -> bool:
    """argon2 off the event loop; an unknown account costs the same as a known one."""
    hasher = ctx.services.hasher
    target = stored_hash if stored_hash is not None else _dummy_hash(hasher)
    ok = await asyncio.to_thread(hasher.verify, target, secret or "")
    return ok and stored_hash is not None


async def check_captcha(
    ctx: RequestContext, captcha_id: str | None, answer: str | None, code: str = "CAPTCHA_INVALID"
) -> None:
    if not captcha_id or not answer:
        if code == "CAPTCHA_REQUIRED":
            raise fail(
                "CAPTCHA_REQUIRED",
                "Many wrong attempts came from your network: solve the image captcha as well.",
                "captchaAnswer",
            )
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


def locked_error(seconds: int, now: datetime) -> DomainError:
    until = (now + timedelta(seconds=seconds)).isoformat(timespec="seconds")
    return fail(
        "LOCKED", f"Too many wrong attempts; password login is locked until {until}.", "secret"
    )


async def guarded_attempt(
    ctx: RequestContext,
    account: str,
    check: Callable[[], Awaitable[T]],
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
    *,
    captcha_always: bool,
) -> T:
    s = ctx.settings
    lockouts = ctx.stores.lockouts
    from_address = await lockouts.ip_failures(ctx.client_ip)
    if captcha_always:
        await check_captcha(ctx, captcha_id, captcha_answer)
    elif from_address >= s.ip_captcha_failures:
        await check_captcha(ctx, captcha_id, captcha_answer, "CAPTCHA_REQUIRED")
    attempt = await lockouts.begin(account, ctx.client_ip, s.lockout_failures, s.lockout_seconds)
    if attempt.outcome == "LOCKED":
        raise locked_error(attempt.seconds, ctx.now())
    if attempt.outcome == "BUSY":
        raise fail(
            "ATTEMPT_IN_PROGRESS",
            "Another sign-in attempt for this account is being checked: try again in a moment.",
            "secret",
        )
    if attempt.ip_failures >= s.ip_lockout_failures:
        await asyncio.sleep(s.ip_slow_seconds)  # slows a guesser down, never locks the account
    try:
        result = await check()
    except DomainError as wrong:
        locked = await lockouts.finish(
            account, ctx.client_ip, attempt, False, s.lockout_failures, s.lockout_seconds
        )
        raise (locked_error(locked, ctx.now()) if locked else wrong) from None
    await lockouts.finish(
        account, ctx.client_ip, attempt, True, s.lockout_failures, s.lockout_seconds
    )
    return result
