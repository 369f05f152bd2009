"""The report's front part (cover to 六、) as data for the template, built from results.json.

Pure functions: results in, strings and Markdown tables out. The layout follows the sample
report of T/CCUA Appendix E.5 (测评报告示例): tables 1-7 with the same columns, the verdict
marked 符合 in table 7. Names of levels (能力域/能力项, 评审范围/评审细项) come from
results.json, so the same template serves a framework without categories, with points on
groups, or without grades (the guideline): there the total is reported alone and another
framework's bands may be shown, labelled as being for comparison only.

Nothing here computes a score. Grade descriptions and the rating scale are text of the
standard, read from the framework data in the package (results.json names the framework and
its version; a different installed version is refused, so that a signed report never mixes
two versions of the standard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ccua.errors import CcuaError
from ccua.report._markdown import Cell, Column, grid_table, md_escape
from ccua.report._results import dec, percent, points, rating
from ccua.spec import Framework, Grade, load_framework

LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Node:
    """A merged first-column cell (category, group, item) over the rows beneath it."""

    label: tuple[str, ...]
    children: Sequence[Node] = ()
    rows: Sequence[Sequence[Cell]] = ()


def flatten(nodes: Sequence[Node]) -> list[list[Cell]]:
    """Rows of a table whose leading columns merge down (类别 | 能力域 | 能力项 | ...)."""
    out: list[list[Cell]] = []
    for node in nodes:
        sub = flatten(node.children) if node.children else [list(r) for r in node.rows]
        if not sub:
            continue
        sub[0] = [Cell(node.label, rowspan=len(sub)), *sub[0]]
        out += sub
    return out


@dataclass(frozen=True)
class Structure:
    """Categories, groups and items of the assessed framework, in order, from results.json."""

    categories: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    items: list[dict[str, Any]]
    group_level: str
    item_level: str
    points_at: str

    def items_of(self, group: str) -> list[dict[str, Any]]:
        return [i for i in self.items if i["group"] == group]

    def groups_of(self, category: str) -> list[dict[str, Any]]:
        return [g for g in self.groups if g.get("category") == category]

    def tree(self, item_rows: Any, group_rows: Any = None) -> list[Node]:
        """Nodes category > group > item; ``item_rows(item)`` gives each item's rows.

        ``group_rows(group, rows)`` may add cells to the group's rows (a group score spanning
        them, where points sit on groups).
        """
        def group_node(g: dict[str, Any]) -> Node:
            items = [Node((item_label(i),), rows=item_rows(i)) for i in self.items_of(g["code"])]
            if group_rows is None:
                return Node((md_escape(g["name"]),), children=items)
            rows = flatten(items)
            return Node((md_escape(g["name"]),), rows=group_rows(g, rows))

        if self.categories:
            return [Node((md_escape(c["name"]),),
                         children=[group_node(g) for g in self.groups_of(c["code"])])
                    for c in self.categories]
        return [group_node(g) for g in self.groups]

    def leading_columns(self, narrow: bool = False) -> list[Column]:
        """类别 (when the framework has categories), group, item; narrow beside long texts."""
        cols = [Column("类别", 4 if narrow else 5)] if self.categories else []
        return [*cols, Column(self.group_level, 5 if narrow else 8),
                Column(self.item_level, 6 if narrow else 10)]


def structure(results: dict[str, Any]) -> Structure:
    a = results["assessment"]
    levels = results["framework"]["levels"]
    return Structure(categories=list(a.get("categories") or []), groups=list(a["groups"]),
                     items=list(a["items"]), group_level=levels["group"]["zh"],
                     item_level=levels["item"]["zh"],
                     points_at=results["framework"]["points_at"])


def item_label(item: dict[str, Any]) -> str:
    return md_escape(f"{item['code']} {item['name']}")


def framework_for(results: dict[str, Any]) -> Framework:
    """The framework results.json was computed with; refuse another version of it."""
    fw_info = results["framework"]
    fw = load_framework(fw_info["id"])
    if fw.version != fw_info["version"]:
        raise CcuaError(
            f"results.json was computed with {fw_info['id']} version {fw_info['version']}, "
            f"but this ccua has version {fw.version}",
            hint="re-run the client (ccua run params/CLIENT.yaml) so that the report and the "
                 "scores use the same version of the standard")
    return fw


# --- tables 1 and 2: the two team lists (E.1, E.2) ------------------------------------------

def team_tables(results: dict[str, Any]) -> tuple[str, str]:
    team = results["engagement"]["team"]
    t1 = grid_table(
        [Column("序号", 3, "center"), Column("姓名", 5), Column("电话", 8), Column("电子邮件", 11),
         Column("测评小组职责", 11), Column("备注", 5)],
        [[Cell.of(str(n)), *(Cell.of(md_escape(m.get(k, ""))) for k in
                             ("name", "phone", "email", "role", "note"))]
         for n, m in enumerate(team["assessors"], 1)],
        caption="表 1 测评方成员名单")
    t2 = grid_table(
        [Column("序号", 3, "center"), Column("姓名", 5), Column("电话", 8), Column("电子邮件", 11),
         Column("所属部门", 7), Column("岗位名称", 7), Column("测评小组职责", 9),
         Column("备注", 4)],
        [[Cell.of(str(n)), *(Cell.of(md_escape(m.get(k, ""))) for k in
                             ("name", "phone", "email", "department", "position", "role",
                              "note"))]
         for n, m in enumerate(team["assessee"], 1)],
        caption="表 2 测评小组受评方成员名单")
    return t1, t2


# --- tables 3 and 4: hand-over and feedback sheets (E.3, E.4) -------------------------------

def handover_tables(results: dict[str, Any], s: Structure) -> tuple[str, str]:
    handover = results["engagement"].get("handover") or {}

    def row3(item: dict[str, Any]) -> list[list[Cell]]:
        h = handover.get(item["code"])
        if h is None:
            return [[Cell.of("—"), Cell.of("—"), Cell.of("—"), Cell.of("未提交资料")]]
        return [[Cell.of(md_escape(h.get("nature", ""))), Cell.of(str(h.get("copies", ""))),
                 Cell.of(str(h.get("pages", ""))), Cell.of(md_escape(h.get("note", "")))]]

    def row4(item: dict[str, Any]) -> list[list[Cell]]:
        h = handover.get(item["code"])
        if h is None:
            return [[Cell.of("—")] * 5 + [Cell.of("未提交资料")]]
        return [[Cell.of(md_escape(h.get("nature", ""))), Cell.of(str(h.get("copies", ""))),
                 Cell.of(str(h.get("pages", ""))),
                 Cell.of(md_escape(h.get("completeness") or "—")),
                 Cell.of(md_escape(h.get("granularity") or "—")),
                 Cell.of(md_escape(h.get("feedback", "")))]]

    lead = s.leading_columns()
    t3 = grid_table(
        [*lead, Column("文档性质", 6), Column("份数", 4, "right"), Column("页数", 4, "right"),
         Column("备注", 12)],
        flatten(s.tree(row3)), caption="表 3 测评资料交接确认单")
    t4 = grid_table(
        [*lead, Column("文档性质", 6), Column("份数", 4, "right"), Column("页数", 4, "right"),
         Column("完整度", 5), Column("测评粒度", 5), Column("备注", 10)],
        flatten(s.tree(row4)), caption="表 4 测评资料反馈表")
    return t3, t4


# --- table 5: requirement scores (E.5) -------------------------------------------------------

def requirement_lines(req: dict[str, Any]) -> list[str]:
    lines = [md_escape(f"{req['code']}){req['text']}")]
    lines += [md_escape(f"{sp['code']}){sp['text']}") for sp in req.get("subpoints") or []]
    return lines


def requirement_rating(req: dict[str, Any]) -> list[str]:
    """The 评分 cell: the rating, how it was reached (sub-points, indicators), or 不适用."""
    if req.get("source") == "na":
        return ["不适用"]
    if req.get("rating") is None:
        return ["未评分"]
    lines = [rating(req["rating"])]
    subs = [sp for sp in req.get("subpoints") or [] if sp.get("rating") is not None]
    if req.get("source") == "subpoints" and subs:
        lines.append(md_escape("（" + "、".join(rating(sp["rating"]) for sp in subs) + "）"))
    att = req.get("attainment")
    if req.get("kind") == "indicator" and req.get("source") == "indicators" and att:
        lines.append(md_escape(f"（达标 {att['met']}/{att['evaluable']}）"))
    if req.get("source") == "override":
        lines.append("（测评组评定）")
    return lines


def whole_rating(item: dict[str, Any], item_level: str) -> list[str] | None:
    """The 评分 cell of an item rated as a whole (override, item rating, n/a), else None.

    Such an item's requirements carry no rating of their own (source ``item``, or none are
    listed): its percent or rating stands for all of them.
    """
    reqs = item.get("requirements") or []
    if reqs and any(r.get("source") != "item" for r in reqs):
        return None
    source = item.get("source")
    if source == "na":
        return ["不适用"]
    if source == "override":
        return [f"得分率 {percent(item.get('percent'))}", "（测评组评定）"]
    if item.get("mean_rating") is None:
        return ["未评分"]
    return [rating(item.get("mean_rating")), md_escape(f"（{item_level}整体评分）")]


def item_score_note(item: dict[str, Any]) -> str:
    """Why an item's score is what it is, when not from its requirement ratings."""
    if item.get("source") == "override":
        note = f"测评组评定得分率 {percent(item.get('percent'))}"
        return note + (f"：{item['note']}" if item.get("note") else "")
    if item.get("source") == "na":
        return "不适用" + (f"：{item['note']}" if item.get("note") else "")
    if item.get("source") == "rating" and item.get("note"):
        return str(item["note"])
    return ""


def requirements_table(results: dict[str, Any], s: Structure) -> str:
    cats = s.categories
    score_cols = ([Column(f"{c['name']}计分", 5, "right") for c in cats] if cats and
                  s.points_at == "item" else [Column("计分", 6, "right")])

    def req_rows(item: dict[str, Any]) -> list[list[Cell]]:
        reqs = item.get("requirements") or []
        whole = whole_rating(item, s.item_level)
        if whole is None:
            rows = [[Cell.of(*requirement_lines(r)), Cell.of(*requirement_rating(r))]
                    for r in reqs]
        elif reqs:  # rated as a whole: one rating beside all of the item's requirements
            rows = [[Cell.of(*requirement_lines(r))] for r in reqs]
            rows[0].append(Cell.of(*whole, rowspan=len(rows)))
        else:
            rows = [[Cell.of(f"（{md_escape(s.item_level)}整体评分）"), Cell.of(*whole)]]
        note = item_score_note(item)
        if note:
            rows.append([Cell.of(md_escape(f"说明：{note}"), colspan=2)])
        if s.points_at != "item":
            return rows
        span = len(rows)
        score_cells = []
        columns: list[dict[str, Any] | None] = list(cats) if cats else [None]
        for c in columns:
            mine = c is None or item.get("category") == c["code"]
            score_cells.append(Cell.of(points(item.get("score")) if mine else "",
                                       rowspan=span))
        rows[0] = [*rows[0], *score_cells]
        return rows

    def group_rows(group: dict[str, Any], rows: list[list[Cell]]) -> list[list[Cell]]:
        rows = [list(r) for r in rows]
        rows[0].append(Cell.of(points(group.get("score")), rowspan=len(rows)))
        return rows

    tree = s.tree(req_rows, group_rows if s.points_at != "item" else None)
    columns = [*s.leading_columns(narrow=True), Column("要求", 36), Column("评分", 6, "center"),
               *score_cols]
    return grid_table(columns, flatten(tree), caption="表 5 测评要求计分表")


# --- table 6: the score table (E.6) ----------------------------------------------------------

def score_table(results: dict[str, Any], s: Structure) -> str:
    a = results["assessment"]
    if s.points_at == "item":
        def item_row(item: dict[str, Any]) -> list[list[Cell]]:
            note = item_score_note(item)
            if item.get("standard_points") is not None:
                note = "；".join(filter(None, [f"标准分值 {points(item['standard_points'])}",
                                               note]))
            return [[Cell.of(points(item.get("points"))),
                     Cell.of(percent(item.get("points_share"))),
                     Cell.of(points(item.get("score"))), Cell.of(percent(item.get("share"))),
                     Cell.of(md_escape(note))]]
        rows = flatten(s.tree(item_row))
        lead = s.leading_columns()
        rows.append([Cell.of("测评计分合计", colspan=len(lead) + 2),
                     Cell.of(f"**{points(a['total'])}**"), Cell.of(""), Cell.of("")])
        columns = [*lead, Column("分值", 6, "right"), Column("分值占比", 6, "right"),
                   Column("计分", 6, "right"), Column("计分占比", 6, "right"), Column("备注", 9)]
        return grid_table(columns, rows, caption="表 6 测评计分表")
    # Points sit on groups (the guideline): one row per group.
    rows = [[Cell.of(md_escape(f"{g['code']} {g['name']}")), Cell.of(points(g.get("points"))),
             Cell.of(rating(g.get("mean_rating"))), Cell.of(percent(g.get("percent"))),
             Cell.of(points(g.get("score")))] for g in s.groups]
    rows.append([Cell.of("测评计分合计", colspan=4), Cell.of(f"**{points(a['total'])}**")])
    columns = [Column(s.group_level, 14), Column("分值", 6, "right"),
               Column("平均评分", 6, "right"), Column("得分率", 6, "right"),
               Column("计分", 6, "right")]
    return grid_table(columns, rows, caption="表 6 测评计分表")


def subtotals_sentence(results: dict[str, Any], s: Structure) -> str:
    """其中：过程类 26.18分（战略规划 8.49分，能力建设 17.69分），结果类 …"""
    groups = {g["code"]: g for g in s.groups}
    if s.categories:
        parts = []
        for c in s.categories:
            inner = "，".join(f"{g['name']} {points(g['score'])}" for g in s.groups_of(c["code"]))
            parts.append(f"{c['name']} {points(c['score'])}（{inner}）")
        return md_escape("其中：" + "，".join(parts) + "。")
    if s.points_at == "item":
        inner = "，".join(f"{g['name']} {points(g['score'])}" for g in groups.values())
        return md_escape(f"其中：{inner}。")
    return ""


# --- table 7: grades (E.7) -------------------------------------------------------------------

def lettered(lines: Sequence[str]) -> list[str]:
    return [md_escape(f"{LETTERS[n]}) {text}") for n, text in enumerate(lines)]


def grade_table(grades: Sequence[Grade], awarded: str | None, caption: str,
                verdict: bool = True) -> str:
    columns = [Column("等级", 4, "center"), Column("分值区分", 5, "center"),
               Column("过程类测评说明", 20), Column("结果类测评说明", 20)]
    if verdict:
        columns.append(Column("评审结果", 5, "center"))
    rows = []
    for g in sorted(grades, key=lambda g: g.min, reverse=True):
        row = [Cell.of(md_escape(g.name)), Cell.of(md_escape(g.band)),
               Cell.of(*lettered(g.process)), Cell.of(*lettered(g.result))]
        if verdict:
            row.append(Cell.of("**符合**" if g.name == awarded else ""))
        rows.append(row)
    return grid_table(columns, rows, caption=caption)


def band_table(grades: Sequence[Grade], caption: str) -> str:
    """Bands only (for comparison beside a framework without grades): no verdict."""
    rows = [[Cell.of(md_escape(g.name)), Cell.of(md_escape(g.band))]
            for g in sorted(grades, key=lambda g: g.min, reverse=True)]
    return grid_table([Column("等级", 6, "center"), Column("分值区分", 8, "center")], rows,
                      caption=caption, line_width=80)


# --- the verdict and its wording -------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """What 三 to 六 say. ``kind``: graded | lowest | ungraded | incomplete."""

    kind: str
    total: str
    grade: str | None
    pass_grade: str | None = None       # the lowest grade that is not 'improve' (合格)
    comparison_label: str = ""
    missing: list[str] = field(default_factory=list)


def verdict(results: dict[str, Any], fw: Framework) -> Verdict:
    a = results["assessment"]
    total = points(a["total"]).removesuffix("分")
    if not a.get("complete", True):
        return Verdict("incomplete", total, None, missing=[str(m) for m in a.get("missing", [])])
    if not results["framework"].get("has_grades"):
        label = fw.comparison_grades.label if fw.comparison_grades else ""
        return Verdict("ungraded", total, None, comparison_label=label)
    ordered = sorted(fw.grades, key=lambda g: g.min)
    grade = a.get("grade")
    pass_grade = ordered[1].name if len(ordered) > 1 else None
    kind = "lowest" if ordered and grade == ordered[0].name else "graded"
    return Verdict(kind, total, grade, pass_grade=pass_grade)


# --- the whole front part --------------------------------------------------------------------

def standard_citation(results: dict[str, Any]) -> str:
    cited = results["engagement"]["report"].get("standard")
    if cited:
        return str(cited)
    fw = results["framework"]
    return f"{fw['designation']}《{fw['name']}》"


def assessor_leader(results: dict[str, Any]) -> str:
    """The team leader who signs 五、: the assessor noted 组长, else the first preparer."""
    for member in results["engagement"]["team"]["assessors"]:
        if "组长" in (member.get("note") or "") or "组长" in (member.get("role") or ""):
            return str(member["name"])
    prepared = results["engagement"]["report"].get("prepared_by") or []
    return str(prepared[0]) if prepared else ""


def default_title(results: dict[str, Any]) -> str:
    report = results["engagement"]["report"]
    return report.get("title") or f"{report['assessee']}运营能力测评报告"


def background_text(results: dict[str, Any]) -> str:
    """测评背景: the engagement's own paragraph, else one made of its background facts."""
    bg = results["engagement"]["background"]
    if bg.get("description"):
        return str(bg["description"])
    period = bg.get("period") or results["period"]
    return (f"{bg['subject']}（{bg['organisation']}；行业：{bg['industry']}；"
            f"坐席 {bg['seats']} 个；业务类型：{'、'.join(bg.get('business_types') or [])}）按照"
            f"{standard_citation(results)}申请运营能力测评，测评数据期间为 {period['start']} 至 "
            f"{period['end']}。")


def process_steps(results: dict[str, Any]) -> list[str]:
    """测评过程: one line per step, with its dates and what it delivered."""
    out = []
    for step in results["engagement"].get("process") or []:
        text = str(step["name"])
        if step.get("start") or step.get("end"):
            dates = " 至 ".join(str(d) for d in (step.get("start"), step.get("end")) if d)
            text += f"（{dates}）"
        if step.get("deliverable"):
            text += f"：{step['deliverable']}"
        out.append(text + "。")
    return out


def front_context(results: dict[str, Any]) -> dict[str, Any]:
    """Everything the template needs for cover to 六、, as plain values and Markdown tables."""
    fw = framework_for(results)
    s = structure(results)
    eng = results["engagement"]
    report = eng["report"]
    t1, t2 = team_tables(results)
    t3, t4 = handover_tables(results, s)
    v = verdict(results, fw)
    a = results["assessment"]
    if results["framework"].get("has_grades"):
        t7 = grade_table(fw.grades, a.get("grade"), "表 7 测评等级评定")
        comparison = ""
    else:
        t7 = ""
        comparison = ""
        if fw.comparison_grades is not None:
            other = load_framework(fw.comparison_grades.framework)
            comparison = band_table(other.grades, f"表 7 {fw.comparison_grades.label}")
    recon = results.get("reconciliation_summary") or {}
    prepared_by = "、".join(report.get("prepared_by") or [])
    cover = [("委托单位", report["commissioned_by"]), ("受评机构", report["assessee"]),
             ("项目名称", report["project"]), ("测评机构", report["assessor_org"]),
             ("编　　制", prepared_by), ("审　　批", report.get("approved_by", "")),
             ("编制日期", report["date"])]
    if report.get("prepared_unit"):
        cover.append(("编制单位", report["prepared_unit"]))
    return {
        "title": default_title(results),
        "cover": cover,
        "report": report,
        "contacts": eng.get("contacts") or {},
        "background": background_text(results),
        "process": process_steps(results),
        "tools": eng.get("tools") or "",
        "key_points": eng.get("key_points") or [],
        "opinion": eng.get("opinion") or "",
        "standard": standard_citation(results),
        "framework": results["framework"],
        "levels": results["framework"]["levels"],
        "n_groups": len(s.groups),
        "n_items": len(s.items),
        "has_categories": bool(s.categories),
        "points_at": s.points_at,
        "custom_weights": bool(a.get("custom_weights")),
        "scale": [(lvl.value, lvl.label) for lvl in fw.scale.levels],
        "indicator_requirement": fw.scoring.indicator_requirement,
        "threshold": fw.scoring.attainment_threshold if fw.scoring.indicator_requirement
        else None,
        "tables": {"t1": t1, "t2": t2, "t3": t3, "t4": t4,
                   "t5": requirements_table(results, s), "t6": score_table(results, s),
                   "t7": t7, "comparison": comparison},
        "subtotals": subtotals_sentence(results, s),
        "verdict": v,
        "leader": assessor_leader(results),
        "reconciliation": recon,
        "total_points": points(a.get("total_points")),
        "total_value": dec(a["total"]),
    }
