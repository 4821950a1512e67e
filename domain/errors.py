"""Business failures carry a stable code that clients switch on; the message is for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class DomainError(Exception):
    """One or more business rule violations; the schema layer turns them into userErrors."""

    def __init__(self, *problems: Problem) -> None:
        if not problems:
            raise ValueError("DomainError needs at least one problem")
        self.problems: tuple[Problem, ...] = problems
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in problems))

    @classmethod
    def of(cls, code: str, message: str, field: str | None = None) -> DomainError:
        return cls(Problem(code, message, field))

    @property
    def code(self) -> str:
        return self.problems[0].code


def fail(code: str, message: str, field: str | None = None) -> DomainError:
    return DomainError.of(code, message, field)
