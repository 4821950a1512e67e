"""GraphQL snippets and helpers the catalog and order tests share."""

from __future__ import annotations

import itertools
import secrets

from db.models.account_services import ServiceSettings
from db.models.accounts import Subscriber
from db.models.orders import Order

QUOTE_FIELDS = """listPriceFen finalPriceFen discountFen effectiveFrom
  lines { offeringId kind name listPriceFen finalPriceFen adjustments { campaignId name amountFen } }
  rejected { campaignId reason } schedule { month priceFen } pointsToEarn
  userErrors { code field message }"""
QUOTE_BUNDLE = (
    "query($input: BundleInput!, $channel: Channel!) { quoteBundle(input: $input, channel: $channel) { "
    + QUOTE_FIELDS
    + " } }"
)
ORDER_FIELDS = """id kind status summary listPriceFen finalPriceFen chargedFen channel effectiveFrom
  createdAt plan { id kind name monthlyFeeFen components { id } } addOn { id name }
  pricing { listPriceFen finalPriceFen effectiveFrom lines { offeringId } schedule { month priceFen } }"""
BUNDLE_ORDER = (
    "mutation($input: BundleInput!, $key: String!) { bundleOrder(input: $input, idempotencyKey: $key) "
    "{ order { " + ORDER_FIELDS + " } userErrors { code field message } } }"
)
PLAN_CHANGE = (
    "mutation($plan: ID!, $key: String!) { planChange(planId: $plan, idempotencyKey: $key) "
    "{ order { " + ORDER_FIELDS + " } userErrors { code field message } } }"
)
PACK_PURCHASE = (
    "mutation($pack: ID!, $key: String!) { packPurchase(packId: $pack, idempotencyKey: $key) "
    "{ order { " + ORDER_FIELDS + " } userErrors { code field message } } }"
)
PENDING = "{ me { plan { id kind } pendingChange { kind effectiveFrom plan { id kind name monthlyFeeFen } order { id status } } } }"
ORDERS = """query($first: Int, $after: String) { me { orders(first: $first, after: $after) {
  edges { cursor node { id kind status summary listPriceFen finalPriceFen chargedFen } }
  nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
BALANCE = "{ me { balance { amountFen } } }"
OUTBOX = "query($m: String!) { dev { outbox(msisdn: $m) { kind text } } }"

_keys = itertools.count(1)


def new_key() -> str:
    return f"k-{secrets.token_hex(4)}-{next(_keys)}"


async def orders_of(subscriber_id: int) -> list[Order]:
    return await Order.filter(subscriber_id=subscriber_id).order_by("created_at")


async def balance_of(subscriber_id: int) -> int:
    return (await Subscriber.get(id=subscriber_id)).balance_fen


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def open_roaming(subscriber_id: int) -> None:
    """Roaming packs need roaming open (ROAMING_NOT_OPEN otherwise); tests of packs open it
    directly rather than through internationalServicesSet and its real-name rules."""
    await ServiceSettings.create(subscriber_id=subscriber_id, roaming=True)
