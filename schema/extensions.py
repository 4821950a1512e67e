"""Schema extensions as classes (never shared instances): caches, masking, the cost limits.

`HallParser` parses through an LRU cache with a token cap; `HallValidation` first measures the
document (`schema.limits`: depth, aliases, directives, root mutations, cost, fragments expanded
through a memo) and refuses it before graphql-core's rules ever walk it, then validates through an
LRU cache. The cost goes out in `extensions.cost` on every response. A persisted query already
validated in this process (`schema.persisted`) skips both the parse and the validation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import structlog
from graphql import DocumentNode, GraphQLError, GraphQLSchema, GraphQLSyntaxError, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.bad_input import BAD_INPUT
from schema.errors import should_mask
from schema.limits import Limits, Measure, limit_error, measure
from schema.persisted import persisted_of

CACHE_SIZE = 512


class HallMaskErrors(MaskErrors):
    """An unexpected failure reaches the client as "Internal error." with `extensions.code`
    INTERNAL and the request id (the X-Request-ID header, and `request_id` of every server log
    line of that request), so support can find the stack trace without the client seeing it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if isinstance(error.original_error, BAD_INPUT):  # a value storage cannot take
            return GraphQLError(
                "An argument is too long or out of range.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "INVALID_ARGUMENT"},
            )
        masked = super().anonymise_error(error)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        masked.extensions = {
            "code": "INTERNAL",
            **({"requestId": request_id} if request_id else {}),
        }
        return masked


cached_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
cached_validate = lru_cache(maxsize=CACHE_SIZE)(validate_document)


@lru_cache(maxsize=CACHE_SIZE)
def _cached_measure(
    schema: Any, document: Any, numbers: tuple, name: Any, limits: Limits
) -> Measure:
    return measure(schema, document, dict(numbers), name, limits)


def _numbers(variables: dict[str, Any] | None) -> tuple:
    """The variables that can set a page size, as a cache key (others cannot change the cost)."""
    if not variables:
        return ()
    return tuple(
        sorted(
            (k, v if v is None or (isinstance(v, int) and not isinstance(v, bool)) else "?")
            for k, v in variables.items()
        )
    )


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """Through the parse cache; a document past the token cap or nested too deep is a limit
    error with its code, other syntax errors stay graphql-core's."""
    try:
        return cached_parse(query, max_tokens=max_tokens)
    except GraphQLSyntaxError as error:
        if "tokens" in error.message and "Parsing aborted" in error.message:
            raise limit_error(
                f"The document has more than {max_tokens} tokens.", "QUERY_TOO_LARGE"
            ) from None
        if "nested too deeply" in error.message:
            raise limit_error("The document nests too deep.", "QUERY_TOO_DEEP") from None
        raise
    except RecursionError:
        raise limit_error("The document nests too deep.", "QUERY_TOO_DEEP") from None


def measure_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: Any,
    limits: Limits,
) -> Measure:
    try:
        return _cached_measure(schema, document, _numbers(variables), operation_name, limits)
    except RecursionError:
        return Measure(errors=[limit_error("The query nests too deep.", "QUERY_TOO_DEEP")])
    except TypeError:  # unhashable operationName (a list): graphql-core refuses it later
        return measure(schema, document, variables, None, limits)


def limits_extensions(
    limits: Limits, max_tokens: int, introspection: bool
) -> list[type[SchemaExtension]]:
    extra_rules = () if introspection else (NoSchemaIntrospectionCustomRule,)

    class HallParser(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            persisted = persisted_of(context.operation_extensions)
            if persisted is not None and persisted.document is not None:
                context.graphql_document = persisted.document  # the fast path
            else:
                context.graphql_document = parse_document(context.query, max_tokens)
            yield

    class HallValidation(SchemaExtension):
        cost: int | None = None

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            schema = context.schema._schema
            document = context.graphql_document
            persisted = persisted_of(context.operation_extensions)
            known = persisted is not None and persisted.document is document
            if known:
                measured = persisted.measure(
                    (_numbers(context.variables), context.operation_name),
                    lambda: measure_document(
                        schema, document, context.variables, context.operation_name, limits
                    ),
                )
            else:
                measured = measure_document(
                    schema, document, context.variables, context.operation_name, limits
                )
            self.cost = measured.cost
            if hasattr(context.context, "query_cost"):  # the rate limit charges it
                context.context.query_cost = None if measured.errors else measured.cost
            if measured.errors:
                context.pre_execution_errors = list(measured.errors)
            elif known:
                context.pre_execution_errors = []  # validated when it was first persisted
            else:
                context.pre_execution_errors = cached_validate(
                    schema, document, (*context.validation_rules, *extra_rules)
                )
                if persisted is not None and not context.pre_execution_errors:
                    persisted.document = document
            yield

        def get_results(self) -> dict[str, Any]:
            if self.cost is None:
                return {}
            cost: dict[str, Any] = {
                "requestedQueryCost": self.cost,
                "maximumAvailable": limits.max_cost,
            }
            remaining = getattr(self.execution_context.context, "bucket_remaining", None)
            if remaining is not None:
                cost["throttleStatus"] = {"currentlyAvailable": remaining}
            return {"cost": cost}

    return [HallParser, HallValidation]


def extensions(
    limits: Limits, max_tokens: int, introspection: bool = True
) -> list[type[SchemaExtension]]:
    return [*limits_extensions(limits, max_tokens, introspection), HallMaskErrors]
