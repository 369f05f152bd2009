"""`ccua improve`: the least-effort rating steps to a grade, checked against brute force and
against the real scoring engine."""

from __future__ import annotations

import itertools
import json
import random
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from ccua.improve import apply_steps, shortest_path, target_grade
from ccua.ratings import parse_ratings
from ccua.scoring import score
from ccua.spec import load_framework
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fw():
    return load_framework("t-ccua")


def _all_fives(fw) -> dict:
    """Every qualitative requirement rated 5 as a whole; indicator requirements by hand (3)."""
    items = {}
    for item in fw.items:
        ratings: dict = {}
        for req in item.requirements:
            if req.kind == "indicator":
                ratings[req.code] = {"rating": 3, "note": "无数据，人工评定"}
            else:
                ratings[req.code] = 5
        items[item.code] = {"ratings": ratings}
    return {"framework": fw.id, "items": items}


def _total(fw, doc) -> Decimal:
    return score(fw, parse_ratings(doc, fw)).total


def _brute_force(fw, doc, leaves, effort, threshold):
    """Least effort over every combination of raises of ``leaves``, by the real engine."""
    best = None
    ranges = [range(doc["items"][i]["ratings"][k], 6) for i, k in leaves]
    for targets in itertools.product(*ranges):
        trial = json.loads(json.dumps(doc))
        cost = Fraction(0)
        for (item, key), to in zip(leaves, targets, strict=True):
            cost += effort.get(f"{item}.{key}", 1) * (to - doc["items"][item]["ratings"][key])
            trial["items"][item]["ratings"][key] = to
        if _total(fw, trial) >= threshold and (best is None or cost < best):
            best = cost
    return best


@pytest.mark.parametrize("seed", range(8))
def test_path_is_minimal_against_brute_force(fw, seed):
    rnd = random.Random(seed)
    doc = _all_fives(fw)
    # Three leaves below the top, in one or two items, so that item rounding interacts.
    items = rnd.sample(["SP1", "DO8", "MI1", "CB2"], 2)
    candidates = [
        (i, r.code) for i in items for r in fw.item(i).requirements if r.kind == "qualitative"
    ]
    leaves = rnd.sample(candidates, 3)
    for item, key in leaves:
        doc["items"][item]["ratings"][key] = rnd.choice([2, 3, 4])
    effort = {f"{i}.{k}": Fraction(rnd.choice([1, 2, 3])) for i, k in leaves}
    assessment = score(fw, parse_ratings(doc, fw))
    top = _total(
        fw,
        {
            **doc,
            "items": {
                **doc["items"],
                **{
                    i: {
                        "ratings": {
                            **doc["items"][i]["ratings"],
                            **{k: 5 for (ii, k) in leaves if ii == i},
                        }
                    }
                    for i in items
                },
            },
        },
    )
    assert top > assessment.total
    share = Decimal(rnd.choice([1, 3, 5, 7, 10])) / 10
    threshold = assessment.total + (top - assessment.total) * share
    threshold = threshold.quantize(Decimal("0.01"))

    grade = target_grade(fw, "优秀", assessment.total)
    path = shortest_path(fw, assessment, grade, effort=effort, threshold=threshold)

    assert path.reachable
    assert path.effort == _brute_force(fw, doc, leaves, effort, threshold)
    # The steps, applied to the ratings and scored by the engine, reach the threshold.
    after = _total(fw, apply_steps(doc, path.steps))
    assert after >= threshold
    assert after == path.total_after


def test_unreachable_target_says_why(fw):
    doc = _all_fives(fw)  # indicator requirements at 3 by hand: 优秀 is out of reach
    assessment = score(fw, parse_ratings(doc, fw))
    path = shortest_path(fw, assessment, target_grade(fw, "优秀", assessment.total))
    assert not path.reachable and not path.steps
    assert path.best_possible == assessment.total < 95


def test_target_already_met(fw):
    doc = _all_fives(fw)
    assessment = score(fw, parse_ratings(doc, fw))
    path = shortest_path(fw, assessment, target_grade(fw, "良好", assessment.total))
    assert path.already_met and path.reachable and path.steps == ()


def test_unknown_grade_is_a_clear_error(fw):
    from ccua.improve import ImproveError

    with pytest.raises(ImproveError, match="优秀"):
        target_grade(fw, "best", Decimal(80))


def test_demo_path_to_excellent_applied_and_run_reaches_95(tmp_path, capsys):
    code, out, _ = run(
        capsys, "improve", str(ROOT / "params" / "demo.yaml"), "--to", "优秀", "--json"
    )
    assert code == 0
    plan = json.loads(out)
    assert plan["reachable"] and Decimal(plan["total_after"]) >= 95
    # Apply the steps to a copy of the demo's ratings and compute the client again.
    shutil.copytree(ROOT / "params" / "demo", tmp_path / "demo")
    params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    (tmp_path / "demo.yaml").write_text(
        yaml.safe_dump(params, allow_unicode=True), encoding="utf-8"
    )
    ratings_file = tmp_path / "demo" / "ratings.yaml"
    doc = yaml.safe_load(ratings_file.read_text(encoding="utf-8"))
    for step in plan["steps"]:
        entry = doc["items"][step["item"]]["ratings"][step["leaf"]]
        current = entry["rating"] if isinstance(entry, dict) else entry
        assert current == step["from"]
        if isinstance(entry, dict):
            entry["rating"] = step["to"]
        else:
            doc["items"][step["item"]]["ratings"][step["leaf"]] = step["to"]
    ratings_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    from ccua.inputs import load_engagement
    from ccua.period import period_of

    data = load_engagement(tmp_path / "demo.yaml")
    period = period_of(data)
    rescored = score(data.framework, data.ratings, attainment=period.attainment)
    assert rescored.total == Decimal(plan["total_after"]) >= 95
    assert rescored.grade is not None and rescored.grade.name == "优秀"


def test_improve_cli_refuses_unknown_client(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "improve", "nobody")
    assert code == 1 and "params/nobody.yaml" in err
