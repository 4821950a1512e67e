"""Festivals, campaigns, their committed counts and the marketing audit log.

A campaign is stored as the domain `Campaign` in JSON (`domain.promotions.codec`) and the columns
the hall queries on (festival, window, draft and paused flags), kept in step by one writer
(`db.repositories.promotions`). `version` grows with every change: updates are guarded by it.

Caps are taken in Redis when an order is placed; PostgreSQL holds what was committed: one
`CampaignRedemption` per (order, campaign) and the running sums in `CampaignStats`, both written
in the order's own transaction.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Festival(Model):
    """A shopping festival (e.g. 517 网购节) that groups campaigns."""

    id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=128)
    description = fields.TextField(default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "festival"
        ordering = ["-starts_at", "id"]


class Campaign(Model):
    """One campaign: `data` is the domain campaign as JSON, the other columns mirror it."""

    id = fields.CharField(max_length=40, primary_key=True)
    festival = fields.ForeignKeyField(
        "telehall.Festival", related_name="campaigns", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=128)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)
    draft = fields.BooleanField(default=False, db_index=True)
    paused = fields.BooleanField(default=False)
    ended_early_at = fields.DatetimeField(null=True)  # when marketing pressed end
    priority = fields.IntField(default=0)
    capped = fields.BooleanField(default=False)
    data = fields.JSONField()
    version = fields.IntField(default=1)
    created_by = fields.CharField(max_length=64, default="")
    updated_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign"
        ordering = ["-created_at", "-id"]


class CampaignStats(Model):
    """Committed counts of one campaign, moved with atomic F() updates in order transactions."""

    # Orders no longer update this row (one hot row per campaign): they append a
    # CampaignStatsDelta, folded in here in batches by `promotions.flush_stats`.

    campaign = fields.OneToOneField(
        "telehall.Campaign", related_name="stats", primary_key=True, on_delete=fields.CASCADE
    )
    orders_count = fields.IntField(default=0)
    units_used = fields.BigIntField(default=0)
    discount_given_fen = fields.BigIntField(default=0)  # over the whole term, as budgets count
    revenue_fen = fields.BigIntField(default=0)  # what those orders charge in their first month

    class Meta:
        table = "campaign_stats"


class CampaignStatsDelta(Model):
    """One change of a campaign's counts, appended inside the transaction that causes it (an
    INSERT, no shared row to lock), folded into `CampaignStats` and deleted by
    `promotions.flush_stats`. Readers add the pending ones, so the counts are exact at once."""

    id = fields.BigIntField(primary_key=True)
    campaign_id = fields.CharField(max_length=40, db_index=True)
    orders_count = fields.IntField()
    units_used = fields.BigIntField()
    discount_given_fen = fields.BigIntField()
    revenue_fen = fields.BigIntField()

    class Meta:
        table = "campaign_stats_delta"


class CampaignRedemption(Model):
    """What one order (or recharge payment) took from one campaign, named by `ref` (order:ID or
    payment:ID). HELD rows wait for a payment and do not count. CONFIRMED rows count in
    `CampaignStats`. RETURNED rows were never paid. RELEASING rows were taken out of the stats
    (the order was superseded or cancelled before it took effect) and still have their Redis
    counters to give back, RELEASED rows are done."""

    id = fields.BigIntField(primary_key=True)
    ref = fields.CharField(max_length=80, db_index=True)
    campaign = fields.ForeignKeyField(
        "telehall.Campaign", related_name="redemptions", on_delete=fields.CASCADE
    )
    order = fields.ForeignKeyField(
        "telehall.Order", related_name="redemptions", null=True, on_delete=fields.CASCADE
    )
    subscriber_id = fields.IntField(db_index=True)
    reservation_id = fields.CharField(max_length=80, null=True)  # Redis cap reservation
    units = fields.IntField()
    discount_fen = fields.BigIntField()
    revenue_fen = fields.BigIntField()
    state = fields.CharField(max_length=16, default="CONFIRMED", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign_redemption"
        unique_together = (("ref", "campaign"),)


class CampaignAudit(Model):
    """Every marketing change: who, when, what it was before and after (JSON, null on create)."""

    id = fields.BigIntField(primary_key=True)
    entity_type = fields.CharField(max_length=16)  # FESTIVAL or CAMPAIGN
    entity_id = fields.CharField(max_length=40, db_index=True)
    action = fields.CharField(max_length=32)
    actor = fields.CharField(max_length=64)
    actor_id = fields.IntField(null=True)
    at = fields.DatetimeField()
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)

    class Meta:
        table = "campaign_audit"
        ordering = ["-at", "-id"]
