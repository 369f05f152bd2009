"""The command line: every command, in tables and JSON, and one-line errors on bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "params" / "worked-example.ratings.yaml"


def test_kpi_calc_json_gives_percent_numbers(capsys):
    code, out, _ = run(capsys, "kpi", "calc", "DO6.9", "50", "1000", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["code"] == "DO6.9" and data["value"] == 5.0 and data["unit"] == "percent"


def test_kpi_calc_duration_and_table(capsys):
    code, out, _ = run(capsys, "kpi", "calc", "CB1.3", "1200", "300", "100")
    assert code == 0 and "CB1.3 应答速度 = 15" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpi", "calc", "DO6.9", "1200", "1000"], "'abandoned_calls'"),
        (["kpi", "calc", "DO6.9", "50", "0"], "is zero, and it is the denominator"),
        (["kpi", "calc", "DO6.9", "50"], "takes 2 inputs in this order"),
        (["kpi", "calc", "DO6.9", "abc", "10"], "expected a number, got 'abc'"),
        (["kpi", "calc", "DO6.9", "-5", "10"], "is negative"),
        (["kpi", "calc", "ZZ9.9", "1"], "no indicator 'ZZ9.9'"),
        (["kpi", "calc", "SP1.1"], "documentary evidence"),
        (["kpi", "show", "DO6.99"], "no indicator 'DO6.99'"),
        (["spec", "show", "--item", "XX1"], "no item 'XX1' in t-ccua"),
        (["spec", "show", "--framework", "nope"], "unknown framework 'nope'"),
    ],
)
def test_bad_input_is_one_line_without_traceback(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_kpi_list_shows_all_88_with_formulas(capsys):
    code, out, _ = run(capsys, "kpi", "list", "--json")
    data = json.loads(out)
    assert code == 0 and len(data) == 88
    assert {d["code"] for d in data} >= {"CB1.3", "DO6.9", "DO6.13", "MI2.10", "SP3.3"}
    do69 = next(d for d in data if d["code"] == "DO6.9")
    assert do69["formula"].startswith("放弃率=") and [i["code"] for i in do69["inputs"]] == [
        "abandoned_calls",
        "offered_calls",
    ]
    code, out, _ = run(capsys, "kpi", "list")
    assert "88 indicator positions" in out and "放弃率" in out


def test_kpi_show(capsys):
    code, out, _ = run(capsys, "kpi", "show", "DO6.5")
    assert code == 0 and "平均处理时长" in out and "E-A-DO6.5" in out and "handle_time_total" in out
    data = json.loads(run(capsys, "kpi", "show", "DO6.5", "--json")[1])
    assert data["unit"] == "seconds" and "E-A-DO6.5" in data["errata"]


def test_spec_show(capsys):
    code, out, _ = run(capsys, "spec", "show")
    assert code == 0 and "19 items" in out and "88 indicator positions" in out
    data = json.loads(run(capsys, "spec", "show", "--json")[1])
    assert len(data["items"]) == 19 and [d["code"] for d in data["domains"]] == [
        "SP",
        "CB",
        "DO",
        "MI",
    ]
    code, out, _ = run(capsys, "spec", "show", "--item", "DO5")
    assert "质量管理" in out and "抽样原则" in out
    item = json.loads(run(capsys, "spec", "show", "--item", "CB1", "--json")[1])
    assert item["requirements"][0]["subpoints"][1]["text"] == "具备跨部门的功能协同能力；"


def test_score_worked_example(capsys):
    code, out, _ = run(capsys, "score", str(EXAMPLE))
    assert code == 0 and "测评计分合计 85.56分" in out and "测评等级：良好（≥75分）" in out
    assert "DO3 运营计划" in out and "3.12分" in out and "Total" not in out
    # the columns line up by display width (a CJK character counts two)
    from rich.cells import cell_len

    rows = [line for line in out.splitlines() if "覆盖[" in line]  # the 19 item rows
    ends = {cell_len(line[: re.search(r"\d\.\d\d分", line).end()]) for line in rows}  # points
    assert len(rows) == 19 and len(ends) == 1
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--lang", "en")
    assert code == 0 and "Total score 85.56" in out and "Grade: Good (≥ 75 points)" in out
    assert "DO3 Operations planning" in out and "测评" not in out and "分值" not in out
    data = json.loads(run(capsys, "score", str(EXAMPLE), "--json")[1])
    assert data["total"] == 85.56 and data["grade"] == "良好"
    do3 = next(i for i in data["items"] if i["code"] == "DO3")
    assert (do3["points"], do3["percent"], do3["score"], do3["share"]) == (3.5, 89.0, 3.12, 3.65)


def test_score_bad_files(capsys, tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("framework: t-ccua\nitems:\n  SP1: {percent: 85}\n", encoding="utf-8")
    code, _, err = run(capsys, "score", str(bad))
    assert code == 1 and "r.yaml:3: items.SP1: an item override (percent) needs a note" in err
    code, _, err = run(capsys, "score", str(tmp_path / "missing.yaml"))
    assert code == 1 and "file not found" in err
    incomplete = tmp_path / "i.yaml"
    incomplete.write_text(
        "framework: t-ccua\nitems:\n  SP1: {percent: 85, note: x}\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "score", str(incomplete))
    assert code == 1 and "incomplete" in err and "SP2.a: not rated" in err


def test_errata_command(capsys):
    code, out, _ = run(capsys, "errata", "--framework", "t-ccua", "--json")
    data = json.loads(out)
    assert code == 0 and any(e["id"] == "E-M-grade-60" for e in data)
    code, out, _ = run(capsys, "errata", "--markdown")
    assert out.startswith("# Errata and decisions")


def test_console_script_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ccua", "kpi", "calc", "DO6.9", "50", "1000", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["value"] == 5.0
    proc = subprocess.run(
        [sys.executable, "-m", "ccua", "kpi", "calc", "DO6.9", "5", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
