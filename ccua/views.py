"""Look-ups over a run's results that every presentation module shares (notebooks, charts,
report): pure, no language state of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ccua import fmt
from ccua.errors import CcuaError


def chapter_of(results: Mapping[str, Any], chapter: str) -> dict[str, Any]:
    """One chapter (a domain, or an area of the guideline) of the results."""
    for ch in results["chapters"]:
        if ch["id"] == chapter:
            return dict(ch)
    known = ", ".join(ch["id"] for ch in results["chapters"])
    raise CcuaError(f"chapter must be one of {known}, got {chapter!r}", field="chapter")


def indicators_of(results: Mapping[str, Any], item: str) -> list[dict[str, Any]]:
    """An item's indicators, in the order of table A.1 (the dict form: tests)."""
    return [ind for ind in results["indicators"] if ind.get("item") == item]


def month_labels(months: Sequence[str], lang: str = "zh") -> dict[str, str]:
    """``2026-01`` → ``1月`` / ``Jan`` when the period lies in one year, else the month as
    written (``Jan 2026`` in English)."""
    years = {m[:4] for m in months}
    if len(years) == 1:
        return {m: fmt.month_short(m, lang) for m in months}
    return {m: fmt.month_text(m, lang) for m in months}
