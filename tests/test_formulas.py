"""Formula shapes and input validation, on hand-computed cases."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccua.errors import InputError
from ccua.formulas import REGISTRY, Violation
from ccua.kpi import compute

F = Fraction


@pytest.mark.parametrize(
    ("name", "inputs", "expected"),
    [
        ("share", [50, 1000], F(5)),  # 50 / 1000 × 100
        ("share", [0, 7], F(0)),
        ("share", [7, 7], F(100)),
        ("complement_share", [30, 400], F(185, 2)),  # (1 − 30/400) × 100 = 92.5
        ("remainder_share", [200, 10], F(95)),  # (200 − 10) / 200 × 100
        ("remainder_share", [1000, 20, 10, 5], F(965, 10)),  # (1000 − 35) / 1000 × 100 = 96.5
        ("ratio_percent", [105, 100], F(105)),  # may exceed 100
        ("sum_share", [300, 60, 2400, 600, 4000], F(84)),  # 3360 / 4000 × 100
        ("share_of_sum", [12, 100, 20], F(10)),  # 12 / 120 × 100
        ("mean", [36000, 120], F(300)),  # seconds per contact
        ("sum_mean", [1200, 300, 100], F(15)),  # (1200 + 300) / 100
        ("per_fte", [2400, 1600, 8], F(12)),  # 2400 / (1600 / 8)
        ("value", [17], F(17)),
    ],
)
def test_shapes_by_hand(name, inputs, expected):
    fn = REGISTRY[name].compute
    assert fn is not None
    assert fn([F(x) for x in inputs]) == expected


@pytest.mark.parametrize(
    ("name", "inputs", "kind"),
    [
        ("share", [1, 0], "zero"),
        ("share", [11, 10], "exceeds"),
        ("complement_share", [11, 10], "exceeds"),
        ("remainder_share", [10, 6, 5], "exceeds"),
        ("sum_share", [6, 5, 10], "exceeds"),
        ("share_of_sum", [31, 10, 20], "exceeds"),
        ("share_of_sum", [0, 0, 0], "zero"),
        ("mean", [5, 0], "zero"),
        ("per_fte", [5, 0, 8], "zero"),
        ("per_fte", [5, 8, 0], "zero"),
    ],
)
def test_shape_constraints(name, inputs, kind):
    fn = REGISTRY[name].compute
    assert fn is not None
    with pytest.raises(Violation) as exc:
        fn([F(x) for x in inputs])
    assert exc.value.kind == kind


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_bounded_shapes_stay_within_0_and_100(a, b):
    part, whole = sorted((a, b))
    if whole == 0:
        return
    for name in ("share", "complement_share"):
        shape = REGISTRY[name]
        assert shape.bounded_0_100 and shape.compute is not None
        assert 0 <= shape.compute([F(part), F(whole)]) <= 100


def test_compute_names_indicator_and_input(mini):
    assert compute(mini, "B1.1", [50, 1000]).value == Decimal("5.0")
    assert compute(mini, "B1.1", {"abandoned": "50", "offered": "1,000"}).exact == 5
    cases = [
        (
            [1200, 1000],
            "B1.1 放弃率: 'abandoned' (放弃量) is larger than 'offered' (来话量), "
            "which must contain it (abandoned=1200, offered=1000)",
        ),
        ([5, 0], "B1.1 放弃率: 'offered' (来话量) is zero, and it is the denominator"),
        ([-5, 100], "B1.1 放弃率: input 'abandoned' (放弃量) is negative (-5)"),
        (["five", 100], "B1.1 放弃率: input 'abandoned' (放弃量): expected a number, got 'five'"),
        ([None, 100], "B1.1 放弃率: input 'abandoned' (放弃量) is missing"),
        (
            [5],
            "B1.1 放弃率 takes 2 inputs in this order: 'abandoned' (放弃量), 'offered' (来话量); "
            "1 given (missing)",
        ),
        ({"abandoned": 5}, "B1.1 放弃率: input 'offered' (来话量) is missing"),
        ({"abandoned": 5, "offered": 9, "x": 1}, "unknown input 'x'"),
    ]
    for values, message in cases:
        with pytest.raises(InputError) as exc:
            compute(mini, "B1.1", values)
        assert message in str(exc.value), str(exc.value)
        assert exc.value.problem.indicator == "B1.1"


def test_value_has_six_places_at_most(mini):
    assert compute(mini, "B1.1", [1, 3]).value == Decimal("33.333333")
    assert compute(mini, "B1.1", [1000, 1000]).value == Decimal("100.0")
