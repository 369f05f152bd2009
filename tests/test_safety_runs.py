"""Issue 11, run folders: ccua never empties a folder it did not create, cleans its own stale
staging folders, and runs one client at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from ccua.demo import write_demo
from ccua.errors import CcuaError
from ccua.runner import RUN_MARKER, lock_path, run_client
from tests.cli import run


@pytest.fixture
def params(tmp_path: Path) -> Path:
    folder = tmp_path / "params"
    write_demo(folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_folder_with_other_files_is_refused_and_kept(params: Path, tmp_path: Path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    code, _, err = run(capsys, "run", str(params / "demo.yaml"), "-o", str(out), "--no-notebooks")
    assert code == 1
    assert "not a ccua run folder" in err and str(out) in err and "Traceback" not in err
    assert [line for line in err.splitlines() if "error" in line] == [
        f"error: client demo: 1 problem: --output: {out}: the run's output is not a ccua run "
        "folder (it holds files ccua did not write, and no .ccua-run); nothing was changed: "
        "choose an absent or empty folder (-o DIR or output: in the params file)"
    ]
    assert snapshot(out) == {"thesis.docx": b"years of work"}


def test_output_params_folder_is_refused(params: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = snapshot(params)
    code, _, err = run(capsys, "run", "params/demo.yaml", "-o", "params", "--no-notebooks")
    assert code == 1 and "not a ccua run folder" in err
    assert snapshot(params) == before


def test_output_the_clients_own_engagement_folder_is_refused(params: Path, tmp_path: Path, capsys):
    p = params / "demo.yaml"
    p.write_text(p.read_text(encoding="utf-8") + "output: demo\n", encoding="utf-8")
    before = snapshot(params)
    code, _, err = run(capsys, "run", str(p), "--no-notebooks")
    assert code == 1 and "not a ccua run folder" in err and "demo" in err
    assert snapshot(params) == before
    assert (params / "demo" / "engagement.yaml").exists()
    # ccua check says so too: the run would stop.
    code, out, _ = run(capsys, "check", str(p))
    assert code == 1 and f"demo.yaml: output: {params / 'demo'}: the run's output is not" in out


def test_a_file_as_output_is_refused(params: Path, tmp_path: Path):
    out = tmp_path / "notes.txt"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(CcuaError, match="not a folder"):
        run_client(params / "demo.yaml", output=out, notebooks=False)
    assert out.read_text(encoding="utf-8") == "mine"


def test_a_symbolic_link_as_output_names_its_folder(params: Path, tmp_path: Path):
    real = tmp_path / "real"
    run_client(params / "demo.yaml", output=real, notebooks=False)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(CcuaError, match="symbolic link") as exc:
        run_client(params / "demo.yaml", output=link, notebooks=False)
    assert str(real) in str(exc.value) and link.is_symlink()
    run_client(params / "demo.yaml", output=real, notebooks=False)


def test_absent_empty_and_run_folders_are_written(params: Path, tmp_path: Path):
    absent, empty = tmp_path / "a" / "b", tmp_path / "empty"
    empty.mkdir()
    for out in (absent, empty):
        run_client(params / "demo.yaml", output=out, notebooks=False)
        assert (out / "results.json").exists() and (out / RUN_MARKER).exists()
    # A run folder (it carries the marker) is replaced by the next run.
    (absent / "stale.ipynb").write_text("{}", encoding="utf-8")
    run_client(params / "demo.yaml", output=absent, notebooks=False)
    assert not (absent / "stale.ipynb").exists()


def test_a_run_folder_with_a_file_added_by_hand_is_replaced(params: Path, tmp_path: Path):
    """The marker says ccua made the folder; what is in it is the run's, as documented."""
    out = tmp_path / "run"
    run_client(params / "demo.yaml", output=out, notebooks=False)
    (out / "notes.txt").write_text("x", encoding="utf-8")
    run_client(params / "demo.yaml", output=out, notebooks=False)
    assert not (out / "notes.txt").exists()


def test_a_run_folder_from_before_the_marker(params: Path, tmp_path: Path):
    out = tmp_path / "old"
    run_client(params / "demo.yaml", output=out, notebooks=False)
    (out / RUN_MARKER).unlink()
    (out / "DO.ipynb").write_text("{}", encoding="utf-8")
    (out / "report.html").write_text("<html/>", encoding="utf-8")
    (out / "_quarto.yml").write_text("project: {}", encoding="utf-8")
    (out / "charts").mkdir()
    (out / "charts" / "vega-embed.js").write_text("//", encoding="utf-8")
    (out / "templates").mkdir()
    run_client(params / "demo.yaml", output=out, notebooks=False)  # accepted: ccua's files only
    assert (out / RUN_MARKER).exists() and not (out / "DO.ipynb").exists()
    # ... but not when something else is in it, or results.json is not ccua's.
    (out / RUN_MARKER).unlink()
    (out / "budget.xlsx").write_bytes(b"x")
    with pytest.raises(CcuaError, match="not a ccua run folder"):
        run_client(params / "demo.yaml", output=out, notebooks=False)
    assert (out / "budget.xlsx").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "results.json").write_text('{"mine": 1}', encoding="utf-8")
    with pytest.raises(CcuaError, match="not a ccua run folder"):
        run_client(params / "demo.yaml", output=other, notebooks=False)
    assert (other / "results.json").read_text(encoding="utf-8") == '{"mine": 1}'


def test_a_failed_folder_that_is_not_ours_is_kept(params: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "runs" / "demo"
    failed = tmp_path / "runs" / "demo.failed"
    failed.mkdir(parents=True)
    (failed / "mine.txt").write_text("keep", encoding="utf-8")
    import ccua.runner as runner

    def boom(*_a, **_k):
        raise CcuaError("broken renderer")

    monkeypatch.setattr(runner, "notebook_jobs", boom)
    with pytest.raises(CcuaError, match="broken renderer"):
        run_client(params / "demo.yaml", output=out)
    assert (failed / "mine.txt").read_text(encoding="utf-8") == "keep"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_staging_folders_are_cleaned_by_the_next_run(params: Path, tmp_path: Path):
    runs = tmp_path / "runs"
    runs.mkdir()
    dead = _dead_pid()
    stale = runs / f".demo.staging-{dead}"
    stale.mkdir()
    (stale / "results.json").write_text("{}", encoding="utf-8")
    old = runs / f".demo.old-{dead}"
    old.mkdir()
    (old / RUN_MARKER).write_text("{}", encoding="utf-8")
    alive = runs / f".demo.staging-{os.getppid()}"  # a live process: not touched
    alive.mkdir()
    theirs = runs / f".demo.staging-{dead}x"  # not a name ccua writes
    theirs.mkdir()
    other_client = runs / f".north.staging-{dead}"  # another client's: its own run cleans it
    other_client.mkdir()
    run_client(params / "demo.yaml", output=runs / "demo", notebooks=False)
    assert not stale.exists() and not old.exists()
    assert alive.exists() and theirs.exists() and other_client.exists()


def test_a_second_run_of_the_same_client_waits_then_refuses(params: Path, tmp_path: Path):
    out = tmp_path / "runs" / "demo"
    out.parent.mkdir()
    holder = FileLock(str(lock_path(out)))
    holder.acquire()
    try:
        started = time.perf_counter()
        with pytest.raises(CcuaError) as exc:
            run_client(params / "demo.yaml", output=out, notebooks=False, lock_timeout=0.5)
        assert 0.4 < time.perf_counter() - started < 10
        message = str(exc.value)
        assert "demo" in message and "another ccua run" in message
        assert str(lock_path(out)) in message
        assert not out.exists()
    finally:
        holder.release()
    run_client(params / "demo.yaml", output=out, notebooks=False, lock_timeout=0.5)
    assert (out / "results.json").exists()


def test_a_locked_client_fails_alone_in_a_batch(params: Path, tmp_path: Path, monkeypatch):
    from ccua.runner import run_batch

    write_demo(params, seed=11, client="north")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CCUA_LOCK_TIMEOUT", "0.2")
    (tmp_path / "runs").mkdir()
    holder = FileLock(str(lock_path(tmp_path / "runs" / "demo")))
    with holder:
        summaries = run_batch([params / "demo.yaml", params / "north.yaml"], notebooks=False)
    assert [s.status for s in summaries] == ["failed", "ok"]
    assert "another ccua run" in summaries[0].error


def test_marker_is_json_naming_the_client(params: Path, tmp_path: Path):
    out = tmp_path / "r"
    run_client(params / "demo.yaml", output=out, notebooks=False)
    marker = json.loads((out / RUN_MARKER).read_text(encoding="utf-8"))
    assert marker["client"] == "demo" and marker["written_by"].startswith("ccua")


def test_run_wait_option_refuses_at_once(params: Path, tmp_path: Path, capsys):
    out = tmp_path / "runs" / "demo"
    out.parent.mkdir()
    with FileLock(str(lock_path(out))):
        started = time.perf_counter()
        code, _, err = run(
            capsys,
            "run",
            str(params / "demo.yaml"),
            "-o",
            str(out),
            "--no-notebooks",
            "--wait",
            "0",
        )
        assert time.perf_counter() - started < 10
    assert code == 1 and "client demo is being run by another ccua run" in err
    assert str(lock_path(out)) in err and not out.exists()


def test_the_lock_holds_across_processes(params: Path, tmp_path: Path):
    out = tmp_path / "runs" / "demo"
    out.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom filelock import FileLock\n"
            "with FileLock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(30)\n",
            str(lock_path(out)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(CcuaError, match="another ccua run"):
            run_client(params / "demo.yaml", output=out, notebooks=False, lock_timeout=0.3)
    finally:
        holder.kill()  # kill -9: the OS releases the lock
        holder.wait()
    run_client(params / "demo.yaml", output=out, notebooks=False, lock_timeout=5)
    assert (out / "results.json").exists()
