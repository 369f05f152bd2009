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

from ccua._num import NotANumber, to_decimal, to_fraction
from ccua.errors import InputError
from ccua.formulas import Violation, shape
from ccua.spec import Framework, Indicator

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


def parse_inputs(framework: Framework, indicator: Indicator,
                 values: Sequence[object] | Mapping[str, object]) -> list[Fraction]:
    """Validate raw inputs (positional in formula order, or by measure code)."""
    if indicator.is_documentary:
        raise InputError(
            f"{_label(indicator)} is documentary evidence (formula \"－\"): the assessor checks "
            "it; there is nothing to compute", indicator=indicator.code)
    names = indicator.inputs
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise InputError(f"{_label(indicator)} takes {', '.join(names)}; unknown input "
                             f"{unknown[0]!r}", indicator=indicator.code)
        ordered: list[object] = []
        for i, name in enumerate(names):
            if name not in values or values[name] is None or values[name] == "":
                raise InputError(f"{_label(indicator)}: input "
                                 f"{describe_input(framework, indicator, i)} is missing",
                                 indicator=indicator.code)
            ordered.append(values[name])
    else:
        ordered = list(values)
        if len(ordered) != len(names):
            wanted = ", ".join(describe_input(framework, indicator, i) for i in range(len(names)))
            missing = "missing" if len(ordered) < len(names) else "too many"
            raise InputError(f"{_label(indicator)} takes {len(names)} input"
                             f"{'s' if len(names) != 1 else ''} in this order: {wanted}; "
                             f"{len(ordered)} given ({missing})", indicator=indicator.code)
    parsed: list[Fraction] = []
    for i, raw in enumerate(ordered):
        what = describe_input(framework, indicator, i)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise InputError(f"{_label(indicator)}: input {what} is missing",
                             indicator=indicator.code)
        try:
            number = to_fraction(raw)
        except NotANumber as exc:
            raise InputError(f"{_label(indicator)}: input {what}: {exc}",
                             indicator=indicator.code) from None
        if number < 0:
            raise InputError(f"{_label(indicator)}: input {what} is negative ({raw}); "
                             "counts and durations cannot be", indicator=indicator.code)
        parsed.append(number)
    return parsed


def compute(framework: Framework, indicator: Indicator | str,
            values: Sequence[object] | Mapping[str, object]) -> KpiValue:
    """Compute one indicator from its inputs, exactly."""
    ind = framework.indicator(indicator) if isinstance(indicator, str) else indicator
    numbers = parse_inputs(framework, ind, values)
    fn = shape(ind.function).compute
    assert fn is not None  # documentary was refused in parse_inputs
    try:
        result = fn(numbers)
    except Violation as v:
        names = [describe_input(framework, ind, p) for p in v.positions]
        figures = ", ".join(f"{ind.inputs[p]}={to_decimal(numbers[p]).normalize():f}"
                            for p in v.positions)
        raise InputError(f"{_label(ind)}: {v.template.format(*names)} ({figures})",
                         indicator=ind.code) from None
    return KpiValue(ind.code, result, ind.unit)
