"""numberSearch over a generated pool: every hit satisfies every filter, planted numbers are all
found, and pages neither overlap nor skip (the whole result equals an independent Python scan)."""

from __future__ import annotations

import random
import re
import secrets

import pytest

from db.models.numbers import PhoneNumber
from db.repositories.numbers import stock
from domain.numbers.patterns import tag_mask, tags_of, tier_of
from domain.numbers.stocking import stock_row

SEARCH = """
query($input: NumberSearchInput!, $first: Int, $after: String) {
  numberSearch(input: $input, first: $first, after: $after) {
    edges { cursor node { msisdn tier tags prestoreFen minMonthlyFen region { province city } status } }
    pageInfo { hasNextPage endCursor }
  }
}"""
FACETS = """
query($input: NumberSearchInput!) {
  numberSearchFacets(input: $input) { total tiers { key count } tags { key count } }
}"""

PLANTED_TAILS = ["8888", "1122", "0520", "5201314", "0517", "6666", "3456"]


@pytest.fixture
async def pool() -> tuple[str, list[str]]:
    province = "测" + secrets.token_hex(4)
    rng = random.Random(secrets.randbits(32))
    block = f"199{rng.randrange(10_000):04d}"
    numbers = {f"{block}{rng.randrange(10_000):04d}" for _ in range(700)}
    for tail in PLANTED_TAILS:
        if len(tail) <= 4:
            numbers.add(block + tail)
            continue
        # a long tail leaves few free digits: pick a head no other test has taken
        while True:
            number = f"1{rng.randrange(1000):03d}{tail}"
            if number not in numbers and not await PhoneNumber.exists(msisdn=number):
                break
        numbers.add(number)
    while True:
        birthday = (
            f"199{rng.randrange(1950, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        )
        if not await PhoneNumber.exists(msisdn=birthday):
            break
    numbers.add(birthday)
    cities = ["甲市", "乙市"]
    await stock([stock_row(n, province, cities[int(n[-1]) % 2]) for n in sorted(numbers)])
    # the oracle scans what this province really holds (a random number may be another test's)
    stocked = await PhoneNumber.filter(province=province).values_list("msisdn", flat=True)
    return province, sorted(stocked), birthday


def oracle(numbers: list[str], f: dict) -> list[str]:
    def ok(n: str) -> bool:
        if "city" in f and ["甲市", "乙市"][int(n[-1]) % 2] != f["city"]:
            return False
        if "prefix" in f and not re.match(re.escape(f["prefix"]), n):
            return False
        if "contains" in f and f["contains"] not in n:
            return False
        if "endsWith" in f and not re.search(re.escape(f["endsWith"]) + "$", n):
            return False
        if "tags" in f and not set(f["tags"]) <= {t.value for t in tags_of(tag_mask(n))}:
            return False
        return not ("excludeDigits" in f and any(str(d) in n[3:] for d in f["excludeDigits"]))

    return sorted((n for n in numbers if ok(n)), key=lambda n: (tier_of(tag_mask(n)), n))


async def all_pages(api, f: dict, size: int) -> list[dict]:
    nodes, after, seen_cursors = [], None, set()
    while True:
        data = await api.data(SEARCH, input=f, first=size, after=after)
        conn = data["numberSearch"]
        assert len(conn["edges"]) <= size
        for edge in conn["edges"]:
            assert edge["cursor"] not in seen_cursors
            seen_cursors.add(edge["cursor"])
            nodes.append(edge["node"])
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


FILTERS = [
    {},
    {"endsWith": "8888"},
    {"tags": ["AABB"]},
    {"excludeDigits": [4]},
    {"excludeDigits": [4, 7], "city": "甲市"},
    {"contains": "520"},
    {"contains": "52"},  # short: the ordered scan
    {"contains": "5201314"},  # long: the index range of its first 4 digits, then the string
    {"contains": "0520", "city": "甲市"},
    {"tags": ["BIRTHDAY_MMDD"], "endsWith": "0517"},
    {"tags": ["NO_FOUR", "AA"]},
    {"prefix": "1999"},
    {"endsWith": "YYYYMMDD", "tags": ["BIRTHDAY_YYYYMMDD"]},
]


@pytest.mark.parametrize("f", FILTERS)
async def test_every_hit_satisfies_the_filters_and_nothing_is_skipped(api, pool, f) -> None:
    province, numbers, birthday = pool
    f = {**f, "province": province}
    if f.get("endsWith") == "YYYYMMDD":
        f["endsWith"] = birthday[3:]
    nodes = await all_pages(api, f, size=37)
    assert [n["msisdn"] for n in nodes] == oracle(numbers, f)
    for node in nodes:
        assert node["region"]["province"] == province and node["status"] == "AVAILABLE"
    facets = (await api.data(FACETS, input=f))["numberSearchFacets"]
    assert facets["total"] == len(nodes)
    assert sum(t["count"] for t in facets["tiers"]) == len(nodes)


async def test_planted_numbers_are_found(api, pool) -> None:
    province, numbers, birthday = pool
    for tail in [*PLANTED_TAILS, birthday[3:]]:
        nodes = await all_pages(api, {"province": province, "endsWith": tail}, size=100)
        planted = [n for n in numbers if n.endswith(tail)]
        assert planted and [n["msisdn"] for n in nodes] == sorted(
            planted, key=lambda n: (tier_of(tag_mask(n)), n)
        )


@pytest.mark.parametrize(
    ("f", "field"),
    [
        ({"contains": "52a"}, "contains"),
        ({"endsWith": "123456789012"}, "endsWith"),
        ({"prefix": "１３８"}, "prefix"),
        ({"excludeDigits": [10]}, "excludeDigits"),
        ({"excludeDigits": [-1]}, "excludeDigits"),
        ({"maxPrestoreFen": -1}, "maxPrestoreFen"),
    ],
)
async def test_invalid_filters_are_errors_with_a_stable_code(api, f, field) -> None:
    for query in (SEARCH, FACETS):
        body = await api(query, input=f)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "INVALID_FILTER"
        assert error["extensions"]["field"] == field
