"""Business failures become `userErrors`; access failures and malformed requests become GraphQL
errors with an `extensions.code`. Anything unexpected is masked: no stack trace leaves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError
from schema.enums import ErrorCodeEnum


@strawberry.type(description="A business rule the request broke; `code` is stable, switch on it.")
class UserError:
    code: ErrorCodeEnum
    field: str | None
    message: str


class ClientError(GraphQLError):
    """An error the client caused and may see as is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def unauthenticated(message: str = "Log in first.") -> ClientError:
    return ClientError(message, "UNAUTHENTICATED")


def forbidden(message: str = "Your session may not do this.") -> ClientError:
    return ClientError(message, "FORBIDDEN")


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def to_user_errors(error: DomainError) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in error.problems]


P = TypeVar("P")

# The userError codes answered in the current operation, for the metrics of `server/observe.py`
# (a list shared by the operation's resolver tasks; None outside an observed operation).
_answered: ContextVar[list[str] | None] = ContextVar("telehall_user_error_codes", default=None)


def observe_user_errors() -> list[str]:
    """Start counting the userError codes of this operation; the list fills as payloads fail."""
    codes: list[str] = []
    _answered.set(codes)
    return codes


async def payload(cls: type[P], work: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    """Run a mutation body; a DomainError becomes the payload's userErrors and nothing else."""
    try:
        fields = await work()
    except DomainError as error:
        if (answered := _answered.get()) is not None:
            answered.extend(str(p.code) for p in error.problems)
        return cls(user_errors=to_user_errors(error))  # type: ignore[call-arg]
    return cls(**fields, user_errors=[])  # type: ignore[call-arg]


def client_error(error: DomainError) -> ClientError:
    """A DomainError raised by a query (bad argument, bad cursor) as a GraphQL error."""
    problem = error.problems[0]
    extended = ClientError(problem.message, problem.code)
    if problem.field:
        extended.extensions = {**(extended.extensions or {}), "field": problem.field}
    return extended
