"""QR login: the web page shows a token, an app already logged in confirms it, the page polls."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno

from db.models.accounts import Subscriber
from domain.accounts import (
    SubscriberStatus,
)
from domain.errors import fail
from domain.sessions import Scope, Session, SessionMethod
from resolvers.context import RequestContext


@dataclass(frozen=True)
class QrStart:
    token: str
    image_base64: str
    expires_at: datetime


async def qr_login_start(ctx: RequestContext) -> QrStart:
    ttl = ctx.settings.qr_login_seconds
    token = await ctx.stores.qr_logins.start(ttl)
    png = io.BytesIO()
    segno.make(f"telehall://qr-login/{token}", error="m").save(png, kind="png", scale=6)
    return QrStart(
        token, base64.b64encode(png.getvalue()).decode("ascii"), ctx.now() + timedelta(seconds=ttl)
    )


async def qr_login_confirm(ctx: RequestContext, session: Session, token: str) -> None:
    outcome = await ctx.stores.qr_logins.confirm(token or "", session.subject_id, session.name)
    if outcome == "EXPIRED":
        raise fail("QR_EXPIRED", "This QR code has expired; refresh it on the web page.", "token")
    if outcome != "OK":
        raise fail("QR_ALREADY_CONFIRMED", "This QR code was already used.", "token")


async def qr_login_poll(ctx: RequestContext, token: str) -> tuple[str, Session | None]:
    state, subject, name = await ctx.stores.qr_logins.claim(token or "")
    if state != "CONFIRMED" or subject is None:
        return state, None
    subscriber = await Subscriber.get_or_none(id=subject)
    if subscriber is None or subscriber.status is SubscriberStatus.CLOSED:
        return "EXPIRED", None
    return "CONFIRMED", await ctx.open_session(Scope.FULL, subject, name, SessionMethod.QR)
