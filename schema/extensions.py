"""Schema extensions as classes (never shared instances): caches, masking, depth limit."""

from __future__ import annotations

from strawberry.extensions import (
    MaskErrors,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema.errors import should_mask


class HallMaskErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal error.")


def depth_limiter(max_depth: int) -> type[SchemaExtension]:
    class HallDepthLimiter(QueryDepthLimiter):
        def __init__(self) -> None:
            super().__init__(max_depth=max_depth)

    return HallDepthLimiter


def extensions(max_depth: int) -> list[type[SchemaExtension]]:
    return [ParserCache, ValidationCache, HallMaskErrors, depth_limiter(max_depth)]
