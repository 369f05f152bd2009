"""One error hierarchy for the whole package.

Every error a user can cause is a :class:`CcuaError`. It carries where the problem is (file, row,
field, indicator) so that the CLI, notebooks and forms can print one clear line instead of a
traceback. Code that detects several problems at once (lazy validation) raises
:class:`ValidationFailed` with every :class:`Problem` it found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Problem lists are capped where they are shown (check, run, --json): the first MAX_PROBLEMS
# and the total count. A sheet of bad rows must not print a million lines.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    indicator: str | None = None

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.row is not None:
                where += f":{self.row}"
            if self.column:
                where += f":{self.column}"
            parts.append(where)
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(self.field)
        # The indicator is metadata for programs: messages about an indicator name it already.
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        """The problem for machines (``--json``): where it is and what is wrong."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "indicator": self.indicator,
            "message": self.message,
        }


@dataclass(frozen=True)
class MoreProblems(Problem):
    """Stands for ``count`` problems a reader counted but did not keep (beyond its cap)."""

    count: int = 0


def count_problems(problems: Iterable[Problem]) -> int:
    """How many problems a list stands for: one each, and ``count`` for a :class:`MoreProblems`."""
    return sum(p.count if isinstance(p, MoreProblems) else 1 for p in problems)


class CcuaError(Exception):
    """Base class of every error the user can cause; its message is one readable line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        indicator: str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = Problem(message, file=file, row=row, field=field, indicator=indicator)
        self.hint = hint
        super().__init__(str(self.problem))

    def __str__(self) -> str:
        text = str(self.problem)
        return f"{text} ({self.hint})" if self.hint else text


class SpecError(CcuaError):
    """The framework spec (the standard as data) is inconsistent or malformed."""


class InputError(CcuaError):
    """A formula input is missing, not a number, negative, or inconsistent with another input."""


class RatingsError(CcuaError):
    """A ratings file is malformed or incomplete."""


class WeightsError(CcuaError):
    """Custom weights are not positive or do not sum to the framework's total."""


class UnknownCodeError(CcuaError):
    """A domain, item, requirement or indicator code does not exist in the framework."""


@dataclass
class ValidationFailed(CcuaError):
    """Several problems found in one pass; the message lists the first ones and the count."""

    problems: Sequence[Problem] = field(default_factory=list)
    subject: str = "input"
    shown: int = MAX_PROBLEMS

    def __post_init__(self) -> None:
        CcuaError.__init__(self, self._summary())

    @classmethod
    def of(cls, problems: Iterable[Problem], subject: str = "input") -> ValidationFailed:
        return cls(problems=list(problems), subject=subject)

    def _summary(self) -> str:
        n = count_problems(self.problems)
        head = f"{self.subject}: {n} problem{'s' if n != 1 else ''}"
        if n == 1:
            return f"{head}: {self.problems[0]}"
        lines = [head + ":"] + [f"  - {p}" for p in self.problems[: self.shown]]
        if n > self.shown:
            lines.append(f"  ... and {n - self.shown} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()

    def __hash__(self) -> int:  # dataclass(eq=True) would make it unhashable; exceptions need it
        return id(self)


def error_dict(exc: CcuaError, limit: int = MAX_PROBLEMS) -> dict[str, Any]:
    """An error as data (``--json``): ``{"error", "problems": [...], "problem_count"}``.

    ``problems`` holds the first ``limit`` problems (file, row, column, field, message);
    ``problem_count`` says how many there were in all.
    """
    if isinstance(exc, ValidationFailed):
        problems = list(exc.problems)
        head = str(exc).partition("\n")[0].rstrip(":")
    else:
        problems = [exc.problem]
        head = str(exc)
    out: dict[str, Any] = {
        "error": head,
        "problems": [p.as_dict() for p in problems[:limit]],
        "problem_count": count_problems(problems),
    }
    if exc.hint:
        out["hint"] = exc.hint
    return out
