"""Passkeys (指纹/面容ID登录): a FULL session registers a WebAuthn credential; later the number
logs in with it, no captcha, no password. The `webauthn` package checks the ceremony (challenge,
origin, relying party, signature, sign count); the hall keeps the challenges in Redis, single-use
with a short life, and refuses a sign count that did not move forward (a cloned credential)."""

from __future__ import annotations

import hashlib
import hmac
import json

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from db.models.accounts import Subscriber
from db.models.engage import Passkey
from domain.accounts import check_can_log_in, check_msisdn
from domain.errors import fail
from domain.sessions import Scope, Session, SessionMethod
from resolvers.accounts import subscriber_by_msisdn
from resolvers.context import RequestContext

REGISTER, LOGIN = "REGISTER", "LOGIN"


def _user_handle(ctx: RequestContext, subscriber_id: int) -> bytes:
    """An opaque, stable user handle: no number or row id leaves in the ceremony."""
    key = ctx.settings.id_number_secret.encode()
    return hmac.new(key, f"passkey-user:{subscriber_id}".encode(), hashlib.sha256).digest()[:16]


def _expired():
    return fail(
        "PASSKEY_CHALLENGE_EXPIRED",
        "This passkey request is unknown, used or expired: begin again.",
        "challengeId",
    )


def _invalid(why: str = ""):
    return fail("PASSKEY_INVALID", "The passkey response did not verify." + why, "credential")


def _credential_id(credential_json: str) -> str:
    try:
        raw = json.loads(credential_json)
        return bytes_to_base64url(base64url_to_bytes(str(raw.get("rawId") or raw["id"])))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _invalid() from None


async def _take(ctx: RequestContext, challenge_id: str, purpose: str) -> dict:
    held = await ctx.stores.passkey_challenges.take((challenge_id or "").strip())
    if held is None or held.get("purpose") != purpose:
        raise _expired()
    return held


async def my_passkeys(subscriber_id: int) -> list[Passkey]:
    return await Passkey.filter(subscriber_id=subscriber_id).order_by("-created_at", "-id")


async def register_begin(ctx: RequestContext, session: Session) -> tuple[str, str]:
    """(challenge id, PublicKeyCredentialCreationOptions as JSON for navigator.credentials)."""
    s = ctx.settings
    existing = await my_passkeys(session.subject_id)
    options = generate_registration_options(
        rp_id=s.webauthn_rp_id,
        rp_name=s.webauthn_rp_name,
        user_name=session.name,
        user_id=_user_handle(ctx, session.subject_id),
        timeout=s.passkey_challenge_seconds * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in existing
        ],
    )
    payload = {
        "purpose": REGISTER,
        "subject": session.subject_id,
        "challenge": bytes_to_base64url(options.challenge),
    }
    challenge_id = await ctx.stores.passkey_challenges.put(payload, s.passkey_challenge_seconds)
    return challenge_id, options_to_json(options)


async def register_finish(
    ctx: RequestContext, session: Session, challenge_id: str, credential_json: str, name: str
) -> Passkey:
    held = await _take(ctx, challenge_id, REGISTER)
    if held.get("subject") != session.subject_id:
        raise _expired()
    name = (name or "").strip()[:64] or "通行密钥"
    s = ctx.settings
    try:
        verified = verify_registration_response(
            credential=credential_json,
            expected_challenge=base64url_to_bytes(held["challenge"]),
            expected_rp_id=s.webauthn_rp_id,
            expected_origin=s.webauthn_origin_list,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise _invalid() from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if await Passkey.filter(credential_id=credential_id).exists():
        raise fail(
            "PASSKEY_ALREADY_REGISTERED", "This passkey is already registered.", "credential"
        )
    passkey = await Passkey.create(
        subscriber_id=session.subject_id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
        aaguid=str(verified.aaguid),
        created_at=ctx.now(),
    )
    await ctx.services.sms.send(
        session.name,
        "PASSKEY_REGISTERED",
        f"您已开通指纹/面容登录（{name}），如非本人操作请立即删除并致电10086。",
    )
    return passkey


async def login_begin(ctx: RequestContext, msisdn: str) -> tuple[str, str]:
    """Options naming the number's passkeys. A number that is not ours (or has no passkey) gets
    the same kind of answer, with an empty list, so this does not tell which numbers exist."""
    msisdn = check_msisdn(msisdn)
    s = ctx.settings
    if not await ctx.stores.rate_limits.allow(
        "passkey", ctx.client_ip, s.sms_per_client_hour * 10, 3600
    ):
        raise fail("RATE_LIMITED", "Too many passkey logins from your network; try later.")
    subscriber = await subscriber_by_msisdn(msisdn)
    keys = await my_passkeys(subscriber.id) if subscriber else []
    options = generate_authentication_options(
        rp_id=s.webauthn_rp_id,
        timeout=s.passkey_challenge_seconds * 1000,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in keys
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    payload = {
        "purpose": LOGIN,
        "subject": subscriber.id if subscriber else None,
        "challenge": bytes_to_base64url(options.challenge),
    }
    challenge_id = await ctx.stores.passkey_challenges.put(payload, s.passkey_challenge_seconds)
    return challenge_id, options_to_json(options)


async def login_finish(ctx: RequestContext, challenge_id: str, credential_json: str) -> Session:
    held = await _take(ctx, challenge_id, LOGIN)
    credential_id = _credential_id(credential_json)
    passkey = await Passkey.get_or_none(credential_id=credential_id)
    if passkey is None or held.get("subject") is None or passkey.subscriber_id != held["subject"]:
        raise _invalid()
    s = ctx.settings
    try:
        verified = verify_authentication_response(
            credential=credential_json,
            expected_challenge=base64url_to_bytes(held["challenge"]),
            expected_rp_id=s.webauthn_rp_id,
            expected_origin=s.webauthn_origin_list,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as error:
        if "sign count" in str(error):
            raise _sign_count_regressed() from None
        raise _invalid() from None
    except (ValueError, KeyError, TypeError):
        raise _invalid() from None
    # Guarded: of two logins racing with the same counter value, only one moves it.
    moved = await Passkey.filter(id=passkey.id, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=ctx.now()
    )
    if not moved:
        raise _sign_count_regressed()
    subscriber = await Subscriber.get(id=passkey.subscriber_id)
    check_can_log_in(subscriber.status)
    return await ctx.open_session(
        Scope.FULL, subscriber.id, subscriber.msisdn, SessionMethod.PASSKEY
    )


def _sign_count_regressed():
    return fail(
        "PASSKEY_SIGN_COUNT",
        "The passkey's signature counter went backwards (a cloned or replayed credential).",
        "credential",
    )


async def passkey_remove(ctx: RequestContext, session: Session, passkey_id: str) -> Passkey:
    try:
        pk = int(passkey_id)
    except (TypeError, ValueError):
        pk = -1
    passkey = await Passkey.get_or_none(id=pk, subscriber_id=session.subject_id)
    if passkey is None:
        raise fail("PASSKEY_NOT_FOUND", "No passkey of yours has this id.", "id")
    await passkey.delete()
    await ctx.services.sms.send(
        session.name, "PASSKEY_REMOVED", f"您已删除指纹/面容登录（{passkey.name}）。"
    )
    return passkey
