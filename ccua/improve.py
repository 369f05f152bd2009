"""The shortest path to a grade: the fewest rating steps that lift the total to a target.

A *leaf* is what an assessor rates: a requirement rated as a whole (key ``a`` under an item's
``ratings:``) or one of its sub-points (``b.2``). A *step* raises one leaf by one point on the
0–5 scale; a step may carry an effort (default 1). We look for the set of steps of least total
effort after which the total, computed under the exact scoring rules (item scores rounded
half-up to the cent, then summed), reaches the target grade's minimum.

Why an exact search and not an integer program: the total is a sum of per-item scores and
each item's score depends only on that item's leaves, but through a rounding step (half-up to
the cent), which a linear program cannot express without auxiliary integers. The structure is
separable, so an exact search is small:

1. within a requirement every step has the same value (1/n of the requirement for a sub-point
   of n), so the cheapest k steps of a requirement are its k cheapest leaf steps;
2. within an item, a dynamic programme over the requirements, keyed by the exact fulfilment
   (a Fraction), gives the least effort for every reachable fulfilment; rounding that to the
   item score gives the item's Pareto frontier of (effort, score);
3. across items, frontiers are merged (least effort for each gain, dominated pairs dropped,
   gains above what is needed capped), which is exact because items add up independently.

The result is minimal: no set of steps of smaller effort reaches the target
(tests/test_improve.py checks it against brute force on small cases).

Items overridden with a percent, rated as a whole, and indicator requirements (rated from the
data) have no leaves: the path cannot move them. For indicator requirements we instead name
the indicators whose attainment would raise the item (``indicator_hints``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate
from typing import TypeVar

from ccua._num import round_half_up
from ccua.engagement import EngagementData
from ccua.errors import CcuaError
from ccua.period import PeriodResult, period_of
from ccua.scoring import Assessment, Attainment, RequirementScore, rating_from_attainment, score
from ccua.spec import Framework, Grade

C = TypeVar("C")


class ImproveError(CcuaError):
    """The improvement path cannot be computed (no grades, unknown target, bad effort file)."""


@dataclass(frozen=True)
class Leaf:
    item: str
    key: str  # the key under ``ratings:`` of the item: "a" or "b.2"
    requirement: str
    current: int
    effort: Fraction  # effort of one step
    value: Fraction  # item fulfilment (0..1) gained by one step, exact


@dataclass(frozen=True)
class Step:
    item: str
    leaf: str
    from_rating: int
    to_rating: int
    points: Decimal  # the item score this leaf's raise is worth, before item rounding
    effort: Fraction

    @property
    def steps(self) -> int:
        return self.to_rating - self.from_rating

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "leaf": self.leaf,
            "from": self.from_rating,
            "to": self.to_rating,
            "points": str(self.points),
        }


@dataclass(frozen=True)
class IndicatorHint:
    item: str
    indicator: str
    met: int
    evaluable: int
    points: Decimal  # the item score gained if this one indicator met its target

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "points": str(self.points)}


@dataclass(frozen=True)
class ImprovementPath:
    target: Grade
    reachable: bool
    already_met: bool
    total_before: Decimal
    total_after: Decimal
    best_possible: Decimal  # the total with every leaf at the top of the scale
    steps: tuple[Step, ...]
    effort: Fraction
    fixed_items: tuple[str, ...]  # items the path cannot move (override, whole-item rating)
    indicator_hints: tuple[IndicatorHint, ...]

    @property
    def step_count(self) -> int:
        return sum(s.steps for s in self.steps)

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target.name,
            "target_min": str(self.target.min),
            "reachable": self.reachable,
            "already_met": self.already_met,
            "total_before": str(self.total_before),
            "total_after": str(self.total_after),
            "best_possible": str(self.best_possible),
            "step_count": self.step_count,
            "effort": _plain(self.effort),
            "steps": [s.as_dict() for s in self.steps],
            "fixed_items": list(self.fixed_items),
            "indicators": [h.as_dict() for h in self.indicator_hints],
        }


def _plain(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return str(round_half_up(value, 2))


def target_grade(framework: Framework, name: str | None, total: Decimal) -> Grade:
    """The grade asked for by name or code, or the next grade above ``total``."""
    if not framework.grades:
        raise ImproveError(
            f"framework {framework.id} has no grades: there is no grade to reach", field="--to"
        )
    grades = sorted(framework.grades, key=lambda g: g.min)
    if name is None:
        for grade in grades:
            if grade.min > total:
                return grade
        return grades[-1]
    for grade in grades:
        if name in (grade.name, grade.code, grade.name_en, grade.name_en.lower()):
            return grade
    allowed = ", ".join(f"{g.name} ({g.code})" for g in reversed(grades))
    raise ImproveError(f"--to must be one of {allowed}; got {name!r}", field="--to")


def leaves_of(
    assessment: Assessment, effort: Mapping[str, Fraction] | None = None
) -> tuple[list[Leaf], list[str]]:
    """Every leaf the path may raise, and the items it cannot move."""
    effort = effort or {}
    leaves: list[Leaf] = []
    fixed: list[str] = []
    for item in assessment.items:
        if item.source != "requirements" or item.points is None:
            if item.source in ("override", "rating"):
                fixed.append(item.code)
            continue
        applicable = [r for r in item.requirements if r.rating is not None]
        weight = sum((r.weight for r in applicable), Fraction(0))
        for req in applicable:
            share = req.weight / weight / 5  # fulfilment per rating point of the requirement
            for key, current, n in _req_leaves(req):
                cost = effort.get(f"{item.code}.{key}", effort.get(item.code, Fraction(1)))
                leaves.append(Leaf(item.code, key, req.code, current, cost, share / n))
    return leaves, fixed


def _req_leaves(req: RequirementScore) -> list[tuple[str, int, int]]:
    if req.source == "assessor":
        return [(req.code, int(req.rating or 0), 1)]
    if req.source == "subpoints":
        subs = [s for s in req.subpoints if not s.na and s.rating is not None]
        return [(f"{req.code}.{s.code}", int(s.rating or 0), len(subs)) for s in subs]
    return []  # indicators (from the data), override of the indicator requirement, n/a


def _requirement_options(leaves: Sequence[Leaf], top: int) -> list[tuple[int, Fraction]]:
    """(steps, least effort) for 0..all steps of one requirement: its cheapest steps first."""
    unit_costs = sorted(leaf.effort for leaf in leaves for _ in range(top - leaf.current))
    return list(enumerate(accumulate(unit_costs, initial=Fraction(0))))


def _item_frontier(
    points: Decimal, fulfilment: Fraction, leaves: Sequence[Leaf], top: int, places: int
) -> list[tuple[Fraction, Decimal, dict[str, int]]]:
    """Pareto frontier of (effort, item score, steps per requirement), effort ascending."""
    by_req: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        by_req.setdefault(leaf.requirement, []).append(leaf)
    states: dict[Fraction, tuple[Fraction, dict[str, int]]] = {fulfilment: (Fraction(0), {})}
    for req, req_leaves in by_req.items():
        value = req_leaves[0].value
        options = _requirement_options(req_leaves, top)
        nxt: dict[Fraction, tuple[Fraction, dict[str, int]]] = {}
        for f, (cost, choice) in states.items():
            for k, extra in options:
                key = f + value * k
                total = cost + extra
                if key not in nxt or total < nxt[key][0]:
                    nxt[key] = (total, {**choice, req: k} if k else choice)
        states = nxt
    pts = Fraction(points)
    best: dict[Decimal, tuple[Fraction, dict[str, int]]] = {}
    for f, (cost, choice) in states.items():
        item_score = round_half_up(pts * min(f, Fraction(1)), places)
        if item_score not in best or cost < best[item_score][0]:
            best[item_score] = (cost, choice)
    return _pareto(best)


def _pareto(best: Mapping[Decimal, tuple[Fraction, C]]) -> list[tuple[Fraction, Decimal, C]]:
    """(effort, gain, choice), effort ascending, keeping only those that gain more."""
    frontier: list[tuple[Fraction, Decimal, C]] = []
    for gain, (cost, choice) in sorted(best.items(), key=lambda kv: (kv[1][0], -kv[0])):
        if not frontier or gain > frontier[-1][1]:
            frontier.append((cost, gain, choice))
    return frontier


def _merge(
    frontiers: Sequence[tuple[str, list[tuple[Fraction, Decimal, dict[str, int]]]]], needed: Decimal
) -> list[tuple[Fraction, Decimal, dict[str, dict[str, int]]]]:
    """Least effort for each total gain (capped at ``needed``) over all items, exactly."""
    running: list[tuple[Fraction, Decimal, dict[str, dict[str, int]]]] = [
        (Fraction(0), Decimal(0), {})
    ]
    for code, frontier in frontiers:
        base = frontier[0][1]
        candidates: dict[Decimal, tuple[Fraction, dict[str, dict[str, int]]]] = {}
        for cost_a, gain_a, choice_a in running:
            for cost_b, score_b, choice_b in frontier:
                gain = min(gain_a + score_b - base, needed)
                cost = cost_a + cost_b
                if gain not in candidates or cost < candidates[gain][0]:
                    merged = {**choice_a, code: choice_b} if choice_b else choice_a
                    candidates[gain] = (cost, merged)
        running = _pareto(candidates)
    return running


def _expand(
    choice: Mapping[str, Mapping[str, int]],
    leaves: Sequence[Leaf],
    points: Mapping[str, Decimal],
    places: int,
    top: int,
) -> list[Step]:
    """Turn steps per requirement into raises of named leaves (cheapest leaf steps first)."""
    steps: list[Step] = []
    for item, per_req in choice.items():
        for req, count in per_req.items():
            req_leaves = [lf for lf in leaves if lf.item == item and lf.requirement == req]
            units = sorted(
                ((lf.effort, i) for i, lf in enumerate(req_leaves) for _ in range(top - lf.current))
            )[:count]
            raised: dict[int, int] = {}
            for _, i in units:
                raised[i] = raised.get(i, 0) + 1
            for i, k in sorted(raised.items()):
                lf = req_leaves[i]
                gain = round_half_up(Fraction(points[item]) * lf.value * k, places)
                steps.append(Step(item, lf.key, lf.current, lf.current + k, gain, lf.effort * k))
    steps.sort(key=lambda s: (-(s.points / s.steps), s.item, s.leaf))
    return steps


def indicator_hints(
    framework: Framework,
    assessment: Assessment,
    attainment: Mapping[str, Attainment],
    not_met: Mapping[str, Sequence[str]],
) -> list[IndicatorHint]:
    """Per item rated from its indicators: what meeting one more target is worth."""
    hints: list[IndicatorHint] = []
    places = framework.scoring.decimals
    for item in assessment.items:
        att = attainment.get(item.code)
        if (
            att is None
            or att.share is None
            or item.points is None
            or item.source != "requirements"
            or item.fulfilment is None
        ):
            continue
        req = next((r for r in item.requirements if r.source == "indicators"), None)
        if req is None or att.met >= att.evaluable:
            continue
        applicable = [r for r in item.requirements if r.rating is not None]
        weight = sum((r.weight for r in applicable), Fraction(0))
        better = rating_from_attainment(Fraction(att.met + 1, att.evaluable), framework)
        delta = (better - (req.rating or 0)) * req.weight / weight / 5
        now = item.score or Decimal(0)
        after = round_half_up(Fraction(item.points) * (item.fulfilment + delta), places)
        for code in not_met.get(item.code, ()):
            hints.append(IndicatorHint(item.code, code, att.met, att.evaluable, after - now))
    hints.sort(key=lambda h: (-h.points, h.item, h.indicator))
    return hints


def shortest_path(
    framework: Framework,
    assessment: Assessment,
    target: Grade,
    *,
    effort: Mapping[str, Fraction] | None = None,
    threshold: Decimal | None = None,
    hints: Sequence[IndicatorHint] = (),
) -> ImprovementPath:
    """The least-effort set of rating steps lifting ``assessment`` to ``target`` (exact).

    ``threshold`` replaces the grade's minimum (tests use it to probe arbitrary totals).
    """
    if framework.scoring.points_at != "item":
        raise ImproveError(
            f"framework {framework.id} scores groups, not items; the path to a "
            "grade is computed for frameworks with points on items"
        )
    if not assessment.complete:
        raise ImproveError(
            "the ratings are incomplete: rate every requirement first "
            "(`ccua check` lists what is missing)"
        )
    goal = target.min if threshold is None else threshold
    places = framework.scoring.decimals
    top = framework.scale.maximum
    leaves, fixed = leaves_of(assessment, effort)
    for leaf in leaves:
        if leaf.effort <= 0:
            raise ImproveError(
                f"effort of {leaf.item}.{leaf.key} must be positive, got {_plain(leaf.effort)}",
                field=f"{leaf.item}.{leaf.key}",
            )
    total = assessment.total
    points = {i.code: i.points or Decimal(0) for i in assessment.items}
    frontiers = []
    best_possible = total
    for item in assessment.items:
        item_leaves = [lf for lf in leaves if lf.item == item.code and lf.current < top]
        if not item_leaves or item.fulfilment is None:
            continue
        frontier = _item_frontier(points[item.code], item.fulfilment, item_leaves, top, places)
        best_possible += frontier[-1][1] - frontier[0][1]
        frontiers.append((item.code, frontier))

    def path(
        reachable: bool, after: Decimal, steps: Sequence[Step] = (), cost: Fraction = Fraction(0)
    ) -> ImprovementPath:
        rest = (tuple(steps), cost, tuple(fixed), tuple(hints))
        return ImprovementPath(target, reachable, total >= goal, total, after, best_possible, *rest)

    if total >= goal:
        return path(True, total)
    needed = goal - total
    reached = [entry for entry in _merge(frontiers, needed) if entry[1] >= needed]
    if not reached:
        return path(False, total)
    cost, _, choice = reached[0]
    after = total + sum((_item_gain(f, choice.get(code, {})) for code, f in frontiers), Decimal(0))
    return path(True, after, _expand(choice, leaves, points, places, top), cost)


def _item_gain(
    frontier: list[tuple[Fraction, Decimal, dict[str, int]]], chosen: Mapping[str, int]
) -> Decimal:
    for _, item_score, choice in frontier:
        if choice == dict(chosen):
            return item_score - frontier[0][1]
    return Decimal(0)


def apply_steps(raw: dict, steps: Sequence[Step]) -> dict:
    """A copy of a ratings document (as loaded YAML) with the steps applied.

    Entries keep their notes and evidence; the rating is replaced and a note says why.
    """
    out = dict(raw)
    items = dict(out.get("items") or {})
    for step in steps:
        item = dict(items.get(step.item) or {})
        ratings = dict(item.get("ratings") or {})
        entry = ratings.get(step.leaf)
        if isinstance(entry, Mapping):
            entry = dict(entry)
            entry["rating"] = step.to_rating
        else:
            entry = step.to_rating
        ratings[step.leaf] = entry
        item["ratings"] = ratings
        items[step.item] = item
    out["items"] = items
    return out


def plan(
    framework: Framework,
    assessment: Assessment,
    period: PeriodResult,
    to: str | None = None,
    effort: Mapping[str, Fraction] | None = None,
) -> ImprovementPath:
    """The path for an assessment whose indicators are ``period`` (pure)."""
    grade = target_grade(framework, to, assessment.total)
    not_met: dict[str, list[str]] = {}
    for code, result in period.indicators.items():
        item = framework.indicator(code).item
        if result.evaluable and result.met is False and item:
            not_met.setdefault(item, []).append(code)
    hints = indicator_hints(framework, assessment, period.attainment, not_met)
    return shortest_path(framework, assessment, grade, effort=effort, hints=hints)


def plan_for_engagement(
    data: EngagementData, to: str | None = None, effort: Mapping[str, Fraction] | None = None
) -> ImprovementPath:
    """The path for one client's engagement (as loaded by ``ccua.engagement``)."""
    fw = data.framework
    period = period_of(data)
    assessment = score(fw, data.ratings, attainment=period.attainment)
    return plan(fw, assessment, period, to, effort)


def next_grade_plan(
    framework: Framework, assessment: Assessment, period: PeriodResult
) -> dict[str, object] | None:
    """For results.json: the path to the next grade, or None where it does not apply."""
    if not framework.grades or framework.scoring.points_at != "item" or not assessment.complete:
        return None
    return plan(framework, assessment, period).as_dict()
