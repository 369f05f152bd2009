"""Live scores and progress for the forms, from the scoring engine (never recomputed here).

The item percent and score a form shows are :func:`ccua.scoring.score` with ``partial=True``
on the ratings as saved, with the data's attainment for the indicator requirements: exactly
what ``ccua run`` will compute once every item is rated.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from ccua.errors import CcuaError
from ccua.ratings import Ratings
from ccua.scoring import Assessment, Attainment, ItemScore, score
from ccua.spec import Framework

State = Literal["complete", "partial", "empty"]
MARKS: dict[State, str] = {"complete": "✓", "partial": "◐", "empty": "○"}


@dataclass(frozen=True)
class ItemProgress:
    code: str
    name: str
    state: State
    percent: Decimal | None
    score: Decimal | None

    @property
    def label(self) -> str:
        """The item as the jump list shows it: mark, code, name."""
        return f"{MARKS[self.state]} {self.code} {self.name}"


@dataclass(frozen=True)
class Progress:
    items: tuple[ItemProgress, ...]
    assessment: Assessment | None
    problem: str | None = None  # why there is no live score (e.g. bad custom weights)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> int:
        return sum(1 for i in self.items if i.state == "complete")

    def item(self, code: str) -> ItemProgress:
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(code)


def is_complete(item: ItemScore) -> bool:
    """Fully rated: it has a percent, or it is excluded as not applicable as a whole."""
    return item.fulfilment is not None or item.source == "na"


def progress(
    framework: Framework, ratings: Ratings, attainment: Mapping[str, Attainment], touched: set[str]
) -> Progress:
    """Per item: complete (scored), partial (the assessor has begun it) or empty.

    ``touched`` are the items the assessor has put anything on: an item whose only rated
    requirement is the indicator requirement, rated from the data, has not been begun.
    """
    try:
        result: Assessment | None = score(framework, ratings, attainment=attainment, partial=True)
        problem = None
    except CcuaError as exc:
        result, problem = None, str(exc)
    items = []
    for it in framework.items:
        scored = result.item(it.code) if result else None
        if scored is not None and is_complete(scored):
            state: State = "complete"
        elif it.code in touched:
            state = "partial"
        else:
            state = "empty"
        numbers = (scored.percent, scored.score) if scored else (None, None)
        items.append(ItemProgress(it.code, it.name, state, *numbers))
    return Progress(tuple(items), result, problem)


def resume_item(state: Progress, history: Path, assessor: str) -> str:
    """Where a reopened form starts: the item this assessor last changed, if not finished yet;
    else the first item not finished; else the first item."""
    last = None
    with contextlib.suppress(OSError):
        for line in history.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, AttributeError):
                entry = json.loads(line)
                if entry.get("by") == assessor and entry.get("item"):
                    last = str(entry["item"])
    codes = [i.code for i in state.items]
    if last in codes and state.item(last).state != "complete":
        return last
    for it in state.items:
        if it.state != "complete":
            return it.code
    return codes[0]
