"""The connection helpers: keyset pages are stable with ties, offset pages with any order."""

from datetime import UTC, datetime

import pytest

from db.models.orders import Order
from domain.errors import DomainError
from domain.orders import OrderKind, OrderStatus
from resolvers.pagination import decode_cursor, encode_cursor, keyset_page, offset_page, page_of
from tests.conftest import subscribe


async def _orders(services, n: int) -> tuple[int, list[Order]]:
    sub = await subscribe(services)
    rows = [
        await Order.create(
            subscriber_id=sub.id,
            kind=OrderKind.RECHARGE,
            status=OrderStatus.COMPLETED,
            idempotency_key=f"p-{i}",
            details={},
        )
        for i in range(n)
    ]
    same = datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=UTC)  # ties only the id can break
    await Order.filter(subscriber_id=sub.id).update(created_at=same)
    return sub.id, rows


async def _walk(fetch, size: int) -> list:
    seen, after = [], None
    while True:
        page = await fetch(size, after)
        seen += page.nodes
        if not page.has_next_page:
            return seen
        after = page.end_cursor


async def test_keyset_pages_are_complete_with_equal_timestamps(services):
    sub_id, rows = await _orders(services, 7)
    query = Order.filter(subscriber_id=sub_id)
    seen = await _walk(lambda n, a: keyset_page(query, n, a, ("-created_at", "-id")), 3)
    assert [o.id for o in seen] == sorted((o.id for o in rows), key=str, reverse=True)
    up = await _walk(lambda n, a: keyset_page(query, n, a, ("created_at", "id")), 2)
    assert [o.id for o in up] == sorted((o.id for o in rows), key=str)


async def test_offset_pages(services):
    sub_id, _rows = await _orders(services, 5)
    query = Order.filter(subscriber_id=sub_id)
    seen = await _walk(lambda n, a: offset_page(query, n, a, ("idempotency_key",)), 2)
    assert [o.idempotency_key for o in seen] == [f"p-{i}" for i in range(5)]


def test_in_memory_pages_and_the_cap():
    items = list(range(250))
    first = page_of(items, 1000, None)
    assert len(first.edges) == 100 and first.has_next_page
    second = page_of(items, 100, first.end_cursor)
    assert second.nodes[0] == 100 and second.has_previous_page
    assert page_of(items, None, None).nodes == list(range(20))


def test_cursors_are_opaque_and_checked():
    cursor = encode_cursor("k:-created_at,-id", [datetime(2026, 1, 1, tzinfo=UTC), "abc"])
    assert "created" not in cursor
    assert decode_cursor(cursor, "k:-created_at,-id", 2) == [
        datetime(2026, 1, 1, tzinfo=UTC),
        "abc",
    ]
    for bad in ("", "!!!", "e30", cursor[:-3], encode_cursor("o", [1])):
        with pytest.raises(DomainError) as caught:
            decode_cursor(bad, "k:-created_at,-id", 2)
        assert caught.value.code == "INVALID_CURSOR"
    with pytest.raises(DomainError):
        page_of([], -1, None)
