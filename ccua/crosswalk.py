"""Crosswalks between frameworks, and how a centre would stand under the other framework.

A crosswalk is data (``ccua/frameworks/crosswalk/<a>__<b>.yaml``): each item of framework *a*
with the items of *b* that cover it, each key indicator of *a* with the indicator of *b* it
matches, and, where there is no counterpart, the reason. The reverse direction is derived from
the same entries. The loader checks that every code resolves in both frameworks and that every
item and every KPI of *a* appears exactly once, mapped or explained.

The projection (:func:`project`) turns an assessment under one framework into an *estimate*
under the other (E-G-046): each target item's fulfilment is the mean fulfilment of the source
items mapped to it (every mapping counts once), rescored with the target framework's points and
its own scoring rule; target items that no rated source reaches are listed as missing evidence.
An estimate is never a score: it is labelled so wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field

from ccua._num import round_half_up, to_fraction
from ccua._yaml import Schema, line_of, load_with_lines, read_yaml_text, validate
from ccua.errors import CcuaError, Problem, SpecError, ValidationFailed
from ccua.scoring import Assessment, Fulfilled
from ccua.spec import FRAMEWORKS_DIR, Framework, Grade, load_framework

CROSSWALK_DIR = FRAMEWORKS_DIR / "crosswalk"
ESTIMATE_NOTE = "由对照关系推算的估计值，不是测评得分 (an estimate from the crosswalk, not a score)"


class _Frozen(Schema):
    model_config = ConfigDict(populate_by_name=True)


class ItemLink(_Frozen):
    source: str = Field(alias="from")
    to: tuple[str, ...] = ()
    fit: Literal["full", "partial"] | None = None
    note: str = ""
    none: str = Field("", description="why there is no counterpart (when to is empty)")

    @property
    def grade(self) -> str | None:
        return self.fit


class IndicatorLink(_Frozen):
    source: str = Field(alias="from")
    to: tuple[str, ...] = ()
    match: Literal["same", "similar"] | None = None
    note: str = ""
    none: str = ""

    @property
    def grade(self) -> str | None:
        return self.match


class CrosswalkData(_Frozen):
    id: str
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    version: str
    items: tuple[ItemLink, ...]
    indicators: tuple[IndicatorLink, ...] = ()


@dataclass(frozen=True)
class Row:
    """One line of a crosswalk read from one side: a code and its counterparts."""

    code: str
    name: str
    targets: tuple[tuple[str, str], ...]  # (code, name) in the other framework
    grade: str | None  # fit (items) or match (indicators); None if none
    note: str
    none: str  # why there is no counterpart


@dataclass(frozen=True)
class Crosswalk:
    data: CrosswalkData
    first: Framework  # the framework the file is written from
    second: Framework

    def framework(self, framework_id: str) -> Framework:
        for fw in (self.first, self.second):
            if fw.id == framework_id:
                return fw
        raise CcuaError(
            f"the crosswalk {self.data.id} joins {self.first.id} and "
            f"{self.second.id}, not {framework_id!r}",
            field="from",
        )

    def other(self, framework_id: str) -> Framework:
        return self.second if self.framework(framework_id) is self.first else self.first

    # -- the mapping tables, from either side
    def item_rows(self, source: str) -> tuple[Row, ...]:
        """Every item of ``source`` with its counterparts in the other framework."""
        return self._rows(source, items=True)

    def indicator_rows(self, source: str) -> tuple[Row, ...]:
        """Every KPI of ``source`` (table or all indicators) with its counterpart."""
        return self._rows(source, items=False)

    def _rows(self, source: str, *, items: bool) -> tuple[Row, ...]:
        src, dst = self.framework(source), self.other(source)
        links: tuple[ItemLink | IndicatorLink, ...] = (
            self.data.items if items else self.data.indicators
        )

        def name(fw: Framework, code: str) -> str:
            return fw.item(code).name if items else fw.indicator(code).name

        if src is self.first:
            return tuple(
                Row(
                    lk.source,
                    name(src, lk.source),
                    tuple((c, name(dst, c)) for c in lk.to),
                    lk.grade,
                    lk.note,
                    lk.none,
                )
                for lk in links
            )
        strong, weak = ("full", "partial") if items else ("same", "similar")
        unmapped = (
            f"no {dst.levels.item.en} of {dst.id} maps to it"
            if items
            else f"no KPI of {dst.id} matches it"
        )
        rows = []
        for entry in src.items if items else src.indicators:
            mine = [lk for lk in links if entry.code in lk.to]
            rows.append(
                Row(
                    entry.code,
                    entry.name,
                    tuple((lk.source, name(dst, lk.source)) for lk in mine),
                    None if not mine else strong if strong in {lk.grade for lk in mine} else weak,
                    "" if items else "; ".join(lk.note for lk in mine if lk.note),
                    "" if mine else unmapped,
                )
            )
        return tuple(rows)

    def sources_of(self, target_item: str, source: str) -> tuple[tuple[str, str | None], ...]:
        """The ``source``-framework items that map to a target item, with the link's fit."""
        if source == self.second.id:  # target is the first framework: its own entry lists them
            link = next(lk for lk in self.data.items if lk.source == target_item)
            return tuple((code, link.fit) for code in link.to)
        return tuple((lk.source, lk.fit) for lk in self.data.items if target_item in lk.to)


def crosswalk_file(first: str, second: str, root: Path = CROSSWALK_DIR) -> Path | None:
    for a, b in ((first, second), (second, first)):
        path = root / f"{a}__{b}.yaml"
        if path.is_file():
            return path
    return None


def available_crosswalks(root: Path = CROSSWALK_DIR) -> list[tuple[str, str]]:
    if not root.is_dir():
        return []
    return sorted(tuple(p.stem.split("__", 1)) for p in root.glob("*__*.yaml"))  # type: ignore[misc]


def find_crosswalk(
    source: str | None = None, target: str | None = None, root: Path = CROSSWALK_DIR
) -> tuple[Crosswalk, str]:
    """The one crosswalk that joins ``source`` (and ``target``, if given), and the side to
    read it from (``source``, else the side the file is written from)."""
    if source is not None and source == target:
        raise CcuaError(f"--from and --to are both {source!r}", field="to")
    pairs = [
        (a, b)
        for a, b in available_crosswalks(root)
        if all(fw is None or fw in (a, b) for fw in (source, target))
    ]
    known = ", ".join(f"{a} ↔ {b}" for a, b in available_crosswalks(root)) or "none"
    if not pairs:
        wanted = " and ".join(fw for fw in (source, target) if fw) or "any framework"
        raise CcuaError(f"no crosswalk joins {wanted}; available: {known}", field="from")
    if len(pairs) > 1:
        raise CcuaError(
            f"several crosswalks match ({known}); name both sides with --from and --to", field="to"
        )
    first, second = pairs[0]
    return load_crosswalk(first, second, root if root != CROSSWALK_DIR else None), source or first


def load_crosswalk(first: str, second: str, root: Path | None = None) -> Crosswalk:
    """Load and check the crosswalk joining two frameworks (either order)."""
    if root is None:
        return _load_bundled(first, second)
    return _load(first, second, root)


@cache
def _load_bundled(first: str, second: str) -> Crosswalk:
    return _load(first, second, CROSSWALK_DIR)


def _load(first: str, second: str, root: Path) -> Crosswalk:
    path = crosswalk_file(first, second, root)
    if path is None:
        known = ", ".join(f"{a} ↔ {b}" for a, b in available_crosswalks(root)) or "none"
        raise SpecError(
            f"no crosswalk between {first} and {second}; available: {known}", field="crosswalk"
        )
    file = f"crosswalk/{path.name}"
    raw, lines = load_with_lines(read_yaml_text(path, file), file)
    data = validate(CrosswalkData, raw, file=file, lines=lines)
    a, b = load_framework(data.source), load_framework(data.target)
    problems = check_crosswalk(data, a, b, file=file)
    if problems:  # each at the line of the entry it names
        at = [
            replace(p, row=line_of(lines, tuple(p.field.split(".")))) if p.field else p
            for p in problems
        ]
        raise ValidationFailed.of(at, subject=file)
    return Crosswalk(data, a, b)


def check_crosswalk(
    data: CrosswalkData, a: Framework, b: Framework, *, file: str = "crosswalk"
) -> list[Problem]:
    """Every code resolves; every item and KPI of ``a`` appears once; units agree."""
    p: list[Problem] = []
    counts: list[Problem] = []  # after the entries' problems
    a_inds = {i.code: i for i in a.indicators}
    b_inds = {i.code: i for i in b.indicators}
    kpis = (
        a.kpi_table.kpis
        if a.kpi_table
        else tuple(i.code for i in a.indicators if not i.is_documentary)
    )
    sides: tuple[tuple[str, tuple[ItemLink | IndicatorLink, ...], Sequence[str]], ...] = (
        ("items", data.items, [i.code for i in a.items]),
        ("indicators", data.indicators, kpis),
    )
    for key, links, expected in sides:
        items = key == "items"
        level, grade_name, word = (
            ("item", "fit", "item") if items else ("indicator", "match", "KPI")
        )
        a_codes = {i.code for i in a.items} if items else a_inds.keys()
        b_codes = {i.code for i in b.items} if items else b_inds.keys()
        seen: dict[str, int] = {}
        for n, link in enumerate(links):
            where = f"{key}.{n}"
            seen[link.source] = seen.get(link.source, 0) + 1
            if link.source not in a_codes:
                p.append(Problem(f"no {level} {link.source!r} in {a.id}", file=file, field=where))
            for code in link.to:
                if code not in b_codes:
                    msg = f"{link.source}: no {level} {code!r} in {b.id}"
                    p.append(Problem(msg, file=file, field=where))
                elif not items and link.source in a_inds:
                    ours, theirs = a_inds[link.source].unit, b_inds[code].unit
                    if ours != theirs:
                        msg = f"{link.source} ({ours}) and {code} ({theirs}) are in different units"
                        p.append(Problem(msg, file=file, field=where))
            p += _link_shape(link, grade_name, file, where)
        for code in [c for c in expected if seen.get(c, 0) != 1]:
            msg = (
                f"{word} {code} of {a.id} appears {seen.get(code, 0)} times; every {word} "
                "appears once, mapped or with none: and a reason"
            )
            counts.append(Problem(msg, file=file, field=key))
    return p + counts


def _link_shape(
    link: ItemLink | IndicatorLink, grade_name: str, file: str, where: str
) -> list[Problem]:
    if link.to and (link.grade is None or link.none):
        return [
            Problem(
                f"{link.source}: a mapped entry needs a {grade_name} and no none:",
                file=file,
                field=where,
            )
        ]
    if not link.to and (link.grade is not None or not link.none.strip()):
        return [
            Problem(
                f"{link.source}: an entry without counterpart needs none: with the reason, "
                f"and no {grade_name}",
                file=file,
                field=where,
            )
        ]
    return []


# ---------------------------------------------------------------- the projection
@dataclass(frozen=True)
class ProjectedItem(Fulfilled):
    code: str
    name: str
    group: str
    sources: tuple[str, ...]  # rated source items used in the estimate
    unrated_sources: tuple[str, ...]  # mapped source items without a fulfilment
    partial: bool  # every link used is a partial fit
    fulfilment: Fraction | None  # the estimate (0..1); None: no evidence
    points: Decimal | None  # where points sit on items
    score: Decimal | None  # estimated item score (points on items)
    # percent and mean_rating from scoring.Fulfilled; rating: the estimate on table B.1's 0-5
    rating = Fulfilled.mean_rating


@dataclass(frozen=True)
class ProjectedGroup:
    code: str
    name: str
    points: Decimal
    covered_points: Decimal  # points of the group that the estimate reaches
    score: Decimal | None  # None: nothing in the group could be estimated


@dataclass(frozen=True)
class ProjectedKpi:
    code: str  # the target framework's indicator
    name: str
    source: str | None  # the source indicator it is taken from
    value: Fraction | None
    match: str | None  # same | similar | None (no counterpart/value)
    reason: str = ""


@dataclass(frozen=True)
class Projection:
    """An assessment under one framework, estimated under another (never a score)."""

    source: str
    target: str
    items: tuple[ProjectedItem, ...]
    groups: tuple[ProjectedGroup, ...]
    total_points: Decimal
    covered_points: Decimal
    estimated_score: Decimal  # the sum over what could be estimated
    rescaled_total: Decimal | None  # estimated_score × total / covered_points
    indicative_grade: Grade | None
    grade_source: str | None  # the framework whose bands gave the grade
    missing: tuple[Row, ...]  # target items without evidence, with the reason
    kpis: tuple[ProjectedKpi, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing and self.covered_points == self.total_points


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def project(
    assessment: Assessment,
    crosswalk: Crosswalk,
    indicator_values: Mapping[str, Fraction] | None = None,
) -> Projection:
    """Estimate how the assessed centre would stand under the crosswalk's other framework.

    ``indicator_values`` (source indicator code → value over the period) carry over to the
    target's KPIs through the indicator links; without them only items are projected.
    """
    source_fw = crosswalk.framework(assessment.framework)
    target = crosswalk.other(assessment.framework)
    fulfilment = {s.code: s.fulfilment for s in assessment.items}
    items = _project_items(crosswalk, source_fw.id, target, fulfilment)
    groups = _project_groups(target, items)
    total_points = sum((g.points for g in groups), Decimal(0))
    covered_points = sum((g.covered_points for g in groups), Decimal(0))
    estimated = sum((g.score for g in groups if g.score is not None), Decimal(0))
    rescaled = (
        None
        if not covered_points
        else round_half_up(
            to_fraction(estimated) * to_fraction(total_points) / to_fraction(covered_points),
            target.scoring.decimals,
        )
    )
    grade, grade_source = _indicative_grade(target, rescaled)
    kpis = (
        _project_kpis(crosswalk, source_fw, target, indicator_values)
        if indicator_values is not None
        else ()
    )
    return Projection(
        source_fw.id,
        target.id,
        items,
        groups,
        total_points,
        covered_points,
        estimated,
        rescaled,
        grade,
        grade_source,
        _missing(crosswalk, target, items),
        kpis,
    )


def _project_items(
    crosswalk: Crosswalk,
    source: str,
    target: Framework,
    fulfilment: Mapping[str, Fraction | None],
) -> tuple[ProjectedItem, ...]:
    """Each target item: the mean fulfilment of its rated source items (and its score where
    points sit on items)."""
    items = []
    for item in target.items:
        links = crosswalk.sources_of(item.code, source)
        used = [(c, fit) for c, fit in links if fulfilment.get(c) is not None]
        est = _mean([fulfilment[c] for c, _ in used])  # type: ignore[misc]
        pts = item.points if target.scoring.points_at == "item" else None
        items.append(
            ProjectedItem(
                item.code,
                item.name,
                item.group,
                tuple(c for c, _ in used),
                tuple(c for c, _ in links if fulfilment.get(c) is None),
                bool(used) and all(fit == "partial" for _, fit in used),
                est,
                pts,
                None
                if pts is None or est is None
                else round_half_up(to_fraction(pts) * est, target.scoring.decimals),
            )
        )
    return tuple(items)


def _project_groups(
    target: Framework, items: Sequence[ProjectedItem]
) -> tuple[ProjectedGroup, ...]:
    """Each target group: its points, the points the estimate reaches, the estimated score."""
    groups = []
    for group in target.groups:
        members = [i for i in items if i.group == group.code]
        if target.scoring.points_at == "item":
            pts = sum((i.points or Decimal(0) for i in members), Decimal(0))
            covered = sum(
                (i.points or Decimal(0) for i in members if i.fulfilment is not None), Decimal(0)
            )
            scores = [i.score for i in members if i.score is not None]
            score = sum(scores, Decimal(0)) if scores else None
        else:
            pts = group.points or Decimal(0)
            mean = _mean([i.fulfilment for i in members if i.fulfilment is not None])
            covered = pts if mean is not None else Decimal(0)
            score = (
                None
                if mean is None
                else round_half_up(to_fraction(pts) * mean, target.scoring.decimals)
            )
        groups.append(ProjectedGroup(group.code, group.name, pts, covered, score))
    return tuple(groups)


def _missing(
    crosswalk: Crosswalk, target: Framework, items: Sequence[ProjectedItem]
) -> tuple[Row, ...]:
    """The target items without an estimate: the crosswalk's row (no counterpart), or the
    mapped source items that were not rated."""
    rows = {r.code: r for r in crosswalk.item_rows(target.id)}
    return tuple(
        rows[i.code]
        if not rows[i.code].targets
        else Row(
            i.code,
            i.name,
            rows[i.code].targets,
            None,
            "",
            "mapped items not rated: " + ", ".join(i.unrated_sources),
        )
        for i in items
        if i.fulfilment is None
    )


def _indicative_grade(target: Framework, total: Decimal | None) -> tuple[Grade | None, str | None]:
    if total is None:
        return None, None
    if target.grades:
        return target.grade_for(total), target.id
    if target.comparison_grades is not None:
        other = load_framework(target.comparison_grades.framework)
        return other.grade_for(total), other.id
    return None, None


def _project_kpis(
    crosswalk: Crosswalk, source: Framework, target: Framework, values: Mapping[str, Fraction]
) -> tuple[ProjectedKpi, ...]:
    out = []
    for row in crosswalk.indicator_rows(target.id):
        if not row.targets:
            out.append(ProjectedKpi(row.code, row.name, None, None, None, row.none))
            continue
        given = [(c, values[c]) for c, _ in row.targets if values.get(c) is not None]
        if not given:
            out.append(
                ProjectedKpi(
                    row.code,
                    row.name,
                    row.targets[0][0],
                    None,
                    None,
                    f"no value of {', '.join(c for c, _ in row.targets)} in the {source.id} data",
                )
            )
            continue
        code, value = given[0]
        out.append(ProjectedKpi(row.code, row.name, code, value, row.grade, row.note))
    return tuple(out)


# ---------------------------------------------------------------- plain data for JSON
def _n(value: Decimal | Fraction | None, places: int = 2) -> float | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = round_half_up(value, places)
    return float(value)


def rows_dict(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "to": [{"code": c, "name": n} for c, n in r.targets],
            "grade": r.grade,
            "note": r.note,
            "none": r.none,
        }
        for r in rows
    ]


def crosswalk_dict(cw: Crosswalk, source: str) -> dict[str, Any]:
    """The crosswalk read from one side, for ``ccua crosswalk --json``."""
    target = cw.other(source)
    items, inds = cw.item_rows(source), cw.indicator_rows(source)
    return {
        "crosswalk": cw.data.id,
        "version": cw.data.version,
        "from": source,
        "to": target.id,
        "items": rows_dict(items),
        "indicators": rows_dict(inds),
        "unmatched": {
            "items": [r.code for r in items if not r.targets],
            "indicators": [r.code for r in inds if not r.targets],
        },
    }


def projection_dict(p: Projection) -> dict[str, Any]:
    """A projection for results.json and ``--json`` output; labelled as an estimate."""
    unrated = {i.code: list(i.unrated_sources) for i in p.items}
    return {
        "kind": "estimate",
        "note": ESTIMATE_NOTE,
        "from": p.source,
        "to": p.target,
        "total_points": _n(p.total_points),
        "covered_points": _n(p.covered_points),
        "estimated_score": _n(p.estimated_score),
        "rescaled_total": _n(p.rescaled_total),
        "indicative_grade": None
        if p.indicative_grade is None
        else {"name": p.indicative_grade.name, "framework": p.grade_source},
        "complete": p.complete,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "group": i.group,
                "sources": list(i.sources),
                "unrated_sources": list(i.unrated_sources),
                "partial": i.partial,
                "percent": _n(i.percent),
                "rating": _n(i.rating),
                "points": _n(i.points),
                "score": _n(i.score),
            }
            for i in p.items
        ],
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                "points": _n(g.points),
                "covered_points": _n(g.covered_points),
                "score": _n(g.score),
            }
            for g in p.groups
        ],
        # unrated_sources: mapped but not rated (else the other framework has no counterpart)
        "missing": [
            {
                "code": r.code,
                "name": r.name,
                "reason": r.none,
                "unrated_sources": unrated.get(r.code, []),
            }
            for r in p.missing
        ],
        "kpis": [
            {
                "code": k.code,
                "name": k.name,
                "from": k.source,
                "value": _n(k.value, 4),
                "match": k.match,
                "reason": k.reason,
            }
            for k in p.kpis
        ],
    }
