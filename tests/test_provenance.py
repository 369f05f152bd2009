"""Provenance in every run: results.json → provenance and each executed notebook's metadata.

One demo run without notebooks (module fixture) is shared by most tests; the notebook test runs
the small fixture notebooks of tests/notebooks/good.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from pathlib import Path

import nbformat
import pytest

from ccua import __version__
from ccua.demo import write_demo
from ccua.inputs import load_engagement
from ccua.provenance import PROJECT_ROOT, collect, colophon, source_info
from ccua.runner import run_client

ROOT = Path(__file__).resolve().parents[1]
GOOD = Path(__file__).parent / "notebooks" / "good"
CJK = re.compile(r"[\u4e00-\u9fff]")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("prov")
    write_demo(base / "params")
    run = base / "runs" / "demo"
    run_client(base / "params" / "demo.yaml", output=run, notebooks=False)
    return base, run, json.loads((run / "results.json").read_text(encoding="utf-8"))


def test_results_end_with_the_provenance_of_code_framework_inputs_and_environment(demo_run):
    results = demo_run[2]
    assert list(results)[-1] == "provenance"
    prov = results["provenance"]
    assert prov["ccua"]["version"] == __version__
    assert prov["ccua"] == source_info()
    assert len(prov["ccua"]["source_sha256"]) == 64
    if (PROJECT_ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", prov["ccua"]["commit"] or "")
        assert isinstance(prov["ccua"]["dirty"], bool)
    fw = results["framework"]
    assert prov["framework"]["id"] == fw["id"] == "t-ccua"
    assert prov["framework"]["version"] == fw["version"]
    assert re.fullmatch(r"[0-9a-f]{64}", prov["framework"]["sha256"])
    env = prov["environment"]
    assert env["python"] == platform.python_version()
    lock = ROOT / "uv.lock"
    assert env["lock"] == ({"file": "uv.lock", "sha256": sha(lock)} if lock.exists() else None)
    for name in ("pandas", "altair", "vl-convert-python", "papermill", "typst", "duckdb", "pandoc"):
        assert name in env["packages"]
    import pandas

    assert env["packages"]["pandas"] == pandas.__version__


def test_every_input_file_is_recorded_with_its_sha256_relative_to_the_run(demo_run):
    base, run, results = demo_run
    prov = results["provenance"]
    root = (run / prov["root"]).resolve()
    assert root == (base / "params").resolve() and prov["root"] == "../../params"
    roles = {e["role"]: e["path"] for e in prov["inputs"]}
    assert roles["params"] == "demo.yaml"
    for role in ("engagement", "targets", "monthly", "ratings", "claimed", "checks"):
        assert roles[role].startswith("demo/"), role
    for e in prov["inputs"]:
        assert (
            e["sha256"] == sha(root / e["path"]) and e["bytes"] == (root / e["path"]).stat().st_size
        )
    text = (run / "results.json").read_text(encoding="utf-8")
    assert str(base) not in text and "/tmp" not in text


def test_the_same_inputs_give_the_same_provenance_byte_for_byte(demo_run):
    base, run, _ = demo_run
    again = base / "runs" / "demo2"
    run_client(base / "params" / "demo.yaml", output=again, notebooks=False)
    assert (again / "results.json").read_bytes() == (run / "results.json").read_bytes()
    # Rerun into the same folder: nothing time-dependent.
    before = (run / "results.json").read_bytes()
    run_client(base / "params" / "demo.yaml", output=run, notebooks=False)
    assert (run / "results.json").read_bytes() == before


def test_a_changed_input_changes_its_recorded_hash_only(demo_run, tmp_path):
    base, _, results = demo_run
    ratings = base / "params" / "demo" / "ratings.yaml"
    original = ratings.read_text(encoding="utf-8")
    try:
        ratings.write_text(original + "\n# a comment\n", encoding="utf-8")
        run_client(base / "params" / "demo.yaml", output=tmp_path / "r", notebooks=False)
    finally:
        ratings.write_text(original, encoding="utf-8")
    after = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    old = {e["path"]: e["sha256"] for e in results["provenance"]["inputs"]}
    new = {e["path"]: e["sha256"] for e in after["provenance"]["inputs"]}
    assert [p for p in old if old[p] != new[p]] == ["demo/ratings.yaml"]


def test_ingested_record_partitions_are_inputs_but_never_the_salt(tmp_path):
    from ccua.records import ingest, load_mapping
    from ccua.records._synth import Plan, write_records

    write_demo(tmp_path / "params")
    exports = tmp_path / "exports"
    write_records(exports, Plan(calls=600, months=6), kinds=("voice",))
    folder = tmp_path / "params" / "demo" / "records"
    results = ingest(folder, [exports], mappings=[load_mapping(exports / "mapping" / "voice.yaml")])
    assert all(r.error is None for r in results)
    # (the provenance of what the run reads; the demo's key points, written for its sheet,
    # would stop a run computed from these few synthetic records)
    data = load_engagement(tmp_path / "params" / "demo.yaml")
    assert data.files["records"] == folder
    prov = collect(data, tmp_path / "runs" / "demo")
    records = [e["path"] for e in prov["inputs"] if e["role"] == "records"]
    parquet = sorted(
        p.relative_to(tmp_path / "params").as_posix()
        for p in folder.rglob("*.parquet")
        if ".staging" not in p.parts
    )
    assert "demo/records/manifest.json" in records
    assert sorted(r for r in records if r.endswith(".parquet")) == parquet and parquet
    assert not [r for r in records if ".salt" in r or ".lock" in r]


def test_executed_notebooks_record_the_provenance_and_their_template(tmp_path):
    write_demo(tmp_path / "params")
    out = tmp_path / "run"
    run_client(tmp_path / "params" / "demo.yaml", output=out, notebooks_folder=GOOD, report=False)
    prov = json.loads((out / "results.json").read_text(encoding="utf-8"))["provenance"]
    for name in ("engagement.ipynb", "DO.ipynb", "scorecard.ipynb"):
        meta = nbformat.read(out / name, as_version=4).metadata["ccua"]
        assert meta["provenance"] == prov
        template = "domain.ipynb" if name == "DO.ipynb" else name
        assert meta["notebook"] == {"name": template, "sha256": sha(GOOD / template)}


def test_the_colophon_says_the_same_in_either_language(demo_run):
    prov = demo_run[2]["provenance"]
    zh, en = colophon(prov, "zh"), colophon(prov, "en")
    assert zh and en and len(zh) == len(en)
    assert all(CJK.search(line) for line in zh)
    assert not any(CJK.search(line) for line in en)
    for lines in (zh, en):
        text = "\n".join(lines)
        assert __version__ in text and prov["framework"]["id"] in text
        assert prov["environment"]["python"] in text
        assert "ccua verify" in text
    assert colophon(None) == [] and colophon({}) == []
