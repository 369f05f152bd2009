"""Plain-data views of core results, for ``--json`` output and ``results.json``.

Numbers leave as JSON numbers (Decimals rounded as the standard prints them); the same input
always gives the same output, key order included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ccua._num import num
from ccua.kpi import KpiValue
from ccua.scoring import Assessment, Attainment, ItemScore, RequirementScore
from ccua.spec import Framework, Grade, Indicator, load_framework


def grade_dict(grade: Grade | None) -> dict[str, Any] | None:
    return None if grade is None else grade.model_dump(mode="json") | {"min": num(grade.min)}


def requirement_dict(r: RequirementScore) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": r.code,
        "kind": r.kind,
        "text": r.text,
        "rating": num(r.rating, 4),
        "source": r.source,
        "weight": num(r.weight),
        "note": r.note,
        "evidence": r.evidence,
    }
    if r.subpoints:
        out["subpoints"] = [
            {"code": s.code, "text": s.text, "rating": s.rating, "na": s.na, "note": s.note}
            | ({"evidence": s.evidence} if s.evidence else {})
            for s in r.subpoints
        ]
    if r.attainment is not None:
        out["attainment"] = attainment_dict(r.attainment)
    return out


def attainment_dict(att: Attainment) -> dict[str, Any]:
    """How many of an item's indicators meet their targets, and the share."""
    return {"met": att.met, "evaluable": att.evaluable, "share": num(att.share, 4)}


def item_dict(s: ItemScore, *, detail: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": s.code,
        "name": s.name,
        "group": s.group,
        "category": s.category,
        "points": num(s.points),
        "points_share": num(s.points_share),
        "percent": num(s.percent),
        "mean_rating": num(s.mean_rating),
        "score": num(s.score),
        "share": num(s.score_share),
        "source": s.source,
        "note": s.note,
        "rated": s.rated,
        "ratable": s.ratable,
    }
    if s.standard_points is not None and s.points != s.standard_points:
        out["standard_points"] = num(s.standard_points)
    if detail:
        out["requirements"] = [requirement_dict(r) for r in s.requirements]
    return out


def assessment_dict(a: Assessment, framework: Framework, *, detail: bool = True) -> dict[str, Any]:
    groups = [
        {
            "code": g.code,
            "name": g.name,
            "category": g.category,
            "points": num(g.points),
            "score": num(g.score),
            "percent": num(g.percent),
            **({"mean_rating": num(g.fulfilment * 5, 2)} if g.fulfilment is not None else {}),
        }
        for g in a.groups
    ]
    out: dict[str, Any] = {
        "framework": a.framework,
        "framework_version": framework.version,
        "total": num(a.total),
        "total_points": num(a.total_points),
        "grade": a.grade.name if a.grade else None,
        "grade_detail": grade_dict(a.grade),
        "complete": a.complete,
        "custom_weights": a.custom_weights,
        "items": [item_dict(s, detail=detail) for s in a.items],
        "groups": groups,
        framework.levels.group.en_plural: groups,
        "categories": [
            {"code": c.code, "name": c.name, "points": num(c.points), "score": num(c.score)}
            for c in a.categories
        ],
    }
    if not framework.grades:
        out["grade_note"] = (
            f"{framework.name} defines no grade bands; the total is reported without a grade"
        )
        out["comparison_grade"] = comparison_grade_dict(framework, a.total) if a.complete else None
    if a.missing:
        out["missing"] = [str(p) for p in a.missing]
    return out


def comparison_grade_dict(framework: Framework, total: Decimal) -> dict[str, Any] | None:
    """Another framework's grade for this total, labelled as a comparison (E-G-038)."""
    cmp = framework.comparison_grades
    if cmp is None:
        return None
    grade = load_framework(cmp.framework).grade_for(total)
    if grade is None:
        return None
    return {
        "framework": cmp.framework,
        "name": grade.name,
        "name_en": grade.name_en,
        "band": grade.band,
        "label": cmp.label,
        "label_en": cmp.label_en,
    }


def indicator_dict(ind: Indicator, framework: Framework) -> dict[str, Any]:
    return {
        "code": ind.code,
        "item": ind.item,
        "name": ind.name,
        "name_en": ind.name_en,
        "definition": ind.definition,
        "formula": ind.formula_text,
        "formula_latex": ind.formula_latex,
        "function": ind.function,
        "inputs": [
            {"code": m.code, "name": m.name, "name_en": m.name_en, "unit": m.unit}
            for m in map(framework.measure, ind.inputs)
        ],
        "unit": ind.unit,
        "direction": ind.direction,
        "kind": ind.kind,
        "same_as": ind.same_as,
        "errata": [e.id for e in framework.errata_for(ind.code)],
        **(
            {"scope": ind.scope, "term": ind.term, "used_by": list(ind.used_by)}
            if ind.scope == "framework"
            else {}
        ),
    }


def kpi_value_dict(v: KpiValue, ind: Indicator) -> dict[str, Any]:
    return {
        "code": v.code,
        "name": ind.name,
        "value": num(v.value),
        "unit": v.unit,
        "exact": str(v.exact),  # 3/4, or 5 when whole
    }
