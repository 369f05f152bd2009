"""The formula shapes of table A.1, as registered pure functions.

Table A.1 has 88 indicator positions but only a handful of arithmetic shapes: a part of a
whole, one minus a part of a whole, a mean, and so on. Each indicator in the spec names its
shape (``function: share``) and lists its inputs in the order they appear in the printed
formula; this module holds the shapes. Arithmetic is exact (:class:`fractions.Fraction`); the
caller decides how to round.

A shape states its constraints (which input is a denominator, which parts may not exceed which
whole) by raising :class:`Violation` with input positions; :mod:`ccua.kpi` turns that into a
message naming the indicator and the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

HUNDRED = Fraction(100)
Formula = Callable[[Sequence[Fraction]], Fraction]


class Violation(Exception):
    """A constraint of a formula shape is broken; ``template`` refers to inputs as {0}, {1}...

    ``kind`` is ``zero`` (a denominator is zero) or ``exceeds`` (a part exceeds its whole).
    """

    def __init__(self, kind: str, template: str, *positions: int) -> None:
        super().__init__(template)
        self.kind = kind
        self.template = template
        self.positions = positions


@dataclass(frozen=True)
class Shape:
    name: str
    min_inputs: int
    max_inputs: int | None
    pattern: str
    compute: Formula | None
    bounded_0_100: bool = False

    def accepts(self, n: int) -> bool:
        return n >= self.min_inputs and (self.max_inputs is None or n <= self.max_inputs)

    def arity_text(self) -> str:
        if self.max_inputs == self.min_inputs:
            return str(self.min_inputs)
        if self.max_inputs is None:
            return f"{self.min_inputs} or more"
        return f"{self.min_inputs}-{self.max_inputs}"


REGISTRY: dict[str, Shape] = {}


def _register(
    name: str, min_inputs: int, max_inputs: int | None, pattern: str, bounded: bool = False
) -> Callable[[Formula], Formula]:
    def deco(fn: Formula) -> Formula:
        REGISTRY[name] = Shape(name, min_inputs, max_inputs, pattern, fn, bounded)
        return fn

    return deco


def _nonzero(values: Sequence[Fraction], *positions: int) -> None:
    if sum(values[p] for p in positions) == 0:
        names = " + ".join(f"{{{i}}}" for i in range(len(positions)))
        raise Violation("zero", f"{names} is zero, and it is the denominator", *positions)


def _not_above(values: Sequence[Fraction], parts: Sequence[int], whole: Sequence[int]) -> None:
    if sum(values[p] for p in parts) > sum(values[w] for w in whole):
        n = len(parts)
        left = " + ".join(f"{{{i}}}" for i in range(n))
        right = " + ".join(f"{{{n + i}}}" for i in range(len(whole)))
        raise Violation(
            "exceeds", f"{left} is larger than {right}, which must contain it", *parts, *whole
        )


@_register("share", 2, 2, "part / whole × 100", bounded=True)
def share(v: Sequence[Fraction]) -> Fraction:
    part, whole = v
    _nonzero(v, 1)
    _not_above(v, [0], [1])
    return part / whole * HUNDRED


@_register("complement_share", 2, 2, "(1 − part / whole) × 100", bounded=True)
def complement_share(v: Sequence[Fraction]) -> Fraction:
    part, whole = v
    _nonzero(v, 1)
    _not_above(v, [0], [1])
    return (1 - part / whole) * HUNDRED


@_register("remainder_share", 2, None, "(whole − part₁ − part₂ …) / whole × 100", bounded=True)
def remainder_share(v: Sequence[Fraction]) -> Fraction:
    whole, parts = v[0], v[1:]
    _nonzero(v, 0)
    _not_above(v, list(range(1, len(v))), [0])
    return (whole - sum(parts)) / whole * HUNDRED


@_register("ratio_percent", 2, 2, "numerator / denominator × 100 (may exceed 100)")
def ratio_percent(v: Sequence[Fraction]) -> Fraction:
    numerator, denominator = v
    _nonzero(v, 1)
    return numerator / denominator * HUNDRED


@_register("sum_share", 2, None, "(part₁ + part₂ …) / whole × 100", bounded=True)
def sum_share(v: Sequence[Fraction]) -> Fraction:
    parts, whole = v[:-1], v[-1]
    last = len(v) - 1
    _nonzero(v, last)
    _not_above(v, list(range(last)), [last])
    return sum(parts, Fraction(0)) / whole * HUNDRED


@_register("share_of_sum", 2, None, "part / (whole₁ + whole₂ …) × 100", bounded=True)
def share_of_sum(v: Sequence[Fraction]) -> Fraction:
    part, wholes = v[0], v[1:]
    rest = list(range(1, len(v)))
    _nonzero(v, *rest)
    _not_above(v, [0], rest)
    return part / sum(wholes, Fraction(0)) * HUNDRED


@_register(
    "leading_share", 2, None, "(part₁ + … + partₙ₋₁) / (part₁ + … + partₙ) × 100", bounded=True
)
def leading_share(v: Sequence[Fraction]) -> Fraction:
    # A share whose whole is printed as the sum of its parts plus one more: the guideline's
    # occupancy (talk + wrap) / (talk + wrap + idle) and utilisation (… + idle) / (… + break).
    _nonzero(v, *range(len(v)))
    return sum(v[:-1], Fraction(0)) / sum(v, Fraction(0)) * HUNDRED


@_register("mean", 2, 2, "total / count")
def mean(v: Sequence[Fraction]) -> Fraction:
    total, count = v
    _nonzero(v, 1)
    return total / count


@_register("sum_mean", 2, None, "(total₁ + total₂ …) / count")
def sum_mean(v: Sequence[Fraction]) -> Fraction:
    totals, count = v[:-1], v[-1]
    _nonzero(v, len(v) - 1)
    return sum(totals, Fraction(0)) / count


@_register("per_fte", 3, 3, "volume / (work time / standard time per agent)")
def per_fte(v: Sequence[Fraction]) -> Fraction:
    volume, work_time, standard_time = v
    _nonzero(v, 2)
    _nonzero(v, 1)
    return volume / (work_time / standard_time)


@_register("value", 1, 1, "the value as reported")
def value(v: Sequence[Fraction]) -> Fraction:
    return v[0]


REGISTRY["documentary"] = Shape(
    "documentary", 0, 0, "no formula (－): the assessor checks the documentary evidence", None
)


def shape(name: str) -> Shape:
    return REGISTRY[name]
