"""Every province the pool is stocked from has a region code of its own."""

from __future__ import annotations

from domain.numbers.regions import PROVINCES, REGION_CODES, region_code


def test_every_pool_province_has_one_distinct_region_code() -> None:
    assert {p: region_code(p) for p in PROVINCES} == {p: REGION_CODES[p] for p in PROVINCES}
    assert len(set(REGION_CODES.values())) == len(REGION_CODES)
    assert region_code("北京") == "BJ" and region_code("河南") == "HA"
    assert region_code("火星") is None
