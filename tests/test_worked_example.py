"""Appendix E of T/CCUA: table E.6 reproduced to the cent (GUIDE §3.8)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ccua import load_framework, load_ratings, score

EXAMPLE = Path(__file__).resolve().parents[1] / "params" / "worked-example.ratings.yaml"

# Table E.6 as printed in the standard: code, 分值, 分值占比, 计分, 计分占比.
E6 = """
SP1 2.00 2.00 1.70 1.99
SP2 4.00 4.00 3.56 4.16
SP3 4.00 4.00 3.48 4.07
CB1 5.00 5.00 4.20 4.91
CB2 5.00 5.00 4.00 4.68
CB3 5.00 5.00 3.75 4.38
CB4 5.00 5.00 4.05 4.73
CB5 5.00 5.00 3.80 4.44
DO1 3.50 3.50 2.98 3.48
DO2 5.25 5.25 4.31 5.04
DO3 3.50 3.50 3.12 3.65
DO4 3.50 3.50 2.84 3.32
DO5 7.00 7.00 6.16 7.20
DO6 7.00 7.00 6.44 7.53
DO7 3.50 3.50 3.12 3.65
DO8 1.75 1.75 1.14 1.33
MI1 12.00 12.00 10.80 12.62
MI2 9.00 9.00 8.28 9.68
MI3 9.00 9.00 7.83 9.15
"""
ROWS = [line.split() for line in E6.strip().splitlines()]


@pytest.fixture(scope="module")
def assessment():
    fw = load_framework("t-ccua")
    return score(fw, load_ratings(EXAMPLE, fw))


@pytest.mark.parametrize(("code", "points", "points_share", "item_score", "share"), ROWS)
def test_every_row_of_e6(assessment, code, points, points_share, item_score, share):
    item = assessment.item(code)
    assert item.points == Decimal(points)
    assert item.points_share == Decimal(points_share)
    assert item.score == Decimal(item_score)
    assert item.score_share == Decimal(share)


def test_total_and_grade(assessment):
    assert assessment.total == Decimal("85.56")
    assert assessment.grade is not None and assessment.grade.name == "良好"
    assert not assessment.custom_weights


def test_half_cent_cases_of_the_example_round_up(assessment):
    # 运营计划 and 员工管理: 3.50 × 89 % = 3.115 exactly -> 3.12 (half-up), as E.6 prints;
    # 服务与经营: 1.75 × 65 % = 1.1375 -> 1.14.
    assert assessment.item("DO3").score == Decimal("3.12")
    assert assessment.item("DO7").score == Decimal("3.12")
    assert assessment.item("DO8").score == Decimal("1.14")


def test_subtotals(assessment):
    groups = {g.code: g.score for g in assessment.groups}
    assert groups == {
        "SP": Decimal("8.74"),
        "CB": Decimal("19.80"),
        "DO": Decimal("30.11"),
        "MI": Decimal("26.91"),
    }
    cats = {c.code: (c.points, c.score) for c in assessment.categories}
    assert cats == {
        "process": (Decimal(35), Decimal("28.54")),
        "result": (Decimal(65), Decimal("57.02")),
    }
