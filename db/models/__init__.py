"""Tortoise models of the single `telehall` app; each module holds one area's tables."""

MODEL_MODULES = [
    "db.models.accounts",
    "db.models.billing",
    "db.models.catalog",
    "db.models.engage",
    "db.models.flash",
    "db.models.growth",
    "db.models.jobs",
    "db.models.ledger",
    "db.models.numbers",
    "db.models.orders",
    "db.models.payments",
    "db.models.points",
    "db.models.promotions",
    "db.models.usage",
]
