"""Loading and provisioning subscribers and staff."""

from __future__ import annotations

import secrets

from tortoise.exceptions import IntegrityError

from db.models.accounts import Subscriber
from db.models.catalog import Plan
from db.repositories.allowances import preload_current_buckets
from db.repositories.callers import load_caller
from db.repositories.plan_changes import apply_due_changes
from domain.accounts import SubscriberStatus, check_msisdn, check_new_password
from domain.errors import fail
from resolvers.context import RequestContext

MAX_OPENING_BALANCE_FEN = 100_000_000  # ¥1,000,000: anything above is a typo, not a deposit


async def subscriber_by_msisdn(msisdn: str) -> Subscriber | None:
    return await Subscriber.get_or_none(msisdn=msisdn)


async def current_subscriber(ctx: RequestContext, with_buckets: bool = False) -> Subscriber | None:
    """The caller's row, with any plan or combo change that fell due already applied; one
    statement when none is due. `with_buckets`: this instant's allowance buckets are read in
    the same statement (for a request that shows allowances)."""
    if ctx.session is None or not ctx.session.is_subscriber:
        return None
    subscriber_id, now = ctx.session.subject_id, ctx.now()
    caller = await load_caller(subscriber_id, now, with_buckets)
    if caller is None:
        return None
    if caller.change_due:
        await apply_due_changes(now, subscriber_id)
        return await Subscriber.get_or_none(id=subscriber_id)
    if caller.buckets is not None:
        preload_current_buckets(caller.subscriber, caller.buckets)
    return caller.subscriber


async def provision_subscriber(
    ctx: RequestContext,
    msisdn: str,
    plan_id: str,
    service_password: str | None,
    balance_fen: int,
    initial_password: bool = False,
    credit_limit_fen: int = 0,
    region: str = "BJ",
    real_name: str | None = None,
    device_5g: bool = False,
) -> Subscriber:
    msisdn = check_msisdn(msisdn)
    if not (0 <= balance_fen <= MAX_OPENING_BALANCE_FEN):
        raise fail("INVALID_AMOUNT", "Opening balance must be 0 to ¥1,000,000.", "balanceFen")
    if not (0 <= credit_limit_fen <= MAX_OPENING_BALANCE_FEN):
        raise fail("INVALID_AMOUNT", "Credit limit must be 0 to ¥1,000,000.", "creditLimitFen")
    plan = await Plan.get_or_none(id=plan_id, active=True)
    if plan is None:
        raise fail("NOT_FOUND", f"No plan {plan_id!r} is on sale.", "planId")
    initial = initial_password or service_password is None
    if service_password is None:
        # A random six-digit initial password, sent by SMS; it must be changed before use.
        service_password = f"{secrets.randbelow(10**6):06d}"
    check_new_password(service_password, msisdn, "servicePassword")
    if await Subscriber.exists(msisdn=msisdn):
        raise fail("ALREADY_EXISTS", f"{msisdn} is already a subscriber.", "msisdn")
    try:
        subscriber = await Subscriber.create(
            msisdn=msisdn,
            status=SubscriberStatus.ACTIVE,
            real_name_verified=real_name is not None,
            real_name=real_name,
            region=region,
            plan_id=plan.id,
            balance_fen=balance_fen,
            credit_limit_fen=credit_limit_fen,
            joined_at=ctx.now(),
            puk=f"{secrets.randbelow(10**8):08d}",
            service_password_hash=ctx.services.hasher.hash(service_password),
            on_initial_password=initial,
            device_5g=device_5g,
        )
    except IntegrityError as exc:
        raise fail("ALREADY_EXISTS", f"{msisdn} is already a subscriber.", "msisdn") from exc
    notice = (
        f"欢迎使用Telehall，您的初始服务密码为{service_password}，请登录后尽快修改。"
        if initial
        else "欢迎使用Telehall，您的号码已开通。"
    )
    await ctx.services.sms.send(msisdn, "WELCOME", notice)
    return subscriber
