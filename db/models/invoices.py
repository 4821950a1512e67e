from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.invoices import InvoiceSource, InvoiceStatus


class Invoice(Model):
    """An e-invoice for a bill or a recharge, or the red-letter reversal of one (red=True)."""

    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=16, unique=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="invoices")
    source = fields.CharEnumField(InvoiceSource, max_length=8)
    source_id = fields.CharField(max_length=40)
    red = fields.BooleanField(default=False)
    reverses = fields.ForeignKeyField("telehall.Invoice", related_name="reversals", null=True)
    status = fields.CharEnumField(InvoiceStatus, max_length=8, default=InvoiceStatus.ISSUED)
    title = fields.CharField(max_length=100)
    tax_id = fields.CharField(max_length=20, null=True)
    email = fields.CharField(max_length=128, null=True)
    amount_fen = fields.BigIntField()
    net_fen = fields.BigIntField()
    tax_fen = fields.BigIntField()
    lines = fields.JSONField(default=list)  # domain.invoices.InvoiceLine as dicts
    issued_at = fields.DatetimeField()

    class Meta:
        table = "invoice"
        unique_together = (("source", "source_id", "red"),)


class InvoiceCounter(Model):
    """The last invoice sequence used in a year (numbers are sequential per year)."""

    year = fields.IntField(primary_key=True)
    last_number = fields.IntField(default=0)

    class Meta:
        table = "invoice_counter"
