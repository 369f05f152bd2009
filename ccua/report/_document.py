"""The report's source in a run folder: report.qmd, the Quarto project around it, its charts.

A run folder is a self-contained Quarto project: ``_quarto.yml`` (a copy of the repository's),
``templates/`` (the styles both engines use), ``report.qmd`` and ``charts/``. Quarto renders it
with ``quarto render report.qmd``; without Quarto, ccua feeds the same report.qmd to pandoc and
Typst. Each client renders inside its own folder (per-client rendering in one project is an
open Quarto request, quarto-cli #864), and every chapter reads the run's own results.json
through the executed notebooks (book chapters do not share parameters, quarto-cli #1590).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ccua import __version__
from ccua._io import atomic_write_bytes, atomic_write_text
from ccua.errors import CcuaError
from ccua.i18n import Tr
from ccua.provenance import colophon
from ccua.report._fonts import CjkFont
from ccua.report._front import front_context
from ccua.report._markdown import md_escape
from ccua.report._notebooks import CHARTS_DIR, ChapterSource, ChartFile, chapter_from_notebook
from ccua.report._projection import projection_markdown, projection_title, summary_sentence
from ccua.results_model import ChapterOut, Results

SOURCE_FILE = "report.qmd"
QUARTO_FILE = "_quarto.yml"
TEMPLATE = "report.qmd.j2"
# What a run folder needs of templates/ to render on its own, with Quarto or with pandoc.
RUN_TEMPLATES = (
    "ccua.typ",
    "typst-template.typ",
    "typst-show.typ",
    "report.css",
    "charts.html",
    "pandoc.html",
    "pandoc.typst",
)
BUNDLE_FILE = f"{CHARTS_DIR}/vega-embed.js"
SCORECARD = ("scorecard", "scorecard.ipynb", "report.scorecard")  # title: a catalog key


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def templates_dir() -> Path:
    """templates/: in the current project, else beside the ccua package (a checkout)."""
    for candidate in (Path.cwd() / "templates", project_root() / "templates"):
        if (candidate / TEMPLATE).exists():
            return candidate
    raise CcuaError(
        f"cannot find the report templates (templates/{TEMPLATE})",
        hint="run ccua from the project folder",
    )


def quarto_config() -> Path:
    """The repository's _quarto.yml, copied into every run folder."""
    templates = templates_dir()
    path = templates.parent / QUARTO_FILE
    if not path.exists():
        raise CcuaError(f"cannot find {QUARTO_FILE} beside {templates}")
    return path


def typst_string(value: object) -> str:
    """A Typst string literal: prints exactly the text, whatever it contains."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def yaml_string(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # "{#" opens pandoc's heading attributes ({#overview}), so comments are {## ... ##}.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = md_escape
    env.filters["typst"] = typst_string
    env.filters["html"] = lambda v: html.escape("" if v is None else str(v), quote=True)
    env.filters["yaml"] = yaml_string
    return env


def _safe_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", key)


def report_chapters(results: Results, run_dir: Path, lang: str = "zh") -> list[ChapterSource]:
    """The chapters after 六、: the scorecard, then one per chapter of the framework.

    They come from the executed notebooks in the run folder; a run without notebooks
    (``ccua run --no-notebooks``) gives a report of the front part alone. The engagement
    notebook is not a chapter: the front part (二、测评过程) is its signed form.
    """
    tr = Tr(lang)
    candidates = [(SCORECARD[0], SCORECARD[1], tr(SCORECARD[2]))] + [
        (c.id, f"{c.id}.ipynb", chapter_title(results, c, tr)) for c in results.chapters
    ]
    chapters: list[ChapterSource] = []
    for key, file_name, title in candidates:
        path = run_dir / tr.output(file_name)
        if not path.exists():
            continue
        n = len(chapters) + 1
        safe = ("en-" if tr.en else "") + _safe_key(key)  # English charts beside the Chinese
        chapters.append(
            chapter_from_notebook(path, safe, tr("report.annex", n=n, title=title), f"annex-{safe}")
        )
    return chapters


@dataclass
class Document:
    """report.qmd as text, and what it needs beside it."""

    source: str
    chapters: list[ChapterSource] = field(default_factory=list)

    @property
    def charts(self) -> int:
        return sum(c.charts for c in self.chapters)

    @property
    def files(self) -> list[ChartFile]:
        return [f for c in self.chapters for f in c.files]


def chapter_title(results: Results, chapter: ChapterOut, tr: Tr) -> str:
    """A chapter's title; in English made of its groups' English names (framework data)."""
    if not tr.en:
        return chapter.title
    from ccua.tables import names

    n = names(results, tr.lang)
    groups = chapter.groups
    if len(groups) == 1:
        return f"{groups[0]} {n.group(groups[0])}"
    return tr.join(n.group(g) for g in groups) or chapter.id


def build_document(
    results: Results,
    run_dir: Path,
    font: CjkFont | None,
    folder: Path | None = None,
    lang: str = "zh",
) -> Document:
    """Render templates/report.qmd.j2 for one run (pure: reads the run's notebooks only)."""
    chapters = report_chapters(results, run_dir, lang)
    return Document(
        source=document_source(results, chapters, font, folder, lang), chapters=chapters
    )


def document_source(
    results: Results,
    chapters: list[ChapterSource],
    font: CjkFont | None,
    folder: Path | None = None,
    lang: str = "zh",
) -> str:
    """report.qmd with these chapters after 六、 (none: the front part, which the runner has
    pandoc read while the notebooks run; see ccua.report._engines.parse_front_ahead)."""
    folder = folder or templates_dir()
    tr = Tr(lang)
    context = front_context(results, tr.lang)
    # The estimate under the other frameworks of the crosswalks: an appendix after the
    # notebooks' chapters, announced in 四、测评组意见.
    appendix = projection_markdown(results, tr.lang)
    context.update(
        generator=f"ccua {__version__}",
        colophon=colophon(results.provenance, tr.lang),
        font=None
        if font is None
        else {"family": font.family, "bold": font.bold, "folders": list(font.folders)},
        chapters=[
            {"heading": c.heading, "anchor": c.anchor, "markdown": c.markdown} for c in chapters
        ],
        projection=None
        if not appendix
        else {
            "heading": tr("report.annex", n=len(chapters) + 1, title=projection_title(tr.lang)),
            "anchor": "annex-crosswalk",
            "markdown": appendix,
            "notes": [summary_sentence(p, tr.lang) for p in results.projections],
        },
    )
    try:
        source = environment(folder).get_template(TEMPLATE).render(**context)
    except jinja2.TemplateError as exc:
        raise CcuaError(f"the report template failed: {exc}", file=str(folder / TEMPLATE)) from None
    # Template control lines leave runs of blank lines; one is all Markdown needs.
    return re.sub(r"\n{3,}", "\n\n", source)


def write_project(
    run_dir: Path,
    doc: Document,
    folder: Path | None = None,
    source_file: str = SOURCE_FILE,
    lang: str = "zh",
) -> None:
    """Write report.qmd (report.en.qmd), _quarto.yml, templates/ and charts/ into the run
    folder."""
    folder = folder or templates_dir()
    atomic_write_text(run_dir / source_file, doc.source)
    atomic_write_bytes(run_dir / QUARTO_FILE, quarto_config().read_bytes())
    # copies of the package's templates and chart renders: made again by the next render
    for name in RUN_TEMPLATES:
        data = (folder / name).read_bytes()
        atomic_write_bytes(run_dir / "templates" / name, data, durable=False)
    charts = run_dir / CHARTS_DIR
    wanted = {f.path for f in doc.files}
    if charts.is_dir():  # charts of an earlier render that this one no longer has
        for old in charts.iterdir():
            rel = f"{CHARTS_DIR}/{old.name}"
            mine = old.name.startswith("en-") == (lang == "en")  # leave the other language's
            if old.suffix in (".svg", ".png") and rel not in wanted and mine:
                old.unlink()
    for f in doc.files:
        atomic_write_bytes(run_dir / f.path, f.data, durable=False)
