"""Compute indicators (关键指标) from their named inputs.

``compute(framework.indicator("DO6.9"), [50, 1000])`` gives 5 (percent). Inputs are validated
before any arithmetic: a missing input, something that is not a number, a negative value, a zero
denominator or a part larger than its whole raises :class:`ccua.errors.InputError` naming the
indicator and the input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ccua._num import NotANumber, to_decimal, to_fraction
from ccua.errors import InputError
from ccua.formulas import Violation, shape
from ccua.spec import Framework, Indicator

if TYPE_CHECKING:  # the pure commands (kpi calc) need not load the engagement models
    from ccua.engagement import MonthlyInputs

VALUE_PLACES = 6


@dataclass(frozen=True)
class KpiValue:
    """An indicator's value: exact, and as a Decimal rounded half-up to six places."""

    code: str
    exact: Fraction
    unit: str | None

    @property
    def value(self) -> Decimal:
        return to_decimal(self.exact, VALUE_PLACES).normalize() + Decimal("0.0")


def describe_input(framework: Framework, indicator: Indicator, position: int) -> str:
    code = indicator.inputs[position]
    try:
        name = framework.measure(code).name
    except Exception:  # an unknown measure is reported by the spec loader; keep the code
        return f"'{code}'"
    return f"'{code}' ({name})"


def _label(indicator: Indicator) -> str:
    return f"{indicator.code} {indicator.name}"


def parse_inputs(
    framework: Framework, indicator: Indicator, values: Sequence[object] | Mapping[str, object]
) -> list[Fraction]:
    """Validate raw inputs (positional in formula order, or by measure code)."""
    names = indicator.inputs

    def fail(message: str) -> InputError:
        return InputError(_label(indicator) + message, indicator=indicator.code)

    def missing(i: int) -> InputError:
        return fail(f": input {describe_input(framework, indicator, i)} is missing")

    if indicator.is_documentary:
        raise fail(
            ' is documentary evidence (formula "－"): the assessor checks it; there is nothing '
            "to compute"
        )
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise fail(f" takes {', '.join(names)}; unknown input {unknown[0]!r}")
        ordered = [values.get(name) for name in names]
        blank = [i for i, value in enumerate(ordered) if value is None or value == ""]
        if blank:
            raise missing(blank[0])
    else:
        ordered = list(values)
        if len(ordered) != len(names):
            wanted = ", ".join(describe_input(framework, indicator, i) for i in range(len(names)))
            raise fail(
                f" takes {len(names)} input{'s' if len(names) != 1 else ''} in this order: "
                f"{wanted}; {len(ordered)} given "
                f"({'missing' if len(ordered) < len(names) else 'too many'})"
            )
    parsed: list[Fraction] = []
    for i, raw in enumerate(ordered):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise missing(i)
        try:
            number = to_fraction(raw)
        except NotANumber as exc:
            raise fail(f": input {describe_input(framework, indicator, i)}: {exc}") from None
        if number < 0:
            what = describe_input(framework, indicator, i)
            raise fail(f": input {what} is negative ({raw}); counts and durations cannot be")
        parsed.append(number)
    return parsed


def compute(
    framework: Framework,
    indicator: Indicator | str,
    values: Sequence[object] | Mapping[str, object],
) -> KpiValue:
    """Compute one indicator from its inputs, exactly."""
    ind = framework.indicator(indicator) if isinstance(indicator, str) else indicator
    numbers = parse_inputs(framework, ind, values)
    fn = shape(ind.function).compute
    assert fn is not None  # documentary was refused in parse_inputs
    try:
        result = fn(numbers)
    except Violation as v:
        names = [describe_input(framework, ind, p) for p in v.positions]
        figures = ", ".join(
            f"{ind.inputs[p]}={to_decimal(numbers[p]).normalize():f}" for p in v.positions
        )
        raise InputError(
            f"{_label(ind)}: {v.template.format(*names)} ({figures})", indicator=ind.code
        ) from None
    return KpiValue(ind.code, result, ind.unit)


# ---------------------------------------------------------------- monthly indicators


@dataclass(frozen=True)
class MonthlyIndicator:
    month: str
    code: str
    value: Fraction
    unit: str | None


def indicators_from_inputs(
    framework: Framework, inputs: MonthlyInputs
) -> tuple[list[MonthlyIndicator], list[str]]:
    """Every computed indicator whose inputs are all present in a month; and why others fail.

    Indicators that share a formula (``same_as``) are listed under each of their codes.
    """
    out: list[MonthlyIndicator] = []
    problems: list[str] = []
    for month in inputs.months():
        have = inputs.values[month]
        for ind in framework.indicators:
            if ind.is_documentary or not ind.inputs or not all(m in have for m in ind.inputs):
                continue
            try:
                value = compute(framework, ind, {m: have[m] for m in ind.inputs})
            except InputError as exc:
                problems.append(f"{month}: {exc.problem.message}")
                continue
            out.append(MonthlyIndicator(month, ind.code, value.exact, ind.unit))
    return out, problems
