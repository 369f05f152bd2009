"""The demo generator (ccua.demo): one generator, the demo clients' content as package data.

The committed demo clients are compared with the generator in tests/test_runner.py (T/CCUA)
and tests/test_guideline_demo.py (the CCEA guideline); here: what the generator takes from the
framework, where its data lives, and that it never overwrites an assessor's edits.
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pytest
import yaml

from ccua.demo import DEMOS, demo_files, demo_frameworks, load_demo, monthly_inputs, write_demo
from ccua.errors import CcuaError
from ccua.spec import load_framework
from tests.cli import run as cli

ROOT = Path(__file__).resolve().parents[1]


def test_every_demo_data_file_ships_in_the_wheel():
    """The files under ccua/demos/ match the package-data patterns of pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ccua"]
    files = [p.relative_to(ROOT / "ccua").as_posix() for p in DEMOS.rglob("*") if p.is_file()]
    assert files
    for rel in files:
        assert any(fnmatch.fnmatch(rel, pattern) for pattern in patterns), rel
    assert demo_frameworks() == ["t-ccua", "ccea-guideline"]


@pytest.mark.parametrize("framework", ["t-ccua", "ccea-guideline"])
def test_the_framework_decides_items_requirements_and_inputs(framework: str):
    fw = load_framework(framework)
    demo = load_demo(fw)
    files = demo_files(fw)
    engagement = yaml.safe_load(files[f"{demo.client}/engagement.yaml"])
    assert list(engagement["handover"]) == [i.code for i in fw.items]
    assert engagement["background"]["description"].count(f"{len(fw.items)}个") == 1
    ratings = yaml.safe_load(files[f"{demo.client}/ratings.yaml"])["items"]
    assert list(ratings) == [i.code for i in fw.items]
    for item in fw.items:
        rated = ratings[item.code].get("ratings", {})
        allowed = {r.code for r in item.requirements if r.kind != "indicator"}
        allowed |= {f"{r.code}.{s.code}" for r in item.requirements for s in r.subpoints}
        assert set(rated) <= allowed, item.code
    # every input of every computed indicator has a value in every month
    sheet = files[f"{demo.client}/monthly.csv"].lstrip("\ufeff").splitlines()
    measures = {line.split(",")[1] for line in sheet[1:]}
    computed = [i for i in fw.indicators if i.function not in ("value", "documentary")]
    assert {m for i in computed for m in i.inputs} <= measures


def test_monthly_inputs_are_the_sheets_whole_numbers():
    months = monthly_inputs("t-ccua")
    sheet = demo_files("t-ccua")["demo/monthly.csv"].lstrip("\ufeff").splitlines()
    header = sheet[0].split(",")
    for line in sheet[1:]:
        cells = line.split(",")
        for month, cell in zip(header[4:], cells[4:], strict=True):
            assert months[month][cells[1]] == int(cell)
    assert monthly_inputs("t-ccua", seed=11) != months


def test_a_framework_without_a_demo_is_a_clear_error():
    fw = load_framework("t-ccua").model_copy(update={"id": "no-such-framework"})
    with pytest.raises(CcuaError, match="no-such-framework.*has no demo client.*t-ccua"):
        load_demo(fw)


def test_an_edited_demo_file_is_kept_without_force(tmp_path: Path, capsys):
    write_demo(tmp_path, framework="ccea-guideline")
    edited = tmp_path / "demo-guideline" / "targets.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    code, out, _ = cli(
        capsys, "demo-client", "-f", "ccea-guideline", "--out", str(tmp_path), "--json"
    )
    assert code == 1 and "--force" in json.loads(out)["error"]
    assert "# mine" in edited.read_text(encoding="utf-8")
    code, out, _ = cli(
        capsys, "demo-client", "-f", "ccea-guideline", "--out", str(tmp_path), "--json", "--force"
    )
    assert code == 0 and str(edited) in json.loads(out)["files"]
    assert "# mine" not in edited.read_text(encoding="utf-8")
