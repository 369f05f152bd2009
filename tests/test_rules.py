"""The §6.5 k) rule (ccua.rules) on hand-made monthly series, threshold checks, and the table
A.1 view. Rule parameters come from the guideline's rules.yaml; variants are model copies."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ccua.engagement import MonthlyInputs, Target
from ccua.period import indicators_over_period
from ccua.rules import (
    FAIL,
    NOT_MEASURABLE,
    PASS,
    apply_rule,
    improved,
    kpi_table_rows,
    persistence_of,
    rule_evidence_dict,
    rules_from_period,
    threshold_met,
)
from ccua.spec import load_framework

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


@pytest.fixture(scope="module")
def guideline():
    return load_framework("ccea-guideline")


@pytest.fixture(scope="module")
def rule(guideline):
    return guideline.rule("6.5k")


def _series(*values, months=MONTHS):
    return {m: Fraction(str(v)) for m, v in zip(months, values, strict=False) if v is not None}


def _run(guideline, rule, code, values, target, months=MONTHS):
    return persistence_of(
        guideline.indicator(code), rule, months, _series(*values, months=months), target
    )


SL = Target(min=80)  # 服务水平 A4.5, higher is better
ABANDON = Target(max=5)  # 电话放弃率 A3.4, lower is better


def test_exactly_75_percent_of_the_months_passes_the_share(guideline, rule):
    # 4 months, 3 meet ≥ 80: 3/4 = 75 % ("至少") → share ok; improvements 70→80→81→82: 3
    r = _run(guideline, rule, "A4.5", [70, 80, 81, 82], SL, MONTHS[:4])
    assert (r.months_met, r.months_counted, r.share_met) == (3, 4, Fraction(3, 4))
    assert r.share_ok and r.longest_run == 3 and r.status == PASS
    # one month fewer meeting it: 2/4 = 50 %
    r = _run(guideline, rule, "A4.5", [70, 79, 81, 82], SL, MONTHS[:4])
    assert r.share_met == Fraction(1, 2) and not r.share_ok and r.status == FAIL


def test_just_below_75_percent_fails(guideline, rule):
    # 6 months, 4 meet ≥ 80 (80 included): 66.67 % < 75 % although the improvement run is 5
    r = _run(guideline, rule, "A4.5", [60, 70, 80, 81, 82, 85], SL)
    assert r.share_met == Fraction(2, 3) and not r.share_ok
    assert r.longest_run == 5 and r.improvement_ok and r.status == FAIL
    assert r.reasons == (
        {
            "code": "share_met",
            "met": 4,
            "counted": 6,
            "share": 0.6667,
            "required": 0.75,
            "ok": False,
            "missing_as_not_met": 0,
        },
        {"code": "improvement_run", "run": 5, "required": 3, "anchor": "anywhere"},
    )


def test_a_run_of_two_is_not_three(guideline, rule):
    # all met; improvements 81→83→85 (2), then 84 (worse), 86 (1)
    r = _run(guideline, rule, "A4.5", [81, 83, 85, 84, 86, 86], SL)
    assert r.share_ok and (r.longest_run, r.latest_run) == (2, 0)
    assert not r.improvement_ok and r.status == FAIL
    # 81→83→85→87: three in a row
    r = _run(guideline, rule, "A4.5", [81, 83, 85, 87, 86, 86], SL)
    assert r.longest_run == 3 and r.status == PASS


def test_a_flat_month_breaks_the_run(guideline, rule):
    # 80→82 up, 82→82 flat, 82→84→86 up twice: longest run 2
    r = _run(guideline, rule, "A4.5", [80, 82, 82, 84, 86, 86], SL)
    assert r.longest_run == 2 and r.status == FAIL


def test_lower_is_better(guideline, rule):
    # abandonment 6, 5, 4, 3 (three falls), then 3.5, 4: met in 5 of 6 months (≤ 5)
    r = _run(guideline, rule, "A3.4", [6, 5, 4, 3, 3.5, 4], ABANDON)
    assert (r.months_met, r.share_met) == (5, Fraction(5, 6))
    assert (r.longest_run, r.latest_run) == (3, 0) and r.status == PASS
    # the same values read as higher-is-better would improve only twice (3→3.5→4)
    assert not improved("lower", Fraction(7, 2), Fraction(3), ABANDON)
    assert improved("higher", Fraction(7, 2), Fraction(3), ABANDON)


def test_a_missing_month_is_not_met_and_breaks_the_run(guideline, rule):
    r = _run(guideline, rule, "A4.5", [81, 82, None, 84, 85, 86], SL)
    assert (r.months_met, r.months_counted) == (5, 6)  # missing counts as not met
    assert r.longest_run == 2  # 84→85→86; the gap broke 81→82
    assert r.reasons[0]["code"] == "share_met" and r.reasons[0]["missing_as_not_met"] == 1
    excluded = rule.model_copy(update={"missing_months": "excluded"})
    r = _run(guideline, excluded, "A4.5", [81, 82, None, 84, 85, 86], SL)
    assert (r.months_met, r.months_counted) == (5, 5)


def test_the_run_may_be_required_to_end_with_the_latest_month(guideline, rule):
    values = [81, 82, 83, 84, 83, 83]  # three gains, then none
    assert _run(guideline, rule, "A4.5", values, SL).status == PASS
    latest = rule.model_copy(update={"improvement_anchor": "latest"})
    r = _run(guideline, latest, "A4.5", values, SL)
    assert r.latest_run == 0 and r.status == FAIL


def test_a_kpi_already_at_its_best_fails_literally_and_is_named(guideline, rule):
    r = _run(guideline, rule, "A4.5", [100] * 6, SL)
    assert all(m.met for m in r.months) and r.longest_run == 0 and r.status == FAIL
    assert {"code": "on_target_without_improvement", "erratum": "E-G-043"} in r.reasons
    held = rule.model_copy(update={"held_target_counts": True})
    r = _run(guideline, held, "A4.5", [100] * 6, SL)
    assert r.longest_run == 5 and r.status == PASS
    # holding counts only while the target is met: 70→70 (missed) no, 70→90 up, 90→90 held
    r = _run(guideline, held, "A4.5", [70, 70, 70, 70, 90, 90], SL)
    assert r.longest_run == 2


def test_band_kpis_improve_by_moving_towards_the_band(guideline, rule):
    band = Target(min=80, max=90)  # 座席利用率 A3.7
    # distances 10, 5, 2, 0, 0, 0: three improvements, then inside the band (not improving)
    r = _run(guideline, rule, "A3.7", [70, 75, 78, 82, 85, 88], band)
    assert r.longest_run == 3 and r.months_met == 3 and r.status == FAIL  # 3/6 < 75 %
    assert not improved("band", Fraction(88), Fraction(85), band)
    assert improved("band", Fraction(92), Fraction(95), band)


def test_no_target_or_no_data_is_not_measurable(guideline, rule):
    r = _run(guideline, rule, "A4.5", [81, 82, 83, 84], None)
    assert r.status == NOT_MEASURABLE and r.share_met is None
    assert r.reasons == ({"code": "no_target", "section": "6.5 a）"},)
    r = _run(guideline, rule, "A4.5", [], SL)
    assert r.status == NOT_MEASURABLE and r.reasons == ({"code": "no_data"},)


def test_the_rule_covers_table_a1_and_is_evidence_for_3_4_k(guideline, rule):
    ev = apply_rule(
        guideline,
        rule,
        MONTHS,
        {"A4.5": _series(81, 83, 85, 87, 86, 86), "A3.4": _series(6, 7, 8, 9, 9, 9)},
        {"A4.5": SL, "A3.4": ABANDON},
    )
    assert len(ev.kpis) == 36 and ev.rule.evidence_for == "3.4.k"
    assert [k.code for k in ev.by_status(PASS)] == ["A4.5"]
    assert [k.code for k in ev.by_status(FAIL)] == ["A3.4"]
    assert len(ev.by_status(NOT_MEASURABLE)) == 34
    assert ev.fact == {
        "code": "rule_result",
        "rule": rule.id,
        "section": rule.section,
        "evidence_for": "3.4.k",
        "kpis": 36,
        "passed": 1,
        "failed": 1,
        "not_measurable": 34,
        "required_share": 0.75,
        "improvement_run": 3,
    }
    data = rule_evidence_dict(ev)
    assert data["counts"] == {"pass": 1, "fail": 1, "not measurable": 34}
    assert data["parameters"]["required_share"] == 0.75
    a45 = next(k for k in data["kpis"] if k["code"] == "A4.5")
    assert a45["share_met"] == 1.0 and a45["longest_run"] == 3 and a45["target"]["min"] == 80


def test_from_monthly_inputs_through_the_period_machinery(guideline):
    # The same monthly inputs a run reads: service level computed per month from its measures.
    inputs = MonthlyInputs()
    answered = [700, 780, 810, 820, 850, 840]
    for month, n in zip(MONTHS, answered, strict=True):
        inputs.set(month, "contacts_answered_within_threshold", Fraction(n))
        inputs.set(month, "contacts_offered", Fraction(1000))
        inputs.set(month, "call_abandonment_rate", Fraction(4))
    period = indicators_over_period(guideline, MONTHS, inputs, {"A4.5": SL, "A3.4": ABANDON}, {})
    assert not period.problems
    assert [period.indicators["A4.5"].monthly[m] for m in MONTHS] == [70, 78, 81, 82, 85, 84]
    assert period.indicators["A4.5"].period == Fraction(4800, 60)  # 4800 / 6000 × 100
    (ev,) = rules_from_period(guideline, period)
    by_code = {k.code: k for k in ev.kpis}
    assert by_code["A4.5"].share_met == Fraction(2, 3) and by_code["A4.5"].longest_run == 4
    assert by_code["A3.4"].share_met == 1 and by_code["A3.4"].longest_run == 0  # flat at 4


@pytest.mark.parametrize(
    ("threshold_id", "value", "met"),
    [
        ("10.3.2a", 98, True),
        ("10.3.2a", "97.99", False),  # ≥ 98 %
        ("10.3.2d", 60, True),
        ("10.3.2d", "60.5", False),  # ≤ 60 s
        ("10.3.1.4a", "3.8", False),
        ("10.3.1.4a", "3.81", True),  # PESQ > 3.8 (strict)
        ("10.3.1.3-2", 5, False),
        ("10.3.1.3-2", "4.9", True),  # packet loss < 5 %
        ("10.7bT1-1", 15, True),
        ("10.7bT1-1", 30, True),
        ("10.7bT1-1", 31, False),  # 15~30 ℃
    ],
)
def test_thresholds(guideline, threshold_id, value, met):
    th = next(t for t in guideline.thresholds if t.id == threshold_id)
    assert threshold_met(th, value) is met


def test_the_kpi_table_takes_the_latest_months(guideline):
    view = kpi_table_rows(guideline, MONTHS, {"A4.5": _series(70, 78, 81, 82, 85, 84)})
    assert view.columns == ("历史数据1", "历史数据2", "历史数据3", "当前结果")
    assert view.periods == ("2026-03", "2026-04", "2026-05", "2026-06")
    quality = dict((code, rows) for code, _, rows in view.groups)["4"]
    assert next(r for r in quality if r.code == "A4.5").values == (81, 82, 85, 84)
    short = kpi_table_rows(guideline, MONTHS[:2], {"A4.5": _series(70, 78)})
    assert short.periods == (None, None, "2026-01", "2026-02")
    assert [len(rows) for _, _, rows in short.groups] == [2, 2, 9, 11, 8, 4]
    assert Decimal(str(guideline.rule("6.5k").required_share)) == Decimal("0.75")
