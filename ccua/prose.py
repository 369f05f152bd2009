"""Sentences from facts: findings, rule results and their reasons in each output language.

results.json (schema 2) stores what the run found as facts, a code with values
(``{"code": "indicator_not_met", "indicator": "DO6.9", "value": 6.23, ...}``); the sentence
is made here from the message catalogs (``finding.*``, ``reason.*``), so that the report's
language is a parameter and a sentence always says what the numbers say. A ``text`` fact (a
sentence kept from a schema-1 run) prints as it is.
"""

from __future__ import annotations

from typing import Any

from ccua import fmt
from ccua.i18n import Tr
from ccua.results_model import (
    Bounds,
    Finding,
    IndicatorNotMet,
    KeyPointFact,
    Reason,
    Results,
    RuleOut,
    RuleResult,
    TargetOut,
    Text,
)


def percent_of(share: Any) -> str:
    """A fraction as a short percent: 0.75 → 75%, 0.6667 → 66.67%."""
    d = fmt.dec(share)
    if d is None:
        return fmt.DASH
    text = fmt.fixed(d * 100).rstrip("0").rstrip(".")
    return f"{text}%"


def bounds_text(target: Bounds | TargetOut | None, unit: str | None, lang: str) -> str:
    """A target from its bounds: ≥80%, ≤300秒 / ≤300 s, 80–90%."""
    if target is None or (target.min is None and target.max is None):
        return fmt.DASH
    label = fmt.unit_label(unit, lang)
    sep = "" if (label == "%" or lang == "zh" or not label) else " "
    lo, hi = target.min, target.max
    if lo is not None and hi is not None:
        return f"{fmt.plain(lo)}–{fmt.plain(hi)}{sep}{label}"
    if lo is not None:
        return f"≥{fmt.plain(lo)}{sep}{label}"
    return f"≤{fmt.plain(hi)}{sep}{label}"


def finding_text(results: Results, f: Finding, lang: str = "zh") -> str:
    """One finding as a sentence in ``lang`` (a schema-1 sentence, ``text``, as it is)."""
    if isinstance(f, Text):
        return f.text
    tr = Tr(lang)
    values: dict[str, Any] = f.model_dump(exclude={"code"})
    code = getattr(f, "indicator", None)
    if code and not isinstance(f, KeyPointFact):
        ind = next((i for i in results.indicators if i.code == code), None)
        unit = values.get("unit", ind.unit if ind else None)
        values["head"] = f"{code} {tr.name(ind, code)}"
        month = values.get("month")
        values["when"] = fmt.month_text(month, tr.lang) if month else tr("finding.whole_period")
        for key in ("value", "claimed", "recomputed"):
            if key in values:
                values[key] = fmt.value(values[key], unit, tr.lang)
        if "tolerance" in values:
            values["tolerance"] = fmt.fixed(values["tolerance"])
        if isinstance(f, IndicatorNotMet):
            values["target"] = bounds_text(f.target, unit, tr.lang)
    if f.code == "handover_gap":
        parts = [
            tr(key)
            for key, on in (
                ("finding.incomplete", values["incomplete"]),
                ("finding.granularity", values["granularity_mismatch"]),
            )
            if on
        ]
        values["parts"] = tr.join(parts)
        values["feedback"] = tr.paren(values["feedback"]) if values["feedback"] else ""
    if f.code == "requirement_below_standard":
        values["rating"] = fmt.fixed(values["rating"])
        values["note"] = (tr("punct.colon") + values["note"]) if values["note"] else ""
    if f.code == "rule_result":
        values["required_share"] = percent_of(values["required_share"])
    return tr(f"finding.{f.code}", **values)


def reason_text(r: Reason, lang: str = "zh") -> str:
    """Why a rule's KPI passed or not, as a phrase in ``lang`` (a schema-1 ``text`` as it is)."""
    if isinstance(r, Text):
        return r.text
    tr = Tr(lang)
    values = r.model_dump(exclude={"code"})
    if r.code == "share_met":
        values["share"] = percent_of(r.share)
        values["required"] = percent_of(r.required)
        text = tr("reason.share_met_ok" if r.ok else "reason.share_met_low", **values)
        if r.missing_as_not_met:
            text += tr("reason.missing_as_not_met", n=r.missing_as_not_met)
        return text
    if r.code == "improvement_run":
        key = "reason.run_anywhere" if r.anchor == "anywhere" else "reason.run_latest"
        return tr(key, **values)
    return tr(f"reason.{r.code}", **values)


def rule_summary(results: Results, rule: RuleOut, lang: str = "zh") -> str:
    """A rule's result in one sentence: its ``rule_result`` fact ("" without one)."""
    for facts in results.findings.values():
        for f in facts:
            if isinstance(f, RuleResult) and f.rule == rule.rule:
                return finding_text(results, f, lang)
    return ""
