"""Look-ups over a run's results that every presentation module shares (notebooks, charts,
report): pure, no language state of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ccua import fmt

if TYPE_CHECKING:
    from ccua.results_model import ChapterOut, Results


def chapter_of(results: Results, chapter: str) -> ChapterOut:
    """The notebooks' older name for :meth:`Results.chapter`."""
    return results.chapter(chapter)


def month_labels(months: Sequence[str], lang: str = "zh") -> dict[str, str]:
    """``2026-01`` → ``1月`` / ``Jan`` when the period lies in one year, else the month as
    written (``Jan 2026`` in English)."""
    years = {m[:4] for m in months}
    if len(years) == 1:
        return {m: fmt.month_short(m, lang) for m in months}
    return {m: fmt.month_text(m, lang) for m in months}
