"""Exact numbers: parsing user input, half-up rounding, and conversions for output.

Arithmetic inside the core is exact (:class:`fractions.Fraction`); values leave it as
:class:`decimal.Decimal` rounded half-up (GUIDE §3.4: binary floats turn 3.115 into 3.11; the
worked example needs 3.12).
"""

from __future__ import annotations

import datetime
import math
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from fractions import Fraction

# What ccua computes with: numbers below 1e50 in magnitude, down to 1e-50, with at most 60
# significant digits. Far beyond any contact-centre figure (the monthly sheet refuses values
# above 1e15), and small enough that exact arithmetic stays fast: "1e999999999" would
# otherwise become a billion-digit integer. Inside the bounds every result is exact and
# rounds without decimal.InvalidOperation (the rounding below widens the decimal context).
MAX_EXPONENT = 49  # adjusted exponent: |x| < 1e50
MIN_EXPONENT = -50
MAX_DIGITS = 60


class NotANumber(ValueError):
    pass


# Rounding works in a context wide enough for the value at hand (see round_half_up).
_WIDE = Context(prec=28, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _bounded(dec: Decimal, shown: object) -> Decimal:
    """``dec`` if it is within what ccua computes with, else NotANumber saying why."""
    if dec.is_zero():
        return dec
    if dec.adjusted() > MAX_EXPONENT:
        raise _too_large(shown)
    if dec.adjusted() < MIN_EXPONENT:
        raise NotANumber(
            f"{_short(shown)} is too small: ccua computes with numbers from "
            f"1e{MIN_EXPONENT} (give 0 for nothing)"
        )
    digits = "".join(map(str, dec.as_tuple().digits)).rstrip("0")
    if len(digits) > MAX_DIGITS:
        raise NotANumber(f"{_short(shown)} has more than {MAX_DIGITS} significant digits")
    return dec


def _too_large(shown: object) -> NotANumber:
    return NotANumber(
        f"{_short(shown)} is too large: ccua computes with numbers below 1e{MAX_EXPONENT + 1}"
    )


def _short(value: object) -> str:
    text = (str if isinstance(value, str | Decimal) else repr)(value).strip()
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)


def to_fraction(value: object) -> Fraction:
    """Parse an input as an exact fraction; floats go through their shortest repr ("0.1")."""
    if isinstance(value, bool):
        raise NotANumber(f"expected a number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        if abs(value) >= 10 ** (MAX_EXPONENT + 1):
            raise _too_large(value)
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(f"expected a finite number, got {value!r}")
        return Fraction(_bounded(Decimal(repr(value)), value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotANumber(f"expected a finite number, got {value}")
        return Fraction(_bounded(value, value))
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.endswith("%"):
            raise NotANumber(f"expected a plain number, got {_short(value)} (give 5, not 5%)")
        if len(text) > 200:
            raise NotANumber(f"expected a number, got {_short(value)} ({len(text)} characters)")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise NotANumber(f"expected a number, got {value!r}") from None
        if not dec.is_finite():
            raise NotANumber(f"expected a finite number, got {value!r}")
        return Fraction(_bounded(dec, value))
    raise NotANumber(f"expected a number, got {shown(value)}")


def shown(value: object) -> str:
    """A value as a person typed it, for messages: dates as dates, never ``datetime(...)``."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return f"the date {value.date().isoformat()}"
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"the time {value.isoformat()}"
    if isinstance(value, datetime.timedelta):
        return f"the duration {value}"
    if isinstance(value, str):
        return _short(value)
    return f"{type(value).__name__} {_short(value)}"


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact value half away from zero to ``places`` decimals, exactly."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = math.floor(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    # Exact, however many digits: the default context (28 digits) made quantize raise
    # InvalidOperation for values of about 1e26 and up.
    with localcontext(_wide(whole.bit_length() // 3 + places + 4)):
        result = Decimal(whole).scaleb(-places)
        result = result.quantize(Decimal(1).scaleb(-places))
        return -result if value < 0 else result


def _wide(prec: int) -> Context:
    ctx = _WIDE.copy()
    ctx.prec = max(prec, 28)
    return ctx


def quantize(value: Decimal, places: int = 2) -> Decimal:
    digits = max(value.adjusted(), 0) + places + 4 if value.is_finite() else 28
    with localcontext(_wide(digits)):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """An exact value as a Decimal rounded half-up to ``places`` (for display and JSON)."""
    return round_half_up(value, places)


def num(value: Decimal | Fraction | None, places: int | None = None) -> float | None:
    """An exact value as a JSON number, rounded half-up to ``places`` (Fractions: 6 unless
    given; Decimals as they are unless given)."""
    if value is None:
        return None
    if isinstance(value, Fraction) or places is not None:
        return float(round_half_up(Fraction(value), 6 if places is None else places))
    return float(value)


def fmt(value: Decimal | None, places: int = 2) -> str:
    """A number with ``places`` decimals, half-up, in a context wide enough for the value
    (1e26 and up overflow the default 28 digits); "—" for none."""
    if value is None:
        return "—"
    return f"{quantize(value, places):.{places}f}"
