"""GraphQL snippets and fixtures the promotions tests share.

Every test runs its campaigns in a window of its own, years ahead, with the hall's clock frozen
inside it, and the campaigns and festivals it made are deleted afterwards (`promotions_cleanup`),
so no other test ever sees them in a quote.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from db.models.promotions import Campaign, Festival
from domain.calendar import SHANGHAI
from domain.promotions.model import shanghai_days

CAMPAIGN_FIELDS = """id name description status startsAt endsAt channels
  festival { id name }
  targets { planIds packIds kinds mallItemIds }
  benefit { kind percentBp amountFen fixedPriceFen months until giftItem multiplierBp summary }"""
STAFF_FIELDS = """version priority stacking combinesWith floorFen createdBy updatedBy endedEarlyAt
  audience { newSubscriber existingSubscriber minTenureMonths planIds regions }
  caps { unitsTotal perSubscriber budgetFen }
  stats { ordersCount unitsUsed discountGivenFen revenueFen unitsTaken budgetSpentFen }"""
PAYLOAD = (
    "{ campaign { "
    + CAMPAIGN_FIELDS
    + " "
    + STAFF_FIELDS
    + " } warnings userErrors { code field message } }"
)
CREATE = "mutation($input: CampaignCreateInput!) { campaignCreate(input: $input) " + PAYLOAD + " }"
UPDATE = "mutation($input: CampaignUpdateInput!) { campaignUpdate(input: $input) " + PAYLOAD + " }"
PAUSE = "mutation($id: ID!) { campaignPause(id: $id) " + PAYLOAD + " }"
RESUME = "mutation($id: ID!) { campaignResume(id: $id) " + PAYLOAD + " }"
END = "mutation($id: ID!) { campaignEnd(id: $id) " + PAYLOAD + " }"
FESTIVAL = """mutation($input: FestivalCreateInput!) { festivalCreate(input: $input) {
  festival { id name description startsAt endsAt status } userErrors { code field message } } }"""
PUBLIC_LIST = (
    """query($filter: CampaignFilter, $first: Int, $after: String) {
  campaigns(filter: $filter, first: $first, after: $after) {
    nodes { """
    + CAMPAIGN_FIELDS
    + """ } pageInfo { hasNextPage endCursor } } }"""
)
STAFF_LIST = (
    """query($filter: CampaignFilter, $first: Int, $after: String) {
  campaigns(filter: $filter, first: $first, after: $after) {
    nodes { """
    + CAMPAIGN_FIELDS
    + " "
    + STAFF_FIELDS
    + """ } pageInfo { hasNextPage endCursor } } }"""
)
PREVIEW = """query($input: PromotionPreviewInput!) { promotionPreview(input: $input) {
  listPriceFen finalPriceFen discountFen effectiveFrom pointsToEarn
  lines { offeringId listPriceFen finalPriceFen adjustments { campaignId name amountFen } }
  rejected { campaignId reason } gifts { campaignId item } schedule { month priceFen }
  userErrors { code field message } } }"""
AUDIT = """query($campaignId: ID, $festivalId: ID, $first: Int, $after: String) {
  promotionAudit(campaignId: $campaignId, festivalId: $festivalId, first: $first, after: $after) {
    nodes { id entityType entityId action actor at before after }
    pageInfo { hasNextPage endCursor } } }"""

_years = itertools.count(2041)


class Window:
    """Whole Shanghai days far ahead, unique to the test that asked for it."""

    def __init__(self, days: int = 7) -> None:
        year = next(_years)
        self.first = date(year, 3, 1)
        self.last = self.first + timedelta(days=days - 1)
        self.starts_at, self.ends_at = shanghai_days(self.first, self.last)
        self.before = datetime(year, 2, 20, 12, 0, tzinfo=SHANGHAI)
        self.during = datetime(year, 3, 2, 10, 0, tzinfo=SHANGHAI)
        self.after = self.ends_at + timedelta(days=3)

    @property
    def start(self) -> str:
        return self.starts_at.isoformat()

    @property
    def end(self) -> str:
        return self.ends_at.isoformat()


def campaign_input(window: Window, **fields: object) -> dict:
    base: dict = {
        "name": "测试活动",
        "startsAt": window.start,
        "endsAt": window.end,
        "targets": {"packIds": ["ADD-7D-1G"]},
        "benefit": {"kind": "PERCENT_OFF", "percentBp": 5000},
    }
    base.update(fields)
    return base


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def error_codes(body: dict) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}


async def create(api, marketing_token: str, window: Window, **fields: object) -> dict:
    out = await api.as_(marketing_token).data(CREATE, input=campaign_input(window, **fields))
    payload = out["campaignCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["campaign"]


@pytest.fixture
async def promotions_cleanup(services):
    """Delete the campaigns and festivals a test made, and make every worker forget them."""
    campaigns = set(await Campaign.all().values_list("id", flat=True))
    festivals = set(await Festival.all().values_list("id", flat=True))
    yield
    await Campaign.filter(id__not_in=list(campaigns)).delete()
    await Festival.filter(id__not_in=list(festivals)).delete()
    await services.stores.campaign_caps.bump_version()
