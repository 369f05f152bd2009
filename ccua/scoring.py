"""The scoring engine (GUIDE §3), for any framework in the spec format.

From ratings (and, for the indicator requirement, target attainment) to item percents, scores
rounded half-up, subtotals, total, shares and grade. Arithmetic is exact until a value is
rounded for output; the only rounding that feeds a sum is the item score (GUIDE §3.4-3.5).

Where the points sit (``scoring.points_at``) decides what is scored:
- ``item`` (T/CCUA): item score = points × item percent / 100; the percent is the (weighted)
  mean of the requirements' fulfilments; a requirement rated by sub-points takes their mean.
- ``group`` (guideline): area score = points × mean item rating / 5; an item rated by
  sub-requirements takes their mean.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from ccua._num import round_half_up, to_fraction
from ccua.attainment import Attainment as Attainment  # re-exported: ccua.scoring.Attainment
from ccua.errors import Problem, ValidationFailed, WeightsError
from ccua.ratings import Entry, ItemRatings, Ratings
from ccua.spec import Framework, Grade, Item, Requirement

HUNDRED = Fraction(100)


def rating_from_attainment(share: Fraction, framework: Framework) -> Fraction:
    """GUIDE §3.2: the 70 % point is "meets the standard" (3); 100 % is the top of the scale.

    s ≥ t → r₃ + (max − r₃)·(s − t)/(1 − t); s < t → r₃·s/t.
    """
    t = to_fraction(framework.scoring.attainment_threshold)
    r3 = to_fraction(framework.scoring.rating_at_threshold)
    top = Fraction(framework.scale.maximum)
    if not 0 <= share <= 1:
        raise ValueError(f"attainment share {share} outside 0..1")
    if share >= t:
        return r3 + (top - r3) * (share - t) / (1 - t)
    return r3 * share / t


@dataclass(frozen=True)
class SubPointScore:
    code: str
    text: str
    rating: int | None
    na: bool = False
    note: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class RequirementScore:
    code: str
    text: str
    kind: str
    rating: Fraction | None  # None when not applicable or unrated
    source: str  # assessor | subpoints | indicators | override | na | unrated
    weight: Fraction = Fraction(1)
    note: str = ""
    evidence: str = ""
    subpoints: tuple[SubPointScore, ...] = ()
    attainment: Attainment | None = None

    @property
    def fulfilment(self) -> Fraction | None:
        return None if self.rating is None else self.rating / 5


class Fulfilled:
    """What a fulfilment (0..1; None: not rated) prints as, the one computation of both for
    the scores and the crosswalk's estimates: percent and the 0-5 mean rating, half-up."""

    fulfilment: Fraction | None

    @property
    def percent(self) -> Decimal | None:
        return None if self.fulfilment is None else round_half_up(self.fulfilment * HUNDRED, 2)

    @property
    def mean_rating(self) -> Decimal | None:
        return None if self.fulfilment is None else round_half_up(self.fulfilment * 5, 2)


@dataclass(frozen=True)
class ItemScore(Fulfilled):
    code: str
    name: str
    group: str
    category: str | None
    points: Decimal | None  # None where points sit on groups
    standard_points: Decimal | None
    fulfilment: Fraction | None  # 0..1; None when not rated (partial scoring)
    score: Decimal | None  # None where points sit on groups
    source: str  # requirements | override | rating | na | unrated
    note: str = ""
    requirements: tuple[RequirementScore, ...] = ()
    points_share: Decimal | None = None  # 分值占比
    score_share: Decimal | None = None  # 计分占比
    rated: int = 0
    ratable: int = 0


@dataclass(frozen=True)
class GroupScore:
    code: str
    name: str
    category: str | None
    points: Decimal
    score: Decimal
    fulfilment: Fraction | None = None  # where points sit on groups: mean item fulfilment

    @property
    def percent(self) -> Decimal | None:
        if self.points == 0:
            return None
        return round_half_up(to_fraction(self.score) / to_fraction(self.points) * HUNDRED, 2)


@dataclass(frozen=True)
class CategoryScore:
    code: str
    name: str
    points: Decimal
    score: Decimal


@dataclass(frozen=True)
class Assessment:
    framework: str
    items: tuple[ItemScore, ...]
    groups: tuple[GroupScore, ...]
    categories: tuple[CategoryScore, ...]
    total: Decimal
    total_points: Decimal
    grade: Grade | None
    custom_weights: bool
    weights: Mapping[str, Decimal]
    complete: bool
    missing: tuple[Problem, ...] = field(default_factory=tuple)

    def item(self, code: str) -> ItemScore:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def rated_count(self) -> int:
        return sum(1 for i in self.items if i.fulfilment is not None)


def effective_points(
    framework: Framework, weights: Mapping[str, Decimal] | None
) -> tuple[dict[str, Decimal], bool]:
    """Standard points, or custom weights (all positive, summing to the total; GUIDE §3.7)."""
    scored = framework.items if framework.scoring.points_at == "item" else framework.groups
    standard = {node.code: node.points for node in scored}
    if not weights:
        return {k: v for k, v in standard.items() if v is not None}, False
    unknown = sorted(set(weights) - set(standard))
    if unknown:
        raise WeightsError(
            f"custom weights name {unknown[0]!r}, which is not a "
            f"{framework.scoring.points_at} of {framework.id}",
            field="weights",
        )
    merged: dict[str, Decimal] = {}
    for code, standard_points in standard.items():
        points = weights.get(code, standard_points)
        if points is None or points <= 0:
            raise WeightsError(
                f"custom weight of {code} must be positive, got {points}", field=f"weights.{code}"
            )
        merged[code] = points
    total = sum(merged.values(), Decimal(0))
    if total != framework.scoring.total_points:
        raise WeightsError(
            f"custom weights sum to {total}, they must sum to {framework.scoring.total_points}",
            field="weights",
        )
    custom = any(merged[c] != standard[c] for c in merged)
    return merged, custom


def _subpoint_scores(req: Requirement, entries: Mapping[str, Entry]) -> tuple[SubPointScore, ...]:
    out = []
    for sub in req.subpoints:
        e = entries.get(f"{req.code}.{sub.code}")
        out.append(
            SubPointScore(
                sub.code,
                sub.text,
                e.rating if e else None,
                na=bool(e and e.na),
                note=e.note if e else "",
                evidence=e.evidence if e else "",
            )
        )
    return tuple(out)


def _requirement(
    framework: Framework,
    item: Item,
    req: Requirement,
    ir: ItemRatings | None,
    attainment: Attainment | None,
    weight: Fraction,
    missing: list[Problem],
) -> RequirementScore:
    """A requirement's rating: the assessor's own, else its sub-points', else (an indicator
    requirement) its indicators'; what stays unrated goes to ``missing``."""
    entries = ir.ratings if ir else {}
    direct = entries.get(req.code)
    subs = _subpoint_scores(req, entries)
    label = f"{item.code}.{req.code}"

    def scored(rating: Fraction | None, source: str, **rest: Any) -> RequirementScore:
        return RequirementScore(req.code, req.text, req.kind, rating, source, weight, **rest)

    if direct is not None:
        given = {"note": direct.note, "evidence": direct.evidence, "subpoints": subs}
        if direct.na:
            return scored(None, "na", **given)
        source = "override" if req.kind == "indicator" else "assessor"
        return scored(Fraction(direct.rating or 0), source, **given, attainment=attainment)
    if any(s.rating is not None or s.na for s in subs):
        rating, source, note = _from_subpoints(subs, label, missing)
        return scored(rating, source, note=note, subpoints=subs)
    if req.kind == "indicator":
        return scored(
            *_from_indicators(framework, attainment, label, missing), attainment=attainment
        )
    missing.append(Problem("not rated", field=label))
    return scored(None, "unrated", subpoints=subs)


def _from_subpoints(
    subs: Sequence[SubPointScore], label: str, missing: list[Problem]
) -> tuple[Fraction | None, str, str]:
    """Rating, source and note of a requirement rated by its sub-points: their mean over the
    applicable ones; not applicable when none is; unrated while one is not rated."""
    unrated = [s.code for s in subs if s.rating is None and not s.na]
    if unrated:
        missing.append(
            Problem(
                f"sub-point{'s' if len(unrated) > 1 else ''} {', '.join(unrated)} not rated",
                field=label,
            )
        )
        return None, "unrated", ""
    applicable = [s for s in subs if not s.na]
    if not applicable:
        return None, "na", "; ".join(s.note for s in subs if s.note)
    return Fraction(sum(s.rating or 0 for s in applicable), len(applicable)), "subpoints", ""


def _from_indicators(
    framework: Framework, attainment: Attainment | None, label: str, missing: list[Problem]
) -> tuple[Fraction | None, str]:
    """Rating and source of an indicator requirement not rated by hand: its attainment's."""
    if attainment is not None and attainment.share is not None:
        return rating_from_attainment(attainment.share, framework), "indicators"
    why = (
        "no indicator of this item can be evaluated against a target"
        if attainment is not None
        else "no indicator data"
    )
    missing.append(
        Problem(f"indicator requirement not rated: {why}; rate it by hand with a note", field=label)
    )
    return None, "unrated"


def _item_fulfilment(
    framework: Framework,
    item: Item,
    ir: ItemRatings | None,
    attainment: Attainment | None,
    req_weights: Mapping[str, Decimal],
    missing: list[Problem],
) -> tuple[Fraction | None, str, tuple[RequirementScore, ...], int, int]:
    ratable = len(item.requirements)
    if ir is not None and ir.percent is not None:
        return to_fraction(ir.percent) / HUNDRED, "override", (), ratable, ratable
    if ir is not None and ir.na:
        return None, "na", (), ratable, ratable
    if ir is not None and ir.rating is not None:
        return Fraction(ir.rating, 5), "rating", (), ratable, ratable
    if not item.requirements:
        missing.append(Problem("not rated", field=item.code))
        return None, "unrated", (), 0, 1
    if ir is None and "item" in framework.scoring.rating_levels:
        # Rated per item (the guideline): an untouched item is one gap, not one per requirement.
        missing.append(Problem("not rated (rate the item, or its requirements)", field=item.code))
        return None, "unrated", (), 0, ratable
    reqs = tuple(
        _requirement(
            framework,
            item,
            req,
            ir,
            attainment,
            to_fraction(req_weights.get(req.code, Decimal(1))),
            missing,
        )
        for req in item.requirements
    )
    rated = sum(1 for r in reqs if r.source != "unrated")
    if rated < len(reqs):
        return None, "unrated", reqs, rated, ratable
    applicable = [r for r in reqs if r.rating is not None]
    if not applicable:
        missing.append(Problem("every requirement is marked not applicable", field=item.code))
        return None, "unrated", reqs, rated, ratable
    weight = sum((r.weight for r in applicable), Fraction(0))
    fulfilment = sum((r.weight * (r.rating or 0) / 5 for r in applicable), Fraction(0)) / weight
    return fulfilment, "requirements", reqs, rated, ratable


class _Fulfilment(NamedTuple):
    """An item's fulfilment (0..1, None while unrated or not applicable) and how it came."""

    value: Fraction | None
    source: str
    requirements: tuple[RequirementScore, ...]
    rated: int
    ratable: int


def score(
    framework: Framework,
    ratings: Ratings,
    *,
    attainment: Mapping[str, Attainment] | None = None,
    weights: Mapping[str, Decimal] | None = None,
    partial: bool = False,
) -> Assessment:
    """Score a whole assessment.

    ``attainment`` gives, per item, the indicator attainment that rates its indicator
    requirement. ``weights`` (or the ratings file's ``weights:``) replace standard points.
    With ``partial=False`` every requirement must be rated and the first gaps are raised
    together; with ``partial=True`` unrated items score nothing and ``complete`` is False (the
    forms show a live score this way). Where the points sit (``scoring.points_at``) chooses
    the strategy (:data:`STRATEGIES`).
    """
    if ratings.framework != framework.id:
        raise ValidationFailed.of(
            [Problem(f"ratings are for {ratings.framework}, not {framework.id}", field="framework")]
        )
    points, custom = effective_points(framework, weights or ratings.weights or None)
    missing: list[Problem] = []
    fulfilments = _fulfilments(framework, ratings, attainment or {}, missing)
    if missing and not partial:
        raise ValidationFailed.of(
            [Problem(p.message, file=ratings.source, field=p.field) for p in missing],
            subject=f"{ratings.source or 'ratings'}: incomplete",
        )

    strategy = STRATEGIES[framework.scoring.points_at]
    item_scores, group_scores = strategy(framework, ratings, fulfilments, points)
    total = sum((g.score for g in group_scores), Decimal(0))
    categories = tuple(
        CategoryScore(
            cat.code,
            cat.name,
            sum((g.points for g in group_scores if g.category == cat.code), Decimal(0)),
            sum((g.score for g in group_scores if g.category == cat.code), Decimal(0)),
        )
        for cat in framework.categories
    )
    complete = not missing
    return Assessment(
        framework=framework.id,
        items=item_scores,
        groups=group_scores,
        categories=categories,
        total=total,
        total_points=sum(points.values(), Decimal(0)),
        grade=framework.grade_for(total) if complete else None,
        custom_weights=custom,
        weights=points,
        complete=complete,
        missing=tuple(missing),
    )


def _fulfilments(
    framework: Framework,
    ratings: Ratings,
    attainment: Mapping[str, Attainment],
    missing: list[Problem],
) -> dict[str, _Fulfilment]:
    """Every item's fulfilment; the gaps (unrated, points that would be lost) to ``missing``."""
    by_item: dict[str, _Fulfilment] = {}
    for item in framework.items:
        ir = ratings.items.get(item.code)
        if framework.scoring.points_at == "item" and ir is not None and ir.na:
            missing.append(
                Problem(
                    "an item with points cannot be marked not applicable; its "
                    "points would be lost. Set custom weights instead",
                    field=item.code,
                )
            )
        by_item[item.code] = _Fulfilment(
            *_item_fulfilment(
                framework,
                item,
                ir,
                attainment.get(item.code),
                ratings.requirement_weights.get(item.code, {}),
                missing,
            )
        )
    if framework.scoring.points_at == "group":
        # Not-applicable items leave their group's mean, but a group whose items are all not
        # applicable would lose its points silently: the same rule as an item with points.
        for group in framework.groups:
            sources = [by_item[i.code].source for i in framework.items_of(group.code)]
            if sources and all(s == "na" for s in sources):
                missing.append(
                    Problem(
                        f"every {framework.levels.item.en} of {framework.levels.group.en} "
                        f"{group.code} {group.name} is marked not applicable; its points would be "
                        "lost: rate at least one of them",
                        field=group.code,
                    )
                )
    return by_item


def _share(part: Decimal, whole: Decimal, places: int) -> Decimal | None:
    if whole == 0:
        return None
    return round_half_up(to_fraction(part) / to_fraction(whole) * HUNDRED, places)


def _score_on_items(
    framework: Framework,
    ratings: Ratings,
    fulfilments: Mapping[str, _Fulfilment],
    points: Mapping[str, Decimal],
) -> tuple[tuple[ItemScore, ...], tuple[GroupScore, ...]]:
    """Points on items (T/CCUA): item score = points × fulfilment, rounded half-up; a group
    is the sum of its items; each item's share of the points and of the total."""
    places = framework.scoring.decimals
    items: list[ItemScore] = []
    for item in framework.items:
        f = fulfilments[item.code]
        pts = points[item.code]
        score = None if f.value is None else round_half_up(to_fraction(pts) * f.value, places)
        items.append(_item_score(framework, ratings, item, f, pts, item.points, score))
    groups = []
    for group in framework.groups:
        members = [s for s in items if s.group == group.code]
        groups.append(
            GroupScore(
                group.code,
                group.name,
                group.category,
                sum((s.points or Decimal(0) for s in members), Decimal(0)),
                sum((s.score or Decimal(0) for s in members), Decimal(0)),
            )
        )
    total = sum((g.score for g in groups), Decimal(0))
    total_points = sum(points.values(), Decimal(0))
    shared = tuple(
        _with_shares(
            s,
            _share(s.points or Decimal(0), total_points, places),
            None if s.score is None else _share(s.score, total, places),
        )
        for s in items
    )
    return shared, tuple(groups)


def _score_on_groups(
    framework: Framework,
    ratings: Ratings,
    fulfilments: Mapping[str, _Fulfilment],
    points: Mapping[str, Decimal],
) -> tuple[tuple[ItemScore, ...], tuple[GroupScore, ...]]:
    """Points on groups (the guideline): group score = points × the mean fulfilment of its
    rated items, rounded half-up; items carry no points."""
    places = framework.scoring.decimals
    items = [
        _item_score(framework, ratings, item, fulfilments[item.code], None, None, None)
        for item in framework.items
    ]
    groups = []
    zero = Decimal(0).quantize(Decimal(1).scaleb(-places))
    for group in framework.groups:
        shares = [s.fulfilment for s in items if s.group == group.code and s.fulfilment is not None]
        pts = points[group.code]
        mean = sum(shares, Fraction(0)) / len(shares) if shares else None
        groups.append(
            GroupScore(
                group.code,
                group.name,
                group.category,
                pts,
                zero if mean is None else round_half_up(to_fraction(pts) * mean, places),
                mean,
            )
        )
    return tuple(items), tuple(groups)


def _item_score(
    framework: Framework,
    ratings: Ratings,
    item: Item,
    f: _Fulfilment,
    points: Decimal | None,
    standard_points: Decimal | None,
    score: Decimal | None,
) -> ItemScore:
    """One item's score record (both strategies; points and score only where items carry
    points)."""
    ir = ratings.items.get(item.code)
    return ItemScore(
        code=item.code,
        name=item.name,
        group=item.group,
        category=framework.group(item.group).category,
        points=points,
        standard_points=standard_points,
        fulfilment=f.value,
        score=score,
        source=f.source,
        note=ir.note if ir else "",
        requirements=f.requirements,
        rated=f.rated,
        ratable=f.ratable,
    )


Strategy = Callable[
    [Framework, Ratings, Mapping[str, _Fulfilment], Mapping[str, Decimal]],
    tuple[tuple[ItemScore, ...], tuple[GroupScore, ...]],
]

#: how to score, by where the framework's points sit (``scoring.points_at``)
STRATEGIES: dict[str, Strategy] = {"item": _score_on_items, "group": _score_on_groups}


def _with_shares(
    s: ItemScore, points_share: Decimal | None, score_share: Decimal | None
) -> ItemScore:
    return replace(s, points_share=points_share, score_share=score_share)
