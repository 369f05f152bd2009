"""`ccua verify` and `ccua archive`, and the locked set-up's check of uv.lock.

A demo run without notebooks is made once (module fixture) in a folder of its own; tests that
change an input work on a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ccua import provenance
from ccua.demo import write_demo
from ccua.runner import run_client
from ccua.verify import diff_values, verify_run
from tests.cli import run as cli

ROOT = Path(__file__).resolve().parents[1]


def make_run(base: Path) -> Path:
    write_demo(base / "params")
    out = base / "runs" / "demo"
    run_client(base / "params" / "demo.yaml", output=out, notebooks=False)
    return out


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("verify"))


@pytest.fixture
def own_run(demo_run: Path, tmp_path: Path) -> Path:
    """A copy of the demo run and its inputs, side by side as they were: free to change."""
    base = demo_run.parents[1]
    shutil.copytree(base / "params", tmp_path / "params")
    shutil.copytree(base / "runs", tmp_path / "runs")
    return tmp_path / "runs" / "demo"


def change_monthly_cell(params: Path) -> None:
    """One cell of the monthly sheet: January's abandoned calls (DO6.9's numerator), made
    small enough for DO6.9 to meet its target, which moves DO6's score and the total."""
    sheet = params / "demo" / "monthly.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if ",abandoned_calls," in line)
    cells = lines[n].split(",")
    cells[4] = "999"
    lines[n] = ",".join(cells)
    sheet.write_text("".join(lines), encoding="utf-8")


def test_verify_passes_after_a_run(demo_run: Path, capsys):
    code, out, _ = cli(capsys, "verify", str(demo_run))
    assert code == 0, out
    assert "verified" in out and "identical" in out and "NOT" not in out
    code, out, _ = cli(capsys, "verify", str(demo_run), "--json")
    report = json.loads(out)
    assert code == 0 and report["identical"] is True and report["passed"] is True
    assert report["differences"] == [] and report["inputs_checked"] >= 6


def test_one_changed_cell_of_the_monthly_sheet_fails_naming_the_file(own_run: Path, capsys):
    change_monthly_cell(own_run.parents[1] / "params")
    code, out, _ = cli(capsys, "verify", str(own_run))
    assert code == 1
    assert "NOT verified" in out
    assert "demo/monthly.csv: monthly file changed since the run" in out
    assert "indicators that moved: DO6.9" in out
    assert "assessment.total: 79.64 → " in out and "indicators[DO6.9].value:" in out
    assert "items whose score moved: DO6" in out
    code, out, _ = cli(capsys, "verify", str(own_run), "--json")
    report = json.loads(out)
    assert code == 1 and report["passed"] is False
    inputs = [d for d in report["differences"] if d["kind"] == "input"]
    assert [d["what"] for d in inputs] == ["demo/monthly.csv"]
    assert report["moved"]["indicators"] == ["DO6.9"]
    values = {d["what"]: d for d in report["differences"] if d["kind"] == "value"}
    recorded = json.loads((own_run / "results.json").read_text(encoding="utf-8"))
    assert values["indicators[DO6.9].value"]["recorded"] == next(
        i["value"] for i in recorded["indicators"] if i["code"] == "DO6.9"
    )
    # No code or environment difference is claimed: only the input and what it moved.
    assert not [d for d in report["differences"] if d["kind"] in ("code", "environment")]


def test_a_changed_package_version_is_named(demo_run: Path, monkeypatch, capsys):
    env = provenance.environment_info()
    changed = {**env, "packages": {**env["packages"], "pandas": "0.0.1"}}
    monkeypatch.setattr(provenance, "environment_info", lambda: changed)
    code, out, _ = cli(capsys, "verify", str(demo_run))
    assert code == 1
    assert f"environment.packages.pandas: {env['packages']['pandas']} → 0.0.1" in out
    assert "values (" not in out and "inputs (" not in out
    code, out, _ = cli(capsys, "verify", str(demo_run), "--ignore-environment")
    assert code == 0 and "values verified" in out


def test_a_missing_input_is_named(own_run: Path, capsys):
    (own_run.parents[1] / "params" / "demo" / "claimed.csv").unlink()
    code, out, _ = cli(capsys, "verify", str(own_run))
    assert code == 1 and "demo/claimed.csv: claimed file is missing" in out


def test_an_archive_verifies_elsewhere_after_the_originals_are_gone(tmp_path: Path, capsys):
    made = tmp_path / "made-here"
    run = make_run(made)
    code, out, _ = cli(capsys, "archive", str(run))
    assert code == 0, out
    archive = run.parent / "demo.ccua.zip"
    assert archive.exists()
    names = zipfile.ZipFile(archive).namelist()
    assert {
        "ccua-archive.json",
        "runs/demo/results.json",
        "params/demo.yaml",
        "params/demo/monthly.csv",
        "params/demo/ratings.yaml",
    } <= set(names)
    # Refuses to overwrite, unless told to; the same run gives the same archive.
    before = archive.read_bytes()
    code, _, err = cli(capsys, "archive", str(run))
    assert code == 1 and "exists already" in err
    code, _, _ = cli(capsys, "archive", str(run), "--force")
    assert code == 0 and archive.read_bytes() == before
    elsewhere = tmp_path / "another" / "machine"
    elsewhere.mkdir(parents=True)
    moved = Path(shutil.move(str(archive), str(elsewhere / "demo.ccua.zip")))
    shutil.rmtree(made)
    code, out, _ = cli(capsys, "verify", str(moved))
    assert code == 0, out
    assert "verified" in out and "NOT" not in out


def test_an_archive_holds_the_recorded_inputs_only(own_run: Path, capsys):
    params = own_run.parents[1] / "params"
    (params / "demo" / "notes.txt").write_text("客户姓名 张三 13800000000\n", encoding="utf-8")
    (params / "other.yaml").write_text("client: other\n", encoding="utf-8")
    code, _, _ = cli(capsys, "archive", str(own_run), "-o", str(own_run.parent / "a.zip"))
    assert code == 0
    names = zipfile.ZipFile(own_run.parent / "a.zip").namelist()
    assert not [n for n in names if n.endswith(("notes.txt", "other.yaml"))]
    recorded = json.loads((own_run / "results.json").read_text(encoding="utf-8"))
    inputs = {f"params/{e['path']}" for e in recorded["provenance"]["inputs"]}
    assert {n for n in names if n.startswith("params/")} == inputs


def test_only_a_run_folder_is_archived(tmp_path: Path, capsys):
    code, _, err = cli(capsys, "archive", str(tmp_path / "nothing"))
    assert code == 1 and "is not a run folder" in err
    code, _, err = cli(capsys, "archive", str(tmp_path))
    assert code == 1 and "has no results.json" in err
    assert not list(tmp_path.iterdir())


def test_an_input_changed_since_the_run_is_not_archived(own_run: Path, capsys):
    change_monthly_cell(own_run.parents[1] / "params")
    code, _, err = cli(capsys, "archive", str(own_run))
    assert code == 1
    assert "demo/monthly.csv changed since the run" in err
    assert not (own_run.parent / "demo.ccua.zip").exists()


def test_a_verified_archive_still_fails_when_an_archived_input_was_changed(
    own_run: Path, tmp_path: Path, capsys
):
    code, _, _ = cli(capsys, "archive", str(own_run))
    src = zipfile.ZipFile(own_run.parent / "demo.ccua.zip")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "params/demo/ratings.yaml":
                data += b"\n# edited\n"
            out.writestr(name, data)
    code, out_text, _ = cli(capsys, "verify", str(bad))
    assert code == 1 and "demo/ratings.yaml: ratings file changed since the run" in out_text


def test_unsafe_or_foreign_files_are_refused(tmp_path: Path, capsys):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("ccua-archive.json", json.dumps({"format": 1, "run": "r"}))
        zf.writestr("../outside.txt", "x")
    code, _, err = cli(capsys, "verify", str(evil))
    assert code == 1 and "outside the archive folder" in err
    assert not (tmp_path.parent / "outside.txt").exists()
    (tmp_path / "plain.txt").write_text("hello", encoding="utf-8")
    code, _, err = cli(capsys, "verify", str(tmp_path / "plain.txt"))
    assert code == 1 and "neither a run folder nor a ccua archive" in err
    old = tmp_path / "old-run"
    old.mkdir()
    (old / "results.json").write_text(json.dumps({"schema": "ccua.results"}), encoding="utf-8")
    code, _, err = cli(capsys, "verify", str(old))
    assert code == 1 and "records no provenance" in err and "Traceback" not in err


def test_diff_values_matches_coded_entries_by_code():
    a = {"x": [{"code": "A", "v": 1}, {"code": "B", "v": 2}], "t": 1.5}
    b = {"x": [{"code": "B", "v": 3}, {"code": "A", "v": 1}], "t": 1.5}
    assert diff_values(a, b) == [("x[B].v", 2, 3)]
    assert verify_run  # the API the CLI uses


# ---------------------------------------------------------------- the locked set-up
def _bootstrapped_uv() -> Path | None:
    tools = ROOT / ".venv-tools"
    uv = tools / "bin" / "uv"
    want = next(
        line.split("=", 1)[1]
        for line in (ROOT / "scripts" / "_uv").read_text(encoding="utf-8").splitlines()
        if line.startswith("UV_VERSION=")
    )
    try:
        got = subprocess.run(
            [str(uv), "--version"], capture_output=True, text=True, timeout=30
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return tools if len(got) > 1 and got[1] == want else None


def test_a_pyproject_changed_without_relocking_stops_the_setup_loudly(tmp_path: Path):
    tools = _bootstrapped_uv()
    if tools is None:
        pytest.skip(
            "uv is not bootstrapped in .venv-tools (scripts/setup does it from PyPI); "
            "this test does not download it"
        )
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, project / name)
    for name in ("setup", "_uv"):
        shutil.copy(ROOT / "scripts" / name, project / "scripts" / name)
    (project / ".venv-tools").symlink_to(tools)
    env = {**os.environ, "UV_OFFLINE": "1"}
    check = subprocess.run(
        [str(tools / "bin" / "uv"), "lock", "--check", "--offline"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check.returncode != 0:
        pytest.skip(
            "uv.lock does not match pyproject.toml in this checkout (run scripts/lock), "
            f"or uv's cache cannot check it offline: {check.stderr.strip()[-200:]}"
        )
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"pandas>=2.2"' in text
    pyproject.write_text(text.replace('"pandas>=2.2"', '"pandas>=2.3"'), encoding="utf-8")
    proc = subprocess.run(
        ["bash", "scripts/setup"], cwd=project, env=env, capture_output=True, text=True, timeout=180
    )
    if "network was disabled" in proc.stderr:
        pytest.skip("uv's cache cannot resolve offline here: " + proc.stderr.strip()[-200:])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "uv.lock does not match pyproject.toml" in proc.stderr
    assert "scripts/lock" in proc.stderr
    assert not (project / ".venv").exists()  # stopped before installing anything
