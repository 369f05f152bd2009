"""Issue 11: with --json every command prints its errors as JSON on stdout and exits non-zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccua.demo import write_demo
from ccua.errors import MAX_PROBLEMS, CcuaError, Problem, ValidationFailed, error_dict
from tests.cli import run

KEYS = {"file", "row", "column", "field", "message"}


def as_error(out: str) -> dict:
    data = json.loads(out)
    assert isinstance(data["error"], str) and data["error"]
    assert all(set(p) >= KEYS for p in data["problems"])
    return data


def test_score_error_as_json(tmp_path: Path, capsys):
    code, out, err = run(capsys, "score", str(tmp_path / "nothere.yaml"), "--json")
    assert code == 1 and err == ""
    data = as_error(out)
    assert data["problems"][0]["file"].endswith("nothere.yaml")
    assert data["problems"][0]["message"] == "file not found"


def test_kpi_calc_errors_as_json(capsys):
    code, out, err = run(capsys, "kpi", "calc", "DO6.9", "abc", "1", "--json")
    assert code == 1 and err == ""
    assert "abc" in as_error(out)["error"]
    code, out, _ = run(capsys, "kpi", "calc", "NOPE", "--json")
    assert code == 1 and "NOPE" in as_error(out)["error"]


def test_run_validation_problems_as_json(tmp_path: Path, capsys):
    params = tmp_path / "params"
    write_demo(params)
    monthly = params / "demo" / "monthly.csv"
    text = monthly.read_text(encoding="utf-8")
    monthly.write_text(
        text.replace(",offered_calls,总来话量,个,", ",offered_calls,总来话量,个,-", 1),
        encoding="utf-8",
    )
    code, out, _err = run(
        capsys,
        "run",
        str(params / "demo.yaml"),
        "--no-notebooks",
        "--json",
        "-o",
        str(tmp_path / "r"),
    )
    assert code == 1
    data = as_error(out)
    assert data["problem_count"] >= 1
    bad = [p for p in data["problems"] if "negative" in p["message"]]
    assert bad and bad[0]["file"].endswith("monthly.csv") and bad[0]["row"] is not None


def test_usage_errors_as_json(capsys):
    code, out, _ = run(capsys, "score", "--no-such-option", "--json")
    assert code == 2
    assert "no-such-option" in as_error(out)["error"]


def test_without_json_errors_stay_one_line_on_stderr(tmp_path: Path, capsys):
    code, out, err = run(capsys, "score", str(tmp_path / "nothere.yaml"))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [f"error: {tmp_path / 'nothere.yaml'}: file not found"]


def test_error_dict_caps_the_problem_list():
    problems = [Problem(f"bad {n}", file="m.csv", row=n) for n in range(MAX_PROBLEMS + 50)]
    data = error_dict(ValidationFailed.of(problems, subject="client x"))
    assert data["error"] == f"client x: {MAX_PROBLEMS + 50} problems"
    assert len(data["problems"]) == MAX_PROBLEMS and data["problem_count"] == MAX_PROBLEMS + 50
    assert data["problems"][3] == {
        "file": "m.csv",
        "row": 3,
        "column": None,
        "field": None,
        "indicator": None,
        "message": "bad 3",
    }
    text = str(ValidationFailed.of(problems, subject="client x"))
    assert len(text.splitlines()) == MAX_PROBLEMS + 2 and text.endswith("... and 50 more")
    single = error_dict(CcuaError("no good", file="f.yaml", field="client", hint="try x"))
    assert single["problems"][0]["field"] == "client" and single["hint"] == "try x"


@pytest.mark.parametrize(
    "args",
    [
        ["spec", "show", "--item", "ZZ9", "--json"],
        ["kpi", "show", "ZZ9", "--json"],
        ["crosswalk", "--to", "nope", "--json"],
    ],
)
def test_other_commands_error_as_json(args, capsys):
    code, out, _ = run(capsys, *args)
    assert code != 0
    as_error(out)
