"""``results.json``: everything a report needs, computed once per run.

Schema-versioned and deterministic: the same inputs give byte-identical files (exact
arithmetic, fixed key order, no timestamps, no absolute paths). Notebooks and the report read
this file; none of them recomputes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ccua import __version__, fmt
from ccua._num import round_half_up
from ccua.crosswalk import available_crosswalks, load_crosswalk, project, projection_dict
from ccua.engagement import EngagementData, KeyPoint
from ccua.errors import Problem, ValidationFailed
from ccua.period import IndicatorResult, PeriodResult, period_of
from ccua.results_model import Results
from ccua.results_model import dumps as dumps  # the canonical text of results.json
from ccua.rules import (
    KpiRow,
    RuleEvidence,
    bounds,
    kpi_table_rows,
    rule_evidence_dict,
    rules_from_period,
    threshold_met,
)
from ccua.scoring import Assessment, rating_from_attainment, score
from ccua.serialize import assessment_dict, attainment_dict, grade_dict, num
from ccua.spec import Framework, Indicator

VALUE_PLACES = 4


@dataclass(frozen=True)
class RunResult:
    period: PeriodResult
    assessment: Assessment
    results: Results
    #: the plain dict of results.json as written (what ``json.load`` of the file gives)
    data: dict[str, Any]


def target_text(target: Any, unit: str | None, show: Callable[[Any], str] = str) -> str:
    """A target as printed in Chinese: 80–90%, ≥80%, ≤20秒; each bound through ``show``."""
    if target is None:
        return "—"
    lo, hi = target.min, target.max
    suffix = fmt.unit_label(unit)
    if lo is not None and hi is not None:
        return f"{show(lo)}–{show(hi)}{suffix}"
    if lo is not None:
        return f"≥{show(lo)}{suffix}"
    return f"≤{show(hi)}{suffix}"


# Formula shapes whose period value is a ratio of sums over the months (ccua/formulas.py).
_RATIO_SHAPES = frozenset(
    {
        "share",
        "complement_share",
        "remainder_share",
        "ratio_percent",
        "sum_share",
        "share_of_sum",
        "leading_share",
        "mean",
        "sum_mean",
    }
)


def months_comparable(fw: Framework, ind: Indicator) -> bool:
    """Whether each month's value stands on the footing of the period value and its target.

    A ratio of sums over the months (every input summed) is a weighted mean of the monthly
    ratios, so a target on the period applies to each month alike and a chart may draw it
    across the months. A count summed over the months (CB1.1), or a ratio over a stock taken
    once (DO7.1 attrition over the headcount at the start of the period), is not: its target
    is for the period only.
    """
    aggregations = [fw.measure(m).aggregation for m in ind.inputs]
    if ind.function in _RATIO_SHAPES:
        return all(a == "sum" for a in aggregations)
    if ind.function == "value":
        return len(aggregations) == 1 and aggregations[0] != "sum"
    if ind.function == "per_fte":
        # volume / (work time / standard time): with a standard time that is not summed, a
        # weighted mean of the months' values.
        volume, work, standard = aggregations
        return volume == work == "sum" and standard != "sum"
    return False


def _indicator(fw: Framework, r: IndicatorResult) -> dict[str, Any]:
    ind = fw.indicator(r.code)
    return {
        "code": r.code,
        "item": ind.item,
        "name": ind.name,
        "name_en": ind.name_en,
        "unit": ind.unit,
        "direction": ind.direction,
        "kind": ind.kind,
        "formula": ind.formula_text,
        "monthly": [{"month": m, "value": num(v, VALUE_PLACES)} for m, v in r.monthly.items()],
        "value": num(r.period, VALUE_PLACES),
        "target": None
        if r.target is None
        else {
            "min": num(r.target.min),
            "max": num(r.target.max),
            "source": r.target.source,
            "basis": r.target.basis,
            "text": target_text(r.target, ind.unit),
        },
        "check": None if r.check is None else r.check.model_dump(mode="json"),
        "evaluable": r.evaluable,
        "met": r.met,
        "trend": {
            "slope": num(r.trend.slope, VALUE_PLACES),
            "label": r.trend.label,
            "improving_run": r.trend.improving_run,
        },
        "reconciliation": [
            {
                "month": c.month,
                "claimed": num(c.claimed, VALUE_PLACES),
                "recomputed": num(c.recomputed, VALUE_PLACES),
                "difference": num(c.difference, VALUE_PLACES),
                "tolerance": num(c.tolerance, VALUE_PLACES),
                "status": c.status,
                "document": c.document,
                "source": c.source.rsplit("/", 1)[-1],
            }
            for c in r.reconciliation
        ],
        "missing_months": list(r.missing_months),
        "origin": r.origin,
        "months_comparable": months_comparable(fw, ind),
    }


def indicator_facts(fw: Framework, ind: Indicator, r: IndicatorResult) -> list[dict[str, Any]]:
    """What a report states about one indicator: facts (a code and values), no sentences."""
    if ind.is_documentary:
        if r.check is not None and not r.check.met:
            return [{"code": "document_not_met", "indicator": ind.code, "note": r.check.note}]
        return []
    out: list[dict[str, Any]] = []
    if r.met is False:
        out.append(
            {
                "code": "indicator_not_met",
                "indicator": ind.code,
                "unit": ind.unit,
                "value": num(r.period, VALUE_PLACES),
                "target": bounds(r.target),
            }
        )
    for c in r.reconciliation:
        if c.status == "mismatch":
            out.append(
                {
                    "code": "claim_mismatch",
                    "indicator": ind.code,
                    "unit": ind.unit,
                    "month": c.month,
                    "claimed": num(c.claimed, VALUE_PLACES),
                    "recomputed": num(c.recomputed, VALUE_PLACES),
                    "tolerance": num(c.tolerance, VALUE_PLACES),
                }
            )
        elif c.status == "unverifiable":
            out.append({"code": "claim_unverifiable", "indicator": ind.code, "month": c.month})
    if r.trend.label == "worsening" and r.evaluable:
        out.append(
            {
                "code": "trend_worsening",
                "indicator": ind.code,
                "slope": num(r.trend.slope, VALUE_PLACES),
            }
        )
    return out


def findings_for(
    fw: Framework, data: EngagementData, period: PeriodResult, assessment: Assessment
) -> dict[str, list[dict[str, Any]]]:
    """Per item, the facts a report states about it (results.json ``findings``): codes with
    values, made into sentences per language by the presentation layer (docs/results.md)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in fw.items:
        facts: list[dict[str, Any]] = []
        for ind in item.indicators:
            facts += indicator_facts(fw, ind, period.indicators[ind.code])
        h = data.engagement.handover.get(item.code)
        if h is not None and (h.completeness == "不完整" or h.granularity == "不符合"):
            facts.append(
                {
                    "code": "handover_gap",
                    "item": item.code,
                    "incomplete": h.completeness == "不完整",
                    "granularity_mismatch": h.granularity == "不符合",
                    "feedback": h.feedback,
                }
            )
        s = assessment.item(item.code)
        for req in s.requirements:
            if req.rating is not None and req.rating < 3 and req.kind != "indicator":
                facts.append(
                    {
                        "code": "requirement_below_standard",
                        "requirement": req.code,
                        "rating": num(req.rating, VALUE_PLACES),
                        "note": req.note,
                    }
                )
        for n, kp in enumerate(data.engagement.key_points):
            if kp.item == item.code:
                facts.append(key_point_fact(n, kp, period))
        out[item.code] = facts
    return out


def key_point_fact(index: int, kp: KeyPoint, period: PeriodResult) -> dict[str, Any]:
    """A key point; with an indicator, the run's own figures for it (checked to agree)."""
    r = period.indicators.get(kp.indicator) if kp.indicator else None
    return {
        "code": "key_point",
        "index": index,
        "topic": kp.topic,
        "issue": kp.issue,
        "indicator": kp.indicator,
        "value": None if r is None else num(r.period, VALUE_PLACES),
        "target": None if r is None else bounds(r.target),
        "met": None if r is None else r.met,
    }


def key_point_problems(fw: Framework, data: EngagementData, period: PeriodResult) -> list[Problem]:
    """Key points whose figures contradict the run's indicators (each names both)."""
    where = str(data.files.get("engagement", data.folder))
    return [
        Problem(message, file=where, field=f"key_points.{n}.{field}", indicator=indicator)
        for n, kp in enumerate(data.engagement.key_points)
        for field, message, indicator in _key_point_conflicts(fw, n, kp, period)
    ]


def _key_point_conflicts(
    fw: Framework, n: int, kp: KeyPoint, period: PeriodResult
) -> list[tuple[str, str, str | None]]:
    """(field, message, indicator) for each figure of key point ``n`` the run contradicts."""
    if kp.indicator is None:
        if kp.target is None and kp.value is None and kp.met is None:
            return []
        return [("indicator", "states a target, value or met but names no indicator", None)]
    r = period.indicators.get(kp.indicator)
    if r is None:
        defined = f"names indicator {kp.indicator!r}, which {fw.id} does not define"
        return [("indicator", defined, None)]
    ind = fw.indicator(kp.indicator)
    what = f"key point {n + 1} ({kp.topic}) says"
    shown = f"{kp.indicator} {ind.name}"
    target, value = target_text(r.target, ind.unit), fmt.value(r.period, ind.unit)
    out = []
    printed = [] if r.target is None else [b for b in (r.target.min, r.target.max) if b is not None]
    if kp.target is not None and not any(Fraction(kp.target) == Fraction(b) for b in printed):
        out.append(("target", f"{what} the target is {kp.target}, but {shown} has target {target}"))
    if kp.value is not None:
        places = max(0, -int(kp.value.as_tuple().exponent))
        if r.period is None or round_half_up(r.period, places) != kp.value:
            out.append(
                ("value", f"{what} the value is {kp.value}, but {shown} is {value} over the period")
            )
    if kp.met is not None and kp.met != r.met:
        said = "met" if kp.met else "not met"
        was = {True: "met", False: "not met", None: "not evaluable"}[r.met]
        out.append(
            ("met", f"{what} the target is {said}, but {shown} is {was} ({value} against {target})")
        )
    return [(field, message, kp.indicator) for field, message in out]


def _list_requirements_of_items_rated_whole(fw: Framework, a_dict: dict[str, Any]) -> None:
    """Give items rated as a whole (override, item rating, n/a) their requirement texts.

    The scoring engine lists no requirements for such items; a report still shows what the
    item requires. These entries carry no rating and the source ``item``: the item's own
    percent or rating stands for all of them.
    """
    unrated = {"rating": None, "source": "item", "weight": None, "note": "", "evidence": ""}
    for item in a_dict["items"]:
        if item.get("requirements"):
            continue
        reqs: list[dict[str, Any]] = []
        item["requirements"] = reqs
        for req in fw.item(item["code"]).requirements:
            reqs.append({"code": req.code, "kind": req.kind, "text": req.text, **unrated})
            if req.subpoints:
                reqs[-1]["subpoints"] = [
                    {"code": sp.code, "text": sp.text, "rating": None, "na": False, "note": ""}
                    for sp in req.subpoints
                ]


# ---------------------------------------------------------------- framework-level evidence
# What a framework declares beyond its items (rules.yaml, thresholds.yaml, a KPI table, a
# crosswalk to another framework) is computed here from the run's data, for every framework
# alike: a framework without such files gets empty lists and nulls.


def thresholds_dict(fw: Framework, period: PeriodResult) -> list[dict[str, Any]]:
    """Every printed threshold, checked against the run's period value where it names an
    indicator that has one (in the same unit); the others wait for the assessor's check, or
    for the rule that judges their requirement (``rule``)."""
    by_rule: dict[tuple[str | None, str | None], str] = {
        (r.item, r.requirement): r.id for r in fw.rules
    }
    out = []
    for th in fw.thresholds:
        r = period.indicators.get(th.indicator) if th.indicator else None
        measured = r.period if r is not None and fw.indicator(r.code).unit == th.unit else None
        met = None if measured is None else threshold_met(th, measured)
        out.append(
            {
                "id": th.id,
                "section": th.section,
                "kind": th.kind,
                "item": th.item,
                "requirement": th.requirement,
                "text": th.text,
                "quantity": th.quantity,
                "operator": th.operator,
                "value": num(th.value),
                "range": None if th.range is None else [num(v) for v in th.range],
                "unit": th.unit,
                "window": th.window,
                "conditions": th.conditions,
                "term": th.term,
                "indicator": th.indicator,
                # a rule of the framework that judges the same requirement from the monthly data
                "rule": by_rule.get((th.item, th.requirement)),
                "measured": num(measured, VALUE_PLACES),
                "met": met,
                "status": "not measured" if met is None else "met" if met else "not met",
            }
        )
    return out


def kpi_table_dict(fw: Framework, period: PeriodResult) -> dict[str, Any] | None:
    """The framework-level indicators (no item) by the groups of the framework's KPI table,
    with their values in the table's period columns; those outside the table come last, in a
    group without code or name. None when the framework has neither."""
    table = fw.kpi_table
    if table is None and not fw.framework_indicators:
        return None
    series = {code: r.monthly for code, r in period.indicators.items()}
    columns: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    if table is not None:
        view = kpi_table_rows(fw, period.months, series)
        columns = [
            {"name": c.name, "name_en": c.name_en, "role": c.role, "month": month}
            for c, month in zip(table.period_columns, view.periods, strict=True)
        ]
        groups = [
            {"code": code, "name": name, "name_en": group.name_en, "kpis": _kpi_rows(rows)}
            for (code, name, rows), group in zip(view.groups, table.groups, strict=True)
        ]
    listed = {k["code"] for g in groups for k in g["kpis"]}
    months = [c["month"] for c in columns]
    others = [
        KpiRow(i.code, i.name, i.unit, tuple(series.get(i.code, {}).get(m) for m in months))
        for i in fw.framework_indicators
        if i.code not in listed
    ]
    if others:
        groups.append({"code": None, "name": "", "name_en": "", "kpis": _kpi_rows(others)})
    title, source = ("", "") if table is None else (table.title, table.source)
    return {"title": title, "source": source, "columns": columns, "groups": groups}


def _kpi_rows(rows: Sequence[KpiRow]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "unit": r.unit,
            "values": [num(v, VALUE_PLACES) for v in r.values],
        }
        for r in rows
    ]


def item_evidence(
    fw: Framework, rules: Sequence[RuleEvidence], thresholds: Sequence[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Per item, the evidence the framework's rules and thresholds give its requirements."""
    out: dict[str, list[dict[str, Any]]] = {}
    for e in rules:
        out.setdefault(e.rule.item, []).append(
            {
                "kind": "rule",
                "id": e.rule.id,
                "requirement": e.rule.requirement,
                "section": e.rule.section,
                "counts": rule_evidence_dict(e)["counts"],
            }
        )
    for th in thresholds:
        if th["item"] is not None:
            out.setdefault(th["item"], []).append(
                {
                    "kind": "threshold",
                    "id": th["id"],
                    "requirement": th["requirement"],
                    "section": th["section"],
                    "status": th["status"],
                }
            )
    return out


def projections_for(
    fw: Framework, assessment: Assessment, period: PeriodResult
) -> list[dict[str, Any]]:
    """The assessment estimated under every framework a crosswalk connects to this one."""
    values = {code: r.period for code, r in period.indicators.items() if r.period is not None}
    return [
        projection_dict(project(assessment, load_crosswalk(a, b), values))
        for a, b in available_crosswalks()
        if fw.id in (a, b)
    ]


def framework_dict(fw: Framework) -> dict[str, Any]:
    """What a reader needs of the framework itself: names, levels, scale, grades."""
    return {
        "id": fw.id,
        "name": fw.name,
        "name_en": fw.name_en,
        "designation": fw.designation,
        "version": fw.version,
        "points_at": fw.scoring.points_at,
        "levels": fw.levels.model_dump(mode="json"),
        "has_grades": bool(fw.grades),
        "scale": fw.scale.model_dump(
            mode="json", exclude={"levels": {"__all__": {"label_en", "description_en"}}}
        ),
        "grades": [grade_dict(g) for g in fw.grades],
    }


def items_attainment(fw: Framework, period: PeriodResult) -> dict[str, Any]:
    """Per item, its indicators' target attainment and the rating that gives (GUIDE §3.2)."""
    out = {}
    for code, att in period.attainment.items():
        rating = None if att.share is None else rating_from_attainment(att.share, fw)
        out[code] = attainment_dict(att) | {"rating": num(rating, VALUE_PLACES)}
    return out


def reconciliation_summary(period: PeriodResult) -> dict[str, int]:
    recon = [c for r in period.indicators.values() for c in r.reconciliation]
    return {
        "checked": len(recon),
        **{s: sum(1 for c in recon if c.status == s) for s in ("ok", "mismatch", "unverifiable")},
    }


def _period_checked(data: EngagementData, period: PeriodResult | None = None) -> PeriodResult:
    """The indicators over the period (``period``: computed already from ``data``); stops on
    bad monthly inputs or a key point that contradicts them."""
    fw = data.framework
    period = period_of(data) if period is None else period
    if period.problems:
        where = str(data.files.get("monthly", data.folder))
        raise ValidationFailed.of(
            [replace(p, file=where) for p in period.problems],
            subject=f"client {data.params.client}: monthly inputs",
        )
    problems = key_point_problems(fw, data, period)
    if problems:
        raise ValidationFailed.of(
            problems,
            subject=f"client {data.params.client}: key points that contradict the indicators",
        )
    return period


def build_results(data: EngagementData, period: PeriodResult | None = None) -> RunResult:
    """Compute the whole assessment for one client (pure: reads nothing, writes nothing).
    ``period``: the indicators over the period, when the caller computed them from ``data``."""
    fw = data.framework
    period = _period_checked(data, period)
    assessment = score(fw, data.ratings, attainment=period.attainment)
    a_dict = assessment_dict(assessment, fw)
    _list_requirements_of_items_rated_whole(fw, a_dict)
    rules = rules_from_period(fw, period)
    thresholds = thresholds_dict(fw, period)
    evidence = item_evidence(fw, rules, thresholds)
    for item in a_dict["items"]:
        item["evidence"] = evidence.get(item["code"], [])
    findings = findings_for(fw, data, period, assessment)
    for e in rules:
        findings.setdefault(e.rule.item, []).append(e.fact)
    results: dict[str, Any] = {  # schema and schema_version: the model's
        "generator": f"ccua {__version__}",
        "client": data.params.client,
        "framework": framework_dict(fw),
        "period": data.engagement.background.period.model_dump() | {"months": data.months},
        "engagement": data.engagement.model_dump(mode="json"),
        "tolerance": data.params.tolerance.model_dump(),
        "chapters": [
            ch.model_dump() | {"items": [i.code for g in ch.groups for i in fw.items_of(g)]}
            for ch in fw.chapters
        ],
        "assessment": a_dict,
        "attainment": items_attainment(fw, period),
        "indicators": [_indicator(fw, period.indicators[i.code]) for i in fw.indicators],
        "reconciliation_summary": reconciliation_summary(period),
        # e.g. sheet values replaced by values recomputed from the centre's records
        "input_warnings": list(data.warnings),
        "findings": findings,
        "rules": [rule_evidence_dict(e) for e in rules],
        "thresholds": thresholds,
        "kpi_table": kpi_table_dict(fw, period),
        "projections": projections_for(fw, assessment, period),
    }
    results.update(_actions_and_assessors(data, assessment, period))
    typed = Results.model_validate(results)
    return RunResult(period, assessment, typed, typed.to_json_dict())


def _actions_and_assessors(
    data: EngagementData, assessment: Assessment, period: PeriodResult
) -> dict[str, Any]:
    """From score to action (the path to the next grade, the staffing check), and the
    assessors (their agreement, the evidence cited per item): each only where it applies.
    Their floats (rounded for display) become the Decimals of their shortest text as the
    model reads them: results.json prints 0.7359, not its binary neighbour."""
    from ccua.agreement import agreement_report
    from ccua.evidence import titles_by_item
    from ccua.improve import next_grade_plan
    from ccua.staffing import staffing_dict

    fw = data.framework
    out: dict[str, Any] = {}
    improvement = next_grade_plan(fw, assessment, period)
    if improvement is not None:
        out["improvement"] = improvement
    staffing = staffing_dict(data)
    if staffing is not None:
        out["staffing"] = staffing
    if len(data.assessor_ratings) >= 2:
        names = list(data.assessor_ratings)
        report = agreement_report(fw, list(data.assessor_ratings.values()), names)
        out["agreement"] = report.as_dict()
    if data.evidence is not None:
        out["evidence_cited"] = dict(titles_by_item(data.ratings, data.evidence))
    return out
