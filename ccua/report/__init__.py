"""The client report: what the assessed centre receives and the assessing body signs.

Laid out as the sample report of T/CCUA Appendix E.5 (cover, contacts, 一 to 六 with tables
1-7), followed by the chapters of the executed notebooks, in HTML (interactive charts) and PDF
(Typst, static charts), plus the workbook of tables E.3-E.7. Everything is read from the run's
results.json; nothing is recomputed.

``render_run`` is what ``ccua run`` calls; ``render_report`` is what ``ccua report`` calls.
See docs/report.md.
"""

from ccua.report._engines import PANDOC_FROM, pandoc, pdf_with_typst
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
)

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
    "standard_citation",
]
