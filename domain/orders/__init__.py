"""The unified business-order record: one kind per operation, one lifecycle for all."""

from __future__ import annotations

from enum import StrEnum


class OrderKind(StrEnum):
    BUNDLE = "BUNDLE"
    PLAN_CHANGE = "PLAN_CHANGE"
    PACK_PURCHASE = "PACK_PURCHASE"
    RECHARGE = "RECHARGE"
    FLASH_SALE = "FLASH_SALE"
    POINTS_REDEMPTION = "POINTS_REDEMPTION"
    NUMBER_PURCHASE = "NUMBER_PURCHASE"
    DEVICE_PURCHASE = "DEVICE_PURCHASE"  # a phone or accessory, shipped
    CALL_SETTINGS = "CALL_SETTINGS"  # call forwarding and call waiting
    INTERNATIONAL_SERVICES = "INTERNATIONAL_SERVICES"  # roaming and long distance
    WLAN = "WLAN"
    CREDIT_LIMIT = "CREDIT_LIMIT"
    INVOICE = "INVOICE"
    SHARED_MEMBER_ADD = "SHARED_MEMBER_ADD"
    SHARED_MEMBER_REMOVE = "SHARED_MEMBER_REMOVE"
    SHARED_MAIN_CHANGE = "SHARED_MAIN_CHANGE"
    SHARED_GROUP_DISSOLVE = "SHARED_GROUP_DISSOLVE"  # the main left the SHARED plan or closed


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"  # reservation held until paid or expired
    PENDING_ACTIVATION = "PENDING_ACTIVATION"  # a number paid for, its SIM not yet handed over
    SCHEDULED = "SCHEDULED"  # takes effect on effective_from
    COMPLETED = "COMPLETED"
    SUPERSEDED = "SUPERSEDED"  # a later pending change replaced it
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"  # paid too late (the reservation had gone back): the money returned


OPEN_STATUSES = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.SCHEDULED})
