"""The client report: what the assessed centre receives and the assessing body signs.

Laid out as the sample report of T/CCUA Appendix E.5 (cover, contacts, 一 to 六 with tables
1-7), followed by the chapters of the executed notebooks, in HTML (interactive charts) and PDF
(Typst, static charts), plus the workbook of tables E.3-E.7. Everything is read from the run's
results.json; nothing is recomputed.

``render_run`` is what ``ccua run`` calls; ``render_report`` is what ``ccua report`` calls.
See docs/report.md.
"""

from typing import TYPE_CHECKING

from ccua._lazy import lazy_dir, lazy_exports

# Where each public name lives, imported on first use (PEP 562): a notebook that cites the
# standard or lays out a grid table does not import the renderers and the workbook writer
# (openpyxl, numpy: 0.2 s in every kernel).
_EXPORTS = {
    "PANDOC_FROM": "ccua.report._engines",
    "pandoc": "ccua.report._engines",
    "pdf_with_typst": "ccua.report._engines",
    "warm_typst": "ccua.report._engines",
    "CjkFont": "ccua.report._fonts",
    "FontNotFound": "ccua.report._fonts",
    "find_cjk_font": "ccua.report._fonts",
    "standard_citation": "ccua.report._front",
    "Cell": "ccua.report._markdown",
    "Column": "ccua.report._markdown",
    "grid_table": "ccua.report._markdown",
    "md_escape": "ccua.report._markdown",
    "ENGINES": "ccua.report._render",
    "FORMATS": "ccua.report._render",
    "ReportOutput": "ccua.report._render",
    "parse_formats": "ccua.report._render",
    "render_report": "ccua.report._render",
    "render_run": "ccua.report._render",
    "report_ahead": "ccua.report._render",
}

if TYPE_CHECKING:
    from ccua.report._engines import PANDOC_FROM, pandoc, pdf_with_typst, warm_typst
    from ccua.report._fonts import CjkFont, FontNotFound, find_cjk_font
    from ccua.report._front import standard_citation
    from ccua.report._markdown import Cell, Column, grid_table, md_escape
    from ccua.report._render import (
        ENGINES,
        FORMATS,
        ReportOutput,
        parse_formats,
        render_report,
        render_run,
        report_ahead,
    )

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__dir__ = lazy_dir(globals())


__all__ = [
    "ENGINES",
    "FORMATS",
    "PANDOC_FROM",
    "Cell",
    "CjkFont",
    "Column",
    "FontNotFound",
    "ReportOutput",
    "find_cjk_font",
    "grid_table",
    "md_escape",
    "pandoc",
    "parse_formats",
    "pdf_with_typst",
    "render_report",
    "render_run",
    "report_ahead",
    "standard_citation",
    "warm_typst",
]
