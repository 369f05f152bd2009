"""The evidence register (`ccua evidence`) and `ccua trace` down to ratings, evidence and cells."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from ccua.evidence import citation_problems, load_register, titles_by_item
from ccua.ratings import load_ratings
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def demo(tmp_path, monkeypatch):
    """A copy of the demo client in a temporary params/ folder, as the working directory."""
    shutil.copytree(ROOT / "params" / "demo", tmp_path / "params" / "demo")
    shutil.copy(ROOT / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "params" / "demo"


def test_evidence_add_registers_and_attaches(demo, tmp_path, capsys):
    doc = tmp_path / "运营管理规范.pdf"
    doc.write_bytes(b"%PDF-1.4 demo")
    code, out, err = run(
        capsys,
        "evidence",
        "add",
        "demo",
        str(doc),
        "--title",
        "运营管理规范（2026版）",
        "--kind",
        "document",
        "--owner",
        "周晓梅",
        "--json",
    )
    assert code == 0, err
    entry = json.loads(out)
    # the demo's register holds E001-E006: the next id follows them
    assert entry["id"] == "E007" and entry["file"] == "evidence/运营管理规范.pdf"
    import hashlib

    assert entry["sha256"] == hashlib.sha256(b"%PDF-1.4 demo").hexdigest()
    assert (demo / "evidence" / "运营管理规范.pdf").read_bytes() == b"%PDF-1.4 demo"
    assert doc.exists()  # copied, never moved
    # A hand-written comment in the register survives the next add.
    register = demo / "evidence.yaml"
    register.write_text(
        register.read_text(encoding="utf-8") + "# 组长备注：待补签字版\n", encoding="utf-8"
    )
    code, out, _ = run(
        capsys,
        "evidence",
        "add",
        "demo",
        "--title",
        "访谈纪要 2026-09-16",
        "--kind",
        "interview",
        "--json",
    )
    assert code == 0 and json.loads(out)["id"] == "E008"
    assert "# 组长备注：待补签字版" in register.read_text(encoding="utf-8")
    # The same file twice is refused, naming the entry it already is.
    code, _, err = run(capsys, "evidence", "add", "demo", str(doc), "--title", "again")
    assert code == 1 and "E007" in err
    code, _, err = run(capsys, "evidence", "add", "demo", "--title", "x", "--kind", "rumour")
    assert code == 1 and "--kind must be one of" in err


def test_ratings_cite_ids_free_text_is_flagged(demo):
    ratings_path = demo / "ratings.yaml"
    doc = yaml.safe_load(ratings_path.read_text(encoding="utf-8"))
    doc["items"]["SP1"]["ratings"]["a"]["evidence"] = "E001"
    doc["items"]["SP1"]["ratings"]["b"]["evidence"] = "E009"
    doc["items"]["SP1"]["ratings"]["c"]["evidence"] = "现场观察"
    ratings_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ratings = load_ratings(ratings_path)
    register = load_register(demo)  # the demo's register: E001-E006
    problems, warnings = citation_problems(ratings, register)
    assert [p.field for p in problems] == ["SP1.b"] and "E009" in problems[0].message
    assert [w for w in warnings if "free text" in w] == [w for w in warnings if "SP1.c" in w]
    assert len(warnings) == 1
    assert "E001 运营管理规范（2026版）" in titles_by_item(ratings, register)["SP1"]
    # ccua check stops on the unknown id and names the rating; the free text is a warning.
    from ccua.scaffold import check_client

    report = check_client(demo.parent / "demo.yaml")
    assert [p.field for p in report.problems] == ["SP1.b"]
    assert any("SP1.c" in str(w) for w in report.warnings)


def test_bad_register_names_file_and_line(demo):
    (demo / "evidence.yaml").write_text(
        "evidence:\n  - {id: E001, title: a, kind: document}\n"
        "  - {id: E001, title: b, kind: data}\n",
        encoding="utf-8",
    )
    from ccua.errors import CcuaError

    with pytest.raises(CcuaError, match=r"evidence.yaml:3.*E001 is used twice"):
        load_register(demo)


def test_trace_indicator_down_to_the_sheet_cells(demo, capsys):
    code, out, err = run(capsys, "trace", "demo", "DO6.9", "--json")
    assert code == 0, err
    chain = json.loads(out)
    assert chain["inputs"] == ["abandoned_calls", "offered_calls"]
    # Every input names the sheet cell it came from; read that cell back from the CSV.
    rows = list(csv.reader((demo / "monthly.csv").read_text(encoding="utf-8-sig").splitlines()))
    for month in chain["months"]:
        for i in month["inputs"]:
            where = i["source"].split(" ")[0]  # monthly.csv:85:E
            _, row, col = where.rsplit(":", 2)
            cell = rows[int(row) - 1][ord(col) - ord("A")]
            assert i["value"] == cell and i["source"].startswith(str(demo / "monthly.csv"))
        a, b = (int(i["value"]) for i in month["inputs"])
        from decimal import ROUND_HALF_UP, Decimal

        expected = (Decimal(a) / Decimal(b) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert month["value"] == str(expected)
    code, out, _ = run(capsys, "trace", "demo", "DO6.9")
    assert "monthly.csv:85:E" in out and "放弃率" in out


def test_trace_item_and_subpoint_down_to_ratings_and_evidence(demo, capsys):
    (demo / "evidence.yaml").write_text(
        "evidence:\n  - {id: E001, title: 知识库运营月报, kind: document, "
        "sha256: " + "a" * 64 + "}\n",
        encoding="utf-8",
    )
    ratings_path = demo / "ratings.yaml"
    doc = yaml.safe_load(ratings_path.read_text(encoding="utf-8"))
    doc["items"]["DO6"]["ratings"]["c.2"]["evidence"] = "E001"
    ratings_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "trace", "demo", "DO6.c.2", "--json")
    chain = json.loads(out)
    assert chain["code"] == "DO6.c.2" and chain["kind"] == "requirement"
    [req] = chain["requirements"]
    [leaf] = req["ratings"]
    assert leaf["leaf"] == "c.2" and leaf["by"] == doc["items"]["DO6"]["ratings"]["c.2"]["by"]
    assert leaf["evidence"] == [
        {
            "id": "E001",
            "title": "知识库运营月报",
            "kind": "document",
            "sha256": "a" * 64,
            "registered": True,
        }
    ]
    code, out, _ = run(capsys, "trace", "demo", "DO6")
    assert "score" in out and "DO6.e" in out and "DO6.9" in out
    code, _, err = run(capsys, "trace", "demo", "ZZ1")
    assert code == 1 and "neither an item" in err
