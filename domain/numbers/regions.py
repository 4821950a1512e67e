"""Network prefixes and the region blocks (号段, the 4 digits after the prefix) numbers come from.

Blocks follow the carriers' public allocation (e.g. 138 0010–0019 Beijing, 139 0571 Hangzhou,
blocks after the long-distance area code); `REGION_BLOCKS` lists (prefix, first block, last
block, province, city).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

REGION_BLOCKS: tuple[tuple[str, int, int, str, str], ...] = (
    ("138", 10, 19, "北京", "北京"),
    ("139", 1000, 1099, "北京", "北京"),
    ("186", 1000, 1029, "北京", "北京"),
    ("139", 1600, 1699, "上海", "上海"),
    ("138", 1600, 1639, "上海", "上海"),
    ("138", 220, 229, "天津", "天津"),
    ("139", 230, 239, "重庆", "重庆"),
    ("138", 200, 219, "广东", "广州"),
    ("139", 2200, 2239, "广东", "广州"),
    ("138", 2300, 2339, "广东", "深圳"),
    ("139", 571, 571, "浙江", "杭州"),
    ("138", 571, 571, "浙江", "杭州"),
    ("135", 7100, 7139, "浙江", "杭州"),
    ("139", 250, 259, "江苏", "南京"),
    ("139", 270, 279, "湖北", "武汉"),
    ("139", 280, 289, "四川", "成都"),
    ("139", 290, 299, "陕西", "西安"),
    ("139", 240, 249, "辽宁", "沈阳"),
    ("150", 5310, 5339, "山东", "济南"),
    ("187", 3710, 3729, "河南", "郑州"),
    ("188", 7310, 7329, "湖南", "长沙"),
    ("158", 5910, 5929, "福建", "福州"),
)


@dataclass(frozen=True)
class Block:
    prefix7: str
    province: str
    city: str


def blocks() -> list[Block]:
    return [
        Block(f"{prefix}{block:04d}", province, city)
        for prefix, first, last, province, city in REGION_BLOCKS
        for block in range(first, last + 1)
    ]


PROVINCES = frozenset(province for *_, province, _city in REGION_BLOCKS)

# The subscriber's region code (campaign audiences, roaming, billing) per province of the pool:
# ISO 3166-2:CN subdivision codes, which keep 河南 HA, 湖南 HN and 湖北 HB apart.
REGION_CODES: dict[str, str] = {
    "北京": "BJ",
    "上海": "SH",
    "天津": "TJ",
    "重庆": "CQ",
    "广东": "GD",
    "浙江": "ZJ",
    "江苏": "JS",
    "湖北": "HB",
    "四川": "SC",
    "陕西": "SN",
    "辽宁": "LN",
    "山东": "SD",
    "河南": "HA",
    "湖南": "HN",
    "福建": "FJ",
}


def region_code(province: str) -> str | None:
    """The region code of a number's province; None for a province the hall does not serve."""
    return REGION_CODES.get(province)


def sample_numbers(count: int, seed: int = 12) -> Iterator[tuple[str, Block]]:
    """`count` distinct numbers spread evenly over the blocks (reproducible for a seed)."""
    rng = random.Random(seed)
    pool = blocks()
    rng.shuffle(pool)
    capacity = len(pool) * 10_000
    if count > capacity:
        raise ValueError(f"at most {capacity} numbers fit the region blocks")
    per_block, extra = divmod(count, len(pool))
    for i, block in enumerate(pool):
        take = per_block + (1 if i < extra else 0)
        if not take:
            continue
        for line in sorted(rng.sample(range(10_000), take)):
            yield f"{block.prefix7}{line:04d}", block
