"""The growth tree (沃之树): growth value from ordering packs and recharging, stages by
threshold, and one reward per stage, claimable once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import fail


class RewardKind(StrEnum):
    POINTS = "POINTS"
    DATA_PACK = "DATA_PACK"
    COUPON = "COUPON"


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    threshold: int  # growth value from which the tree is at this stage
    reward: RewardKind | None
    reward_ref: str  # points as text, the add-on id, or the mall item whose codes are coupons
    reward_name: str


STAGES = (
    Stage(1, "种子", 0, None, "", ""),
    Stage(2, "发芽", 100, RewardKind.POINTS, "200", "200积分"),
    Stage(3, "小树", 300, RewardKind.DATA_PACK, "ADD-7D-1G", "7天流量包 1GB"),
    Stage(4, "大树", 800, RewardKind.COUPON, "MALL-COFFEE", "咖啡饮品兑换券"),
    Stage(5, "参天大树", 2000, RewardKind.POINTS, "1000", "1000积分"),
)


@dataclass(frozen=True)
class GrowthRules:
    """Growth value per whole yuan; a setting (TELEHALL_GROWTH_PER_YUAN_ORDER / _RECHARGE)."""

    per_yuan_order: int = 1
    per_ten_yuan_recharge: int = 1

    def for_order(self, charged_fen: int) -> int:
        return max(charged_fen, 0) // 100 * self.per_yuan_order

    def for_recharge(self, amount_fen: int) -> int:
        return max(amount_fen, 0) // 1000 * self.per_ten_yuan_recharge


def stage_of(value: int, stages: tuple[Stage, ...] = STAGES) -> Stage:
    return [s for s in stages if s.threshold <= value][-1]


def next_stage(value: int, stages: tuple[Stage, ...] = STAGES) -> Stage | None:
    return next((s for s in stages if s.threshold > value), None)


def check_claim(stage_number: int, value: int, stages: tuple[Stage, ...] = STAGES) -> Stage:
    stage = next((s for s in stages if s.number == stage_number), None)
    if stage is None or stage.reward is None:
        raise fail("NOT_FOUND", "That stage has no reward.", "stage")
    if value < stage.threshold:
        raise fail(
            "STAGE_NOT_REACHED",
            f"Reach {stage.threshold} growth value first (you have {value}).",
            "stage",
        )
    return stage
