"""The bot's answer: the customer's own figures when the question asks for them, and the best
knowledge-base articles. `helpful` is False when it had neither: two of those hand over."""

from __future__ import annotations

from dataclasses import dataclass

from db.models.accounts import Subscriber
from db.models.catalog import AddOn, RoamingDestination
from domain.allowances import AllowanceKind
from domain.service.intents import Intent, intents, yuan
from resolvers import billing, kb
from resolvers.context import RequestContext
from resolvers.usage_views import allowances

MIN_SCORE = 4.0  # below this BM25 score an article is a guess, not an answer
ARTICLES = 3


@dataclass(frozen=True)
class BotReply:
    text: str
    article_ids: list[str]
    helpful: bool


async def _destination(text: str) -> RoamingDestination | None:
    for zone in await RoamingDestination.filter(active=True):
        # "中国香港" is asked as "香港"
        names = [zone.name, *(c["name"].removeprefix("中国") for c in zone.countries)]
        if any(name and name in text for name in names):
            return zone
    return None


async def _roaming(zone: RoamingDestination) -> str:
    packs = await AddOn.filter(destination_id=zone.code, active=True).order_by("sort_order")
    lines = [f"- {p.name}：{yuan(p.price_fen)}元（{p.description}）" for p in packs]
    return f"{zone.name}的漫游流量包：\n" + "\n".join(lines) if lines else ""


async def _figures(ctx: RequestContext, subscriber: Subscriber, asked: set[Intent]) -> list[str]:
    now = ctx.now()
    lines = []
    if Intent.BALANCE in asked:
        lines.append(f"您的账户余额为{yuan(subscriber.balance_fen)}元。")
    if Intent.DATA_LEFT in asked:
        data = [a for a in await allowances(subscriber, now) if a.kind is AllowanceKind.DATA]
        left = sum(a.remaining for a in data if a.scope is None)
        lines.append(f"您本月剩余通用流量{left}MB。")
    if Intent.BILL_STATUS in asked:
        last = await billing.bills(subscriber, 1, now)
        if last:
            bill = last[0]
            total = f"，合计{yuan(bill.total_fen)}元" if bill.total_fen is not None else ""
            lines.append(f"您{bill.cycle}的账单状态：{bill.status.value}{total}。")
    return lines


async def reply(ctx: RequestContext, subscriber: Subscriber | None, text: str) -> BotReply:
    zone = await _destination(text)
    asked = intents(text, zone is not None)
    lines: list[str] = []
    if Intent.ROAMING_RATES in asked and zone is not None and (rates := await _roaming(zone)):
        lines.append(rates)
    if subscriber is not None:
        lines += await _figures(ctx, subscriber, asked)
    elif asked - {Intent.ROAMING_RATES}:
        lines.append("登录后我可以直接为您查询余额、流量和账单。")
    hits = [h for h in await kb.search(text, ARTICLES) if h.score >= MIN_SCORE]
    if hits:
        lines.append("以下文章可能对您有帮助：")
        lines += [f"- {h.article.title}" for h in hits]
    helpful = bool(hits) or bool(lines and asked)
    if not lines:
        lines.append("抱歉，我没有理解您的问题。您可以换个说法，或发送“转人工”联系人工客服。")
    return BotReply("\n".join(lines), [h.article.id for h in hits], helpful)
