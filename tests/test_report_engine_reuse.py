"""The PDF's Typst compiler is kept per process (ccua/report/_engines.py): the next report
compiles faster and comes out as from a new compiler, reading changed files afresh."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typst

from ccua.report import find_cjk_font, pdf_with_typst, warm_typst

ROOT = Path(__file__).resolve().parents[1]
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="{colour}"/></svg>'
)


def _fresh(run: Path, source: str, when: datetime) -> bytes:
    font = find_cjk_font()
    return typst.compile(
        source.encode("utf-8"),
        root=str(run),
        font_paths=list(font.folders),
        ignore_system_fonts=not font.system_fonts,
        timestamp=int(when.replace(tzinfo=UTC).timestamp()),
    )


def test_a_kept_compiler_gives_the_pdf_of_a_new_one_and_sees_changed_files(
    tmp_path: Path,
) -> None:
    font = find_cjk_font()
    when = datetime(2026, 7, 1, 9, 30)
    warm_typst(font)
    pdfs = []
    for n, (colour, words) in enumerate(
        [("#4c78a8", "良好"), ("#e45756", "合格"), ("#e45756", "合格")]
    ):
        run = tmp_path / f"run{n % 2}"  # two run folders, the second one used twice
        run.mkdir(exist_ok=True)
        (run / "chart.svg").write_text(SVG.format(colour=colour), encoding="utf-8")
        source = f'#set text(font: "{font.family}")\n= 测评报告 {words}\n#image("chart.svg")\n'
        pdf_with_typst(run, source, font, when, lambda _m: None, "report.pdf")
        made = (run / "report.pdf").read_bytes()
        assert made == _fresh(run, source, when)
        pdfs.append(made)
    assert pdfs[0] != pdfs[1] and pdfs[1] == pdfs[2]
    # the same folder and source, a changed chart: the compiler reads the file again
    (tmp_path / "run0" / "chart.svg").write_text(SVG.format(colour="#54a24b"), encoding="utf-8")
    source = f'#set text(font: "{font.family}")\n= 测评报告 合格\n#image("chart.svg")\n'
    pdf_with_typst(tmp_path / "run0", source, font, when, lambda _m: None, "again.pdf")
    again = (tmp_path / "run0" / "again.pdf").read_bytes()
    assert again != pdfs[2] and again == _fresh(tmp_path / "run0", source, when)


def test_a_report_s_charts_and_templates_skip_the_fsync_its_text_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Charts and template copies are made again by every render: written whole (rename)
    but not fsynced, which cost a quarter of a second a report; report.qmd is fsynced."""
    import os

    from ccua._io import atomic_write_bytes
    from ccua.report._document import Document, write_project
    from ccua.report._notebooks import ChartFile

    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.relpath(os.readlink(f"/proc/self/fd/{fd}"), tmp_path))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    doc = Document(source="# 报告\n")
    doc_chart = ChartFile(path="charts/a.svg", data=SVG.format(colour="#000").encode())
    monkeypatch.setattr(Document, "files", property(lambda self: [doc_chart]))
    write_project(tmp_path, doc)
    assert (tmp_path / "charts" / "a.svg").read_bytes() == doc_chart.data
    assert (tmp_path / "templates").is_dir() and any((tmp_path / "templates").iterdir())
    assert not any("charts" in p or "templates" in p for p in synced)
    assert any(p.endswith(".tmp") for p in synced)  # report.qmd's own temporary file
    synced.clear()
    atomic_write_bytes(tmp_path / "kept.txt", b"x")
    assert len(synced) == 2  # the file, then its folder
    assert not [f for f in os.listdir(tmp_path / "charts") if f.endswith(".tmp")]


@pytest.mark.parametrize(
    ("params", "lang", "joined"),
    [
        ("params/demo.yaml", "zh", True),
        # "Grade" heads a section of the front part and one of the scorecard: pandoc numbers
        # the second "grade-1" as it does in the whole
        ("params/demo-guideline.yaml", "en", True),
    ],
)
def test_the_front_part_read_ahead_joins_into_the_ast_of_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: str, lang: str, joined: bool
) -> None:
    """The runner has pandoc read the report's front part while the notebooks run; the report
    then reads the rest only, and the two make the AST of the whole report, exactly."""
    import json

    from ccua.report import _engines
    from ccua.report._document import build_document, document_source
    from ccua.results_model import load_run
    from ccua.runner import run_client

    run = tmp_path / "run"
    run_client(ROOT / params, output=run, report=False, lang=lang)
    results, font = load_run(run), find_cjk_font()
    source = build_document(results, run, font, None, lang).source
    ahead = document_source(results, [], font, None, lang)
    monkeypatch.setattr(_engines, "_FRONTS", {})
    monkeypatch.setattr(_engines, "_ASTS", {})
    _engines.parse_front_ahead(ahead, run)
    read: list[int] = []
    real = _engines.pandoc

    def pandoc(text: str, to: str, args: list[str], cwd: Path) -> str:
        read.append(len(text))
        return real(text, to, args, cwd)

    monkeypatch.setattr(_engines, "pandoc", pandoc)
    ast = json.loads(_engines.markdown_ast(run, source))
    front = _engines._front_of(ahead)
    assert front is not None and source.startswith(front)
    rest = len(source) - len(front)  # (read with the front part's headings ahead of it)
    assert len(read) == 1 if joined else read[-1] == len(source)  # the rest, else the whole
    assert read[0] >= rest
    assert ast == json.loads(real(source, "json", [], run))


@pytest.mark.parametrize(
    "rest",
    [
        "\n# 改进建议\n\ntext\n",  # a heading of the front again: numbered "-1"
        "\n# Other\n\nsee [改进建议].\n",  # the front's heading cited: a link
        "\n# Other\n\nnote[^1]\n\n[^1]: a footnote\n",  # a definition
        "\n# Other {#改进建议}\n\ntext\n",  # the same identifier, given
    ],
)
def test_what_pandoc_carries_across_the_parts_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rest: str
) -> None:
    import json

    from ccua.report import _engines

    marker = '```{=typst}\n#metadata("annexes") <ccua-annexes>\n```\n'
    front = "---\ntitle: x\n---\n\n# 改进建议\n\n" + marker
    monkeypatch.setattr(_engines, "_FRONTS", {})
    monkeypatch.setattr(_engines, "_ASTS", {})
    _engines.parse_front_ahead(front, tmp_path)
    whole = json.loads(_engines.pandoc(front + rest, "json", [], tmp_path))
    assert json.loads(_engines.markdown_ast(tmp_path, front + rest)) == whole


def test_pandoc_runs_in_the_run_folder_without_moving_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's conversions run side by side in threads: pandoc is started in the run
    folder, and the process's own working folder is never changed (pypandoc's cworkdir did,
    and two threads restored it out of order, leaving ccua in a run folder)."""
    import os

    from ccua.report import _engines

    moves: list[str] = []
    monkeypatch.setattr(os, "chdir", lambda path: moves.append(str(path)))
    (tmp_path / "part.md").write_text("included\n", encoding="utf-8")
    html = _engines.pandoc("# 标题\n", "html5", ["--include-after-body=part.md"], tmp_path)
    assert "included" in html  # the relative path was read in the run folder
    assert moves == []
