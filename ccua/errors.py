"""One error hierarchy for the whole package.

Every error a user can cause is a :class:`CcuaError`. It carries where the problem is (file, row,
field, indicator) so that the CLI, notebooks and forms can print one clear line instead of a
traceback. Code that detects several problems at once (lazy validation) raises
:class:`ValidationFailed` with every :class:`Problem` it found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


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


class CcuaError(Exception):
    """Base class of every error the user can cause; its message is one readable line."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 indicator: str | None = None, row: int | None = None,
                 hint: str | None = None) -> None:
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
    shown: int = 10

    def __post_init__(self) -> None:
        CcuaError.__init__(self, self._summary())

    @classmethod
    def of(cls, problems: Iterable[Problem], subject: str = "input") -> ValidationFailed:
        return cls(problems=list(problems), subject=subject)

    def _summary(self) -> str:
        n = len(self.problems)
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
