"""Exact parsing and half-up rounding (GUIDE §3.4), with hypothesis for the invariants."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccua._num import NotANumber, round_half_up, to_fraction


def test_half_up_where_python_rounds_half_even():
    assert round(0.125, 2) == 0.12  # banker's rounding of an exact binary half
    assert round_half_up(Fraction(1, 8)) == Decimal("0.13")
    assert round_half_up(Fraction(3115, 1000)) == Decimal("3.12")
    assert round_half_up(Fraction(-1, 8)) == Decimal("-0.13")
    assert round_half_up(Fraction(2, 3), 0) == Decimal("1")


@given(
    st.decimals(
        min_value=-(10**6), max_value=10**6, places=6, allow_nan=False, allow_infinity=False
    ),
    st.integers(min_value=0, max_value=4),
)
def test_round_half_up_matches_decimal_quantize(value, places):
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert round_half_up(Fraction(value), places) == expected


@given(st.fractions(min_value=0, max_value=1000))
def test_rounding_error_is_at_most_half_a_cent(value):
    rounded = round_half_up(value)
    assert abs(Fraction(rounded) - value) <= Fraction(1, 200)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, Fraction(5)),
        (0.1, Fraction(1, 10)),
        ("1,000", Fraction(1000)),
        (" 7.5 ", Fraction(15, 2)),
        (Decimal("2.25"), Fraction(9, 4)),
        ("1e3", Fraction(1000)),
    ],
)
def test_to_fraction(raw, expected):
    assert to_fraction(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "5%", "", float("nan"), float("inf"), True, None, [1]])
def test_to_fraction_refuses(raw):
    with pytest.raises(NotANumber):
        to_fraction(raw)


def test_the_one_formatter_prints_values_beyond_the_default_decimal_context():
    """Values from 1e26 up pass validation (docs/limits.md) and must print, not raise
    decimal.InvalidOperation, in every output that formats them (ccua.fmt)."""
    from ccua import fmt

    assert fmt.fixed(Decimal("1e30")) == "1" + "0" * 30 + ".00"
    assert fmt.percent(Decimal("123456789012345678901234567.891")) == (
        "123456789012345678901234567.89%"
    )
    assert fmt.value(Decimal("4.99e40"), "seconds", "en").endswith(".00 s")
    assert fmt.fixed(Decimal("4.305")) == "4.31" and fmt.fixed(3.115) == "3.12"
