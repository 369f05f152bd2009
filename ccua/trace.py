"""Trace a score to its evidence: `ccua trace CLIENT CODE`.

For an item (``DO6``) or a requirement (``DO6.c``, ``DO6.c.2``): score → item → requirement →
each rating (value, assessor, time, note) → the evidence it cites (id, title, file hash). For
an indicator (``DO6.9``): value → formula → each month's inputs → where each came from: the
cell of the monthly sheet (``monthly.csv:41:E``), or the records query and the ingested files.

Pure: takes a loaded engagement and returns plain data (dicts) for the CLI to print or dump.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from ccua._num import round_half_up
from ccua.engagement import EngagementData
from ccua.errors import CcuaError
from ccua.evidence import Register, cited_ids, load_register
from ccua.period import PeriodResult, period_of
from ccua.ratings import Entry
from ccua.scoring import Assessment, ItemScore, RequirementScore, score
from ccua.spec import Framework, Indicator


def _num(value: Any, places: int = 2) -> str | None:
    if value is None:
        return None
    return str(round_half_up(Fraction(value), places))


def _plain(value: Fraction | None) -> str | None:
    """An input as the sheet gives it: whole numbers without decimals."""
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    return str(round_half_up(value, 6).normalize())


def _evidence(text: str, register: Register) -> list[dict[str, Any]]:
    out = []
    for evidence_id in cited_ids(text):
        entry = register.get(evidence_id)
        out.append(
            {
                "id": evidence_id,
                "title": entry.title if entry else None,
                "kind": entry.kind if entry else None,
                "sha256": (entry.sha256 or None) if entry else None,
                "registered": entry is not None,
            }
        )
    return out


def _rating(leaf: str, entry: Entry, register: Register) -> dict[str, Any]:
    return {
        "leaf": leaf,
        "rating": entry.rating,
        "na": entry.na,
        "by": entry.by,
        "at": entry.at,
        "note": entry.note or None,
        "evidence_text": entry.evidence or None,
        "evidence": _evidence(entry.evidence, register),
    }


def _requirement(
    data: EngagementData,
    item: ItemScore,
    req: RequirementScore,
    period: PeriodResult,
    register: Register,
) -> dict[str, Any]:
    entries = data.ratings.items.get(item.code)
    ratings = entries.ratings if entries else {}
    keys = [f"{req.code}.{sub.code}" for sub in req.subpoints] + [req.code]
    out: dict[str, Any] = {
        "code": f"{item.code}.{req.code}",
        "text": req.text,
        "kind": req.kind,
        "rating": _num(req.rating),
        "source": req.source,
        "ratings": [_rating(key, ratings[key], register) for key in keys if key in ratings],
    }
    if req.kind == "indicator":
        out["indicators"] = [
            {
                "code": ind.code,
                "name": ind.name,
                "value": _num(r.period),
                "met": r.met,
                "evaluable": r.evaluable,
            }
            for ind in data.framework.item(item.code).indicators
            if (r := period.indicators.get(ind.code)) is not None
        ]
        if req.attainment is not None:
            out["attainment"] = {"met": req.attainment.met, "evaluable": req.attainment.evaluable}
    return out


def _item(
    data: EngagementData,
    assessment: Assessment,
    period: PeriodResult,
    register: Register,
    code: str,
    only: str | None = None,
) -> dict[str, Any]:
    item = assessment.item(code)
    reqs = [r for r in item.requirements if only is None or r.code == only]
    return {
        "kind": "item" if only is None else "requirement",
        "code": code if only is None else f"{code}.{only}",
        "item": code,
        "name": item.name,
        "points": _num(item.points),
        "percent": str(item.percent) if item.percent is not None else None,
        "score": str(item.score) if item.score is not None else None,
        "source": item.source,
        "note": item.note or None,
        "requirements": [_requirement(data, item, r, period, register) for r in reqs],
        "ratings_file": str(data.files.get("ratings", "")) or None,
    }


def _inputs(fw: Framework, ind: Indicator) -> tuple[str, ...]:
    if ind.inputs or not ind.same_as:
        return ind.inputs
    return fw.indicator(ind.same_as).inputs


def _records_info(data: EngagementData, measures: tuple[str, ...]) -> dict[str, Any] | None:
    if not any(data.inputs.origin.get(m) == "records" for m in measures):
        return None
    from ccua.engagement import records_folder
    from ccua.records import load_definitions

    folder = records_folder(data.params, data.params_file, data.folder)
    defs = {d.measure: d for d in load_definitions(data.framework).measures}
    fields = ("table", "aggregate", "expression", "where", "scope")
    queries = {m: {f: getattr(defs[m], f) for f in fields} for m in measures if m in defs}
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))
    return {"folder": str(folder), "files": files, "queries": queries}


def _indicator(data: EngagementData, period: PeriodResult, code: str) -> dict[str, Any]:
    fw = data.framework
    ind = fw.indicator(code)
    result = period.indicators.get(code)
    measures = _inputs(fw, ind)
    names = {m.code: m.name for m in fw.measures}
    sources = {key: str(source) for key, source in data.inputs.sources.items() if source}
    months = [
        {
            "month": month,
            "value": _num(result.monthly.get(month)) if result else None,
            "inputs": [
                {
                    "measure": m,
                    "name": names.get(m, m),
                    "value": _plain(data.inputs.get(month, m)),
                    "source": sources.get((month, m)),
                    "origin": data.inputs.origin.get(m),
                }
                for m in measures
            ],
        }
        for month in data.months
    ]
    target = data.targets.get(code)
    return {
        "kind": "indicator",
        "code": code,
        "name": ind.name,
        "name_en": ind.name_en,
        "formula": ind.formula_text,
        "function": ind.function,
        "inputs": list(measures),
        "unit": ind.unit,
        "direction": ind.direction,
        "value": _num(result.period) if result else None,
        "target": None
        if target is None
        else {
            "min": _num(target.min),
            "max": _num(target.max),
            "source": target.source,
            "basis": target.basis or None,
        },
        "met": result.met if result else None,
        "origin": result.origin if result else None,
        "months": months,
        "sheet": str(data.files.get("monthly", "")) or None,
        "records": _records_info(data, measures),
    }


def trace(data: EngagementData, code: str) -> dict[str, Any]:
    """The chain from a score or value down to the ratings, evidence and inputs behind it."""
    fw = data.framework
    period = period_of(data)
    items = {i.code: i for i in fw.items}
    item_code, rest, only = code, "", None  # only: a requirement's code
    if code not in items:
        if any(i.code == code for i in fw.indicators):
            return _indicator(data, period, code)
        item_code, _, rest = code.partition(".")
        only = rest.split(".", 1)[0]
    if item_code not in items or (
        only is not None and all(r.code != only for r in items[item_code].requirements)
    ):
        raise CcuaError(
            f"{code!r} is neither an item (DO6), a requirement (DO6.c, DO6.c.2) nor an "
            f"indicator (DO6.9) of {fw.id}",
            field="CODE",
        )
    assessment = score(fw, data.ratings, attainment=period.attainment, partial=True)
    chain = _item(data, assessment, period, load_register(Path(data.folder)), item_code, only)
    if "." in rest:  # a sub-point: only its own rating
        for req in chain["requirements"]:
            req["ratings"] = [r for r in req["ratings"] if r["leaf"] == rest]
        chain["code"] = code
    return chain
