from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.orders import OrderKind, OrderStatus
from domain.orders.details import OrderDetails, details_from_json


class Order(Model):
    """Every business operation (业务办理) a subscriber does is one order, priced by a quote."""

    id = fields.UUIDField(primary_key=True)
    subscriber = fields.ForeignKeyField("telehall.Subscriber", related_name="orders")
    kind = fields.CharEnumField(OrderKind, max_length=24)
    status = fields.CharEnumField(OrderStatus, max_length=24)
    idempotency_key = fields.CharField(max_length=64)
    list_price_fen = fields.BigIntField(default=0)
    final_price_fen = fields.BigIntField(default=0)
    pricing = fields.JSONField(default=dict)  # the quote as priced when ordered
    details = fields.JSONField(default=dict)  # what was ordered, kind-specific
    effective_from = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    @property
    def detail(self) -> OrderDetails:
        """`details`, typed by kind (domain.orders.details)."""
        return details_from_json(self.kind, self.details)

    class Meta:
        table = "order"
        unique_together = (("subscriber", "idempotency_key"),)
        ordering = ["-created_at"]
