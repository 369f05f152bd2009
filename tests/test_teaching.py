"""Lessons: the pure functions of ccua.teaching, and the widgets driven from Python.

Every expected number is worked out by hand in the comment beside it (or, for the worked
example, is table E.6 of the standard).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from ccua import teaching
from ccua.handbook._text import TEXT
from ccua.spec import load_framework


@pytest.fixture(scope="module")
def fw():
    return load_framework("t-ccua")


@pytest.fixture(scope="module")
def guideline():
    return load_framework("ccea-guideline")


# ---------------------------------------------------------------- pure functions


def test_catalog_has_every_key_in_both_languages():
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_indicator_lesson_computes_and_compares_with_the_default_target(fw):
    # DO6.9 放弃率 = 50 / 1000 × 100 = 5 %; the documented default is ≤ 5 % (met at 5 %).
    lesson = teaching.indicator_lesson(fw, "DO6.9", {"abandoned_calls": 50, "offered_calls": 1000})
    assert lesson.value == 5
    assert lesson.expression == "50 / 1000 × 100 = 5.00"
    assert lesson.status == "met" and "5" in lesson.target_text
    assert "\\frac{50}{1000}" in lesson.latex_with_numbers
    worse = teaching.indicator_lesson(fw, "DO6.9", {"abandoned_calls": 51, "offered_calls": 1000})
    assert worse.status == "not_met" and worse.value == Fraction(51, 10)


def test_indicator_lesson_shows_bad_inputs_instead_of_raising(fw):
    lesson = teaching.indicator_lesson(fw, "DO6.9", {"abandoned_calls": 5, "offered_calls": 0})
    assert lesson.status == "error" and "denominator" in lesson.error
    assert "offered_calls" in lesson.error
    assert teaching.indicator_lesson(fw, "SP1.1", {}).status == "documentary"


@pytest.mark.parametrize("framework_id", ["t-ccua", "ccea-guideline"])
def test_every_computed_indicator_has_its_formula_with_numbers(framework_id):
    framework = load_framework(framework_id)
    for ind in framework.indicators:
        if ind.is_documentary:
            continue
        numbers = [str(7 + k) for k in range(len(ind.inputs))]
        text = teaching.expression(ind, numbers)
        assert text and all(n in text for n in numbers), ind.code


def test_rounding_is_half_up_and_says_where_floats_differ():
    # 5.25 × 82 % = 4.305 exactly: half-up 4.31; the float 4.305 is 4.30499… → round() 4.30.
    r = teaching.rounding(Fraction(861, 200))
    assert (r.rounded, r.float_rounded, r.tie, r.float_differs) == (
        Decimal("4.31"),
        Decimal("4.30"),
        True,
        True,
    )
    r = teaching.rounding(Fraction(17, 10))
    assert (r.rounded, r.tie, r.float_differs) == (Decimal("1.70"), False, False)


def test_worked_example_is_table_e6_and_grade_e7(fw):
    ex = teaching.worked_example(fw)
    assert ex.assessment.total == Decimal("85.56")
    assert ex.next.current is not None and ex.next.current.name == "良好"
    assert ex.next.next is not None and ex.next.next.name == "优秀"
    assert ex.next.gap == Decimal("9.44")  # 95 − 85.56
    lines = {ln.code: ln for ln in ex.lines}
    assert len(lines) == 19
    assert lines["DO3"].exact == Fraction(623, 200)  # 3.50 × 89 % = 3.115
    assert lines["DO3"].score == Decimal("3.12") and lines["DO3"].rounding.tie
    assert sum(ln.score for ln in ex.lines) == Decimal("85.56")


def test_next_grade_at_the_edges(fw):
    at = teaching.next_grade(fw, Decimal("60.00"))
    assert at.current.name == "合格" and at.gap == Decimal("15.00")
    top = teaching.next_grade(fw, Decimal("95.00"))
    assert top.current.name == "优秀" and top.next is None and top.gap is None


def test_item_exercise_matches_a_hand_computation(fw):
    ex = teaching.item_exercise(fw, "DO3", seed=1)
    ratings = [r for _, _, r in ex.ratings]
    assert len(ratings) == len(fw.item("DO3").requirements)
    mean = Decimal(sum(ratings)) / len(ratings)
    by_hand = (ex.points * mean / 5).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert ex.expected == by_hand


def test_indicator_exercise_uses_a_month_of_the_demo(fw):
    ex = teaching.indicator_exercise(fw, "DO6.9")
    (_, _, abandoned), (_, _, offered) = ex.figures
    by_hand = (Decimal(abandoned) * 100 / Decimal(offered)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert ex.expected == by_hand and ex.month == "2026-01"


def test_check_number(fw):
    assert teaching.check_number("3.12", Decimal("3.12"), 2, "zh", "").correct
    assert teaching.check_number(" 3.120 ", Decimal("3.12"), 2, "en", "").correct
    wrong = teaching.check_number("3.11", Decimal("3.12"), 2, "en", "because")
    assert not wrong.correct and "3.12" in wrong.message and "because" in wrong.message
    assert not teaching.check_number("5%", Decimal(5), 2, "en", "").correct
    assert not teaching.check_number("", Decimal(5), 2, "zh", "").correct


# ---------------------------------------------------------------- widgets, driven


def test_scoring_simulator_moves_scores_total_and_grade(fw):
    sim = teaching.ScoringSimulator(fw, "zh", item="DO3")
    assert sim.assessment.total == Decimal("85.56")
    assert "3.115" in sim.item_view.value and "3.12" in sim.item_view.value
    assert "85.56" in sim.summary.value and "良好" in sim.summary.value
    assert "9.44" in sim.summary.value  # to 优秀
    sim.percent.value = 100  # DO3: 3.50 × 100 % = 3.50
    assert sim.assessment.item("DO3").score == Decimal("3.50")
    assert sim.assessment.total == Decimal("85.94")  # 85.56 − 3.12 + 3.50
    assert "85.94" in sim.summary.value
    # rate DO3's requirements one by one instead: all 3 → 60 % → 3.50 × 0.6 = 2.10
    sim.mode.value = "ratings"
    for slider in sim.sliders.values():
        slider.value = 3
    assert sim.assessment.item("DO3").score == Decimal("2.10")
    assert sim.assessment.total == Decimal("84.54")  # 85.56 − 3.12 + 2.10
    # MI1 to 0 %: 84.54 − 10.80 = 73.74 → 合格, 1.26 below 良好
    sim.item.value = "MI1"
    sim.percent.value = 0
    assert sim.assessment.total == Decimal("73.74")
    assert "合格" in sim.summary.value and "1.26" in sim.summary.value
    assert "73.74" in sim.table.value
    sim.reset.click()
    assert sim.assessment.total == Decimal("85.56")


def test_scoring_simulator_in_english_names_the_grade_in_english(fw):
    sim = teaching.ScoringSimulator(fw, "en", item="DO8")
    assert "Good" in sim.summary.value and "良好" not in sim.summary.value
    assert "Total" in sim.summary.value


def test_indicator_explorer_recomputes_when_inputs_move(fw):
    ex = teaching.IndicatorExplorer(fw, "zh", code="DO6.9")
    assert set(ex.fields) == {"abandoned_calls", "offered_calls"}
    ex.fields["abandoned_calls"].value = 40
    ex.fields["offered_calls"].value = 1000
    assert "4.00 %" in ex.output.value and "达标" in ex.output.value
    assert "40 / 1000 × 100 = 4.00" in ex.output.value
    assert "\\frac{40}{1000}" in ex.latex.value
    ex.fields["abandoned_calls"].value = 80
    assert "未达标" in ex.output.value
    ex.fields["offered_calls"].value = 0
    assert "无法计算" in ex.output.value and ex.latex.value == ""
    ex.choice.value = "CB1.3"
    assert len(ex.fields) == 3


def test_exercises_check_answers(fw):
    ex = teaching.Exercises(fw, "zh", seed=1, total="75.00")
    ex.a1.value = str(ex.ex1.expected)
    ex.b1.click()
    assert "正确" in ex.f1.value
    ex.a2.value = "9.99"
    ex.b2.click()
    assert "不对" in ex.f2.value and str(ex.ex2.expected) in ex.f2.value
    ex.a2.value = str(ex.ex2.expected)
    ex.b2.click()
    assert "正确" in ex.f2.value
    ex.a3.value = "pass"  # 75.00 is 良好 (≥75), not 合格
    ex.b3.click()
    assert "良好" in ex.f3.value and "不对" in ex.f3.value
    ex.a3.value = "good"
    assert ex.check(3).correct


def test_the_simulator_needs_points_on_items(guideline):
    from ccua.errors import CcuaError

    with pytest.raises(CcuaError, match="points on items"):
        teaching.ScoringSimulator(guideline, "zh")
