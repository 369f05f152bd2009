"""Scoring under the guideline: area score = area points × mean item rating / 5, half-up to
2 decimals; total = sum of area scores (E-G-005, E-G-036, E-G-037). Every number below is
computed by hand in the comments."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccua._num import round_half_up
from ccua.errors import ValidationFailed
from ccua.ratings import load_ratings, parse_ratings
from ccua.scoring import score
from ccua.spec import load_framework
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "params" / "guideline-example.ratings.yaml"
FW = "ccea-guideline"


@pytest.fixture(scope="module")
def guideline():
    return load_framework(FW)


def _ratings(guideline, items, **extra):
    full = {i.code: 3 for i in guideline.items}
    full.update(items)
    return parse_ratings({"framework": FW, "items": full, **extra}, guideline)


def _areas(assessment):
    return {g.code: g.score for g in assessment.groups}


def test_meets_the_standard_everywhere_is_60(guideline):
    # 3 everywhere: every area gets 3/5 of its points; 6 + 9 + 7.2 + 6 + 7.8 + 9 + 6 + 4.8 + 4.2
    a = score(guideline, _ratings(guideline, {}))
    assert _areas(a) == {
        "1": Decimal("6.00"),
        "2": Decimal("9.00"),
        "3": Decimal("7.20"),
        "4": Decimal("6.00"),
        "5": Decimal("7.80"),
        "6": Decimal("9.00"),
        "7": Decimal("6.00"),
        "8": Decimal("4.80"),
        "9": Decimal("4.20"),
    }
    assert a.total == Decimal("60.00") and a.complete and a.grade is None


def test_the_example_file_matches_its_hand_computation(guideline):
    # params/guideline-example.ratings.yaml states the computation in its header.
    a = score(guideline, load_ratings(EXAMPLE))
    assert _areas(a) == {
        "1": Decimal("6.86"),
        "2": Decimal("10.01"),
        "3": Decimal("8.19"),
        "4": Decimal("6.67"),
        "5": Decimal("9.04"),
        "6": Decimal("10.92"),
        "7": Decimal("7.14"),
        "8": Decimal("5.12"),
        "9": Decimal("5.25"),
    }
    assert a.total == Decimal("69.20")
    assert a.item("2.3").fulfilment * 5 == Fraction(15, 4)  # (15/4 + 4 + 7/2) / 3
    assert a.item("2.4").fulfilment * 5 == Fraction(18, 5)  # (4 + 4 + 4 + 3 + 3) / 5
    assert a.item("3.4").fulfilment * 5 == Fraction(328, 99)  # g n/a, h by sub-points
    assert a.item("6.7").source == "na" and a.item("6.7").fulfilment is None
    # area 2 lands exactly on half a cent: 15 × 3.335 / 5 = 10.005
    assert a.groups[1].fulfilment * 5 == Fraction(667, 200)
    assert Decimal("10.005").quantize(Decimal("0.01"), ROUND_HALF_EVEN) == Decimal("10.00")


def test_half_up_with_custom_area_weights(guideline):
    # Weights 10.025 and 14.975 (sum with the rest = 100); areas 1 and 2 rated 1 everywhere:
    # 10.025 × 1/5 = 2.005 → 2.01 (half-even would give 2.00); 14.975 / 5 = 2.995 → 3.00.
    ratings = _ratings(
        guideline,
        {i.code: 1 for i in guideline.items if i.group in "12"},
        weights={"1": "10.025", "2": "14.975"},
    )
    a = score(guideline, ratings)
    assert a.custom_weights
    assert _areas(a)["1"] == Decimal("2.01") and _areas(a)["2"] == Decimal("3.00")
    # the other areas as in the all-3 case: 60 − 6 − 9 = 45
    assert a.total == Decimal("50.01")


def test_whole_item_requirements_and_sub_points_agree(guideline):
    whole = score(guideline, _ratings(guideline, {"1.1": 4}))
    by_parts = score(
        guideline,
        _ratings(
            guideline,
            {"1.1": {"ratings": {**{f"a.{n}": 4 for n in range(1, 11)}, "b": 4, "c": 4, "d": 4}}},
        ),
    )
    assert whole.item("1.1").fulfilment == by_parts.item("1.1").fulfilment == Fraction(4, 5)
    # area 1: (4 + 3×6) / 7 = 22/7 → 10 × 22/35 = 6.2857 → 6.29
    assert _areas(whole)["1"] == _areas(by_parts)["1"] == Decimal("6.29")


def test_sub_points_average_inside_a_requirement(guideline):
    # 1.1 a by sub-points 5,5,5,5,5,0,0,0,0,0 → 2.5; b, c, d = 4 → (2.5 + 12) / 4 = 3.625
    subs = {f"a.{n}": (5 if n <= 5 else 0) for n in range(1, 11)}
    a = score(
        guideline, _ratings(guideline, {"1.1": {"ratings": {**subs, "b": 4, "c": 4, "d": 4}}})
    )
    assert a.item("1.1").fulfilment * 5 == Fraction(29, 8)
    # area 1: (3.625 + 18) / 7 = 173/56 → 10 × 173/280 = 6.1786 → 6.18
    assert _areas(a)["1"] == Decimal("6.18")


def test_a_not_applicable_item_leaves_its_area_mean(guideline):
    # area 9 (7 points): 9.1 n/a, 9.2-9.4 = 5, 5, 2 → mean 4 → 7 × 4/5 = 5.60
    a = score(
        guideline,
        _ratings(
            guideline, {"9.1": {"na": True, "note": "无此业务"}, "9.2": 5, "9.3": 5, "9.4": 2}
        ),
    )
    assert _areas(a)["9"] == Decimal("5.60")
    # without the exclusion (9.1 = 0): (0 + 12) / 4 = 3 → 4.20
    b = score(guideline, _ratings(guideline, {"9.1": 0, "9.2": 5, "9.3": 5, "9.4": 2}))
    assert _areas(b)["9"] == Decimal("4.20")


def test_an_area_whose_items_are_all_not_applicable_is_refused(guideline):
    na = {c: {"na": True, "note": "不适用"} for c in ("9.1", "9.2", "9.3", "9.4")}
    with pytest.raises(
        ValidationFailed,
        match="every item of area 9 用户权益保护 is marked not "
        "applicable; its points would be lost",
    ):
        score(guideline, _ratings(guideline, na))
    live = score(guideline, _ratings(guideline, na), partial=True)
    assert not live.complete


def test_unrated_items_are_listed(guideline):
    ratings = parse_ratings({"framework": FW, "items": {"1.1": 4}}, guideline)
    with pytest.raises(ValidationFailed) as exc:
        score(guideline, ratings)
    # one gap per untouched item (rated per item), not one per requirement
    assert [p.field for p in exc.value.problems] == [i.code for i in guideline.items[1:]]
    assert "1.2: not rated (rate the item, or its requirements)" in str(exc.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=57, max_size=57))
def test_total_is_the_sum_of_rounded_area_scores(ratings):
    guideline = load_framework(FW)
    a = score(
        guideline,
        parse_ratings(
            {
                "framework": FW,
                "items": dict(zip([i.code for i in guideline.items], ratings, strict=True)),
            },
            guideline,
        ),
    )
    assert a.total == sum(g.score for g in a.groups)
    for g in a.groups:
        members = [r for i, r in zip(guideline.items, ratings, strict=True) if i.group == g.code]
        assert g.score == round_half_up(
            Fraction(g.points) * Fraction(sum(members)) / (5 * len(members)), 2
        )


# -- the command line


def test_score_json_shape(capsys):
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 69.2 and data["grade"] is None and data["framework"] == FW
    assert [(a["code"], a["points"], a["score"]) for a in data["areas"]][:2] == [
        ("1", 10, 6.86),
        ("2", 15, 10.01),
    ]
    assert len(data["items"]) == 57 and data["items"][0]["code"] == "1.1"
    assert data["items"][0]["mean_rating"] == 4
    cmp = data["comparison_grade"]
    assert cmp["framework"] == "t-ccua" and cmp["name"] == "合格" and "仅供对照" in cmp["label"]


def test_score_table_says_there_are_no_grades(capsys):
    code, out, _ = run(capsys, "score", str(EXAMPLE))
    assert code == 0
    assert "测评计分合计 69.20分" in out and "未规定等级划分：计分合计单独成立" in out
    assert "T/CCUA 等级，仅供对照（本指导要求未规定等级）：合格" in out
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--lang", "en")
    assert "defines no grades: the total stands alone" in out and "Pass (≥ 60 points)" in out


def test_spec_show_json_carries_areas_and_points(capsys):
    code, out, _ = run(capsys, "spec", "show", "--framework", FW, "--json")
    assert code == 0
    data = json.loads(out)
    assert [(a["code"], a["points"], len(a["items"])) for a in data["areas"]] == [
        ("1", 10, 7),
        ("2", 15, 10),
        ("3", 12, 8),
        ("4", 10, 6),
        ("5", 13, 3),
        ("6", 15, 7),
        ("7", 10, 7),
        ("8", 8, 5),
        ("9", 7, 4),
    ]
    assert data["points_at"] == "group" and len(data["items"]) == 57
    assert data["kpi_table"]["groups"][2]["kpis"][3] == "A3.4"
    item34 = next(i for i in data["items"] if i["code"] == "3.4")
    assert item34["rules"] == ["6.5k"] and "6.5k-1" in item34["thresholds"]


def test_spec_show_table_and_item(capsys):
    code, out, _ = run(capsys, "spec", "show", "--framework", FW)
    assert code == 0 and "9 areas, 57 items" in out and "未规定等级" in out
    code, out, _ = run(capsys, "spec", "show", "--framework", FW, "--item", "8.4")
    assert code == 0 and "[11.5.2 应急处置工作原则]" in out


def test_kpi_show_for_a_table_a1_kpi(capsys):
    code, out, _ = run(capsys, "kpi", "show", "A4.5", "--framework", FW)
    assert code == 0 and "表 A.1 服务质量绩效" in out and "used by 1.1, 3.1, 3.2" in out
    code, out, _ = run(
        capsys, "kpi", "calc", "A3.7", "5400", "1200", "1500", "900", "--framework", FW, "--json"
    )
    assert code == 0 and json.loads(out)["value"] == 90
