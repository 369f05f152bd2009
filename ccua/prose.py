"""Sentences from facts: findings, rule results and their reasons in each output language.

results.json (schema 2) stores what the run found as facts, a code with values
(``{"code": "indicator_not_met", "indicator": "DO6.9", "value": 6.23, ...}``); the sentence
is made here from the message catalogs (``finding.*``, ``reason.*``), so that the report's
language is a parameter and a sentence always says what the numbers say. A ``text`` fact (a
sentence kept from a schema-1 run) prints as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ccua import fmt
from ccua.i18n import Tr


def _indicators(results: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {i["code"]: i for i in results.get("indicators") or []}


def percent_of(share: Any) -> str:
    """A fraction as a short percent: 0.75 → 75%, 0.6667 → 66.67%."""
    d = fmt.dec(share)
    if d is None:
        return fmt.DASH
    text = fmt.fixed(d * 100).rstrip("0").rstrip(".")
    return f"{text}%"


def bounds_text(target: Mapping[str, Any] | None, unit: str | None, lang: str) -> str:
    """A target from its bounds: ≥80%, ≤300秒 / ≤300 s, 80–90%."""
    if not target or (target.get("min") is None and target.get("max") is None):
        return fmt.DASH
    label = fmt.unit_label(unit, lang)
    sep = "" if (label == "%" or lang == "zh" or not label) else " "
    lo, hi = target.get("min"), target.get("max")
    if lo is not None and hi is not None:
        return f"{fmt.plain(lo)}–{fmt.plain(hi)}{sep}{label}"
    if lo is not None:
        return f"≥{fmt.plain(lo)}{sep}{label}"
    return f"≤{fmt.plain(hi)}{sep}{label}"


def finding_text(results: Mapping[str, Any], fact: Any, lang: str = "zh") -> str:
    """One finding as a sentence in ``lang`` (a schema-1 string passes through)."""
    if isinstance(fact, str):
        return fact
    tr = Tr(lang)
    code = fact["code"]
    if code == "text":
        return str(fact["text"])
    values: dict[str, Any] = {k: v for k, v in fact.items() if k != "code"}
    if "indicator" in fact and fact.get("indicator") and code != "key_point":
        ind = _indicators(results).get(fact["indicator"], {})
        unit = fact.get("unit", ind.get("unit"))
        values["head"] = f"{fact['indicator']} {tr.name(ind, str(fact['indicator']))}"
        values["when"] = (
            fmt.month_text(fact["month"], tr.lang)
            if fact.get("month")
            else tr("finding.whole_period")
        )
        for key in ("value", "claimed", "recomputed"):
            if key in fact:
                values[key] = fmt.value(fact[key], unit, tr.lang)
        if "tolerance" in fact:
            values["tolerance"] = fmt.fixed(fact["tolerance"])
        if "target" in fact:
            values["target"] = bounds_text(fact["target"], unit, tr.lang)
    if code == "handover_gap":
        parts = [
            tr(key)
            for key, on in (
                ("finding.incomplete", fact.get("incomplete")),
                ("finding.granularity", fact.get("granularity_mismatch")),
            )
            if on
        ]
        values["parts"] = tr.join(parts)
        values["feedback"] = tr.paren(fact["feedback"]) if fact.get("feedback") else ""
    if code == "requirement_below_standard":
        values["rating"] = fmt.fixed(fact["rating"])
        values["note"] = (tr("punct.colon") + str(fact["note"])) if fact.get("note") else ""
    if code == "rule_result":
        values["required_share"] = percent_of(fact["required_share"])
    return tr(f"finding.{code}", **values)


def reason_text(reason: Any, lang: str = "zh") -> str:
    """Why a rule's KPI passed or not, as a phrase in ``lang`` (a string passes through)."""
    if isinstance(reason, str):
        return reason
    tr = Tr(lang)
    code = reason["code"]
    if code == "text":
        return str(reason["text"])
    values = {k: v for k, v in reason.items() if k != "code"}
    if code == "share_met":
        values["share"] = percent_of(reason["share"])
        values["required"] = percent_of(reason["required"])
        text = tr("reason.share_met_ok" if reason["ok"] else "reason.share_met_low", **values)
        if reason.get("missing_as_not_met"):
            text += tr("reason.missing_as_not_met", n=reason["missing_as_not_met"])
        return text
    if code == "improvement_run":
        key = "reason.run_anywhere" if reason["anchor"] == "anywhere" else "reason.run_latest"
        return tr(key, **values)
    return tr(f"reason.{code}", **values)


def rule_summary(results: Mapping[str, Any], rule: Mapping[str, Any], lang: str = "zh") -> str:
    """A rule's result in one sentence: its ``rule_result`` fact, else the schema-1 summary."""
    for facts in (results.get("findings") or {}).values():
        for f in facts:
            if (
                isinstance(f, Mapping)
                and f.get("code") == "rule_result"
                and f.get("rule") == rule["rule"]
            ):
                return finding_text(results, f, lang)
    return str(rule.get("summary") or "")
