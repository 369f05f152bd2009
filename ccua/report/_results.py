"""Reading a run's ``results.json`` for the report, and printing its numbers.

The report shows what results.json says and never recomputes a score. Numbers are read as
:class:`decimal.Decimal` (``parse_float=Decimal``) so that 85.56 stays 85.56 on its way to the
page; printing only fixes the number of decimals of values that the core already rounded
half-up.
"""

from __future__ import annotations

from typing import Any

from ccua import fmt
from ccua.results_model import READABLE_VERSIONS as SUPPORTED_SCHEMA_VERSIONS
from ccua.results_model import RESULTS_FILE, SCHEMA, Results, load_run

__all__ = [
    "RESULTS_FILE",
    "SCHEMA",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Results",
    "dec",
    "fixed",
    "load_results",
    "load_run",
    "percent",
    "points",
    "rating",
]


#: The run's results (typed; numbers as Decimals); a clear error when the folder is not a run.
load_results = load_run


# Numbers print through the one formatter (ccua/fmt.py); these names stay for old callers.
dec = fmt.dec
fixed = fmt.fixed
percent = fmt.percent
rating = fmt.rating  # 4, 3.50, 2.86: the same everywhere


def points(value: Any) -> str:
    """A score or points as the standard prints them: 1.70分."""
    return fmt.points(value, "zh")
