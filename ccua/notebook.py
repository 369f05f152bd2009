"""What the notebooks show: Markdown tables and prose, and charts, from ``results.json``.

The notebooks papermill executes per client (``notebooks/engagement.ipynb``, ``domain.ipynb``
once per chapter, ``scorecard.ipynb``) hold a parameters cell and one-line calls into this
module; everything they present is built here, by pure functions from the results dict to
Markdown text (``*_md``), and shown by thin ``show_*`` wrappers.

The output contract with the report, which stitches the executed notebooks into HTML (pandoc
or Quarto) and PDF (pandoc → Typst):

- tables and prose are one ``text/markdown`` output each (the same text as ``text/plain``, so
  that a plain-text view reads as well), with pipe tables whose cells escape ``|`` and every
  other character Markdown or pandoc would interpret; table captions use pandoc's
  ``Table:`` line; headings inside a notebook start at ``##`` (the chapter heading is the
  report's);
- each chart is one display output whose bundle carries the Vega-Lite 5 spec
  (``application/vnd.vegalite.v5+json``, interactive in HTML), its SVG rendered by vl-convert
  with the bundled CJK font (``image/svg+xml``, for the PDF) and a one-line description
  (``text/plain``);
- outputs are deterministic: no timestamps, no random ids, stable ordering.

Only the chart functions import Altair, so the engagement notebook starts without it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ccua._num import round_half_up, to_fraction
from ccua.errors import CcuaError

# ---------------------------------------------------------------- labels

ITEM_SOURCE = {"requirements": "逐条评分", "override": "测评方直接给定得分率",
               "rating": "整体评分", "na": "不适用", "unrated": "未评分"}
REQUIREMENT_SOURCE = {"assessor": "测评方评分", "subpoints": "子项平均",
                      "indicators": "关键指标达标率", "override": "测评方改定",
                      "na": "不适用", "unrated": "未评分", "item": "整体评定"}
TREND = {"improving": "改善", "worsening": "变差", "stable": "平稳", "n/a": "—"}
RECONCILIATION = {"ok": "一致", "mismatch": "不一致", "unverifiable": "无法复核"}
KEY_POINT_STATUS = {"open": "待解决", "confirmed": "已确认", "resolved": "已解决"}
UNIT = {"percent": "%", "seconds": "秒", "minutes": "分钟", "hours": "小时", "count": "个",
        "currency": "元"}
VALUE_SUFFIX = {"percent": "%", "seconds": "秒", "minutes": "分钟", "hours": "小时",
                "currency": "元"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ---------------------------------------------------------------- loading

def load_results(path: str | Path = "results.json") -> dict[str, Any]:
    """Read ``results.json`` and check that this version of ccua can present it."""
    from ccua.results import SCHEMA, SCHEMA_VERSION

    p = Path(path)
    if not p.is_file():
        raise CcuaError(f"no results file at {p}", file=str(p),
                        hint="run `ccua run params/CLIENT.yaml` (the runner writes it beside "
                             "the executed notebooks)")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CcuaError(f"not a valid results file: {exc}", file=str(p)) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise CcuaError(f"not a ccua results file (schema must be {SCHEMA!r})", file=str(p))
    if data.get("schema_version") != SCHEMA_VERSION:
        raise CcuaError(f"results schema version {data.get('schema_version')!r}, this ccua "
                        f"presents version {SCHEMA_VERSION}", file=str(p),
                        hint="re-run `ccua run` with this version of ccua")
    return data


# ---------------------------------------------------------------- Markdown primitives

class Md(str):
    """Markdown that is already escaped (or deliberately formatted): used as is in tables."""


_ESCAPED = set("\\`*_{}[]<>|$~^@#&")


def md_escape(text: object) -> str:
    """Text as literal Markdown: every character Markdown or pandoc could read as syntax is
    backslash-escaped (CommonMark and pandoc both accept these escapes), and line breaks
    become spaces so that a value never breaks a table row."""
    if text is None:
        return ""
    out = []
    for ch in " ".join(str(text).splitlines()):
        out.append("\\" + ch if ch in _ESCAPED else ch)
    return "".join(out)


_LIST_START = re.compile(r"^(\d+)([.)])")


def md_paragraph(text: object) -> str:
    """Like :func:`md_escape`, and a paragraph that starts like a list item stays prose."""
    body = md_escape(text).strip()
    if body[:1] in ("-", "+"):
        return "\\" + body
    return _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", body, count=1)


def _cell(value: object) -> str:
    if isinstance(value, Md):
        return " ".join(str(value).splitlines())
    text = md_escape(value)
    return text if text.strip() else " "


def md_table(header: Sequence[object], rows: Iterable[Sequence[object]], *,
             caption: str | None = None, widths: Sequence[int] | None = None,
             align: str | None = None) -> str:
    """A pipe table. ``widths`` are relative column widths (pandoc reads them from the dashes
    of the separator line when a row is long); ``align`` is one letter per column (l, r, c).
    The ``Table:`` caption line follows the table."""
    n = len(header)
    widths = list(widths) if widths else [3] * n
    align = align or "l" * n
    seps = []
    for w, a in zip(widths, align, strict=True):
        dashes = "-" * max(3, w)
        seps.append(dashes[:-1] + ":" if a == "r" else ":" + dashes[1:-1] + ":" if a == "c"
                    else dashes)
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join(seps) + "|"]
    for row in rows:
        cells = list(row)
        if len(cells) != n:
            raise ValueError(f"table row has {len(cells)} cells, header has {n}")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    table = "\n".join(lines)
    if caption:
        # After the table: pandoc gives a caption line to the table just before it when there
        # is one, so a caption written first would caption an uncaptioned table above it.
        table = f"{table}\n\nTable: {md_escape(caption)}"
    return table


def md_list(lines: Iterable[object]) -> str:
    return "\n".join(f"- {md_escape(line)}" for line in lines)


def join_blocks(*blocks: str | None) -> str:
    return "\n\n".join(b for b in blocks if b)


# ---------------------------------------------------------------- number formatting

def num(value: float | int | None, places: int = 2) -> str:
    """A JSON number as printed: half-up (GUIDE §3.4), ``—`` for none."""
    if value is None:
        return "—"
    return f"{round_half_up(to_fraction(value), places):.{places}f}"


def points_text(value: float | int | None) -> str:
    return "—" if value is None else num(value) + "分"


def percent_text(value: float | int | None) -> str:
    return "—" if value is None else num(value) + "%"


def rating_text(value: float | int | None) -> str:
    """Whole ratings as integers (4), means with two decimals (3.50, 2.86)."""
    if value is None:
        return "—"
    exact = to_fraction(value)
    return str(exact.numerator) if exact.denominator == 1 else num(value)


def value_text(value: float | int | None, unit: str | None) -> str:
    return "—" if value is None else num(value) + VALUE_SUFFIX.get(unit or "", "")


def scale_label(results: Mapping[str, Any], rating: float | int | None) -> str:
    """The scale's label for a rating; a mean between two levels names both (A～B)."""
    if rating is None:
        return "—"
    labels = {lv["value"]: lv["label"] for lv in results["framework"]["scale"]["levels"]}
    exact = to_fraction(rating)
    lo, hi = math.floor(exact), math.ceil(exact)
    if lo == hi:
        return labels.get(lo, "—")
    return f"{labels.get(lo, lo)}～{labels.get(hi, hi)}"


# ---------------------------------------------------------------- lookups

def level(results: Mapping[str, Any], name: str) -> str:
    """The framework's Chinese name of a level: 能力域 / 评审范围, 能力项 / 评审细项 …"""
    return str(results["framework"]["levels"][name]["zh"])


def points_on_items(results: Mapping[str, Any]) -> bool:
    return results["framework"]["points_at"] == "item"


def item_of(results: Mapping[str, Any], code: str) -> dict[str, Any]:
    for item in results["assessment"]["items"]:
        if item["code"] == code:
            return dict(item)
    raise CcuaError(f"no item {code!r} in the results")


def group_of(results: Mapping[str, Any], code: str) -> dict[str, Any]:
    for group in results["assessment"]["groups"]:
        if group["code"] == code:
            return dict(group)
    raise CcuaError(f"no {level(results, 'group')} {code!r} in the results")


def category_names(results: Mapping[str, Any]) -> dict[str, str]:
    return {c["code"]: c["name"] for c in results["assessment"].get("categories") or []}


def chapter_of(results: Mapping[str, Any], chapter: str) -> dict[str, Any]:
    for ch in results["chapters"]:
        if ch["id"] == chapter:
            return dict(ch)
    known = ", ".join(ch["id"] for ch in results["chapters"])
    raise CcuaError(f"chapter must be one of {known}, got {chapter!r}", field="chapter")


def indicators_of(results: Mapping[str, Any], item: str) -> list[dict[str, Any]]:
    """An item's indicators, in the order of table A.1."""
    return [ind for ind in results["indicators"] if ind.get("item") == item]


def _tree_rows(results: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(category name, group label, item) in framework order, the category and group given
    only on their first row, as the merged cells of tables E.3-E.6 read."""
    cats = category_names(results)
    rows = []
    last_cat = last_group = None
    for item in results["assessment"]["items"]:
        group = group_of(results, item["group"])
        cat = cats.get(group.get("category") or "", "")
        rows.append((cat if cat != last_cat else "",
                     group["name"] if item["group"] != last_group else "", item))
        last_cat, last_group = cat, item["group"]
    return rows


# ---------------------------------------------------------------- engagement (steps 1-3)

def overview_md(results: Mapping[str, Any]) -> str:
    """概况: the project background (7.2 a), the period of the data, the standard, the tools."""
    eng = results["engagement"]
    bg = eng["background"]
    fw = results["framework"]
    months = results["period"]["months"]
    facts = [
        ("受评主体", bg["subject"]),
        ("组织背景", bg["organisation"]),
        ("行业背景", bg["industry"]),
        ("坐席数", f"{bg['seats']}席"),
        ("业务类型", "、".join(bg["business_types"])),
        ("测评数据期间", f"{results['period']['start']} 至 {results['period']['end']}"
                   f"（{len(months)}个月）"),
        ("测评依据", f"{fw['designation']}《{fw['name']}》（ccua 数据版本 {fw['version']}）"),
    ]
    parts = ["## 概况"]
    if bg.get("description"):
        parts.append("**测评背景**：" + md_escape(bg["description"]))
    parts.append(md_table(["项目", "内容"], facts, caption="测评项目概况", widths=[8, 40]))
    if eng.get("tools"):
        parts.append("**测评工具**：" + md_escape(eng["tools"]))
    return join_blocks(*parts)


def process_md(results: Mapping[str, Any]) -> str:
    """测评过程: the steps of §7.3 as the engagement planned and ran them."""
    steps = results["engagement"].get("process") or []
    if not steps:
        return join_blocks("## 测评过程", "未记录测评过程。")
    rows = [(n, s["name"], s.get("start") or "—", s.get("end") or "—", s.get("deliverable") or "—")
            for n, s in enumerate(steps, 1)]
    return join_blocks("## 测评过程", md_table(
        ["序号", "阶段", "开始日期", "结束日期", "交付物"], rows, caption="测评工作流程与时间节点",
        widths=[4, 14, 10, 10, 24], align="cllll"))


def team_md(results: Mapping[str, Any]) -> str:
    """测评小组人员: both team lists (tables E.1 and E.2)."""
    team = results["engagement"]["team"]
    assessors = [(n, m["name"], m.get("phone", ""), m.get("email", ""), m.get("role", ""),
                  m.get("note", "")) for n, m in enumerate(team["assessors"], 1)]
    assessee = [(n, m["name"], m.get("phone", ""), m.get("email", ""), m.get("department", ""),
                 m.get("position", ""), m.get("role", ""), m.get("note", ""))
                for n, m in enumerate(team["assessee"], 1)]
    return join_blocks(
        "## 测评小组人员",
        md_table(["序号", "姓名", "电话", "电子邮件", "测评小组职责", "备注"], assessors,
                 caption="测评小组测评方成员名单（格式见表E.1）", widths=[4, 8, 12, 18, 16, 8],
                 align="clllll"),
        md_table(["序号", "姓名", "电话", "电子邮件", "所属部门", "岗位名称", "测评小组职责",
                  "备注"], assessee, caption="测评小组受评方成员名单（格式见表E.2）",
                 widths=[4, 8, 12, 18, 10, 10, 14, 6], align="c" + "l" * 7))


def _tree_header(results: Mapping[str, Any]) -> list[str]:
    head = ["类别"] if category_names(results) else []
    return [*head, level(results, "group"), level(results, "item")]


def _tree_cells(results: Mapping[str, Any], cat: str, group: str, item: Mapping[str, Any]
                ) -> list[object]:
    head: list[object] = [cat] if category_names(results) else []
    return [*head, group, f"{item['name']}（{item['code']}）"]


def handover_md(results: Mapping[str, Any]) -> str:
    """测评范围: the hand-over sheet (table E.3), one row per item."""
    handover = results["engagement"].get("handover") or {}
    rows = []
    for cat, group, item in _tree_rows(results):
        h = handover.get(item["code"]) or {}
        rows.append([*_tree_cells(results, cat, group, item), h.get("nature", "—"),
                     h.get("copies", "—"), h.get("pages", "—"), h.get("note", "")])
    head = _tree_header(results)
    return join_blocks(
        "## 测评范围",
        md_table([*head, "文档性质", "份数", "页数", "备注"], rows,
                 caption="资料交接确认单（格式见表E.3）",
                 widths=[6] * (len(head) - 1) + [14, 6, 4, 4, 16],
                 align="l" * len(head) + "lrrl"))


def feedback_md(results: Mapping[str, Any]) -> str:
    """测评资料反馈: the feedback sheet (table E.4) with 完整度 and 测评粒度 per item."""
    handover = results["engagement"].get("handover") or {}
    rows, gaps = [], []
    for cat, group, item in _tree_rows(results):
        h = handover.get(item["code"]) or {}
        rows.append([*_tree_cells(results, cat, group, item), h.get("nature", "—"),
                     h.get("copies", "—"), h.get("pages", "—"), h.get("completeness") or "—",
                     h.get("granularity") or "—", h.get("feedback", "")])
        if h.get("completeness") == "不完整" or h.get("granularity") == "不符合":
            gaps.append(f"{item['name']}（{item['code']}）")
    head = _tree_header(results)
    summary = (f"资料不完整或测评粒度不符合的{level(results, 'item')}共 {len(gaps)} 项："
               + "、".join(gaps) + "。" if gaps else
               f"各{level(results, 'item')}资料均完整，测评粒度均符合。")
    return join_blocks(
        "## 测评资料反馈", md_paragraph(summary),
        md_table([*head, "文档性质", "份数", "页数", "完整度", "测评粒度", "备注"], rows,
                 caption="测评资料反馈表（格式见表E.4）",
                 widths=[6] * (len(head) - 1) + [14, 6, 4, 4, 6, 6, 16],
                 align="l" * len(head) + "lrrccl"))


def key_points_md(results: Mapping[str, Any]) -> str:
    """测评关键点问题 (7.3.4 a)) raised with the assessee, and their responses."""
    points = results["engagement"].get("key_points") or []
    if not points:
        return join_blocks("## 测评关键点问题", "测评过程中未提出关键点问题。")
    rows = []
    for n, kp in enumerate(points, 1):
        item = ""
        if kp.get("item"):
            item = f"{item_of(results, kp['item'])['name']}（{kp['item']}）"
        rows.append((n, kp["topic"], item or "—", kp["issue"], kp.get("response") or "—",
                     KEY_POINT_STATUS.get(kp.get("status", ""), kp.get("status", ""))))
    return join_blocks("## 测评关键点问题", md_table(
        ["序号", "类别", level(results, "item"), "问题", "受评方反馈", "状态"], rows,
        caption="测评关键点问题", widths=[4, 6, 10, 30, 24, 6], align="clllll"))


def reconciliation_md(results: Mapping[str, Any]) -> str:
    """数据真实性核对: the centre's own reported values against the recomputed ones."""
    summary = results.get("reconciliation_summary") or {}
    if not summary.get("checked"):
        return join_blocks("## 数据真实性核对", "受评方未提供可供复核的报告值。")
    text = (f"对受评方运营报告中的 {summary['checked']} 个指标值，按附录A公式以运营数据复核计算："
            f"一致 {summary['ok']} 项，不一致 {summary['mismatch']} 项，"
            f"无法复核 {summary['unverifiable']} 项。")
    rows = []
    for ind in results["indicators"]:
        for c in ind.get("reconciliation") or []:
            rows.append((ind["code"], ind["name"], c.get("month") or "全期",
                         value_text(c.get("claimed"), ind.get("unit")),
                         value_text(c.get("recomputed"), ind.get("unit")),
                         RECONCILIATION.get(c["status"], c["status"]), c.get("document") or "—"))
    return join_blocks("## 数据真实性核对", md_paragraph(text), md_table(
        ["指标", "名称", "期间", "报告值", "复核值", "结果", "来源"], rows,
        caption="受评方报告值复核", widths=[6, 14, 6, 8, 8, 6, 20], align="lllrrcl"))


# ---------------------------------------------------------------- domain chapters

def chapter_summary_md(results: Mapping[str, Any], chapter: str) -> str:
    """One sentence per group of the chapter: its items, points, score."""
    ch = chapter_of(results, chapter)
    cats = category_names(results)
    lines = []
    for code in ch["groups"]:
        g = group_of(results, code)
        n_items = sum(1 for i in results["assessment"]["items"] if i["group"] == code)
        cat = f"（{cats[g['category']]}）" if g.get("category") in cats else ""
        rating = (f"，平均评分 {num(g['mean_rating'])}" if g.get("mean_rating") is not None
                  else "")
        lines.append(f"{level(results, 'group')} {g['code']} {g['name']}{cat}：{n_items} 个"
                     f"{level(results, 'item')}，分值 {points_text(g['points'])}{rating}，"
                     f"计分 {points_text(g['score'])}，得分率 {percent_text(g.get('percent'))}。")
    return "\n\n".join(md_paragraph(line) for line in lines)


def _item_summary(results: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    source = ITEM_SOURCE.get(item["source"], item["source"])
    if points_on_items(results):
        points = points_text(item["points"])
        if item.get("standard_points") is not None:
            points += f"（标准分值 {points_text(item['standard_points'])}，定制权重）"
        table = md_table(["分值", "得分率", "平均评分", "计分", "计分占比", "评分方式"],
                         [(points, percent_text(item["percent"]), rating_text(item["mean_rating"]),
                           points_text(item["score"]), percent_text(item.get("share")), source)],
                         widths=[8, 8, 8, 8, 8, 12], align="rrrrrl")
    else:
        table = md_table(["平均评分", "评分含义", "得分率", "评分方式"],
                         [(rating_text(item["mean_rating"]),
                           scale_label(results, item["mean_rating"]),
                           percent_text(item["percent"]), source)],
                         widths=[8, 16, 8, 12], align="rlrl")
    notes = []
    if item["source"] == "override":
        notes.append(f"本{level(results, 'item')}的得分率由测评方直接给定"
                     + (f"：{item['note']}" if item.get("note") else "。"))
    elif item["source"] == "rating":
        notes.append(f"本{level(results, 'item')}整体评分 {rating_text(item['mean_rating'])}"
                     f"（{scale_label(results, item['mean_rating'])}）"
                     + (f"：{item['note']}" if item.get("note") else "。"))
    elif item["source"] == "na":
        notes.append(f"本{level(results, 'item')}不适用" + (f"：{item['note']}"
                                                         if item.get("note") else "。"))
    elif item.get("note"):
        notes.append(f"总体说明：{item['note']}")
    return join_blocks(table, *(md_paragraph(n) for n in notes))


def _notes(*parts: tuple[str, str | None]) -> str:
    return "；".join(f"{label}：{text}" for label, text in parts if text)


def requirements_md(results: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """The item's requirements, verbatim, with their ratings, scale labels and sources."""
    reqs = item.get("requirements") or []
    if not reqs:
        return ""
    weighted = any(r.get("weight") not in (None, 1, 1.0) for r in reqs)
    header = ["要求", "内容", "评分", "评分含义", "评分依据", "备注与证据"]
    if weighted:
        header.insert(4, "权重")
    rows: list[list[object]] = []
    for r in reqs:
        source = REQUIREMENT_SOURCE.get(r["source"], r["source"])
        if r["source"] == "subpoints":
            rated = [s for s in r.get("subpoints", []) if s.get("rating") is not None]
            source += f"（{len(rated)} 项）"
        att = r.get("attainment")
        if r["source"] == "indicators" and att:
            source += f"：{att['met']}/{att['evaluable']}（{percent_text(_share(att))}）"
        rating = "不适用" if r["source"] == "na" else rating_text(r.get("rating"))
        row: list[object] = [f"{r['code']})", r["text"], rating, scale_label(results,
                                                                             r.get("rating")),
                             source, _notes(("备注", r.get("note")), ("证据", r.get("evidence")))]
        if weighted:
            row.insert(4, num(r["weight"]) if r.get("weight") is not None else "—")
        rows.append(row)
        for s in r.get("subpoints") or []:
            srating = "不适用" if s.get("na") else rating_text(s.get("rating"))
            ssource = ("不适用" if s.get("na") else "测评方评分" if s.get("rating") is not None
                       else REQUIREMENT_SOURCE.get(r["source"], "—"))
            srow: list[object] = [f"{r['code']}) {s['code']})", s["text"], srating,
                                  scale_label(results, s.get("rating")), ssource,
                                  _notes(("备注", s.get("note")))]
            if weighted:
                srow.insert(4, "")
            rows.append(srow)
    widths = [5, 40, 5, 12, 10, 18]
    align = "llrlll"
    if weighted:
        widths.insert(4, 4)
        align = "llrlrll"
    return md_table(header, rows, caption=f"{item['code']} {item['name']}：要求评分",
                    widths=widths, align=align)


def _share(att: Mapping[str, Any]) -> float | None:
    share = att.get("share")
    return None if share is None else share * 100


def _trend_text(ind: Mapping[str, Any]) -> str:
    trend = ind.get("trend") or {}
    text = TREND.get(trend.get("label", "n/a"), "—")
    run = trend.get("improving_run") or 0
    if text != "—" and run >= 2:
        text += f"（末 {run} 个月连续向好）"
    return text


def _reconciliation_text(ind: Mapping[str, Any]) -> str:
    parts = []
    for c in ind.get("reconciliation") or []:
        when = c.get("month") or "全期"
        status = RECONCILIATION.get(c["status"], c["status"])
        if c["status"] == "unverifiable":
            parts.append(f"{status}（{when}）")
        else:
            parts.append(f"{status}（{when}：报告 {value_text(c['claimed'], ind.get('unit'))}，"
                         f"复核 {value_text(c['recomputed'], ind.get('unit'))}）")
    return "；".join(parts) or "—"


def _target_text(ind: Mapping[str, Any]) -> str:
    target = ind.get("target")
    if not target:
        return "未设目标"
    return target["text"] + ("（默认）" if target.get("source") == "default" else "")


def indicators_md(results: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """The item's indicators: documentary checks; period values against targets with trend
    and reconciliation; monthly values; and the notes a reader needs to read them."""
    inds = indicators_of(results, item["code"])
    if not inds:
        return ""
    blocks = []
    documentary = [i for i in inds if i.get("kind") == "documentary"]
    computed = [i for i in inds if i.get("kind") != "documentary"]
    if documentary:
        checks: list[Sequence[object]] = []
        for ind in documentary:
            check = ind.get("check")
            result = "未核查" if not check else "满足" if check.get("met") else "未满足"
            checks.append((ind["code"], ind["name"], result,
                         _notes(("依据", (check or {}).get("note")),
                                ("证据", (check or {}).get("evidence"))) or "—"))
        blocks.append(md_table(["指标", "名称", "核查结果", "核查说明"], checks,
                               caption=f"{item['code']} {item['name']}：文档类指标核查",
                               widths=[6, 14, 6, 40], align="llcl"))
    if computed:
        periods: list[Sequence[object]] = []
        for ind in computed:
            met = ind.get("met")
            periods.append((ind["code"], ind["name"], UNIT.get(ind.get("unit") or "", "—"),
                         num(ind.get("value")), _target_text(ind),
                         "—" if met is None else "是" if met else "否", _trend_text(ind),
                         _reconciliation_text(ind)))
        blocks.append(md_table(
            ["指标", "名称", "单位", "期间值", "目标", "达标", "趋势", "数据核对"], periods,
            caption=f"{item['code']} {item['name']}：关键指标期间值与目标",
            widths=[6, 14, 4, 8, 10, 4, 12, 20], align="llcrlcll"))
        months = results["period"]["months"]
        labels = month_labels(months)
        with_months = [i for i in computed if i.get("monthly")]
        if with_months:
            monthly: list[Sequence[object]] = []
            for ind in with_months:
                by_month = {m["month"]: m["value"] for m in ind["monthly"]}
                name = (f"{ind['name']}（{UNIT[ind['unit']]}）" if ind.get("unit") in UNIT
                        else ind["name"])
                monthly.append([ind["code"], name, *(num(by_month.get(m)) for m in months)])
            blocks.append(md_table(
                ["指标", "名称", *(labels[m] for m in months)], monthly,
                caption=f"{item['code']} {item['name']}：关键指标月度值",
                widths=[6, 16, *([6] * len(months))], align="ll" + "r" * len(months)))
        blocks.append(_indicator_notes(computed))
    return join_blocks(*blocks)


def _indicator_notes(computed: Sequence[Mapping[str, Any]]) -> str:
    notes = []
    defaults: dict[str, list[str]] = {}
    for ind in computed:
        target = ind.get("target") or {}
        if target.get("source") == "default":
            defaults.setdefault(target.get("basis") or "未注明", []).append(ind["code"])
    for basis, codes in defaults.items():
        notes.append(f"默认目标（受评方未设目标）{'、'.join(codes)}：{basis}。")
    period_only = [i["code"] for i in computed
                   if i.get("target") and i.get("monthly") and not i.get("months_comparable")]
    if period_only:
        notes.append(f"{'、'.join(period_only)} 的目标按全期值考核（半年合计或以期初存量为基数），"
                     "月度值不与目标比较，月度趋势图中不画目标线。")
    for ind in computed:
        if ind.get("missing_months") and ind.get("value") is not None:
            notes.append(f"{ind['code']} 缺少月度数据：{'、'.join(ind['missing_months'])}。")
    no_data = [i["code"] for i in computed if i.get("value") is None]
    if no_data:
        notes.append(f"无运营数据、未计算：{'、'.join(no_data)}。")
    return md_list(notes) if notes else ""


def month_labels(months: Sequence[str]) -> dict[str, str]:
    """``2026-01`` → ``1月`` when the period lies in one year, else the month as written."""
    years = {m[:4] for m in months}
    if len(years) == 1:
        return {m: f"{int(m[5:7])}月" for m in months}
    return {m: m for m in months}


def item_md(results: Mapping[str, Any], code: str) -> str:
    """Everything about one item before its charts: heading, score, requirements, indicators,
    and the evidence the framework's rules and thresholds give its requirements."""
    item = item_of(results, code)
    return join_blocks(f"## {md_escape(item['code'])} {md_escape(item['name'])}",
                       _item_summary(results, item), requirements_md(results, item),
                       indicators_md(results, item), evidence_md(results, item))


def findings_md(results: Mapping[str, Any], code: str) -> str:
    findings = (results.get("findings") or {}).get(code) or []
    item = item_of(results, code)
    body = md_list(findings) if findings else "未发现需要关注的问题。"
    return join_blocks(f"**{md_escape(item['code'])} {md_escape(item['name'])}：主要发现**",
                       body)


# ---------------------------------------------------------------- scorecard

def _item_remarks(results: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """备注 of the score table: override, custom weight, requirements not applicable."""
    remarks = []
    if item["source"] == "override":
        remarks.append("得分率由测评方直接给定" + (f"：{item['note']}" if item.get("note") else ""))
    elif item["source"] == "rating":
        remarks.append("整体评分" + (f"：{item['note']}" if item.get("note") else ""))
    elif item["source"] in ("na", "unrated"):
        remarks.append(ITEM_SOURCE[item["source"]] + (f"：{item['note']}" if item.get("note")
                                                      else ""))
    if item.get("standard_points") is not None:
        remarks.append(f"定制权重（标准分值 {points_text(item['standard_points'])}）")
    for r in item.get("requirements") or []:
        if r["source"] == "na":
            remarks.append(f"要求 {r['code']}) 不适用"
                           + (f"：{r['note']}" if r.get("note") else ""))
        for s in r.get("subpoints") or []:
            if s.get("na"):
                remarks.append(f"要求 {r['code']}) {s['code']}) 不适用"
                               + (f"：{s['note']}" if s.get("note") else ""))
    return "；".join(remarks)


def score_table_md(results: Mapping[str, Any]) -> str:
    """测评计分表 (table E.6), or for frameworks with points on groups, the group table and the
    item ratings."""
    a = results["assessment"]
    if points_on_items(results):
        head = _tree_header(results)
        rows = [[*_tree_cells(results, cat, group, item), points_text(item["points"]),
                 percent_text(item["points_share"]), points_text(item["score"]),
                 percent_text(item["share"]), _item_remarks(results, item)]
                for cat, group, item in _tree_rows(results)]
        blank = [""] * (len(head) - 1)
        rows.append([Md("**测评计分合计**"), *blank, points_text(a["total_points"]), "",
                     Md(f"**{md_escape(points_text(a['total']))}**"), "", ""])
        parts = [md_table([*head, "分值", "分值占比", "计分", "计分占比", "备注"], rows,
                          caption="测评计分表（格式见表E.6）",
                          widths=[6] * (len(head) - 1) + [14, 7, 7, 7, 7, 20],
                          align="l" * len(head) + "rrrrl")]
    else:
        group_rows = [[f"{g['code']} {g['name']}", points_text(g["points"]),
                       num(g.get("mean_rating")), percent_text(g.get("percent")),
                       points_text(g["score"])] for g in a["groups"]]
        group_rows.append([Md("**测评计分合计**"), points_text(a["total_points"]), "", "",
                           Md(f"**{md_escape(points_text(a['total']))}**")])
        item_rows = [[group, f"{item['code']} {item['name']}", rating_text(item["mean_rating"]),
                      scale_label(results, item["mean_rating"]), percent_text(item["percent"]),
                      _item_remarks(results, item)]
                     for _, group, item in _tree_rows(results)]
        parts = [
            md_table([level(results, "group"), "分值", "平均评分", "得分率", "计分"], group_rows,
                     caption=f"测评计分表（分值在{level(results, 'group')}）",
                     widths=[16, 8, 8, 8, 8], align="lrrrr"),
            md_table([level(results, "group"), level(results, "item"), "评分", "评分含义",
                      "得分率", "备注"], item_rows,
                     caption=f"各{level(results, 'item')}评分", widths=[10, 20, 5, 14, 7, 20],
                     align="llrlrl")]
    if a.get("custom_weights"):
        parts.append(md_paragraph("本次测评采用定制权重（可定制化原则），备注栏列出与标准分值不同的项。"))
    return join_blocks("## 测评计分表", *parts)


def subtotals_md(results: Mapping[str, Any]) -> str:
    """Subtotals per category and per domain (group)."""
    a = results["assessment"]
    cats = category_names(results)
    parts = ["## 分类与" + level(results, "group") + "小计"]
    if a.get("categories"):
        parts.append(md_table(["类别", "分值", "计分"],
                              [(c["name"], points_text(c["points"]), points_text(c["score"]))
                               for c in a["categories"]],
                              caption="类别小计", widths=[10, 8, 8], align="lrr"))
    head = [level(results, "group")] + (["类别"] if cats else []) + ["分值", "计分", "得分率"]
    rows = [[f"{g['code']} {g['name']}"] + ([cats.get(g.get("category") or "", "")]
                                            if cats else [])
            + [points_text(g["points"]), points_text(g["score"]), percent_text(g.get("percent"))]
            for g in a["groups"]]
    parts.append(md_table(head, rows, caption=f"{level(results, 'group')}小计",
                          widths=[16] + ([8] if cats else []) + [8, 8, 8],
                          align="l" + ("l" if cats else "") + "rrr"))
    return join_blocks(*parts)


def _lettered(lines: Sequence[str]) -> str:
    return " ".join(f"{LETTERS[n]}){line}" for n, line in enumerate(lines))


def grade_md(results: Mapping[str, Any]) -> str:
    """测评等级 (table E.7): the verdict and every grade's descriptions, the verdict marked."""
    a = results["assessment"]
    fw = results["framework"]
    parts = ["## 测评等级"]
    total = points_text(a["total"])
    if not fw.get("has_grades"):
        parts.append(md_paragraph(f"《{fw['name']}》未规定测评等级划分，本次测评仅报告测评计分合计："
                                  f"{total}。"))
        cmp = a.get("comparison_grade")
        if cmp:
            # Another framework's grade for the same total, labelled as a comparison only.
            parts.append(md_paragraph(f"{cmp['label']}：{cmp['name']}（{cmp['band']}）。"))
        return join_blocks(*parts)
    if not a.get("grade"):
        parts.append(md_paragraph(f"评分尚未完成，测评计分合计 {total} 为部分结果，"
                                  "不评定测评等级。"))
        missing = a.get("missing") or []
        if missing:
            parts.append(md_list(missing))
    else:
        detail = a["grade_detail"]
        parts.append(Md(f"测评计分合计 **{md_escape(total)}**，测评等级为 "
                        f"**{md_escape(detail['name'])}**（{md_escape(detail['band'])}）。"))
    rows = []
    for g in fw.get("grades") or []:
        verdict = g["name"] == a.get("grade")
        name: object = Md(f"**{md_escape(g['name'])}**（本次测评）") if verdict else g["name"]
        rows.append((name, g["band"], _lettered(g.get("process") or []),
                     _lettered(g.get("result") or [])))
    parts.append(md_table(["等级", "分值区分", "过程类测评说明", "结果类测评说明"], rows,
                          caption="测评等级划分（格式见表E.7）", widths=[8, 6, 40, 40],
                          align="llll"))
    return join_blocks(*parts)


# ---------------------------------------------------------------- framework-level evidence
# A framework may declare more than items: a KPI table of framework-level indicators, rules
# over the monthly series (rules.yaml), printed thresholds (thresholds.yaml). results.json
# carries what the run computed from them (``kpi_table``, ``rules``, ``thresholds``, each
# item's ``evidence``); a framework without them shows none of what follows.

RULE_STATUS = {"pass": "满足", "fail": "不满足", "not measurable": "不可衡量"}
THRESHOLD_STATUS = {"met": "满足", "not met": "不满足", "not measured": "未测量，由测评方核查"}
THRESHOLD_KIND = {"requirement": "要求", "guidance": "通常范围（仅供参考）",
                  "example": "定义中的示例（仅供参考）"}
OPERATOR = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜"}
THRESHOLD_UNIT = {"percent": "%", "seconds": "秒", "minutes": "分钟", "hours": "小时",
                  "days": "天", "months": "个月", "milliseconds": "毫秒", "count": "个",
                  "per day": "次/天", "per week": "次/周", "per month": "次/月",
                  "per quarter": "次/季度", "per year": "次/年", "hours per day": "小时/天"}


def _name_with_unit(name: str, unit: str | None) -> str:
    return f"{name}（{UNIT[unit]}）" if unit in UNIT else name


def _rule_results(results: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Indicator code → (rule, the rule's result for it), the first rule that covers it."""
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for rule in results.get("rules") or []:
        for kpi in rule["kpis"]:
            out.setdefault(kpi["code"], (rule, kpi))
    return out


def _plain(value: float | int) -> str:
    """A printed number as short as it is: 99.99, 3.8, 60."""
    text = f"{round_half_up(to_fraction(value), 4):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _threshold_unit(th: Mapping[str, Any]) -> str:
    return THRESHOLD_UNIT.get(th["unit"], f" {th['unit']}")


def threshold_text(th: Mapping[str, Any]) -> str:
    """A threshold's level as printed: ≥99.99%, 80～90%, ≤4秒, ≥1次/季度."""
    unit = _threshold_unit(th)
    if th["operator"] == "between":
        low, high = th["range"]
        return f"{_plain(low)}～{_plain(high)}{unit}"
    return f"{OPERATOR.get(th['operator'], th['operator'])}{_plain(th['value'])}{unit}"


def _measured_text(th: Mapping[str, Any]) -> str:
    measured = th.get("measured")
    return "—" if measured is None else num(measured) + _threshold_unit(th)


def _threshold_result(results: Mapping[str, Any], th: Mapping[str, Any]) -> str:
    if th.get("rule") and th["status"] == "not measured":
        rule = next((r for r in results.get("rules") or [] if r["rule"] == th["rule"]), None)
        if rule is not None:
            return f"由 §{rule['section']} 规则按月度数据判定（见上）"
    text = THRESHOLD_STATUS.get(th["status"], th["status"])
    if th["kind"] != "requirement" and th["status"] != "not measured":
        text += "（仅供参考）"
    return text


def kpi_table_md(results: Mapping[str, Any]) -> str:
    """The framework-level KPIs by the groups of the framework's KPI table (guideline: table
    A.1): the table's period columns, the period value, the target and whether it is met."""
    table = results.get("kpi_table")
    if not table or not table.get("groups"):
        return ""
    inds = {i["code"]: i for i in results["indicators"]}
    labels = month_labels(results["period"]["months"])
    columns = table.get("columns") or []
    heads = [f"{c['name']}（{labels.get(c['month'], c['month'])}）" if c.get("month")
             else c["name"] for c in columns]
    rows: list[list[object]] = []
    shown: list[dict[str, Any]] = []
    for group in table["groups"]:
        name = group["name"] or "表外指标"
        for n, kpi in enumerate(group["kpis"]):
            ind = inds.get(kpi["code"]) or {}
            shown.append(ind)
            met = ind.get("met")
            rows.append([name if n == 0 else "", kpi["code"],
                         _name_with_unit(kpi["name"], kpi.get("unit")),
                         *(num(v) for v in kpi["values"]), num(ind.get("value")),
                         _target_text(ind), "—" if met is None else "是" if met else "否"])
    title = table.get("title") or "框架级关键绩效指标"
    caption = f"{title}（{table['source']}）" if table.get("source") else title
    period = results["period"]
    intro = (f"框架级关键绩效指标不属于某个{level(results, 'item')}，按{title}的分组列出。"
             + (f"{'、'.join(c['name'] for c in columns)}依次取评估期最后 {len(columns)} 个月的"
                "月度值；" if columns else "")
             + f"期间值为整个评估期（{period['start']} 至 {period['end']}）的值，"
             "与目标比较得出“达标”。")
    return join_blocks(
        "## 框架级关键绩效指标", md_paragraph(intro),
        md_table(["分组", "指标", "名称", *heads, "期间值", "目标", "达标"], rows,
                 caption=caption, widths=[8, 5, 16, *([6] * len(heads)), 7, 10, 4],
                 align="lll" + "r" * (len(heads) + 1) + "lc"),
        _indicator_notes([i for i in shown if i]), reference_values_md(results))


def reference_values_md(results: Mapping[str, Any]) -> str:
    """Thresholds the framework prints for an indicator but no item (usual ranges, examples),
    with the period value: for reference only, never a target on their own."""
    rows = [(th["section"], th["text"], th["indicator"] or "—", threshold_text(th),
             _measured_text(th), THRESHOLD_KIND.get(th["kind"], th["kind"]),
             _threshold_result(results, th))
            for th in results.get("thresholds") or [] if th.get("item") is None]
    if not rows:
        return ""
    return md_table(["条款", "原文", "指标", "参考值", "期间值", "性质", "结果"], rows,
                    caption="标准所列的指标参考值", widths=[6, 30, 6, 8, 7, 12, 10],
                    align="lllrrll")


def _rule_reading(rule: Mapping[str, Any]) -> str:
    p = rule["parameters"]
    share = percent_text(p["required_share"] * 100).replace(".00%", "%")
    missing = {"not_met": "无数据的月份按未达标计", "excluded": "无数据的月份不计入"}.get(
        p["missing_months"], p["missing_months"])
    where = {"anywhere": "可位于评估期内任意位置", "latest": "须截至最近一个月"}.get(
        p["improvement_anchor"], p["improvement_anchor"])
    held = "保持已达标水平计为改进" if p["held_target_counts"] else "保持已达标水平不计为改进"
    return (f"判定口径：达标月份占评估期 {len(rule['months'])} 个月的比例不低于 {share}"
            f"（{missing}）；连续 {p['improvement_run']} 次逐月改进（{where}；{held}）。"
            "目标为受评方为各指标设定的目标值。")


def _rule_note(kpi: Mapping[str, Any]) -> str:
    if kpi["status"] == "not measurable":
        return "；".join(kpi["reasons"])
    notes = []
    missing = sum(1 for m in kpi.get("monthly") or [] if m.get("value") is None)
    if missing:
        notes.append(f"{missing}个月无数据")
    notes += list(kpi["reasons"][2:])
    return "；".join(notes)


def rule_table_md(results: Mapping[str, Any], rule: Mapping[str, Any],
                  statuses: Sequence[str] | None = None) -> str:
    """One row per indicator of a rule's scope (optionally only some statuses)."""
    inds = {i["code"]: i for i in results["indicators"]}
    rows = []
    for kpi in rule["kpis"]:
        if statuses is not None and kpi["status"] not in statuses:
            continue
        measured = kpi["status"] != "not measurable"
        rows.append((kpi["code"], _name_with_unit(kpi["name"], kpi.get("unit")),
                     _target_text(inds.get(kpi["code"]) or {}),
                     f"{kpi['months_met']}/{kpi['months_counted']}" if measured else "—",
                     percent_text(kpi["share_met"] * 100) if kpi.get("share_met") is not None
                     else "—", f"{kpi['longest_run']} 个月" if measured else "—",
                     RULE_STATUS.get(kpi["status"], kpi["status"]), _rule_note(kpi)))
    if not rows:
        return ""
    caption = f"§{rule['section']} 规则逐项结果" + ("" if statuses is None else "（未满足的指标）")
    return md_table(["指标", "名称", "目标", "达标月份", "达标比例", "最长连续改进", "结果",
                     "说明"], rows, caption=caption, widths=[5, 14, 9, 6, 7, 7, 6, 24],
                    align="lllrrrcl")


def rules_md(results: Mapping[str, Any]) -> str:
    """Every rule the framework declares, applied to the run's monthly values."""
    blocks = []
    for rule in results.get("rules") or []:
        item = item_of(results, rule["item"])
        blocks += [
            f"## §{md_escape(rule['section'])} 规则：{level(results, 'item')} "
            f"{md_escape(item['code'])} {md_escape(item['name'])} 的评定依据",
            md_paragraph(f"“{rule['text']}”"), md_paragraph(rule["summary"]),
            md_paragraph(_rule_reading(rule)), rule_table_md(results, rule)]
    return join_blocks(*blocks)


def evidence_md(results: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """The evidence an item's requirements get from the run: the framework's rules (their
    summary and the indicators that do not satisfy them) and its printed thresholds."""
    evidence = item.get("evidence") or []
    rules = {r["rule"]: r for r in results.get("rules") or []}
    thresholds = {t["id"]: t for t in results.get("thresholds") or []}
    blocks = []
    for e in evidence:
        if e["kind"] != "rule" or e["id"] not in rules:
            continue
        rule = rules[e["id"]]
        blocks += [
            Md(f"**要求 {md_escape(e['requirement'])}) 的评定依据：§{md_escape(e['section'])} "
               "规则**"),
            md_paragraph(e["summary"]), md_paragraph(_rule_reading(rule)),
            rule_table_md(results, rule, statuses=("fail", "not measurable")),
            md_paragraph("全部指标的逐项结果（达标月份、最长连续改进）见测评计分概览中的"
                         f"“§{rule['section']} 规则逐项结果”。")]
    rows = [(f"{t['requirement']})" if t.get("requirement") else "—", t["section"], t["text"],
             threshold_text(t), _measured_text(t), _threshold_result(results, t))
            for e in evidence if e["kind"] == "threshold" and e["id"] in thresholds
            for t in [thresholds[e["id"]]]]
    if rows:
        blocks.append(md_table(
            ["要求", "条款", "原文", "阈值", "测得值", "结果"], rows,
            caption=f"{item['code']} {item['name']}：可衡量要求（阈值）",
            widths=[5, 8, 34, 9, 7, 12], align="lllrrl"))
    return join_blocks(*blocks)



# ---------------------------------------------------------------- display

def show_markdown(text: str) -> None:
    """One Markdown output (also as text/plain: the same text reads as plain text)."""
    from IPython.display import display

    display({"text/markdown": text, "text/plain": text}, raw=True)


def chart_bundle(chart: Any) -> dict[str, Any]:
    """The display bundle of a chart: Vega-Lite 5 spec, its SVG, a one-line description."""
    from ccua import charts

    spec = charts.vega_lite_spec(chart)
    return {charts.VEGA_LITE_MIMETYPE: spec, "image/svg+xml": charts.to_svg(spec),
            "text/plain": charts.description_of(spec)}


def show_chart(chart: Any) -> None:
    if chart is None:
        return
    from IPython.display import display

    display(chart_bundle(chart), raw=True)


def show_overview(results: Mapping[str, Any]) -> None:
    show_markdown(overview_md(results))


def show_process(results: Mapping[str, Any]) -> None:
    show_markdown(process_md(results))


def show_team(results: Mapping[str, Any]) -> None:
    show_markdown(team_md(results))


def show_handover(results: Mapping[str, Any]) -> None:
    show_markdown(handover_md(results))


def show_feedback(results: Mapping[str, Any]) -> None:
    show_markdown(feedback_md(results))


def show_key_points(results: Mapping[str, Any]) -> None:
    show_markdown(key_points_md(results))


def show_reconciliation(results: Mapping[str, Any]) -> None:
    show_markdown(reconciliation_md(results))


def show_chapter_summary(results: Mapping[str, Any], chapter: str) -> None:
    from ccua import charts

    show_markdown(chapter_summary_md(results, chapter))
    show_chart(charts.item_scores_chart(results, chapter))


def show_items(results: Mapping[str, Any], chapter: str) -> None:
    """Each item of the chapter: tables, its two charts (where it has indicators), findings."""
    from ccua import charts

    for code in chapter_of(results, chapter)["items"]:
        show_markdown(item_md(results, code))
        show_chart(charts.indicator_targets_chart(results, code))
        show_chart(charts.monthly_trends_chart(results, code))
        show_markdown(findings_md(results, code))


def show_score_table(results: Mapping[str, Any]) -> None:
    show_markdown(score_table_md(results))


def show_subtotals(results: Mapping[str, Any]) -> None:
    show_markdown(subtotals_md(results))


def show_grade(results: Mapping[str, Any]) -> None:
    show_markdown(grade_md(results))


def show_framework_kpis(results: Mapping[str, Any]) -> None:
    """The framework-level KPI table and the rules over monthly values, where the framework
    declares them (each as its own output)."""
    for text in (kpi_table_md(results), rules_md(results)):
        if text:
            show_markdown(text)


def show_summary_charts(results: Mapping[str, Any]) -> None:
    from ccua import charts

    show_markdown("## 计分图")
    show_chart(charts.item_scores_chart(results))
    show_chart(charts.subtotals_chart(results))
