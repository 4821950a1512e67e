"""The quote every price in the hall takes, as clients see it: list and final price, the lines
with each campaign's adjustment, the campaigns that did not apply and why, the month-by-month
schedule and the points the order would earn. Built from `domain.pricing.Quote`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.errors import DomainError
from domain.pricing import Quote as DomainQuote
from schema.enums import OfferingKindEnum
from schema.errors import UserError, to_user_errors


@strawberry.type(description="A campaign's discount on one line.")
class QuoteAdjustment:
    campaign_id: strawberry.ID
    name: str
    amount_fen: int


@strawberry.type(description="A campaign that was considered and did not apply.")
class QuoteRejection:
    campaign_id: strawberry.ID
    name: str
    reason: str = strawberry.field(
        description="OUTSIDE_WINDOW, CHANNEL, AUDIENCE, CAP_REACHED, NOT_COMBINABLE, "
        "BELOW_FLOOR or PAUSED."
    )


@strawberry.type
class QuoteGift:
    campaign_id: strawberry.ID
    name: str
    item: str


@strawberry.type
class QuoteLine:
    offering_id: strawberry.ID
    kind: OfferingKindEnum
    name: str
    list_price_fen: int
    final_price_fen: int
    recurring: bool = strawberry.field(description="A monthly fee rather than a one-off charge.")
    adjustments: list[QuoteAdjustment]


@strawberry.type(description="What one month costs, business calendar.")
class MonthPrice:
    month: str = strawberry.field(description="YYYY-MM")
    price_fen: int


@strawberry.type(
    description="A price that explains itself. Prices are null when `userErrors` says the "
    "request cannot be priced."
)
class Quote:
    list_price_fen: int | None = None
    final_price_fen: int | None = None
    discount_fen: int | None = None
    effective_from: datetime | None = strawberry.field(
        default=None, description="When the priced offerings take effect."
    )
    lines: list[QuoteLine] = strawberry.field(default_factory=list)
    rejected: list[QuoteRejection] = strawberry.field(default_factory=list)
    gifts: list[QuoteGift] = strawberry.field(default_factory=list)
    schedule: list[MonthPrice] = strawberry.field(
        default_factory=list, description="The next 12 months from `effectiveFrom`."
    )
    points_to_earn: int | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def quote_view(quote: DomainQuote) -> Quote:
    return Quote(
        list_price_fen=quote.list_price_fen,
        final_price_fen=quote.final_price_fen,
        discount_fen=quote.discount_fen,
        effective_from=quote.effective_from,
        lines=[
            QuoteLine(
                offering_id=strawberry.ID(line.offering_id),
                kind=line.kind,
                name=line.name,
                list_price_fen=line.list_price_fen,
                final_price_fen=line.final_price_fen,
                recurring=line.recurring,
                adjustments=[
                    QuoteAdjustment(
                        campaign_id=strawberry.ID(a.campaign_id),
                        name=a.name,
                        amount_fen=a.amount_fen,
                    )
                    for a in line.adjustments
                ],
            )
            for line in quote.lines
        ],
        rejected=[
            QuoteRejection(campaign_id=strawberry.ID(r.campaign_id), name=r.name, reason=r.reason)
            for r in quote.rejected
        ],
        gifts=[
            QuoteGift(campaign_id=strawberry.ID(g.campaign_id), name=g.name, item=g.item)
            for g in quote.gifts
        ],
        schedule=[MonthPrice(month=m.month, price_fen=m.price_fen) for m in quote.schedule],
        points_to_earn=quote.points_to_earn,
    )


def quote_errors(error: DomainError) -> Quote:
    return Quote(user_errors=to_user_errors(error))
