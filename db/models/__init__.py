"""Tortoise models of the single `telehall` app; each module holds one area's tables."""

MODEL_MODULES = [
    "db.models.account_services",
    "db.models.accounts",
    "db.models.billing",
    "db.models.catalog",
    "db.models.email",
    "db.models.engage",
    "db.models.flash",
    "db.models.growth",
    "db.models.jobs",
    "db.models.invoices",
    "db.models.ledger",
    "db.models.lucky_draw",
    "db.models.numbers",
    "db.models.orders",
    "db.models.payments",
    "db.models.points",
    "db.models.promotions",
    "db.models.shared_plans",
    "db.models.service",
    "db.models.usage",
]
