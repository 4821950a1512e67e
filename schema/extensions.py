"""Schema extensions as classes (never shared instances): caches, masking, depth limit."""

from __future__ import annotations

import structlog
from graphql import GraphQLError
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
    """An unexpected failure reaches the client as "Internal error." with `extensions.code`
    INTERNAL and the request id (the X-Request-ID header, and `request_id` of every server log
    line of that request), so support can find the stack trace without the client seeing it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        masked.extensions = {
            "code": "INTERNAL",
            **({"requestId": request_id} if request_id else {}),
        }
        return masked


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
