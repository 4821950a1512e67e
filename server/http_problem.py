"""A request refused before it runs: an HTTP status, a stable code and a message, answered as
a GraphQL error body."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class HttpProblem(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict | None = None,
        extensions: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}
        self.extensions = extensions or {}

    def payload(self) -> dict[str, Any]:
        return {"errors": [problem_error(self.code, self.message, **self.extensions)]}


def problem_error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return GraphQLError(message, extensions={"code": code, **extra}).formatted
