"""The one place numbers, units and dates are printed, in each output language.

Values arrive as results.json holds them (already rounded half-up by the core, GUIDE §3.4);
printing fixes the number of decimals only: 85.56, 2.00. Rules, the same in every output:

* points and percents with two decimals (``1.70分`` / ``1.70``, ``1.99%``);
* ratings as whole numbers when whole (``4``), else with two decimals (``3.50``, ``2.86``);
* an indicator value with two decimals and its unit's label (``16.30%``, ``18.00秒`` /
  ``18.00 s``); counts and ratios carry no unit;
* dates ISO in Chinese (``2026-09-16``), ``16 Sep 2026`` in English; months ``2026-03`` /
  ``Mar 2026``.

``—`` stands for a missing value in both languages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ccua._num import fmt as _fixed
from ccua._num import round_half_up, to_fraction
from ccua.i18n import t

if TYPE_CHECKING:
    from ccua.spec import Grade

DASH = "—"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Units of indicators and thresholds (framework data: indicators.unit): the catalog key of
# their label. Units without a label print the bare number.
UNITS = (
    "percent",
    "seconds",
    "minutes",
    "hours",
    "days",
    "count",
    "currency",
    "ratio",
    "score",
    "points",
    "people",
    "times",
)


def dec(value: Any) -> Decimal | None:
    """A results.json number as a Decimal (ints, floats, Fractions, strings; None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Fraction):
        return round_half_up(value, 12).normalize()
    return Decimal(str(value))  # a float as its shortest text: 0.1, not its binary value


def fixed(value: Any, places: int = 2) -> str:
    """A number with a fixed number of decimals, half-up: 85.56, 2.00; "—" for none."""
    exact = round_half_up(value, places) if isinstance(value, Fraction) else dec(value)
    return _fixed(exact, places)


def points(value: Any, lang: str = "zh") -> str:
    """A score or points with its unit: 1.70分 / 1.70 pts."""
    return DASH if value is None else t(lang, "unit.points_value", value=fixed(value))


def percent(value: Any) -> str:
    """A share as the standard prints it: 1.99% (results.json holds 1.99)."""
    return DASH if value is None else f"{fixed(value)}%"


def rating(value: Any) -> str:
    """A 0-5 rating: whole as 4, a mean with two decimals: 3.50, 2.86."""
    if value is None:
        return DASH
    exact = to_fraction(value)
    return str(exact.numerator) if exact.denominator == 1 else fixed(exact)


def unit_label(unit: str | None, lang: str = "zh") -> str:
    """A unit's label after a number: %, 秒 / s …; "" for counts, ratios and unknown units."""
    if not unit or unit not in UNITS:
        return ""
    return t(lang, f"unit.{unit}")


def value(v: Any, unit: str | None, lang: str = "zh") -> str:
    """An indicator value with its unit: 16.30%, 18.00秒 / 18.00 s."""
    if v is None:
        return DASH
    label = unit_label(unit, lang)
    space = " " if label and label != "%" and lang != "zh" else ""  # 18.00 s, 16.30%, 18.00秒
    return f"{fixed(v)}{space}{label}"


def plain(v: Any) -> str:
    """A threshold as written in the standard: 80, 0.5, 16 (no padded zeros)."""
    d = dec(v)
    if d is None:
        return DASH
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    return format(d.normalize(), "f")


def _as_date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return datetime.strptime(str(v), "%Y-%m-%d").date()
    except ValueError:
        return None


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?\s*$")


def date_text(v: Any, lang: str = "zh") -> str:
    """A date: 2026-09-16 (zh), 16 Sep 2026 (en); 2026年11月 as Nov 2026 in English; other
    text is kept."""
    if v is None or v == "":
        return DASH
    d = _as_date(v)
    if d is None:
        m = _CN_DATE.match(str(v))
        if m and lang == "en":
            year, month, day = int(m[1]), int(m[2]), m[3]
            if 1 <= month <= 12:
                return (f"{int(day)} " if day else "") + f"{MONTHS[month - 1]} {year}"
        return month_text(v, lang)
    if lang == "en":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    return d.isoformat()


def month_text(v: Any, lang: str = "zh") -> str:
    """A month: 2026-03 (zh), Mar 2026 (en); text that is not a month is kept."""
    text = str(v)
    try:
        d = datetime.strptime(text, "%Y-%m")
    except ValueError:
        return text
    return f"{MONTHS[d.month - 1]} {d.year}" if lang == "en" else text


def month_short(v: Any, lang: str = "zh") -> str:
    """A month within a known year: 3月 (zh), Mar (en)."""
    n = int(str(v)[5:7])
    return MONTHS[n - 1] if lang == "en" else f"{n}月"


def date_range(start: Any, end: Any, lang: str = "zh") -> str:
    """2026-01 至 2026-06 / Jan 2026 to Jun 2026."""
    return t(lang, "punct.range", start=date_text(start, lang), end=date_text(end, lang))


def grade_band(grades: Sequence[Grade], grade: Grade, lang: str = "zh") -> str:
    """The band the engine applies: ≥ its minimum, and for the lowest grade below the next
    one's minimum (D.1 prints "改进 ≤60分", which overlaps 合格 ≥60: erratum E-M-grade-60)."""
    ordered = sorted(grades, key=lambda g: g.min)
    if ordered and grade.code == ordered[0].code and len(ordered) > 1:
        return t(lang, "table.band_below", min=plain(ordered[1].min))
    return t(lang, "table.band_at_least", min=plain(grade.min))


def display_width(text: str) -> int:
    """Columns a text takes in a terminal, an editor or a pandoc grid table: two for a wide
    (Chinese, full-width) character, none for a combining mark, one otherwise."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )
