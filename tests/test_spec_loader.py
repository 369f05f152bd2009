"""The spec loader refuses inconsistent frameworks, naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccua.errors import SpecError, ValidationFailed
from ccua.spec import load_framework
from tests.conftest import write_framework


def _load(tmp_path: Path, head, items, measures, errata=None):
    root = write_framework(tmp_path / "fw", head, items, measures, errata)
    return load_framework(head["id"], root)


def _fails(tmp_path: Path, head, items, measures, errata=None) -> str:
    with pytest.raises(ValidationFailed) as exc:
        _load(tmp_path, head, items, measures, errata)
    return str(exc.value)


def test_mini_loads(tmp_path, mini_parts):
    fw = _load(tmp_path, *mini_parts)
    assert [i.code for i in fw.items] == ["A1", "A2", "B1"]
    assert fw.indicator("B1.1").inputs == ("abandoned", "offered")


def test_duplicate_codes(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["requirements"][1]["code"] = "a"
    head["groups"].append(dict(head["groups"][0]))
    text = _fails(tmp_path, head, items, measures)
    assert "duplicate domain code 'A'" in text
    assert "B1.yaml: requirements: duplicate requirement code 'a'" in text


def test_points_not_positive_and_not_summing_to_100(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["A2"]["points"] = 0
    text = _fails(tmp_path, head, items, measures)
    assert "A2.yaml: points: A2: points must be positive, got 0" in text
    assert "points sum to 80, expected 100" in text


def test_item_without_indicator_requirement(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["A2"]["requirements"] = items["A2"]["requirements"][:1]
    text = _fails(tmp_path, head, items, measures)
    assert "A2.yaml: requirements: A2 must have exactly one indicator requirement" in text


def test_indicator_requirement_must_come_last(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["A2"]["requirements"].reverse()
    assert "A2: the indicator requirement must come last" in _fails(tmp_path, head, items, measures)


def test_formula_with_undeclared_input(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["indicators"][0]["inputs"] = ["abandoned", "answered"]
    text = _fails(tmp_path, head, items, measures)
    assert (
        "B1.yaml: indicators.B1.1: formula input 'answered' is not declared in measures.yaml"
    ) in text
    assert "measure 'offered' is used by no indicator" in text


def test_formula_function_and_arity(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["indicators"][0]["function"] = "per_fte"
    assert "function per_fte takes 3 inputs, 2 given" in _fails(tmp_path, head, items, measures)
    items["B1"]["indicators"][0]["function"] = "magic"
    assert "unknown formula function 'magic'" in _fails(tmp_path / "2", head, items, measures)


def test_indicator_code_must_follow_its_position(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["indicators"][0]["code"] = "B1.2"
    assert "expected code B1.1" in _fails(tmp_path, head, items, measures)


def test_structural_errors_name_the_item_file(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["indicators"][0]["direction"] = "up"
    text = _fails(tmp_path, head, items, measures)
    lines = next(tmp_path.rglob("B1.yaml")).read_text(encoding="utf-8").splitlines()
    row = next(n for n, t in enumerate(lines, 1) if t.strip() == "direction: up")
    assert f"B1.yaml:{row}: indicators.0.direction: Input should be 'higher'" in text


def test_structural_errors_in_plain_words_with_the_keys_expected(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["B1"]["indicators"][0]["colour"] = "red"
    del items["A1"]["name"]
    measures[0]["colour"] = "blue"
    text = _fails(tmp_path, head, items, measures)

    def line(file: str, start: str) -> int:
        lines = next(tmp_path.rglob(file)).read_text(encoding="utf-8").splitlines()
        return next(n for n, t in enumerate(lines, 1) if t.lstrip("- ").startswith(start))

    colour = line("B1.yaml", "colour:")
    assert f"B1.yaml:{colour}: indicators.0.colour: unknown key; expected one of " in text
    assert "A1.yaml:1: name: required field is missing" in text  # the mapping missing it
    assert f"measures.yaml:{line('measures.yaml', 'colour:')}: measures.0.colour: unknown" in text


def test_unknown_group_and_category(tmp_path, mini_parts):
    head, items, measures = mini_parts
    items["A2"]["group"] = "Z"
    head["groups"][1]["category"] = "other"
    text = _fails(tmp_path, head, items, measures)
    assert "A2.yaml: group: unknown domain 'Z'" in text
    assert "B: unknown category 'other'" in text


def test_erratum_about_unknown_subject(tmp_path, mini_parts):
    errata = [{"id": "E1", "subjects": ["Q7.3"], "kind": "decision", "issue": "i", "decision": "d"}]
    assert "erratum E1: unknown subject 'Q7.3'" in _fails(tmp_path, *mini_parts, errata)


def test_unknown_framework_and_bad_yaml(tmp_path, mini_parts):
    root = write_framework(tmp_path / "fw", *mini_parts)
    with pytest.raises(SpecError, match="unknown framework 'nope'; available: mini"):
        load_framework("nope", root)
    (root / "mini" / "items" / "A1.yaml").write_text("code: A1\nname: [\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"mini/items/A1.yaml:\d+: not valid YAML"):
        load_framework("mini", root)


def test_stray_item_file(tmp_path, mini_parts):
    root = write_framework(tmp_path / "fw", *mini_parts)
    (root / "mini" / "items" / "C9.yaml").write_text("code: C9\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="items/C9.yaml is not listed under items:"):
        load_framework("mini", root)


def test_the_framework_checks_run_in_order_and_report_everything_at_once():
    """check_framework runs every check of CHECKS, in order, and keeps all their problems."""
    from ccua.spec import check_framework
    from ccua.spec._loader import CHECKS

    fw = load_framework("t-ccua")
    assert check_framework(fw) == []
    first = next(g for g in fw.grades if g.min == 0)
    bad = fw.model_copy(update={"grades": (first, first)})
    found = [p.message for p in check_framework(bad)]
    assert found == [
        f"duplicate grade code {first.code!r}",  # the first check
        "two grades share a threshold",  # the grades' check, later in CHECKS
    ]
    names = [check.__name__ for check in CHECKS]
    assert names.index("_check_duplicate_codes") < names.index("_check_grades")
