"""Reading a run's ``results.json`` for the report, and printing its numbers.

The report shows what results.json says and never recomputes a score. Numbers are read as
:class:`decimal.Decimal` (``parse_float=Decimal``) so that 85.56 stays 85.56 on its way to the
page; printing only fixes the number of decimals of values that the core already rounded
half-up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ccua.results_model import READABLE_VERSIONS as SUPPORTED_SCHEMA_VERSIONS
from ccua.results_model import RESULTS_FILE, SCHEMA, Results, load_run

__all__ = ["RESULTS_FILE", "SCHEMA", "SUPPORTED_SCHEMA_VERSIONS", "Results", "dec", "fixed",
           "load_results", "load_run", "percent", "points", "rating"]


def load_results(run_dir: Path) -> dict[str, Any]:
    """The run's results as a plain dict, numbers as Decimals; a clear error when the folder
    is not a run. A thin wrapper of :func:`ccua.results_model.load_run` (which validates the
    file and upgrades older schema versions) for readers not yet on the typed model."""
    return load_run(run_dir).as_decimal_dict()


def dec(value: Any) -> Decimal | None:
    """A results.json number as a Decimal (ints and Decimals pass; None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # results loaded without parse_float: go through repr
        return Decimal(repr(value))
    return Decimal(str(value))


def fixed(value: Any, places: int = 2) -> str:
    """A number with a fixed number of decimals: 85.56, 2.00. "—" for none.

    The core rounds half-up before writing results.json; quantizing here only pads zeros
    (2.4 -> 2.40). Half-up is kept for values that come with more decimals.
    """
    d = dec(value)
    if d is None:
        return "—"
    return f"{d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):.{places}f}"


def points(value: Any) -> str:
    """A score or points as the standard prints them: 1.70分."""
    return "—" if value is None else f"{fixed(value)}分"


def percent(value: Any) -> str:
    """A share as the standard prints it: 1.99%."""
    return "—" if value is None else f"{fixed(value)}%"


def rating(value: Any) -> str:
    """A 0-5 rating: 5, 4.5, 2.86 (ratings are not money: no padded zeros)."""
    d = dec(value)
    if d is None:
        return "—"
    text = fixed(d, 2).rstrip("0").rstrip(".")
    return text or "0"
