"""The report's appendix 与其他测评框架的对照（估算）, from ``results.json → projections``.

For every framework a crosswalk connects to the assessed one, the run estimated how the
centre would stand under it (:func:`ccua.crosswalk.project`): an estimated score over the
points the estimate reaches, that score rescaled to the full total, an indicative grade, the
items and KPIs that carry over, and the **missing evidence** a full assessment under that
framework would still need. Everything here is printed as results.json holds it and labelled
an estimate wherever it appears: it is never a score of this assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccua.report._front import Node, flatten
from ccua.report._markdown import Cell, Column, grid_table, md_escape
from ccua.report._results import fixed, percent, points, rating
from ccua.spec import Framework, load_framework

TITLE = "与其他测评框架的对照（估算）"
MATCH = {"same": "相同", "similar": "相近"}
UNIT = {"percent": "%", "seconds": "秒", "minutes": "分钟", "hours": "小时", "currency": "元"}


def _value(value: Any, unit: str | None) -> str:
    return "—" if value is None else fixed(value) + UNIT.get(unit or "", "")


def _estimate_sentence(p: dict[str, Any], target: Framework) -> str:
    grade = p.get("indicative_grade")
    text = (f"可推算部分覆盖 {points(p['covered_points'])}（满分 {points(p['total_points'])}），"
            f"估算计分 {points(p['estimated_score'])}")
    if p.get("rescaled_total") is not None:
        text += f"，按满分折算约 {points(p['rescaled_total'])}"
    text += "。"
    if grade:
        grading = load_framework(grade["framework"])
        own = grade["framework"] == target.id
        text += (f"参考等级：{grade['name']}（按{grading.designation}《{grading.name}》的等级"
                 f"分值区分{'' if own else '对照'}，仅供参考，不构成等级评定）。")
    return text


def summary_sentence(results: dict[str, Any], p: dict[str, Any]) -> str:
    """One sentence for 四、测评组意见: where the estimate stands, and that it is one."""
    target = load_framework(p["to"])
    total = p.get("rescaled_total")
    where = (f"按满分折算约 {points(total)}" if total is not None
             else f"估算计分 {points(p['estimated_score'])}")
    return (f"按两个测评框架的对照关系推算，受评方按《{target.name}》{where}（估算，不是测评"
            f"得分），完整测评尚缺 {len(p['missing'])} 个{target.levels.item.zh}的证据。")


def _groups_table(p: dict[str, Any], target: Framework) -> str:
    rows = [[Cell.of(md_escape(f"{g['code']} {g['name']}")), Cell.of(points(g["points"])),
             Cell.of(points(g["covered_points"])), Cell.of(points(g["score"]))]
            for g in p["groups"]]
    rows.append([Cell.of("合计"), Cell.of(points(p["total_points"])),
                 Cell.of(points(p["covered_points"])),
                 Cell.of(f"**{points(p['estimated_score'])}**")])
    return grid_table(
        [Column(target.levels.group.zh, 16), Column("分值", 6, "right"),
         Column("可估算分值", 7, "right"), Column("估算计分", 7, "right")], rows,
        caption=f"按{target.levels.group.zh}的估算计分（估算）", line_width=80)


def _items_table(results: dict[str, Any], p: dict[str, Any], target: Framework) -> str:
    names = {i["code"]: i["name"] for i in results["assessment"]["items"]}
    source_level = results["framework"]["levels"]["item"]["zh"]
    scored_items = target.scoring.points_at == "item"

    def row(item: dict[str, Any]) -> list[list[Cell]]:
        sources = [md_escape(f"{c} {names.get(c, '')}".strip()) for c in item["sources"]]
        notes = []
        if item.get("partial"):
            notes.append("仅部分对应")
        if item.get("unrated_sources"):
            notes.append("未评分：" + "、".join(item["unrated_sources"]))
        if not item["sources"]:
            notes.append("无可用证据")
        cells = [Cell.of(*(sources or ["—"])), Cell.of(rating(item.get("rating"))),
                 Cell.of(percent(item.get("percent")))]
        if scored_items:
            cells.append(Cell.of(points(item.get("score"))))
        return [[*cells, Cell.of(md_escape("；".join(notes)))]]

    nodes = [Node((md_escape(f"{g['code']} {g['name']}"),),
                  children=[Node((md_escape(f"{i['code']} {i['name']}"),), rows=row(i))
                            for i in p["items"] if i["group"] == g["code"]])
             for g in p["groups"]]
    columns = [Column(target.levels.group.zh, 7), Column(target.levels.item.zh, 9),
               Column(f"对应的本次{source_level}", 12), Column("估算评分", 5, "right"),
               Column("估算得分率", 6, "right")]
    if scored_items:
        columns.append(Column("估算计分", 5, "right"))
    columns.append(Column("说明", 8))
    return grid_table(columns, flatten(nodes),
                      caption=f"各{target.levels.item.zh}的估算（估算评分 0-5，表B.1 评分标准）")


def _missing_table(p: dict[str, Any], target: Framework) -> str:
    rows = [[Cell.of(md_escape(m["code"])), Cell.of(md_escape(m["name"])),
             Cell.of(md_escape(m["reason"] or "—"))] for m in p["missing"]]
    return grid_table([Column("编号", 4), Column(target.levels.item.zh, 10),
                       Column("原因（对照数据）", 24)], rows,
                      caption=f"完整测评尚缺证据的{target.levels.item.zh}")


def _kpi_table(p: dict[str, Any], target: Framework) -> tuple[str, list[str]]:
    carried, missing = [], []
    for k in p.get("kpis") or []:
        if k.get("value") is None:
            missing.append(k["code"])
            continue
        unit = target.indicator(k["code"]).unit
        carried.append([Cell.of(md_escape(k["code"])), Cell.of(md_escape(k["name"])),
                        Cell.of(md_escape(k.get("from") or "—")), Cell.of(_value(k["value"], unit)),
                        Cell.of(MATCH.get(k.get("match") or "", "—")),
                        Cell.of(md_escape(k.get("reason") or ""))])
    if not carried:
        return "", missing
    table = grid_table([Column("指标", 5), Column("名称", 10), Column("取自", 5),
                        Column("期间值", 6, "right"), Column("对应程度", 5), Column("说明", 20)],
                       carried, caption="可沿用的关键指标值（相同：同一口径，可直接比较；"
                                        "相近：口径不同，比较时须注意）")
    return table, missing


def projection_markdown(results: dict[str, Any]) -> str:
    """The appendix's body: one section per other framework; "" when there is none."""
    projections: Sequence[dict[str, Any]] = results.get("projections") or []
    if not projections:
        return ""
    source = results["framework"]
    blocks = [md_escape(
        f"本附件根据测评框架之间的对照关系（ccua 对照数据），由本次按《{source['name']}》"
        "测评的评分推算受评方在其他测评框架下的大致水平：其他框架的每个细项，取对照到它的本次"
        "已评分细项得分率的平均值（每个对照关系计一次），再按该框架自己的计分规则和分值计分；"
        "关键指标值经指标对照沿用。以下数值均为估算，不是测评得分，不能替代按该框架进行的测评。")]
    for p in projections:
        target = load_framework(p["to"])
        blocks.append(f"## 按{md_escape(target.designation)}《{md_escape(target.name)}》估算")
        blocks.append(md_escape(_estimate_sentence(p, target)))
        blocks.append(_groups_table(p, target))
        blocks.append(_items_table(results, p, target))
        if p["missing"]:
            blocks.append(md_escape(
                f"以下 {len(p['missing'])} 个{target.levels.item.zh}没有可对照的已评分证据，"
                "完整测评须按该框架直接取证和评分："))
            blocks.append(_missing_table(p, target))
        kpis, missing_kpis = _kpi_table(p, target)
        if kpis:
            blocks.append(kpis)
        if missing_kpis:
            blocks.append(md_escape(
                f"另有 {len(missing_kpis)} 项关键指标没有可沿用的数值（无对应指标或本次无数据），"
                f"完整测评须另行采集：{'、'.join(missing_kpis)}。"))
    return "\n\n".join(blocks) + "\n"
