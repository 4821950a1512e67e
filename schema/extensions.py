"""Schema extensions as classes (never shared instances): caches, masking, depth limit."""

from __future__ import annotations

from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import create_validator

from schema.errors import should_mask


class HallMaskErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal error.")


def depth_limiter(max_depth: int) -> type[SchemaExtension]:
    # One rule class for the schema's life: the validation cache keys on the rule classes, so a
    # rule built per request (as QueryDepthLimiter does) would make every lookup miss.
    rule = create_validator(max_depth, should_ignore=None)

    class HallDepthLimiter(AddValidationRules):
        def __init__(self) -> None:
            super().__init__([rule])

    return HallDepthLimiter


def extensions(max_depth: int) -> list[type[SchemaExtension]]:
    return [ParserCache, ValidationCache, HallMaskErrors, depth_limiter(max_depth)]
