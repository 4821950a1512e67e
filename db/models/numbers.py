"""The number pool (靓号专区) and holds on its numbers.

`tags` is the pattern bitmask of `domain.numbers.patterns`, `digits` a bitmask of the digits among
the last 8 (bit d set when d occurs), `reversed_msisdn` the number read backwards so that a tail
search is an index range. Terms are copied from the tier when the number is stocked.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PhoneNumber(Model):
    """One number that may be sold: status AVAILABLE, RESERVED or SOLD."""

    id = fields.IntField(primary_key=True)
    msisdn = fields.CharField(max_length=11, unique=True)
    reversed_msisdn = fields.CharField(max_length=11, db_index=True)
    prefix = fields.CharField(max_length=3)
    province = fields.CharField(max_length=16)
    city = fields.CharField(max_length=16)
    status = fields.CharField(max_length=12, default="AVAILABLE")
    tags = fields.IntField(default=0)
    digits = fields.IntField(default=0)
    tier = fields.SmallIntField()
    prestore_fen = fields.IntField()
    min_monthly_fen = fields.IntField()
    contract_months = fields.SmallIntField()
    reserved_by = fields.CharField(max_length=80, null=True)
    reserved_until = fields.DatetimeField(null=True)

    class Meta:
        table = "phone_number"
        # the result order, carrying the bitmasks: a tag or excluded-digit search walking it in
        # order tests each number on the index and reads the table only for the matches
        indexes = (
            ("tier", "msisdn", "tags", "digits"),
            ("province", "tier", "msisdn"),
            ("status", "province"),
        )


class NumberReservation(Model):
    """A 15-minute hold of one number by one caller (a subscriber or an anonymous client token)."""

    id = fields.UUIDField(primary_key=True)
    msisdn = fields.CharField(max_length=11, db_index=True)
    holder = fields.CharField(max_length=80, db_index=True)
    idempotency_key = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    released_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    # the new line the hold's purchase order belongs to, once placed: a replay of that purchase
    # finds its order through it, even after the line was retired for a later buyer
    line_id = fields.IntField(null=True)

    class Meta:
        table = "number_reservation"
        unique_together = (("holder", "idempotency_key"),)


class IdentityQuota(Model):
    """How many numbers one resident ID holds nationwide, keyed by the ID's HMAC digest."""

    id_digest = fields.CharField(max_length=64, primary_key=True)
    used = fields.IntField(default=0)

    class Meta:
        table = "identity_quota"


class SubscriberIdentity(Model):
    """The real name behind a number: the ID only masked and as its keyed digest, never in clear."""

    subscriber_id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32)
    id_masked = fields.CharField(max_length=18)
    id_digest = fields.CharField(max_length=64, db_index=True)
    registered_at = fields.DatetimeField()

    class Meta:
        table = "subscriber_identity"


class NumberGram(Model):
    """The contains index: one row per distinct 4-digit substring of a stocked number

    The key packs the substring and the number: `id = gram * 2**32 + phone_id`, so the rows of
    one substring are one key range of the primary key (on SQLite the table itself, written
    in key order by the bulk seed). A search for 4 digits or more reads the numbers holding its
    first 4 (about 800 in a million) and checks the whole string on those.
    """

    id = fields.BigIntField(primary_key=True)  # explicit keys; SQLite: the rowid itself
    phone_id = fields.IntField()

    class Meta:
        table = "number_gram"
