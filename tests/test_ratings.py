"""Ratings files: every kind of bad input gets a message with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccua.errors import CcuaError, RatingsError, ValidationFailed
from ccua.ratings import load_ratings, parse_ratings


def _problems(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_all_problems_reported_at_once_with_lines(tmp_path: Path, mini):
    path = tmp_path / "r.yaml"
    path.write_text(
        "framework: mini\n"
        "items:\n"
        "  A1:\n"
        "    ratings:\n"
        "      a.1: 7\n"  # out of scale
        "      a.9: 3\n"  # no such sub-point
        "      z: 3\n"  # no such requirement
        "      b: 3.5\n"  # not a whole number
        "  A2: {percent: 120, note: x}\n"
        "  A3: {percent: 50, note: x}\n"  # no such item
        "  B1: {percent: 50}\n"  # override without note
        "colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as exc:
        load_ratings(path, mini)
    problems = _problems(exc)
    f = str(path)
    assert f"{f}:5: items.A1.ratings.a.1: rating must be a whole number 0-5" in problems[0]
    assert any(
        p.startswith(f"{f}:6: items.A1.ratings.a.9: requirement A1.a has no sub-point '9'")
        for p in problems
    )
    assert any(
        p.startswith(f"{f}:7: items.A1.ratings.z: A1 has no requirement 'z'") for p in problems
    )
    assert any(
        f"{f}:8: items.A1.ratings.b: rating must be a whole number" in p and "3.5" in p
        for p in problems
    )
    assert any(
        f"{f}:9: items.A2.percent: percent must be between 0 and 100, got 120" in p
        for p in problems
    )
    assert any(f"{f}:10: items.A3: no item 'A3' in mini" in p for p in problems)
    assert any(f"{f}:11: items.B1: an item override (percent) needs a note" in p for p in problems)
    assert any(f"{f}:12: colour: unknown key" in p for p in problems)
    assert len(problems) == 8


def test_nested_subpoint_form_equals_dotted_form(mini):
    nested = parse_ratings(
        {"framework": "mini", "items": {"A1": {"ratings": {"a": {1: 4, 2: 3}}}}}, mini
    )
    dotted = parse_ratings(
        {"framework": "mini", "items": {"A1": {"ratings": {"a.1": 4, "a.2": 3}}}}, mini
    )
    assert nested.items == dotted.items


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"ratings": {"a": 3, "a.1": 4}}, "rated both as a whole and by sub-point"),
        ({"ratings": {"c": 3}}, "a note is mandatory: the indicator requirement is rated from the"),
        ({"ratings": {"b": {"na": True}}}, "a note is mandatory when a requirement is marked not"),
        ({"ratings": {"b": {"na": True, "rating": 3, "note": "x"}}}, "either a rating or na"),
        ({"rating": 4}, "rates requirements, not whole items"),
        (
            {"percent": 50, "note": "x", "ratings": {"b": 3}},
            "give one of percent, rating or ratings",
        ),
        ({"percent": "half", "note": "x"}, "expected a number, got 'half'"),
        ({"ratings": {"b": {"rating": 3, "colour": "red"}}}, "unknown key"),
        (4, "expected {percent: P, note: ...}"),
    ],
)
def test_invalid_item_entries(mini, item, message):
    with pytest.raises(ValidationFailed) as exc:
        parse_ratings({"framework": "mini", "items": {"A1": item}}, mini)
    assert message in str(exc.value)


def test_framework_mismatch_and_missing(mini):
    with pytest.raises(RatingsError, match="framework: is missing"):
        parse_ratings({"items": {}}, mini)
    with pytest.raises(RatingsError, match="for framework 't-ccua', expected 'mini'"):
        parse_ratings({"framework": "t-ccua", "items": {}}, mini)


def test_unknown_framework_names_the_known_ones(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text("framework: iso-9999\nitems: {}\n", encoding="utf-8")
    with pytest.raises(
        RatingsError,
        match=r"r.yaml:1: framework: unknown framework 'iso-9999'; "
        r"available: .*t-ccua",
    ):
        load_ratings(path)


def test_unreadable_files(tmp_path: Path, mini):
    with pytest.raises(RatingsError, match="file not found"):
        load_ratings(tmp_path / "nope.yaml", mini)
    bad = tmp_path / "bad.yaml"
    bad.write_text("framework: mini\nitems:\n  A1: {percent: 5\n", encoding="utf-8")
    with pytest.raises(CcuaError, match=r"bad.yaml:\d+: not valid YAML"):
        load_ratings(bad, mini)
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("framework: mini\ntitle: 测评\n".encode("gbk"))
    with pytest.raises(RatingsError, match="not UTF-8"):
        load_ratings(gbk, mini)


def test_item_codes_that_look_like_numbers_stay_text(tmp_path: Path, mini):
    # YAML would read 2.10 as the float 2.1; the loader keeps keys as written.
    path = tmp_path / "r.yaml"
    path.write_text("framework: mini\nitems:\n  2.10: {percent: 5, note: x}\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"no item '2.10' in mini"):
        load_ratings(path, mini)


def test_weights_must_be_positive_and_known(mini):
    with pytest.raises(ValidationFailed) as exc:
        parse_ratings({"framework": "mini", "weights": {"A1": -5, "Q9": 3}, "items": {}}, mini)
    text = str(exc.value)
    assert "weights.A1: weights must be positive, got -5" in text
    assert "weights.Q9: weights apply to item codes; 'Q9' is not one" in text


def test_unknown_keys_name_the_keys_allowed_there(tmp_path: Path, mini):
    path = tmp_path / "r.yaml"
    path.write_text(
        "framework: mini\n"
        "items:\n"
        "  A1:\n"
        "    colour: red\n"
        "    ratings:\n"
        "      a:\n"
        "        1: {rating: 3, colour: red}\n"  # the nested form: reported on its own line
        "        2: 9\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as exc:
        load_ratings(path, mini)
    problems = _problems(exc)
    f = str(path)
    assert (
        f"{f}:4: items.A1.colour: unknown key; expected one of at, by, evidence, na, "
        in (problems[0])
    )
    assert problems[1] == (
        f"{f}:7: items.A1.ratings.a.1.colour: unknown key; expected one of at, by, evidence, "
        "na, note, rating"
    )
    assert problems[2].startswith(f"{f}:8: items.A1.ratings.a.2: rating must be a whole number")
    assert len(problems) == 3


def test_several_problems_of_one_leaf_are_said_together(mini):
    with pytest.raises(ValidationFailed) as exc:
        parse_ratings(
            {"framework": "mini", "items": {"A1": {"ratings": {"b": {"na": True, "rating": 3}}}}},
            mini,
        )
    [problem] = exc.value.problems
    assert problem.field == "items.A1.ratings.b"
    assert "either a rating or na" in problem.message and "a note is mandatory" in problem.message
