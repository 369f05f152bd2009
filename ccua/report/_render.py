"""Render a run's report: report.qmd, then HTML, PDF and the workbook, timed per format."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ccua import __version__
from ccua._io import atomic_write_bytes
from ccua.errors import CcuaError
from ccua.i18n import Tr
from ccua.report._document import (
    SOURCE_FILE,
    build_document,
    document_source,
    templates_dir,
    write_project,
)
from ccua.report._engines import (
    html_with_pandoc,
    parse_front_ahead,
    pdf_with_typst,
    quarto_executable,
    render_with_quarto,
    typst_source,
    warm_images,
)
from ccua.report._fonts import CjkFont, FontNotFound, find_cjk_font
from ccua.report._front import framework_for
from ccua.report._workbook import report_datetime, workbook_bytes
from ccua.results_model import RESULTS_FILE, Results, load_run
from ccua.spec import Framework

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
        raise CcuaError(
            f"`--format` must be a comma-separated list of {', '.join(FORMATS)}, "
            f"got {','.join(items) if items else 'nothing'!r}"
        )
    return tuple(f for f in FORMATS if f in wanted)


def choose_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise CcuaError(f"`--engine` must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "auto":
        return "quarto" if quarto_executable() else "pandoc"
    if engine == "quarto" and quarto_executable() is None:
        raise CcuaError(
            "quarto is not on PATH",
            hint="install Quarto (https://quarto.org), or use --engine pandoc",
        )
    return engine


def render_report(
    run_dir: str | Path,
    formats: str | Iterable[str] = FORMATS,
    engine: str = "auto",
    say: Say | None = None,
    lang: str = "zh",
) -> ReportOutput:
    """Render one run's report from its results.json and executed notebooks.

    Nothing is recomputed and no notebook is executed: this is what ``ccua report`` does, and
    what ``ccua run`` calls once its notebooks have run.
    """
    say = say or (lambda _message: None)
    tr = Tr(lang)
    # report.html, report.pdf, report.xlsx (中文); report.en.html … beside them (English)
    outputs = {fmt: tr.output(name) for fmt, name in OUTPUTS.items()}
    source_file = tr.output(SOURCE_FILE)
    run = Path(run_dir)
    wanted = parse_formats(formats)
    results = load_run(run)  # typed; the report never recomputes a score
    framework = framework_for(results)
    chosen = choose_engine(engine) if ("html" in wanted or "pdf" in wanted) else "python"
    if chosen == "quarto" and tr.en:  # Quarto renders report.qmd: English goes through pandoc
        chosen = "pandoc"
    out = ReportOutput(run_dir=str(run), engine=chosen)
    when = report_datetime(results)

    font = _report_font(needed="pdf" in wanted)
    formats = [fmt for fmt in ("html", "pdf") if fmt in wanted]
    timings: dict[str, float] = {}
    if formats:
        translate_notebooks(run, framework, tr.lang, say)
        started = time.perf_counter()
        folder = templates_dir()
        doc = build_document(results, run, font, folder, tr.lang)
        write_project(run, doc, folder, source_file, tr.lang)
        out.files.append(source_file)
        out.seconds["source"] = time.perf_counter() - started
        out.charts, out.chapters = doc.charts, len(doc.chapters)
        if not doc.chapters:
            say("no executed notebooks in the run folder: the report has no chapters after 六、")

        def render_one(fmt: str) -> None:
            if chosen == "quarto":
                render_with_quarto(run, "html" if fmt == "html" else "typst")
            elif fmt == "html":
                html_with_pandoc(
                    run, doc.source, doc.charts, f"ccua {__version__}", outputs["html"]
                )
            else:
                assert font is not None
                # (the HTML's conversion has pandoc read report.qmd meanwhile)
                warm_images(run, font, [f.path for f in doc.files if f.path.endswith(".svg")])
                pdf_with_typst(run, typst_source(run, doc.source), font, when, say, outputs["pdf"])

    def write_workbook(_fmt: str) -> None:
        atomic_write_bytes(run / outputs["xlsx"], _workbook_of(run, results, framework, tr))

    # HTML is a pandoc process, the PDF mostly Typst's compiler: side by side they finish in
    # the time of the slower one (Quarto renders one at a time), and the workbook, which needs
    # results.json alone, is written meanwhile here. Files and messages keep their order.
    side_by_side = 2 if chosen != "quarto" else 1
    with ThreadPoolExecutor(max_workers=side_by_side) as pool:
        pending = {fmt: pool.submit(_timed, render_one, fmt) for fmt in formats}
        if "xlsx" in wanted:
            timings["xlsx"] = _timed(write_workbook, "xlsx")
        timings.update({fmt: pending[fmt].result() for fmt in formats})
    for fmt in (f for f in FORMATS if f in timings):
        out.seconds[fmt] = timings[fmt]
        out.files.append(outputs[fmt])
        engine_used = f" ({chosen})" if fmt != "xlsx" else ""
        say(f"{outputs[fmt]}{engine_used} in {out.seconds[fmt]:.1f} s")
    return out


def _timed(fn: Callable[[str], None], fmt: str) -> float:
    started = time.perf_counter()
    fn(fmt)
    return time.perf_counter() - started


def _report_font(needed: bool) -> CjkFont | None:
    """The PDF's CJK font; without a PDF, None when there is none (HTML needs none)."""
    if needed:
        return find_cjk_font()  # stop before anything is written, with how to fix it
    try:
        return find_cjk_font()
    except FontNotFound:
        return None


# report.xlsx depends on results.json alone: the runner has it made while the notebooks run
# (report_ahead), kept here under the digest of the results.json it was made from; a report
# that starts before it is made waits for it rather than make it twice.
_WORKBOOKS: dict[tuple[str, str], Future[bytes]] = {}
_WORKBOOKS_KEPT = 2


def _results_digest(run: Path) -> str:
    import hashlib

    return hashlib.sha256((run / RESULTS_FILE).read_bytes()).hexdigest()


def _workbook_of(run: Path, results: Results, framework: Framework, tr: Tr) -> bytes:
    """report.xlsx of the run: the one made ahead from this very results.json, else made now."""
    ahead = _WORKBOOKS.get((tr.lang, _results_digest(run)))
    if ahead is not None:
        with contextlib.suppress(Exception):
            return ahead.result()
    return _workbook(results, framework, tr)


def _workbook(results: Results, framework: Framework, tr: Tr) -> bytes:
    """report.xlsx; a framework without grades of its own shows the comparison's."""
    comparison = framework.comparison_grades
    grades = framework.grades
    label = ""
    if not grades and comparison is not None:
        from ccua.spec import load_framework

        grades = load_framework(comparison.framework).grades
        label = comparison.label
    if tr.en and comparison is not None and label:
        label = comparison.label_en
    return workbook_bytes(results, grades, label, tr.lang)


def translate_notebooks(run: Path, framework: object, lang: str, say: Say) -> list[str]:
    """Execute the run's notebooks in ``lang`` when the run has them in another language only
    (``ccua report RUN --lang en`` after a Chinese run): SP.en.ipynb beside SP.ipynb. A run
    without notebooks (``--no-notebooks``) stays without."""
    from ccua.i18n import LANGS, output_name
    from ccua.runner import execute_notebooks, framework_notebook_jobs

    jobs = framework_notebook_jobs(framework, None, lang)
    missing = [j for j in jobs if not (run / j.output).exists()]
    others = [other for other in LANGS if other != lang]
    had = any(
        (
            run / output_name(f"{j.parameters.get('chapter') or j.template.stem}.ipynb", other)
        ).exists()
        for j in missing
        for other in others
    )
    if not missing or not had:
        return []
    say(f"executing the notebooks in {lang} ({len(missing)})")
    execute_notebooks(missing, run, say)
    return [j.output for j in missing]


def report_ahead(run_dir: Path, lang: str = "zh") -> None:
    """While the notebooks run: have pandoc read the report's front part, and make the
    workbook meanwhile, both of which depend on results.json alone (parse_front_ahead,
    _WORKBOOKS)."""
    tr = Tr(lang)
    book: Future[bytes] = Future()
    _WORKBOOKS[(tr.lang, _results_digest(run_dir))] = book
    while len(_WORKBOOKS) > _WORKBOOKS_KEPT:
        del _WORKBOOKS[next(iter(_WORKBOOKS))]
    try:
        results = load_run(run_dir)
        source = document_source(results, [], find_cjk_font(), templates_dir(), tr.lang)
    except BaseException as exc:
        book.set_exception(exc)
        raise
    front = threading.Thread(target=parse_front_ahead, args=(source, run_dir), daemon=True)
    front.start()
    try:
        book.set_result(_workbook(results, framework_for(results), tr))
    except BaseException as exc:
        book.set_exception(exc)
    front.join()


def render_run(run_dir: Path, say: Say, lang: str = "zh") -> list[str]:
    """The runner's entry point: every format, the engine chosen by what is installed."""
    return render_report(run_dir, FORMATS, "auto", say, lang).files
