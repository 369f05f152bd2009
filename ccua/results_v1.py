"""Schema 1 of results.json, made from the typed results (schema 2): :func:`to_v1`.

Schema 1 held findings, rule summaries and KPI reasons as finished Chinese sentences. They are
made here from the facts with the wording of schema 1, for a tool that still reads schema 1,
and as the reference the message catalogs' Chinese sentences are tested against
(tests/test_i18n.py). ccua itself writes schema 2 and reads both
(:func:`ccua.results_model.load_run`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ccua import fmt
from ccua._num import round_half_up
from ccua.results import target_text
from ccua.results_model import Bounds, Results, insert_after


def _exact(value: Any) -> Fraction:
    """A number of the results dict, exact as its shortest text (0.1, not its binary float)."""
    return Fraction(str(value))


def _places2(value: Any) -> str:
    return "—" if value is None else str(round_half_up(_exact(value), 2))


def _value(value: Any, unit: str | None) -> str:
    return fmt.value(None if value is None else _exact(value), unit)


def _target(target: Bounds, unit: str | None) -> str:
    unset = target.min is None and target.max is None
    return "—" if unset else target_text(target, unit, fmt.plain)


def _percent(share: Any) -> str:
    return f"{fmt.plain(round_half_up(_exact(share) * 100, 2))}%"


def finding_zh(res: Results, f: dict[str, Any]) -> str:
    code = f["code"]
    if code == "text":
        return str(f["text"])
    if "indicator" in f and code != "key_point":
        ind = res.indicator(f["indicator"])
        head = f"{ind.code} {ind.name}："
        when = f.get("month") or "全期"
        if code == "document_not_met":
            return f"{head}文档证据未满足要求（{f['note']}）。"
        if code == "indicator_not_met":
            target = Bounds.model_validate(f["target"])
            return (
                f"{head}期间值 {_value(f['value'], f['unit'])}，"
                f"未达到目标（{_target(target, f['unit'])}）。"
            )
        if code == "claim_mismatch":
            return (
                f"{head}受评方报告值 {_value(f['claimed'], f['unit'])}（{when}）与复核"
                f"计算值 {_value(f['recomputed'], f['unit'])} 不一致，超出容差 "
                f"±{_places2(f['tolerance'])}。"
            )
        if code == "claim_unverifiable":
            return f"{head}受评方报告值（{when}）无运营数据可复核。"
        if code == "trend_worsening":
            return f"{head}半年趋势变差。"
    if code == "handover_gap":
        parts = ["资料不完整"] * f["incomplete"] + ["测评粒度不符合"] * f["granularity_mismatch"]
        feedback = f"（{f['feedback']}）" if f["feedback"] else ""
        return f"测评资料：{'、'.join(parts)}{feedback}。"
    if code == "requirement_below_standard":
        text = f"要求 {f['requirement']}) 评分 {_places2(f['rating'])}，低于“遵循标准”"
        return text + (f"：{f['note']}" if f["note"] else "") + "。"
    if code == "key_point":
        return f"关键点问题（{f['topic']}）：{f['issue']}"
    if code == "rule_result":
        return (
            f"§{f['section']}：{f['kpis']}项指标中，{f['passed']}项满足“至少"
            f"{_percent(f['required_share'])}的时间达标且连续"
            f"{f['improvement_run']}个月持续改进”，{f['failed']}项不满足，"
            f"{f['not_measurable']}项不可衡量（无目标值或无数据）。本结果为要求"
            f"{f['evidence_for']}的评定依据，不直接计分。"
        )
    raise ValueError(f"unknown finding code {code!r}")


def reason_zh(r: dict[str, Any]) -> str:
    code = r["code"]
    if code == "text":
        return str(r["text"])
    if code == "share_met":
        missing = r["missing_as_not_met"]
        return (
            f"达标月份 {r['met']}/{r['counted']}（{_percent(r['share'])}），"
            f"{'不低于' if r['ok'] else '低于'}{_percent(r['required'])}"
            + (f"；{missing}个月无数据，按未达标计" if missing else "")
        )
    if code == "improvement_run":
        where = "" if r["anchor"] == "anywhere" else "截至最近一个月"
        return f"{where}连续改进 {r['run']} 个月（需 {r['required']} 个）"
    if code == "on_target_without_improvement":
        return (
            f"每月均达标但无足够的连续改进：已处于目标水平（见勘误 {r['erratum']}，由测评人员判断）"
        )
    if code == "no_target":
        return f"未设定目标值（§{r['section']}要求每项指标设定目标值）"
    if code == "no_data":
        return "评估期内无数据"
    raise ValueError(f"unknown reason code {code!r}")


def to_v1(res: Results) -> dict[str, Any]:
    """The schema-1 dict of these results (findings and reasons as Chinese sentences)."""
    data = res.to_json_dict()
    data["schema_version"] = 1
    summaries = {
        f["rule"]: finding_zh(res, f)
        for facts in data["findings"].values()
        for f in facts
        if f["code"] == "rule_result"
    }
    data["findings"] = {
        item: [finding_zh(res, f) for f in facts] for item, facts in data["findings"].items()
    }
    data["rules"] = [
        {
            **insert_after(rule, "counts", "summary", summaries[rule["rule"]]),
            "kpis": [{**k, "reasons": [reason_zh(r) for r in k["reasons"]]} for k in rule["kpis"]],
        }
        for rule in data["rules"]
    ]
    for item in data["assessment"]["items"]:
        item["evidence"] = [
            insert_after(e, "section", "summary", summaries[e["id"]]) if e["kind"] == "rule" else e
            for e in item.get("evidence") or []
        ]
    return data
