"""Issue 11: `ccua check` runs exactly the validation `ccua run` runs, reports every problem in
one pass, exits 1 whenever the run would stop, and caps its lists like the run does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccua.errors import MAX_PROBLEMS, ValidationFailed
from ccua.runner import run_client
from ccua.scaffold import check_client, new_client
from tests.cli import run
from tests.engagement_fixture import (
    MONTHLY,
    dump,
    make_client,
    monthly_months_as_rows,
    ratings_data,
)


def run_problems(params: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as exc:
        run_client(params, notebooks=False, output=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    return [str(p) for p in exc.value.problems]


def check_problems(params: Path) -> list[str]:
    report = check_client(params)
    return [str(p) for p in [*report.problems, *report.todo]]


def test_check_fails_when_the_run_would_stop_on_unrated_requirements(tmp_path, capsys):
    ratings = ratings_data()
    del ratings["items"]["SP1"]
    params = make_client(tmp_path, ratings=ratings)
    code, out, _ = run(capsys, "check", str(params))
    assert code == 1 and "before ccua run" in out  # main said "ok" and exited 0 here
    assert check_problems(params) == run_problems(params, tmp_path)
    assert any("SP1.a" in p for p in check_problems(params))


def test_every_problem_in_one_pass(tmp_path, capsys):
    """A bad sheet no longer hides the ratings still missing, nor the indicators' problems."""
    data = dict(MONTHLY)
    data["offered_calls"] = [-1, *MONTHLY["offered_calls"][1:]]  # a sheet problem
    data["abandoned_calls"] = [
        MONTHLY["abandoned_calls"][0],  # part > whole
        MONTHLY["offered_calls"][1] + 1,
        *MONTHLY["abandoned_calls"][2:],
    ]
    ratings = ratings_data()
    del ratings["items"]["SP1"]  # a ratings gap
    params = make_client(tmp_path, ratings=ratings, monthly_csv=monthly_months_as_rows(data=data))
    problems = check_problems(params)
    assert any("negative" in p for p in problems)
    assert any("DO6.9" in p and "2026" in p for p in problems), problems
    assert any("SP1.a" in p and "not rated" in p for p in problems)
    assert problems == run_problems(params, tmp_path)
    code, out, _ = run(capsys, "check", str(params))
    assert code == 1 and "negative" in out and "SP1.a" in out


def test_a_fresh_client_shows_everything_the_run_needs(tmp_path, capsys):
    created = new_client("acme", directory=tmp_path / "params", start="2026-01")
    report = check_client(created.params_file)
    assert {p.message.split(":")[0] for p in report.problems} >= {"no monthly values yet"}
    assert len(report.todo) > 50 and all("not rated" in p.message for p in report.todo)
    assert report.warnings  # the template's placeholders, listed at once too
    assert check_problems(created.params_file) == run_problems(created.params_file, tmp_path)


def test_problem_lists_are_capped_alike(tmp_path, capsys):
    n = MAX_PROBLEMS + 40
    text = "月份," + ",".join(f"bad{k}" for k in range(n)) + "\n2026-01" + ",1" * n + "\n"
    params = make_client(tmp_path, monthly_csv=text)
    code, out, _ = run(capsys, "check", str(params), "--json")
    data = json.loads(out)
    total = data["problem_count"]  # the sheet reader may itself summarise the rest
    assert code == 1 and total > MAX_PROBLEMS and len(data["problems"]) == MAX_PROBLEMS
    assert data["error"] == f"client acme: {total} problems"
    code, out, _ = run(capsys, "check", str(params))
    assert code == 1 and MAX_PROBLEMS <= out.count("\n  - ") <= MAX_PROBLEMS + 1
    assert f"{total} problems" in out and f"... and {total - MAX_PROBLEMS} more" in out
    code, _, err = run(capsys, "run", str(params), "--no-notebooks", "-o", str(tmp_path / "r"))
    assert code == 1 and MAX_PROBLEMS <= err.count("\n  - ") <= MAX_PROBLEMS + 1
    assert f"{total} problems" in err and f"... and {total - MAX_PROBLEMS} more" in err


def test_warnings_alone_do_not_fail(tmp_path, capsys):
    params = make_client(tmp_path)
    eng = params.parent / "acme" / "engagement.yaml"
    eng.write_text(
        eng.read_text(encoding="utf-8").replace("seats: 300", "seats: 1"), encoding="utf-8"
    )
    report = check_client(params)
    assert report.warnings and not report.stops_run
    code, out, _ = run(capsys, "check", str(params))
    assert code == 0 and out.startswith("ok: acme")


def test_ratings_file_broken_still_checks_the_rest(tmp_path):
    params = make_client(
        tmp_path,
        monthly_csv=monthly_months_as_rows(
            data={**MONTHLY, "offered_calls": [-1, *MONTHLY["offered_calls"][1:]]}
        ),
    )
    (params.parent / "acme" / "ratings.yaml").write_text(
        dump({"framework": "t-ccua", "items": {"ZZ": {"x": 1}}}), encoding="utf-8"
    )
    problems = check_problems(params)
    assert any("negative" in p for p in problems)
    assert any("ratings.yaml" in p for p in problems)
    assert problems == run_problems(params, tmp_path)
