"""Agreement between assessors who rated the same engagement independently.

Each assessor rates in a file of their own (``ratings/ASSESSOR.yaml`` in the engagement
folder, or any ratings files). A *leaf* is what an assessor rates: a requirement rated as a
whole (``a``) or a sub-point (``b.2``), keyed ``ITEM.LEAF``. Agreement is measured over the
leaves that **every** file rates with a number (not-applicable and unrated leaves are left
out; items overridden with a percent have no leaves).

- ``exact_agreement``: share of leaves on which every assessor gave the same rating;
- ``within_one``: share of leaves whose ratings span at most one point;
- ``weighted_kappa``: Cohen's kappa with quadratic weights over the categories 0–5 (two files
  only; Cohen 1968) — the same definition as scikit-learn's
  ``cohen_kappa_score(weights="quadratic", labels=range(6))``;
- ``alpha_ordinal``: Krippendorff's alpha with the ordinal metric, for two or more files
  (Krippendorff, *Content Analysis*, 2004/2019, §12; the coincidence-matrix form), as the
  ``krippendorff`` package computes it.

Pure functions; the CLI reads the files (``ccua agreement``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

from ccua._num import round_half_up
from ccua.errors import CcuaError
from ccua.ratings import Ratings
from ccua.spec import Framework

CATEGORIES = range(6)


class AgreementError(CcuaError):
    """The ratings files cannot be compared (one file, other frameworks, nothing in common)."""


@dataclass(frozen=True)
class LeafRatings:
    item: str
    leaf: str
    group: str
    ratings: tuple[int, ...]  # one per file, in the order given
    stake: Decimal  # item points a disagreement of max − min moves

    @property
    def code(self) -> str:
        return f"{self.item}.{self.leaf}"

    @property
    def spread(self) -> int:
        return max(self.ratings) - min(self.ratings)


@dataclass(frozen=True)
class Agreement:
    pairs: int
    exact_agreement: float | None
    within_one: float | None
    weighted_kappa: float | None
    alpha_ordinal: float | None

    def as_dict(self) -> dict[str, object]:
        return {k: v if k == "pairs" else _r(v) for k, v in asdict(self).items()}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _leaf_ratings(ratings: Ratings) -> dict[str, int]:
    """ITEM.LEAF → rating for every leaf rated with a number."""
    out: dict[str, int] = {}
    for code, item in ratings.items.items():
        if item.percent is not None or item.rating is not None:
            continue
        for key, entry in item.ratings.items():
            if not entry.na and entry.rating is not None:
                out[f"{code}.{key}"] = entry.rating
    return out


def _stake(framework: Framework, item_code: str, leaf: str, spread: int) -> Decimal:
    """Points of the item that ``spread`` rating points on this leaf move (equal weights)."""
    item = framework.item(item_code)
    if item.points is None:
        return Decimal(0)
    req_code, _, sub = leaf.partition(".")
    n_req = len(item.requirements) or 1
    per_point = Fraction(1, 5 * n_req)
    if sub:
        req = item.requirement(req_code)
        per_point /= len(req.subpoints) or 1
    return round_half_up(Fraction(item.points) * per_point * spread, 2)


def common_leaves(framework: Framework, files: Sequence[Ratings]) -> list[LeafRatings]:
    """The leaves every file rates with a number, in framework order."""
    if len(files) < 2:
        raise AgreementError("agreement needs at least two ratings files")
    for f in files:
        if f.framework != framework.id:
            raise AgreementError(
                f"{f.source or 'a ratings file'} is for {f.framework}, not {framework.id}",
                file=f.source,
            )
    maps = [_leaf_ratings(f) for f in files]
    shared = set(maps[0]).intersection(*maps[1:])
    order = {item.code: i for i, item in enumerate(framework.items)}
    leaves = []
    for code in sorted(shared, key=lambda c: (order.get(c.split(".", 1)[0], 999), c)):
        item_code, leaf = code.split(".", 1)
        values = tuple(m[code] for m in maps)
        stake = _stake(framework, item_code, leaf, max(values) - min(values))
        leaves.append(LeafRatings(item_code, leaf, framework.item(item_code).group, values, stake))
    return leaves


def cohen_kappa_quadratic(
    a: Sequence[int], b: Sequence[int], labels: Sequence[int] = CATEGORIES
) -> float | None:
    """Cohen's weighted kappa, quadratic weights (w = (i − j)² / (k − 1)²)."""
    k = len(labels)
    index = {label: i for i, label in enumerate(labels)}
    n = len(a)
    if n == 0:
        return None
    observed = [[0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[index[x]][index[y]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = Fraction(0)
    for i in range(k):
        for j in range(k):
            w = Fraction((i - j) ** 2, (k - 1) ** 2)
            num += w * observed[i][j]
            den += w * Fraction(rows[i] * cols[j], n)
    if den == 0:
        return None  # no variation to chance-correct against
    return float(1 - num / den)


def krippendorff_alpha_ordinal(units: Sequence[Sequence[int]]) -> float | None:
    """Krippendorff's alpha, ordinal metric; each unit holds the values of its coders."""
    pairable = [u for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    coincidence = [[Fraction(0)] * k for _ in range(k)]
    for unit in pairable:
        m = len(unit)
        for i, x in enumerate(unit):
            for j, y in enumerate(unit):
                if i != j:
                    coincidence[index[x]][index[y]] += Fraction(1, m - 1)
    totals = [sum(row, Fraction(0)) for row in coincidence]
    n = sum(totals, Fraction(0))

    def delta(c: int, g: int) -> Fraction:
        lo, hi = min(c, g), max(c, g)
        between = sum(totals[lo : hi + 1], Fraction(0)) - (totals[lo] + totals[hi]) / 2
        return between * between

    observed = sum(coincidence[c][g] * delta(c, g) for c in range(k) for g in range(k))
    expected = sum(totals[c] * totals[g] * delta(c, g) for c in range(k) for g in range(k))
    if expected == 0:
        return None
    return float(1 - (n - 1) * observed / expected)


def agreement_of(leaves: Sequence[LeafRatings]) -> Agreement:
    n = len(leaves)
    if n == 0:
        return Agreement(0, None, None, None, None)
    exact = sum(1 for lf in leaves if lf.spread == 0) / n
    within = sum(1 for lf in leaves if lf.spread <= 1) / n
    kappa = _kappa(leaves, 0, 1) if len(leaves[0].ratings) == 2 else None
    alpha = krippendorff_alpha_ordinal([lf.ratings for lf in leaves])
    return Agreement(n, exact, within, kappa, alpha)


def _kappa(leaves: Sequence[LeafRatings], i: int, j: int) -> float | None:
    """Weighted kappa between the i-th and the j-th file."""
    return cohen_kappa_quadratic([lf.ratings[i] for lf in leaves], [lf.ratings[j] for lf in leaves])


@dataclass(frozen=True)
class AgreementReport:
    assessors: tuple[str, ...]
    overall: Agreement
    by_group: Mapping[str, Agreement]
    disagreements: tuple[LeafRatings, ...]  # spread ≥ 2, most points at stake first
    pairwise_kappa: Mapping[tuple[str, str], float | None]

    def as_dict(self) -> dict[str, object]:
        return {
            "assessors": list(self.assessors),
            **self.overall.as_dict(),
            "by_domain": {g: a.as_dict() for g, a in self.by_group.items()},
            "pairwise_weighted_kappa": [
                {"a": a, "b": b, "weighted_kappa": _r(k)}
                for (a, b), k in self.pairwise_kappa.items()
            ],
            "disagreements": [
                {
                    "leaf": lf.code,
                    "item": lf.item,
                    "ratings": dict(zip(self.assessors, lf.ratings, strict=True)),
                    "spread": lf.spread,
                    "points_at_stake": str(lf.stake),
                }
                for lf in self.disagreements
            ],
        }


def agreement_report(
    framework: Framework, files: Sequence[Ratings], names: Sequence[str]
) -> AgreementReport:
    leaves = common_leaves(framework, files)
    if not leaves:
        raise AgreementError(
            "the ratings files have no leaf that all of them rate with a number: nothing to compare"
        )
    by_group = {
        g.code: agreement_of([lf for lf in leaves if lf.group == g.code]) for g in framework.groups
    }
    pairwise = {
        (a, b): _kappa(leaves, i, j) for (i, a), (j, b) in combinations(enumerate(names), 2)
    }
    disagreements = sorted(
        (lf for lf in leaves if lf.spread >= 2), key=lambda lf: (-lf.stake, -lf.spread, lf.code)
    )
    return AgreementReport(
        tuple(names),
        agreement_of(leaves),
        {g: a for g, a in by_group.items() if a.pairs},
        tuple(disagreements),
        pairwise,
    )
