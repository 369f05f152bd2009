"""Target attainment of an item's indicators (GUIDE §3.2): computed with the indicators
(:mod:`ccua.period`), used by the scoring engine (:mod:`ccua.scoring`) to rate the item's
indicator requirement. A module of its own so that the indicators never import the scores."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Attainment:
    """How many of an item's evaluable indicators meet their targets (GUIDE §3.2)."""

    met: int
    evaluable: int

    def __post_init__(self) -> None:
        if self.evaluable < 0 or not 0 <= self.met <= self.evaluable:
            raise ValueError(f"attainment {self.met}/{self.evaluable} is impossible")

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.met, self.evaluable) if self.evaluable else None
