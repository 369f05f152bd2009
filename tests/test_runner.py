"""The runner: results.json, notebook execution, failures that keep the previous run, batches.

These tests execute small fixture notebooks (tests/notebooks/good and broken) so that they stay
fast; tests/test_notebooks.py executes the real notebooks on the demo client.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from ccua.cli import main
from ccua.demo import demo_files, write_demo
from ccua.runner import NotebookFailed, run_batch, run_client
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
GOOD = Path(__file__).parent / "notebooks" / "good"
BROKEN = Path(__file__).parent / "notebooks" / "broken"


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    params = tmp_path / "params"
    write_demo(params)
    write_demo(params, seed=11, client="north")
    return params


def test_committed_demo_client_is_what_the_generator_writes():
    for rel, text in demo_files().items():
        path = ROOT / "params" / rel
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} differs from the generator: run  ccua demo-client --force"
        )


def test_run_writes_results_and_executed_notebooks(clients: Path, tmp_path: Path):
    out = tmp_path / "runs" / "demo"
    summary = run_client(clients / "demo.yaml", output=out, notebooks_folder=GOOD, report=False)
    assert summary.status == "ok" and summary.grade is not None
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["schema"] == "ccua.results" and results["schema_version"] == 2
    assert summary.total == results["assessment"]["total"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            ".ccua-run",
            "results.json",
            "engagement.ipynb",
            "SP.ipynb",
            "CB.ipynb",
            "DO.ipynb",
            "MI.ipynb",
            "scorecard.ipynb",
        ]
    )
    executed = nbformat.read(out / "DO.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "DO" in printed and "DO6" in printed


def test_same_inputs_give_byte_identical_results(clients: Path, tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_client(clients / "demo.yaml", output=a, notebooks=False)
    run_client(clients / "demo.yaml", output=b, notebooks=False)
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert str(tmp_path) not in (a / "results.json").read_text(encoding="utf-8")


def test_failing_notebook_names_it_and_keeps_the_previous_run(clients: Path, tmp_path: Path):
    out = tmp_path / "runs" / "demo"
    run_client(clients / "demo.yaml", output=out, notebooks_folder=GOOD, report=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(NotebookFailed) as exc:
        run_client(clients / "demo.yaml", output=out, notebooks_folder=BROKEN, report=False)
    message = str(exc.value)
    failed = re.search(r"notebook domain.ipynb \((\w+).ipynb\) failed in cell \d+", message)
    assert failed, message
    assert f"demo.failed/{failed.group(1)}.ipynb" in message
    assert "KeyError" in message and "no such key" in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert (out.parent / "demo.failed" / f"{failed.group(1)}.ipynb").exists()
    assert not list(out.parent.glob(".demo.staging-*"))


def test_bad_input_stops_before_anything_runs(clients: Path, tmp_path: Path):
    monthly = clients / "north" / "monthly.csv"
    text = monthly.read_text(encoding="utf-8")
    monthly.write_text(
        text.replace(",offered_calls,总来话量,个,", ",offered_calls,总来话量,个,-", 1),
        encoding="utf-8",
    )
    out = tmp_path / "runs" / "north"
    with pytest.raises(Exception, match=r"monthly.csv:\d+:.*negative value"):
        run_client(clients / "north.yaml", output=out, notebooks_folder=GOOD)
    assert not out.exists()


def test_batch_isolates_a_broken_client(clients: Path, tmp_path: Path, monkeypatch, capsys):
    (clients / "broken.yaml").write_text("client: broken\nengagement: nowhere\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    paths = [clients / "demo.yaml", clients / "broken.yaml", clients / "north.yaml"]
    summaries = run_batch(paths, jobs=2, notebooks=False)
    assert [s.status for s in summaries] == ["ok", "failed", "ok"]
    assert "engagement folder 'nowhere' not found" in summaries[1].error
    assert summaries[0].total != summaries[2].total
    assert (tmp_path / "runs" / "demo" / "results.json").exists()
    # The CLI prints the summary table and exits non-zero.
    with pytest.raises(SystemExit) as exit_:
        main(["batch", str(clients / "*.yaml"), "--jobs", "2", "--no-notebooks"])
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert "3 clients, 1 failed" in out and "demo" in out and "north" in out
    assert "broken" in err and "Traceback" not in err


def test_demo_client_generates_more_clients_for_a_batch(tmp_path: Path, monkeypatch, capsys):
    """`ccua demo-client --client NAME --seed N`: other synthetic centres, ready to batch."""
    monkeypatch.chdir(tmp_path)
    for name, seed in (("north", "11"), ("south", "12")):
        code, _, _ = run(capsys, "demo-client", "--client", name, "--seed", seed, "--out", "params")
        assert code == 0
    assert (tmp_path / "params" / "north" / "monthly.csv").read_bytes() != (
        tmp_path / "params" / "south" / "monthly.csv"
    ).read_bytes()
    code, out, _ = run(capsys, "batch", "params/*.yaml", "--no-notebooks", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["client"], r["status"]) for r in rows] == [("north", "ok"), ("south", "ok")]
    assert rows[0]["total"] != rows[1]["total"]
    code, _, err = run(capsys, "demo-client", "--client", "no good", "--out", "params")
    assert code == 1
    assert "is not a client name" in err


def test_report_markdown_is_read_once_for_html_and_pdf(tmp_path, monkeypatch):
    """The HTML and the PDF (side by side) convert the same report.qmd: pandoc reads it once
    (ccua.report._engines.markdown_ast), and the HTML from that AST is the HTML from the
    Markdown, byte for byte."""
    import threading

    from ccua.errors import CcuaError
    from ccua.report import _engines

    source = (
        "# 一、测评概况\n\n中文的一行\n接着一行 and English.\n\n"
        "| 项 | 分 |\n|---|--:|\n| SP1 | 1.92 |\n\n```{=html}\n<div>x</div>\n```\n"
    )
    direct = _engines.pandoc(source, "html5", ["--standalone", "--metadata=title:t"], tmp_path)
    via_ast = _engines._pandoc_from_json(
        _engines.markdown_ast(tmp_path, source),
        "html5",
        ["--standalone", "--metadata=title:t"],
        tmp_path,
    )
    assert via_ast == direct
    calls = []
    real = _engines.pandoc

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(_engines, "pandoc", counting)
    other = source + "\n另一段。\n"
    threads = [
        threading.Thread(target=_engines.markdown_ast, args=(tmp_path, other)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["json"]

    def failing(*args, **kwargs):
        raise CcuaError("pandoc could not convert the report to json: boom")

    monkeypatch.setattr(_engines, "pandoc", failing)
    broken = source + "\n坏的。\n"
    with pytest.raises(CcuaError, match="boom"):
        _engines.markdown_ast(tmp_path, broken)
    monkeypatch.setattr(_engines, "pandoc", counting)
    assert _engines.markdown_ast(tmp_path, broken).startswith("{")  # a failure is not kept


def test_a_kernel_that_did_not_start_is_retried_and_a_failure_then_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    import papermill

    from ccua.runner import NotebookFailed, NotebookJob, execute_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('second attempt')")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    template = tmp_path / "t.ipynb"
    nbformat.write(nb, template)
    real = papermill.execute_notebook
    calls: list[int] = []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(int(kwargs["start_timeout"]))  # type: ignore[call-overload]
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    (tmp_path / "run").mkdir()
    with pytest.raises(NotebookFailed, match="second attempt"):
        execute_notebook(NotebookJob(template, "t.ipynb", {}, "t"), tmp_path / "run")
    assert len(calls) == 2 and calls[1] == 2 * calls[0]  # retried, with more time to start
