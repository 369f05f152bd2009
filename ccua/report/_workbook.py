"""The Excel workbook that consultants circulate beside the report, in the report's language.

Sheets: the team lists (E.1, E.2), the hand-over and feedback sheets (E.3, E.4), the
requirement scores (E.5), the score table (E.6), the grade table (E.7), a summary with the
grade, the indicators by month, and one sheet per crosswalk estimate. E.1-E.4, E.6 and E.7 are
the table objects of ccua/tables.py, the same the report and the notebooks print. One row per
record (no merged cells: a workbook is sorted and filtered), numbers as numbers with two
decimals, header rows frozen. Every value comes from results.json as it is; the 合计 row holds
the total the core computed (a SUM formula would have no cached value until Excel recalculates).

The bytes are deterministic: openpyxl stamps the document properties and every zip entry with
the current time, so both are set to a date derived from results.json.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ccua import fmt, prose, tables
from ccua.i18n import Tr, catalog
from ccua.spec import Grade

NUMBER = "0.00"
PERCENT = '0.00"%"'  # results.json holds 2.00 for 2.00 %; the cell keeps that number
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_KEYS = ("e1", "e2", "e3", "e4", "e5", "e6", "e7", "summary", "indicators")
INVALID = str.maketrans({c: " " for c in "\\/?*[]:"})


def sheet_names(lang: str = "zh") -> tuple[str, ...]:
    """The workbook's sheets in order (before the crosswalk estimates), in a language."""
    return tuple(catalog(lang)[f"sheet.{k}"] for k in SHEET_KEYS)


SHEETS = sheet_names("zh")


def _num(value: Any) -> Any:
    return fmt.dec(value)


def _source(code: Any, tr: Tr) -> str:
    return tr.get(f"source.{code}", str(code or ""))


def _sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    formats: dict[int, str] | None = None,
    caption: str = "",
) -> Worksheet:
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
    for col, form in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = form
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


def table_sheet(wb: Workbook, table: tables.Table, assessee: str) -> Worksheet:
    """A table of the model as a worksheet: one value per cell, numbers as numbers."""
    rows = tables.sheet_rows(table)
    tr = Tr(table.lang)
    return _sheet(
        wb,
        table.sheet,
        rows[0],
        rows[1:],
        tables.sheet_widths(table),
        tables.sheet_formats(table),
        caption=tr("sheet.header", caption=table.caption, assessee=assessee),
    )


def _requirement_sheet(wb: Workbook, results: dict[str, Any], tr: Tr, assessee: str) -> None:
    """E.5: one row per requirement and sub-point; 评分依据 says what the rating rests on."""
    n = tables.names(results, tr.lang)
    lead_table_cols, lead_values = tables._lead(results, n)
    lead_head = tables.sheet_rows(tables.Table("", "", tuple(lead_table_cols), ()))[0]

    def lead(item: dict[str, Any]) -> list[Any]:
        return tables.sheet_rows(
            tables.Table("", "", tuple(lead_table_cols), (tuple(lead_values(item)),))
        )[1]

    points_at_item = results["framework"]["points_at"] == "item"
    rows: list[list[Any]] = []
    for item in results["assessment"]["items"]:
        score = _num(item.get("score")) if points_at_item else None
        first = True
        reqs = item.get("requirements") or []
        if not reqs:
            rows.append(
                [
                    *lead(item),
                    "",
                    tr("sheet.whole"),
                    _num(item.get("mean_rating")),
                    _source(item.get("source"), tr),
                    item.get("note", ""),
                    _num(item.get("percent")),
                    score,
                ]
            )
            continue
        for req in reqs:
            rows.append(
                [
                    *lead(item),
                    req["code"],
                    req["text"],
                    _num(req.get("rating")),
                    _source(req.get("source"), tr),
                    tr("punct.semicolon").join(
                        filter(None, [req.get("evidence", ""), req.get("note", "")])
                    ),
                    _num(item.get("percent")) if first else None,
                    score if first else None,
                ]
            )
            first = False
            for sp in req.get("subpoints") or []:
                rows.append(
                    [
                        *lead(item),
                        f"{req['code']}.{sp['code']}",
                        sp["text"],
                        _num(sp.get("rating")),
                        tr("table.na") if sp.get("na") else "",
                        sp.get("note", ""),
                        None,
                        None,
                    ]
                )
    k = len(lead_head)
    cols = [
        *lead_head,
        tr("sheet.requirement_code"),
        tr("sheet.requirement"),
        tr("sheet.rating"),
        tr("sheet.rating_basis"),
        tr("sheet.note_evidence"),
        tr("sheet.item_percent"),
        tr("sheet.item_score"),
    ]
    _sheet(
        wb,
        tr("sheet.e5"),
        cols,
        rows,
        [
            *tables.sheet_widths(tables.Table("", "", tuple(lead_table_cols), ())),
            9,
            60,
            7,
            18,
            36,
            10,
            10,
        ],
        formats={k + 3: NUMBER, k + 6: NUMBER, k + 7: NUMBER},
        caption=tr("sheet.header", caption=tr("table.e5.caption"), assessee=assessee),
    )


def _grade_sheet(
    wb: Workbook,
    results: dict[str, Any],
    grades: Sequence[Grade],
    comparison_label: str,
    tr: Tr,
    assessee: str,
) -> None:
    has_grades = bool(results["framework"].get("has_grades"))
    table = tables.grade_table(
        grades, results["assessment"].get("grade") if has_grades else None, tr.lang
    )
    ws = table_sheet(wb, table, assessee)
    if not has_grades:
        ws.append([])
        ws.append([comparison_label or tr("sheet.no_grades", name=tr.name(results["framework"]))])


def _summary_sheet(wb: Workbook, results: dict[str, Any], tr: Tr, assessee: str) -> None:
    """The total, the grade and the subtotals of categories and groups on one sheet."""
    from ccua.report._front import standard_citation

    n = tables.names(results, tr.lang)
    a = results["assessment"]
    grade = a.get("grade")
    if grade and tr.en:
        fw_grades = {g["name"]: g for g in results["framework"].get("grades") or []}
        grade = (fw_grades.get(grade) or {}).get("name_en") or grade
    period = results["period"]
    rows: list[list[Any]] = [
        [tr("sheet.assessee"), assessee, None],
        [tr("sheet.framework"), standard_citation(results, tr.lang), None],
        [tr("sheet.period"), fmt.date_range(period["start"], period["end"], tr.lang), None],
        [tr("sheet.total"), _num(a["total"]), _num(a.get("total_points"))],
        [tr("sheet.grade"), grade or tr("sheet.no_grade"), None],
        [],
        [tr("table.category") + " / " + n.group_level, tr("table.score"), tr("table.points")],
    ]
    for c in a.get("categories") or []:
        rows.append(
            [n.categories.get(c["code"], c["name"]), _num(c.get("score")), _num(c.get("points"))]
        )
    for g in a["groups"]:
        rows.append(
            [f"{g['code']} {n.group(g['code'])}", _num(g.get("score")), _num(g.get("points"))]
        )
    ws = _sheet(
        wb,
        tr("sheet.summary"),
        [tr("sheet.item"), tr("sheet.value"), tr("sheet.total_points")],
        rows,
        [24, 40, 10],
        caption=tr("sheet.header", caption=tr("sheet.summary"), assessee=assessee),
    )
    for b, c in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in (b, c):
            if not isinstance(cell.value, str):
                cell.number_format = NUMBER
    ws.auto_filter.ref = None


def _indicator_sheet(wb: Workbook, results: dict[str, Any], tr: Tr, assessee: str) -> None:
    """Every indicator: its monthly values, the period value, the target, whether it is met."""
    months = list(results["period"].get("months") or [])
    rows = []
    for ind in results.get("indicators") or []:
        monthly = {m["month"]: m.get("value") for m in ind.get("monthly") or []}
        target = ind.get("target") or {}
        met = ind.get("met")
        status = (
            tr("sheet.not_evaluable")
            if not ind.get("evaluable")
            else tr("sheet.met")
            if met
            else tr("sheet.not_met")
        )
        name = ind.get("name_en") if tr.en and ind.get("name_en") else ind.get("name")
        rows.append(
            [
                ind["code"],
                name,
                fmt.unit_label(ind.get("unit"), tr.lang),
                *(_num(monthly.get(m)) for m in months),
                _num(ind.get("value")),
                (
                    prose.bounds_text(target, ind.get("unit"), tr.lang)
                    if tr.en and (target.get("min") is not None or target.get("max") is not None)
                    else target.get("text") or ""
                ),
                status,
            ]
        )
    header = [
        tr("sheet.indicator"),
        tr("sheet.indicator_name"),
        tr("sheet.unit"),
        *(fmt.month_text(m, tr.lang) for m in months),
        tr("sheet.period_value"),
        tr("sheet.target"),
        tr("sheet.attainment"),
    ]
    formats = {k: NUMBER for k in range(4, 5 + len(months))}
    _sheet(
        wb,
        tr("sheet.indicators"),
        header,
        rows,
        [9, 30, 7, *([10] * len(months)), 11, 12, 10],
        formats=formats,
        caption=tr("sheet.header", caption=tr("sheet.indicators"), assessee=assessee),
    )


def projection_sheet_title(target: str, lang: str = "zh") -> str:
    """A crosswalk estimate's sheet: named by the other framework's title (31 characters at
    most, none of the characters Excel refuses)."""
    from ccua.spec import load_framework

    tr = Tr(lang)
    fw = load_framework(target)
    name = (fw.name_en if tr.en and fw.name_en else fw.name).translate(INVALID)
    room = 31 - len(tr("sheet.projection", name=""))
    if len(name) > room:
        name = name[: max(room - 1, 1)] + "…"
    return tr("sheet.projection", name=name)


def _projection_sheets(wb: Workbook, results: dict[str, Any], tr: Tr) -> None:
    """One sheet per other framework of a crosswalk: the estimate per item (an estimate, not a
    score), then the items without evidence and why."""
    from ccua.report._projection import missing_reason
    from ccua.spec import load_framework

    n = tables.names(results, tr.lang)
    for p in results.get("projections") or []:
        target = load_framework(p["to"])
        items = {i.code: i for i in target.items}
        missing = {
            m["code"]: missing_reason(m, target, results["framework"], tr) for m in p["missing"]
        }
        rows = [
            [
                i["group"],
                i["code"],
                tr.name(items.get(i["code"]), i["name"]),
                tr.join(n.item(c) for c in i["sources"]),
                _num(i.get("rating")),
                _num(i.get("percent")),
                _num(i.get("score")),
                tr("sheet.partial") if i.get("partial") else "",
                missing.get(i["code"], ""),
            ]
            for i in p["items"]
        ]
        rows.append(
            [
                tr("sheet.sum"),
                "",
                "",
                "",
                None,
                None,
                _num(p["estimated_score"]),
                tr(
                    "sheet.projection_total",
                    covered=fmt.fixed(p["covered_points"]),
                    total=fmt.fixed(p["total_points"]),
                    rescaled=fmt.fixed(p["rescaled_total"]),
                ),
                "",
            ]
        )
        name = target.name_en if tr.en else target.name
        _sheet(
            wb,
            projection_sheet_title(p["to"], tr.lang),
            [
                tr("sheet.group"),
                tr("sheet.code"),
                tr("sheet.name"),
                tr("sheet.mapped"),
                tr("sheet.est_rating"),
                tr("sheet.est_percent"),
                tr("sheet.est_score"),
                tr("table.remark"),
                tr("sheet.missing_reason"),
            ],
            rows,
            [8, 8, 24, 30, 9, 10, 9, 20, 40],
            formats={5: NUMBER, 6: PERCENT, 7: NUMBER},
            caption=tr("sheet.projection_caption", name=name),
        )


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
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(
    results: dict[str, Any], grades: Sequence[Grade], comparison_label: str = "", lang: str = "zh"
) -> bytes:
    """The workbook of tables E.1-E.7, the summary and the indicators, as deterministic bytes."""
    tr = Tr(lang)
    report = results["engagement"]["report"]
    assessee = report.get("assessee", "")
    wb = Workbook()
    wb.remove(wb.active)
    for table in (*tables.team_tables(results, tr.lang), *tables.handover_tables(results, tr.lang)):
        table_sheet(wb, table, assessee)
    _requirement_sheet(wb, results, tr, assessee)
    table_sheet(wb, tables.score_table(results, tr.lang), assessee)
    _grade_sheet(wb, results, grades, comparison_label, tr, assessee)
    _summary_sheet(wb, results, tr, assessee)
    _indicator_sheet(wb, results, tr, assessee)
    _projection_sheets(wb, results, tr)
    when = report_datetime(results)
    props = wb.properties
    props.title = (report.get("title") if not tr.en else "") or tr(
        "sheet.workbook_title", assessee=assessee
    )
    props.subject = tr.name(results["framework"])
    props.creator = report.get("assessor_org", "") or "ccua"
    props.lastModifiedBy = props.creator
    props.created = when
    props.modified = when
    buffer = io.BytesIO()
    # openpyxl's save() stamps "modified" with the current time; its writer does not.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fixed_zip(buffer.getvalue(), when)
