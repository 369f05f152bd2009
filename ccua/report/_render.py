"""Render a run's report: report.qmd, then HTML, PDF and the workbook, timed per format."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ccua import __version__
from ccua._io import atomic_write_bytes
from ccua.errors import CcuaError
from ccua.report._document import SOURCE_FILE, build_document, templates_dir, write_project
from ccua.report._engines import (
    html_with_pandoc,
    pdf_with_typst,
    quarto_executable,
    render_with_quarto,
    typst_source,
)
from ccua.report._fonts import CjkFont, FontNotFound, find_cjk_font
from ccua.report._front import framework_for
from ccua.report._results import load_results
from ccua.report._workbook import report_datetime, workbook_bytes

FORMATS = ("html", "pdf", "xlsx")
ENGINES = ("auto", "quarto", "pandoc")
OUTPUTS = {"html": "report.html", "pdf": "report.pdf", "xlsx": "report.xlsx"}

Say = Callable[[str], None]


@dataclass
class ReportOutput:
    """What a render wrote (file names relative to the run folder) and how long each took."""

    run_dir: str
    engine: str
    files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    charts: int = 0
    chapters: int = 0


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` or ``["pdf"]`` as a checked tuple in the canonical order."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {f.strip().lower() for f in items if f.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        raise CcuaError(f"`--format` must be a comma-separated list of {', '.join(FORMATS)}, "
                        f"got {','.join(items) if items else 'nothing'!r}")
    return tuple(f for f in FORMATS if f in wanted)


def choose_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise CcuaError(f"`--engine` must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "auto":
        return "quarto" if quarto_executable() else "pandoc"
    if engine == "quarto" and quarto_executable() is None:
        raise CcuaError("quarto is not on PATH",
                        hint="install Quarto (https://quarto.org), or use --engine pandoc")
    return engine


def render_report(run_dir: str | Path, formats: str | Iterable[str] = FORMATS,
                  engine: str = "auto", say: Say | None = None) -> ReportOutput:
    """Render one run's report from its results.json and executed notebooks.

    Nothing is recomputed and no notebook is executed: this is what ``ccua report`` does, and
    what ``ccua run`` calls once its notebooks have run.
    """
    say = say or (lambda _message: None)
    run = Path(run_dir)
    wanted = parse_formats(formats)
    results = load_results(run)
    framework = framework_for(results)
    chosen = choose_engine(engine) if ("html" in wanted or "pdf" in wanted) else "python"
    out = ReportOutput(run_dir=str(run), engine=chosen)
    when = report_datetime(results)

    font: CjkFont | None
    if "pdf" in wanted:
        font = find_cjk_font()          # stop before anything is written, with how to fix it
    else:
        try:
            font = find_cjk_font()
        except FontNotFound:
            font = None
    if "html" in wanted or "pdf" in wanted:
        started = time.perf_counter()
        folder = templates_dir()
        doc = build_document(results, run, font, folder)
        write_project(run, doc, folder)
        out.files.append(SOURCE_FILE)
        out.seconds["source"] = time.perf_counter() - started
        out.charts, out.chapters = doc.charts, len(doc.chapters)
        if not doc.chapters:
            say("no executed notebooks in the run folder: the report has no chapters after 六、")
        def render_one(fmt: str) -> float:
            started = time.perf_counter()
            if chosen == "quarto":
                render_with_quarto(run, "html" if fmt == "html" else "typst")
            elif fmt == "html":
                html_with_pandoc(run, doc.source, doc.charts, f"ccua {__version__}")
            else:
                assert font is not None
                pdf_with_typst(run, typst_source(run, doc.source), font, when, say)
            return time.perf_counter() - started

        formats = [fmt for fmt in ("html", "pdf") if fmt in wanted]
        if chosen == "quarto" or len(formats) < 2:
            timings = {fmt: render_one(fmt) for fmt in formats}
        else:
            # HTML is a pandoc process, the PDF mostly Typst's compiler: side by side they
            # finish in the time of the slower one. Files and messages keep their order.
            with ThreadPoolExecutor(max_workers=2) as pool:
                pending = {fmt: pool.submit(render_one, fmt) for fmt in formats}
                timings = {fmt: pending[fmt].result() for fmt in formats}
        for fmt in formats:
            out.seconds[fmt] = timings[fmt]
            out.files.append(OUTPUTS[fmt])
            say(f"{OUTPUTS[fmt]} ({chosen}) in {out.seconds[fmt]:.1f} s")
    if "xlsx" in wanted:
        started = time.perf_counter()
        comparison = framework.comparison_grades
        grades = framework.grades
        label = ""
        if not grades and comparison is not None:
            from ccua.spec import load_framework

            grades = load_framework(comparison.framework).grades
            label = comparison.label
        atomic_write_bytes(run / OUTPUTS["xlsx"], workbook_bytes(results, grades, label))
        out.seconds["xlsx"] = time.perf_counter() - started
        out.files.append(OUTPUTS["xlsx"])
        say(f"{OUTPUTS['xlsx']} in {out.seconds['xlsx']:.1f} s")
    return out


def render_run(run_dir: Path, say: Say) -> list[str]:
    """The runner's entry point: every format, the engine chosen by what is installed."""
    return render_report(run_dir, FORMATS, "auto", say).files
