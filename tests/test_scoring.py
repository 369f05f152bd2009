"""The scoring engine on the mini framework, against numbers computed by hand (GUIDE §3)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ccua.errors import ValidationFailed, WeightsError
from ccua.ratings import parse_ratings
from ccua.scoring import Attainment, rating_from_attainment, score

# Hand computation (see the module docstring of tests/conftest.py for the mini framework):
# A1: a rated by sub-points 4 and 3 -> 3.5 -> 0.70; b = 5 -> 1.00; c from attainment 2/3:
#     s < 0.7 so rating = 3 * (2/3) / 0.7 = 20/7 -> fulfilment 4/7.
#     percent = (0.7 + 1 + 4/7) / 3 = 53/70 = 75.714...% ; score = 40 * 53/70 = 30.2857 -> 30.29
# A2: override 87.5 % -> 20 * 0.875 = 17.50
# B1: a = 3 -> 0.6; b not applicable; c from attainment 3/4: s >= 0.7 so
#     rating = 3 + 2 * 0.05 / 0.3 = 10/3 -> fulfilment 2/3; percent = (0.6 + 2/3) / 2 = 19/30
#     score = 40 * 19/30 = 25.333 -> 25.33
# total = 30.29 + 17.50 + 25.33 = 73.12 -> 合格 (60 <= 73.12 < 75)
# 计分占比: 30.29/73.12 = 41.425% -> 41.43; 17.50/73.12 = 23.933% -> 23.93;
#           25.33/73.12 = 34.642% -> 34.64
RATINGS = {
    "framework": "mini",
    "items": {
        "A1": {"ratings": {"a.1": 4, "a.2": 3, "b": {"rating": 5, "note": "见制度文件"}}},
        "A2": {"percent": 87.5, "note": "专家判断"},
        "B1": {"ratings": {"a": 3, "b": {"na": True, "note": "无此业务"}}},
    },
}
ATTAINMENT = {"A1": Attainment(2, 3), "B1": Attainment(3, 4)}


def test_hand_computed_assessment(mini):
    a = score(mini, parse_ratings(RATINGS, mini), attainment=ATTAINMENT)
    a1, a2, b1 = a.items
    assert a1.fulfilment == Fraction(53, 70)
    assert a1.percent == Decimal("75.71")
    assert a1.score == Decimal("30.29")
    assert a2.score == Decimal("17.50") and a2.source == "override"
    assert b1.fulfilment == Fraction(19, 30)
    assert b1.score == Decimal("25.33")
    assert a.total == Decimal("73.12")
    assert a.grade is not None and a.grade.name == "合格"
    assert [i.score_share for i in a.items] == [
        Decimal("41.43"),
        Decimal("23.93"),
        Decimal("34.64"),
    ]
    assert [i.points_share for i in a.items] == [
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("40.00"),
    ]
    assert [(g.code, g.points, g.score) for g in a.groups] == [
        ("A", Decimal(60), Decimal("47.79")),
        ("B", Decimal(40), Decimal("25.33")),
    ]
    assert [(c.code, c.score) for c in a.categories] == [
        ("process", Decimal("47.79")),
        ("result", Decimal("25.33")),
    ]
    assert a.complete and not a.custom_weights


def test_requirement_sources_are_reported(mini):
    a = score(mini, parse_ratings(RATINGS, mini), attainment=ATTAINMENT)
    reqs = {r.code: r for r in a.item("A1").requirements}
    assert reqs["a"].source == "subpoints" and reqs["a"].rating == Fraction(7, 2)
    assert reqs["c"].source == "indicators" and reqs["c"].rating == Fraction(20, 7)
    assert {r.code: r.source for r in a.item("B1").requirements}["b"] == "na"


@pytest.mark.parametrize(
    ("met", "evaluable", "rating"),
    [
        (0, 4, Fraction(0)),
        (7, 10, Fraction(3)),  # the 70 % point is "meets the standard"
        (10, 10, Fraction(5)),
        (4, 5, Fraction(11, 3)),  # 3 + 2 * 0.1 / 0.3
        (1, 2, Fraction(15, 7)),  # 3 * 0.5 / 0.7
    ],
)
def test_rating_from_attainment(mini, met, evaluable, rating):
    assert rating_from_attainment(Fraction(met, evaluable), mini) == rating


def test_indicator_requirement_hand_override_wins_over_data(mini):
    data = {
        "framework": "mini",
        "items": {
            "A1": {"percent": 50, "note": "n"},
            "A2": {"percent": 50, "note": "n"},
            "B1": {"ratings": {"a": 5, "b": 5, "c": {"rating": 0, "note": "数据不可信"}}},
        },
    }
    a = score(mini, parse_ratings(data, mini), attainment={"B1": Attainment(4, 4)})
    c = a.item("B1").requirements[-1]
    assert c.source == "override" and c.rating == 0
    assert a.item("B1").fulfilment == Fraction(2, 3)


def test_incomplete_ratings_list_every_gap(mini):
    data = {"framework": "mini", "items": {"A1": {"ratings": {"a.1": 4}}}}
    with pytest.raises(ValidationFailed) as exc:
        score(mini, parse_ratings(data, mini))
    text = str(exc.value)
    assert "A1.a: sub-point 2 not rated" in text
    assert "A1.b: not rated" in text
    assert "A1.c: indicator requirement not rated: no indicator data" in text
    assert "A2.a: not rated" in text and "B1.a: not rated" in text


def test_no_evaluable_indicator_asks_for_a_hand_rating(mini):
    data = {
        "framework": "mini",
        "items": {
            "A1": {"percent": 50, "note": "n"},
            "A2": {"percent": 50, "note": "n"},
            "B1": {"ratings": {"a": 5, "b": 5}},
        },
    }
    with pytest.raises(ValidationFailed, match="no indicator of this item can be evaluated"):
        score(mini, parse_ratings(data, mini), attainment={"B1": Attainment(0, 0)})


def test_partial_scoring_for_live_forms(mini):
    data = {"framework": "mini", "items": {"A2": {"percent": 50, "note": "n"}}}
    a = score(mini, parse_ratings(data, mini), partial=True)
    assert not a.complete and a.grade is None
    assert a.total == Decimal("10.00")
    assert a.item("A1").score is None and a.item("A1").rated == 0


def test_custom_weights_are_validated_and_flagged(mini):
    data = {
        "framework": "mini",
        "weights": {"A1": 50, "A2": 10},
        "items": {c: {"percent": 100, "note": "n"} for c in ("A1", "A2", "B1")},
    }
    a = score(mini, parse_ratings(data, mini))
    assert a.custom_weights
    assert [i.points for i in a.items] == [Decimal(50), Decimal(10), Decimal(40)]
    assert a.total == Decimal("100.00")
    bad = {**data, "weights": {"A1": 50}}
    with pytest.raises(WeightsError, match="sum to 110, they must sum to 100"):
        score(mini, parse_ratings(bad, mini))


def test_weights_equal_to_standard_are_not_custom(mini):
    data = {
        "framework": "mini",
        "weights": {"A1": 40},
        "items": {c: {"percent": 100, "note": "n"} for c in ("A1", "A2", "B1")},
    }
    assert not score(mini, parse_ratings(data, mini)).custom_weights


def test_requirement_weights(mini):
    # A2: a = 5 (weight 3), b by hand 0 (weight 1) -> (3*1 + 1*0)/4 = 0.75 -> 15.00
    data = {
        "framework": "mini",
        "requirement_weights": {"A2": {"a": 3}},
        "items": {
            "A1": {"percent": 0, "note": "n"},
            "B1": {"percent": 0, "note": "n"},
            "A2": {"ratings": {"a": 5, "b": {"rating": 0, "note": "无数据"}}},
        },
    }
    assert score(mini, parse_ratings(data, mini)).item("A2").score == Decimal("15.00")


@pytest.mark.parametrize(
    ("a1", "a2", "b1", "total", "grade"),
    [
        # points 40 / 20 / 40: each row's item scores are exact, so the total is too
        (100, 100, 100, "100.00", "优秀"),
        (100, 100, 87.5, "95.00", "优秀"),
        (100, 100, 87.475, "94.99", "良好"),
        (100, 75, 50, "75.00", "良好"),
        (100, 75, 49.975, "74.99", "合格"),
        (100, 0, 50, "60.00", "合格"),  # D.1 prints 改进 ≤60 too; 60.00 is 合格 (GUIDE §3.6)
        (100, 0, 49.975, "59.99", "改进"),
        (0, 0, 0, "0.00", "改进"),
    ],
)
def test_grade_boundaries(mini, a1, a2, b1, total, grade):
    data = {
        "framework": "mini",
        "items": {
            "A1": {"percent": a1, "note": "n"},
            "A2": {"percent": a2, "note": "n"},
            "B1": {"percent": b1, "note": "n"},
        },
    }
    a = score(mini, parse_ratings(data, mini))
    assert a.total == Decimal(total)
    assert a.grade is not None and a.grade.name == grade


def test_item_with_points_cannot_be_excluded(mini):
    data = {
        "framework": "mini",
        "items": {
            "A1": {"na": True, "note": "n"},
            "A2": {"percent": 1, "note": "n"},
            "B1": {"percent": 1, "note": "n"},
        },
    }
    with pytest.raises(ValidationFailed, match="points would be lost"):
        score(mini, parse_ratings(data, mini))
