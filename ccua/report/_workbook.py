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

from ccua import fmt, tables
from ccua.i18n import Tr, catalog
from ccua.results_model import Results
from ccua.spec import Grade

NUMBER = "0.00"
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


def table_sheet(wb: Workbook, table: tables.Table, caption: str, title: str = "") -> Worksheet:
    """A table of the model as a worksheet: one value per cell, numbers as numbers."""
    rows = tables.sheet_rows(table)
    widths, formats = tables.sheet_widths(table), tables.sheet_formats(table)
    return _sheet(wb, title or table.sheet, rows[0], rows[1:], widths, formats, caption)


def _summary_sheet(wb: Workbook, results: Results, tr: Tr, assessee: str) -> None:
    """The total, the grade and the subtotals of categories and groups on one sheet."""
    from ccua.report._front import standard_citation

    n = tables.names(results, tr.lang)
    a = results.assessment
    grade = next((g for g in results.framework.grades if g.name == a.grade), None)
    period = results.period
    rows: list[list[Any]] = [
        [tr("sheet.assessee"), assessee, None],
        [tr("sheet.framework"), standard_citation(results, tr.lang), None],
        [tr("sheet.period"), fmt.date_range(period.start, period.end, tr.lang), None],
        [tr("sheet.total"), a.total, a.total_points],
        [tr("sheet.grade"), tr.name(grade, a.grade or tr("sheet.no_grade")), None],
        [],
        [tr("table.category") + " / " + n.group_level, tr("table.score"), tr("table.points")],
    ]
    for c in a.categories:
        rows.append([n.categories.get(c.code, c.name), c.score, c.points])
    for g in a.groups:
        rows.append([f"{g.code} {n.group(g.code)}", g.score, g.points])
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


def projection_sheet_title(target: str, lang: str = "zh") -> str:
    """A crosswalk estimate's sheet: named by the other framework's title (31 characters at
    most, none of the characters Excel refuses)."""
    from ccua.spec import load_framework

    tr = Tr(lang)
    fw = load_framework(target)
    name = tr.name(fw).translate(INVALID)
    room = 31 - len(tr("sheet.projection", name=""))
    if len(name) > room:
        name = name[: max(room - 1, 1)] + "…"
    return tr("sheet.projection", name=name)


def _projection_sheets(wb: Workbook, results: Results, tr: Tr) -> None:
    """One sheet per other framework of a crosswalk: the estimate per item (an estimate, not a
    score), then the items without evidence and why."""
    for p in results.projections:
        table = tables.projection_tables(results, p, tr.lang)[4]
        table_sheet(wb, table, table.caption, projection_sheet_title(p.to, tr.lang))


def report_datetime(results: Results) -> datetime:
    """A fixed date for file metadata: the last step of the assessment, else the period end."""
    dates = []
    for step in results.engagement.process:
        for day in (step.end, step.start):
            try:
                dates.append(datetime.strptime(day, "%Y-%m-%d"))
            except ValueError:
                continue
    if dates:
        return max(dates)
    try:
        return datetime.strptime(results.period.end + "-01", "%Y-%m-%d")
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
    results: Results, grades: Sequence[Grade], comparison_label: str = "", lang: str = "zh"
) -> bytes:
    """The workbook of tables E.1-E.7, the summary and the indicators, as deterministic bytes."""
    tr = Tr(lang)
    report = results.engagement.report
    assessee = report.assessee
    wb = Workbook()
    wb.remove(wb.active)
    has_grades = results.framework.has_grades
    for table in (
        *tables.team_tables(results, tr.lang),
        *tables.handover_tables(results, tr.lang),
        tables.requirement_tables(results, tr.lang)[1],
        tables.score_table(results, tr.lang),
        tables.grade_table(grades, results.assessment.grade if has_grades else None, tr.lang),
    ):
        ws = table_sheet(wb, table, tr("sheet.header", caption=table.caption, assessee=assessee))
    if not has_grades:
        ws.append([])
        ws.append([comparison_label or tr("sheet.no_grades", name=tr.name(results.framework))])
    _summary_sheet(wb, results, tr, assessee)
    table = tables.indicator_tables(results, lang=tr.lang)[3]
    table_sheet(wb, table, tr("sheet.header", caption=table.caption, assessee=assessee))
    _projection_sheets(wb, results, tr)
    when = report_datetime(results)
    props = wb.properties
    props.title = (report.title if not tr.en else "") or tr(
        "sheet.workbook_title", assessee=assessee
    )
    props.subject = tr.name(results.framework)
    props.creator = report.assessor_org or "ccua"
    props.lastModifiedBy = props.creator
    props.created = when
    props.modified = when
    buffer = io.BytesIO()
    # openpyxl's save() stamps "modified" with the current time; its writer does not.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return _fixed_zip(buffer.getvalue(), when)
