"""Scoring invariants on the real T/CCUA spec, for ratings drawn by hypothesis."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccua.ratings import parse_ratings
from ccua.scoring import Attainment, rating_from_attainment, score
from ccua.spec import load_framework

FW = load_framework("t-ccua")
PATHS = {
    item.code: [
        f"{r.code}.{s.code}" if s else r.code
        for r in item.requirements
        if r.kind != "indicator"
        for s in (r.subpoints or (None,))
    ]
    for item in FW.items
}


@st.composite
def assessments(draw):
    items = {}
    for item in FW.items:
        ratings = {p: draw(st.integers(0, 5)) for p in PATHS[item.code]}
        items[item.code] = {"ratings": ratings}
    attainment = {}
    for item in FW.items:
        evaluable = draw(st.integers(0, 6))
        met = draw(st.integers(0, evaluable))
        if evaluable == 0:  # nothing evaluable: the assessor rates the requirement by hand
            last = item.requirements[-1].code
            items[item.code]["ratings"][last] = {"rating": draw(st.integers(0, 5)), "note": "n"}
        attainment[item.code] = Attainment(met, evaluable)
    return {"framework": "t-ccua", "items": items}, attainment


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(assessments())
def test_total_is_sum_of_item_scores_within_bounds(case):
    data, attainment = case
    a = score(FW, parse_ratings(data, FW), attainment=attainment)
    assert a.total == sum(i.score for i in a.items)
    assert a.total == sum(g.score for g in a.groups) == sum(c.score for c in a.categories)
    for item in a.items:
        assert Decimal(0) <= item.score <= item.points
        assert item.score == item.score.quantize(Decimal("0.01"))
    assert Decimal(0) <= a.total <= Decimal(100)
    shares = [i.score_share for i in a.items]
    if a.total > 0:
        # Each share is rounded half-up, so their sum is within half a cent per item of 100.
        assert abs(sum(shares) - Decimal(100)) <= Decimal("0.005") * len(shares)


@SETTINGS
@given(assessments(), st.data())
def test_raising_a_rating_never_lowers_the_score(case, data):
    ratings, attainment = case
    before = score(FW, parse_ratings(ratings, FW), attainment=attainment)
    code = data.draw(st.sampled_from([i.code for i in FW.items]))
    path = data.draw(st.sampled_from(PATHS[code]))
    entry = ratings["items"][code]["ratings"][path]
    if entry == 5:
        return
    ratings["items"][code]["ratings"][path] = entry + 1
    after = score(FW, parse_ratings(ratings, FW), attainment=attainment)
    assert after.item(code).score >= before.item(code).score
    assert after.total >= before.total
    rank = [g.code for g in sorted(FW.grades, key=lambda g: g.min)]
    assert rank.index(after.grade.code) >= rank.index(before.grade.code)


@given(st.integers(0, 50), st.integers(1, 50))
def test_attainment_rating_is_monotone_and_on_the_scale(met, evaluable):
    met = min(met, evaluable)
    r = rating_from_attainment(Fraction(met, evaluable), FW)
    assert 0 <= r <= 5
    if met < evaluable:
        assert rating_from_attainment(Fraction(met + 1, evaluable), FW) > r
