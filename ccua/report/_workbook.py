"""The Excel workbook of tables E.3 to E.7 that consultants circulate beside the report.

One sheet per table of Appendix E, Chinese headers as in the standard, one row per record
(no merged cells: a workbook is sorted and filtered), numbers as numbers with two decimals,
header rows frozen. Every value comes from results.json as it is; the 合计 row holds the total
the core computed (a SUM formula would have no cached value until Excel recalculates it).

The bytes are deterministic: openpyxl stamps the document properties and every zip entry with
the current time, so both are set to a date derived from results.json.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ccua.report._results import dec, fixed
from ccua.spec import Grade

NUMBER = "0.00"
PERCENT = '0.00"%"'          # results.json holds 2.00 for 2.00 %; the cell keeps that number
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")

# How a rating was reached (results.json "source"), in the words of the report.
SOURCES = {"assessor": "测评方评分", "subpoints": "子项平均", "indicators": "关键指标达标比例",
           "override": "测评组评定", "na": "不适用", "unrated": "未评分", "item": "整体评定",
           "requirements": "逐条评分", "rating": "整体评分"}

SHEETS = ("E.3 资料交接确认单", "E.4 测评资料反馈表", "E.5 测评要求计分表", "E.6 测评计分表",
          "E.7 测评等级划分")


def _num(value: Any) -> Decimal | None:
    return dec(value)


def _source(code: Any) -> str:
    return SOURCES.get(str(code), str(code or ""))


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[int], formats: dict[int, str] | None = None,
           caption: str = "") -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=len(header)):
        for cell in row:
            cell.border = BORDER
            if cell.row > 1:
                cell.alignment = WRAP
    for col, fmt in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if caption:
        ws.oddHeader.center.text = caption
    return ws


def _lead(results: dict[str, Any]) -> tuple[list[str], Any]:
    """Leading columns (类别, group, item) and a function giving their values for an item."""
    a = results["assessment"]
    levels = results["framework"]["levels"]
    cats = {c["code"]: c["name"] for c in a.get("categories") or []}
    groups = {g["code"]: g["name"] for g in a["groups"]}
    header = (["类别"] if cats else []) + [levels["group"]["zh"], "编号", levels["item"]["zh"]]

    def values(item: dict[str, Any]) -> list[Any]:
        lead = [cats.get(item.get("category") or "", "")] if cats else []
        return [*lead, groups.get(item["group"], item["group"]), item["code"], item["name"]]

    return header, values


def _handover_sheets(wb: Workbook, results: dict[str, Any], title: str) -> None:
    handover = results["engagement"].get("handover") or {}
    header, lead = _lead(results)
    n = len(header)
    rows3, rows4 = [], []
    for item in results["assessment"]["items"]:
        h = handover.get(item["code"]) or {}
        base = [*lead(item), h.get("nature", ""), h.get("copies"), h.get("pages")]
        rows3.append([*base, h.get("note", "")])
        rows4.append([*base, h.get("completeness") or "", h.get("granularity") or "",
                      h.get("feedback", "")])
    widths = [8] * (n - 2) + [7, 16, 10, 7, 7]
    _sheet(wb, SHEETS[0], [*header, "文档性质", "份数", "页数", "备注"], rows3,
           [*widths, 30], caption=f"表E.3 测评资料交接确认单 {title}")
    _sheet(wb, SHEETS[1], [*header, "文档性质", "份数", "页数", "完整度", "测评粒度", "备注"],
           rows4, [*widths, 9, 9, 36], caption=f"表E.4 测评资料反馈表 {title}")


def _requirement_sheet(wb: Workbook, results: dict[str, Any], title: str) -> None:
    header, lead = _lead(results)
    points_at_item = results["framework"]["points_at"] == "item"
    rows: list[list[Any]] = []
    for item in results["assessment"]["items"]:
        score = _num(item.get("score")) if points_at_item else None
        first = True
        reqs = item.get("requirements") or []
        if not reqs:
            rows.append([*lead(item), "", "（整体评分）", _num(item.get("mean_rating")),
                         _source(item.get("source")), item.get("note", ""),
                         _num(item.get("percent")), score])
            continue
        for req in reqs:
            rows.append([*lead(item), req["code"], req["text"], _num(req.get("rating")),
                         _source(req.get("source")),
                         "；".join(filter(None, [req.get("note", ""), req.get("evidence", "")])),
                         _num(item.get("percent")) if first else None,
                         score if first else None])
            first = False
            for sp in req.get("subpoints") or []:
                rows.append([*lead(item), f"{req['code']}.{sp['code']}", sp["text"],
                             _num(sp.get("rating")), "不适用" if sp.get("na") else "",
                             sp.get("note", ""), None, None])
    n = len(header)
    cols = [*header, "要求编号", "要求", "评分", "评分来源", "说明与依据", "能力项得分率(%)",
            "能力项计分"]
    _sheet(wb, SHEETS[2], cols, rows, [8] * (n - 2) + [7, 14, 8, 60, 7, 10, 30, 10, 10],
           formats={n + 3: NUMBER, n + 6: NUMBER, n + 7: NUMBER},
           caption=f"表E.5 测评要求计分表 {title}")


def _score_sheet(wb: Workbook, results: dict[str, Any], title: str) -> None:
    a = results["assessment"]
    if results["framework"]["points_at"] == "item":
        header, lead = _lead(results)
        n = len(header)
        rows: list[list[Any]] = [
            [*lead(i), _num(i.get("points")), _num(i.get("points_share")), _num(i.get("score")),
             _num(i.get("share")), i.get("note", "")] for i in a["items"]]
        rows.append(["测评计分合计", *[""] * (n - 1), _num(a.get("total_points")), None,
                     _num(a["total"]), None, ""])
        _sheet(wb, SHEETS[3], [*header, "分值", "分值占比", "计分", "计分占比", "备注"], rows,
               [8] * (n - 2) + [7, 14, 9, 10, 9, 10, 30],
               formats={n + 1: NUMBER, n + 2: PERCENT, n + 3: NUMBER, n + 4: PERCENT},
               caption=f"表E.6 测评计分表 {title}")
        return
    level = results["framework"]["levels"]["group"]["zh"]
    rows = [[g["code"], g["name"], _num(g.get("points")), _num(g.get("mean_rating")),
             _num(g.get("percent")), _num(g.get("score"))] for g in a["groups"]]
    rows.append(["测评计分合计", "", _num(a.get("total_points")), None, None, _num(a["total"])])
    _sheet(wb, SHEETS[3], ["编号", level, "分值", "平均评分", "得分率", "计分"], rows,
           [12, 20, 9, 9, 9, 9], formats={3: NUMBER, 4: NUMBER, 5: PERCENT, 6: NUMBER},
           caption=f"表E.6 测评计分表 {title}")


def _grade_sheet(wb: Workbook, results: dict[str, Any], grades: Sequence[Grade],
                 comparison_label: str, title: str) -> None:
    awarded = results["assessment"].get("grade")
    has_grades = results["framework"].get("has_grades")
    rows = []
    for g in sorted(grades, key=lambda g: g.min, reverse=True):
        process = "\n".join(f"{chr(97 + k)}) {t}" for k, t in enumerate(g.process))
        result = "\n".join(f"{chr(97 + k)}) {t}" for k, t in enumerate(g.result))
        rows.append([g.name, g.band, process, result,
                     "符合" if has_grades and g.name == awarded else ""])
    header = ["等级", "分值区分", "过程类测评说明", "结果类测评说明", "评审结果"]
    ws = _sheet(wb, SHEETS[4], header, rows, [8, 10, 55, 55, 10],
                caption=f"表E.7 测评等级划分 {title}")
    if not has_grades:
        ws.append([])
        ws.append([comparison_label or f"{results['framework']['name']}未规定测评等级"])


def projection_sheet_title(target: str) -> str:
    return f"对照估算 {target}"[:31]


def _projection_sheets(wb: Workbook, results: dict[str, Any]) -> None:
    """One sheet per other framework of a crosswalk: the estimate per item (an estimate, not a
    score), then the items without evidence and why."""
    names = {i["code"]: i["name"] for i in results["assessment"]["items"]}
    for p in results.get("projections") or []:
        missing = {m["code"]: m["reason"] for m in p["missing"]}
        rows = [[i["group"], i["code"], i["name"],
                 "、".join(f"{c} {names.get(c, '')}".strip() for c in i["sources"]),
                 _num(i.get("rating")), _num(i.get("percent")), _num(i.get("score")),
                 "部分对应" if i.get("partial") else "", missing.get(i["code"], "")]
                for i in p["items"]]
        rows.append(["合计", "", "", "", None, None, _num(p["estimated_score"]),
                     f"可估算分值 {fixed(p['covered_points'])} / {fixed(p['total_points'])}；"
                     f"按满分折算 {fixed(p['rescaled_total'])}", ""])
        _sheet(wb, projection_sheet_title(p["to"]),
               ["分组", "编号", "名称", "对应的本次测评细项", "估算评分", "估算得分率",
                "估算计分", "说明", "缺少证据的原因"], rows, [8, 8, 24, 30, 9, 10, 9, 20, 40],
               formats={5: NUMBER, 6: PERCENT, 7: NUMBER},
               caption=f"与 {p['to']} 的对照（估算，不是测评得分）")


def report_datetime(results: dict[str, Any]) -> datetime:
    """A fixed date for file metadata: the last step of the assessment, else the period end."""
    dates = []
    for step in results["engagement"].get("process") or []:
        for key in ("end", "start"):
            try:
                dates.append(datetime.strptime(str(step.get(key) or ""), "%Y-%m-%d"))
            except ValueError:
                continue
    if dates:
        return max(dates)
    end = str(results["period"]["end"])
    try:
        return datetime.strptime(end + "-01", "%Y-%m-%d")
    except ValueError:
        return datetime(2000, 1, 1)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same zip with every entry stamped ``when`` (openpyxl stamps the current time)."""
    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(results: dict[str, Any], grades: Sequence[Grade],
                   comparison_label: str = "") -> bytes:
    """The workbook of tables E.3-E.7 for one run, as deterministic bytes."""
    report = results["engagement"]["report"]
    title = report.get("assessee", "")
    wb = Workbook()
    wb.remove(wb.active)
    _handover_sheets(wb, results, title)
    _requirement_sheet(wb, results, title)
    _score_sheet(wb, results, title)
    _grade_sheet(wb, results, grades, comparison_label, title)
    _projection_sheets(wb, results)
    when = report_datetime(results)
    props = wb.properties
    props.title = report.get("title") or f"{title}运营能力测评表"
    props.subject = results["framework"]["name"]
    props.creator = report.get("assessor_org", "") or "ccua"
    props.lastModifiedBy = props.creator
    props.created = when
    props.modified = when
    buffer = io.BytesIO()
    # openpyxl's save() stamps "modified" with the current time; its writer does not.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fixed_zip(buffer.getvalue(), when)
