"""The report's shortcuts give the outputs of the long way, byte for byte (docs/speed.md):
the chart library put in the HTML after pandoc, the tables put in the Typst source after
pandoc, the charts' SVGs read by Typst ahead of the compile, the workbook made while the
notebooks run."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from ccua.report import _engines, _render
from ccua.report._document import build_document
from ccua.report._fonts import find_cjk_font
from ccua.report._typst_tables import replace_tables
from ccua.results_model import load_run
from ccua.runner import run_client

ROOT = Path(__file__).resolve().parents[1]
TYPST_ARGS = ["--standalone", "--template=templates/pandoc.typst"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, run with its report (the run folder has report.qmd, templates/, charts/)."""
    run = tmp_path_factory.mktemp("speed-parts") / "run"
    run_client(ROOT / "params/demo.yaml", output=run)
    return run


def _source(run: Path) -> str:
    return build_document(load_run(run), run, find_cjk_font(), None, "zh").source


def test_the_html_gets_the_chart_library_as_pandoc_embeds_it(demo_run: Path) -> None:
    """pandoc embeds the 900 kB chart library as it is, between <script> tags; the report
    has pandoc embed a stand-in and puts the library there: the same HTML, byte for byte."""
    source = _source(demo_run)
    _engines.html_with_pandoc(demo_run, source, 1, "ccua test", "fast.html")
    args = [
        *_engines.html_args(source, "ccua test"),
        f"--include-after-body={_engines.CHARTS_HTML}",  # the library embedded by pandoc
    ]
    ast = _engines.markdown_ast(demo_run, source)
    whole = _engines._pandoc_from_json(ast, "html5", args, demo_run)
    fast = (demo_run / "fast.html").read_text(encoding="utf-8")
    assert _engines.vega_bundle() in fast
    assert _engines._BUNDLE_STAND_IN not in fast
    assert fast == whole
    assert not list(demo_run.glob("**/ccua-html-*"))  # the stand-in files are gone


def test_a_library_pandoc_would_not_embed_as_it_is_is_left_to_pandoc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _engines._charts_without_bundle(tmp_path, tmp_path) is None  # no charts.html
    (tmp_path / "templates").mkdir()
    charts = f'<script src="{_engines.BUNDLE_FILE}"></script>\n'
    (tmp_path / _engines.CHARTS_HTML).write_text(charts, encoding="utf-8")
    monkeypatch.setattr(_engines, "vega_bundle", lambda: "var a = '</script>';")
    assert _engines._charts_without_bundle(tmp_path, tmp_path) is None
    monkeypatch.setattr(_engines, "vega_bundle", lambda: "var a = 1;")
    made = _engines._charts_without_bundle(tmp_path, tmp_path / "templates")
    assert made is not None and _engines.BUNDLE_FILE not in made.read_text(encoding="utf-8")
    # the page names the library twice: pandoc embeds it
    (tmp_path / _engines.CHARTS_HTML).write_text(charts * 2, encoding="utf-8")
    assert _engines._charts_without_bundle(tmp_path, tmp_path) is None


def test_the_typst_source_gets_its_tables_as_if_pandoc_wrote_them(demo_run: Path) -> None:
    """pandoc writes the Typst with a stand-in per table while the tables are laid out; the
    stand-ins are then replaced: the Typst of the tree with the tables in it."""
    source = _source(demo_run)
    tree = json.loads(_engines.markdown_ast(demo_run, source))
    assert replace_tables(tree) > 50
    whole = _engines._pandoc_from_json(
        json.dumps(tree, ensure_ascii=False), "typst", TYPST_ARGS, demo_run
    )
    assert _engines.typst_source(demo_run, source) == whole


def test_a_table_stand_in_pandoc_changed_falls_back_to_the_tree_with_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").mkdir()
    shutil.copy(ROOT / "templates" / "pandoc.typst", tmp_path / "templates" / "pandoc.typst")
    source = "# 表\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n"
    right = _engines.typst_source(tmp_path, source)
    real = _engines._pandoc_from_json

    def eats_stand_ins(tree: str, to: str, args: list[str], cwd: Path) -> str:
        return real(tree, to, args, cwd).replace("ccua-table-", "ccua-tab1e-")

    monkeypatch.setattr(_engines, "_pandoc_from_json", eats_stand_ins)
    monkeypatch.setattr(_engines, "_ASTS", {})
    assert "ccua-t" in right and _engines.typst_source(tmp_path, source) == right.replace(
        "ccua-table-", "ccua-tab1e-"
    )


def test_svgs_read_ahead_give_the_same_pdf(demo_run: Path, tmp_path: Path) -> None:
    """Typst reads the charts' SVGs while pandoc reads report.qmd; the PDF is the same."""
    font = find_cjk_font()
    source = _engines.typst_source(demo_run, _source(demo_run))
    when = datetime(2026, 7, 1, 9, 30)
    svgs = sorted(f"charts/{p.name}" for p in (demo_run / "charts").glob("*.svg"))
    assert len(svgs) > 30
    _engines.pdf_with_typst(demo_run, source, font, when, lambda _m: None, "cold.pdf")
    cold = (demo_run / "cold.pdf").read_bytes()
    _engines._COMPILERS.clear()  # a new compiler: nothing read yet
    _engines.warm_images(demo_run, font, svgs)
    _engines.pdf_with_typst(demo_run, source, font, when, lambda _m: None, "warm.pdf")
    assert (demo_run / "warm.pdf").read_bytes() == cold
    _engines.warm_images(demo_run, font, ["charts/missing.svg"])  # nothing said, no harm


def test_the_workbook_made_ahead_is_used_only_for_its_own_results(
    demo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    made_now = (run / "report.xlsx").read_bytes()
    monkeypatch.setattr(_render, "_WORKBOOKS", {})
    _render.report_ahead(run, "zh")
    assert [made.result() for made in _render._WORKBOOKS.values()] == [made_now]
    called: list[str] = []
    real = _render._workbook

    def counted(*args: object) -> bytes:
        called.append("made")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_render, "_workbook", counted)
    _render.render_report(run, ["xlsx"], "auto", lambda _m: None, "zh")
    assert called == [] and (run / "report.xlsx").read_bytes() == made_now
    # results.json changed since: the workbook is made again from it
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    results["engagement"]["report"]["title"] += "（改）"
    (run / "results.json").write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    _render.render_report(run, ["xlsx"], "auto", lambda _m: None, "zh")
    assert called == ["made"] and (run / "report.xlsx").read_bytes() != made_now


def test_an_executed_notebook_is_normalised_in_memory_as_from_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner normalises the notebook papermill returns instead of reading back the file
    papermill wrote, and writes it without nbformat's copy: the same bytes as the long way."""
    from ccua import runner

    real = runner._normalise_executed
    pairs: list[tuple[bytes, bytes]] = []

    def both_ways(path: Path, job: runner.NotebookJob, nb: object = None) -> None:
        written = path.with_name(f"papermill-{path.name}")  # beside it: the same results.json
        shutil.copy(path, written)  # as papermill wrote it
        real(path, job, nb)
        real(written, job)  # read back from the file, then written by nbformat
        pairs.append((path.read_bytes(), written.read_bytes()))

    monkeypatch.setattr(runner, "_normalise_executed", both_ways)
    run_client(ROOT / "params/demo.yaml", output=tmp_path / "run", report=False)
    assert len(pairs) == 6
    for fast, slow in pairs:
        assert fast == slow
