"""Exact numbers: parsing user input, half-up rounding, and conversions for output.

Arithmetic inside the core is exact (:class:`fractions.Fraction`); values leave it as
:class:`decimal.Decimal` rounded half-up (GUIDE §3.4: binary floats turn 3.115 into 3.11; the
worked example needs 3.12).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

Number = int | float | Decimal | Fraction | str


class NotANumber(ValueError):
    pass


def to_fraction(value: object) -> Fraction:
    """Parse an input as an exact fraction; floats go through their shortest repr ("0.1")."""
    if isinstance(value, bool):
        raise NotANumber(f"expected a number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(f"expected a finite number, got {value!r}")
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotANumber(f"expected a finite number, got {value}")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.endswith("%"):
            raise NotANumber(f"expected a plain number, got {value!r} (give 5, not 5%)")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise NotANumber(f"expected a number, got {value!r}") from None
        if not dec.is_finite():
            raise NotANumber(f"expected a finite number, got {value!r}")
        return Fraction(dec)
    raise NotANumber(f"expected a number, got {type(value).__name__} {value!r}")


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact value half away from zero to ``places`` decimals, exactly."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = math.floor(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    result = Decimal(whole).scaleb(-places)
    result = result.quantize(Decimal(1).scaleb(-places))
    return -result if value < 0 else result


def quantize(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """An exact value as a Decimal rounded half-up to ``places`` (for display and JSON)."""
    return round_half_up(value, places)


def as_json_number(value: Decimal | None) -> float | int | None:
    """Decimals to JSON numbers: integral values stay readable (5.0), nothing else changes."""
    if value is None:
        return None
    return float(value)


def fmt(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{quantize(value, places):.{places}f}"
