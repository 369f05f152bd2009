"""The bundled T/CCUA spec: complete, consistent, and verbatim against the standard."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from ccua.errors import InputError
from ccua.kpi import compute

CASES = yaml.safe_load((Path(__file__).parent / "data" / "kpi_cases.yaml").read_text("utf-8"))

ITEM_POINTS = {
    "SP1": "2.00",
    "SP2": "4.00",
    "SP3": "4.00",
    "CB1": "5.00",
    "CB2": "5.00",
    "CB3": "5.00",
    "CB4": "5.00",
    "CB5": "5.00",
    "DO1": "3.50",
    "DO2": "5.25",
    "DO3": "3.50",
    "DO4": "3.50",
    "DO5": "7.00",
    "DO6": "7.00",
    "DO7": "3.50",
    "DO8": "1.75",
    "MI1": "12.00",
    "MI2": "9.00",
    "MI3": "9.00",
}
PER_ITEM = {
    "SP1": 3,
    "SP2": 3,
    "SP3": 3,
    "CB1": 3,
    "CB2": 3,
    "CB3": 3,
    "CB4": 2,
    "CB5": 3,
    "DO1": 2,
    "DO2": 7,
    "DO3": 5,
    "DO4": 4,
    "DO5": 6,
    "DO6": 18,
    "DO7": 3,
    "DO8": 3,
    "MI1": 4,
    "MI2": 10,
    "MI3": 3,
}


def test_model_shape(tccua):
    assert [g.code for g in tccua.groups] == ["SP", "CB", "DO", "MI"]
    assert {i.code: f"{i.points:.2f}" for i in tccua.items} == ITEM_POINTS
    assert sum(i.points for i in tccua.items) == Decimal(100)
    process = sum(i.points for i in tccua.items if tccua.group(i.group).category == "process")
    assert process == Decimal(35)
    assert {i.code: len(i.indicators) for i in tccua.items} == PER_ITEM
    assert len(tccua.indicators) == 88
    assert [(g.name, g.min) for g in tccua.grades] == [
        ("优秀", 95),
        ("良好", 75),
        ("合格", 60),
        ("改进", 0),
    ]


def test_every_item_ends_with_its_indicator_requirement(tccua):
    for item in tccua.items:
        last = item.requirements[-1]
        assert last.kind == "indicator"
        assert last.text == "评估与测评结果符合测评关键指标值计算的70%要求"
        assert sum(r.kind == "indicator" for r in item.requirements) == 1


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_requirements_are_verbatim_from_table_b1(tccua, seed000):
    start = seed000.index("表 B.1 测评要求计分表")
    end = seed000.index("附 录 C")
    b1 = _squash(seed000[start:end])
    for item in tccua.items:
        for req in item.requirements:
            assert _squash(f"{req.code}){req.text}") in b1, f"{item.code}.{req.code}"
            for sub in req.subpoints:
                assert _squash(f"{sub.code}){sub.text}") in b1, f"{item.code}.{req.code}.{sub.code}"


def test_indicator_texts_are_verbatim_from_table_a1(tccua, seed000):
    a1 = _squash(seed000[seed000.index("表 A.1 测评关键指标") : seed000.index("附 录 B")])
    for ind in tccua.indicators:
        assert _squash(ind.name) in a1, ind.code
        assert _squash(ind.definition) in a1, ind.code
        if ind.formula_text != "－":
            assert _squash(ind.formula_text) in a1, ind.code


def test_grade_descriptions_are_verbatim_from_table_d1(tccua, seed000):
    d1 = _squash(seed000[seed000.index("表 D.1 测评等级划分") : seed000.index("附 录 E")])
    for grade in tccua.grades:
        for line in (*grade.process, *grade.result):
            assert _squash(line) in d1, (grade.name, line)


def test_every_erratum_names_what_it_concerns(tccua):
    for e in tccua.errata:
        assert e.subjects and e.issue and e.decision, e.id
    # The deviations GUIDE §4 requires are recorded.
    for code in ("DO6.5", "DO6.6", "DO6.7", "DO6.8", "DO5.2", "DO3.2"):
        assert tccua.errata_for(code), code


@pytest.mark.parametrize(
    "case", [c for c in CASES if "expected" in c], ids=lambda c: f"{c['code']}{c['inputs']}"
)
def test_hand_computed_indicator_cases(tccua, case):
    value = compute(tccua, case["code"], case["inputs"]).exact
    assert value == Fraction(str(case["expected"]))


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "error" in c],
    ids=lambda c: f"{c['code']}{c['inputs']}-{c['error']}",
)
def test_indicator_input_errors(tccua, case):
    words = {"zero": "is zero", "exceeds": "is larger than", "negative": "is negative"}
    with pytest.raises(InputError, match=words[case["error"]]) as exc:
        compute(tccua, case["code"], case["inputs"])
    assert case["code"] in str(exc.value)


def test_every_computed_indicator_has_a_hand_computed_case(tccua):
    covered = {c["code"] for c in CASES if "expected" in c}
    computed = {i.code for i in tccua.indicators if not i.is_documentary}
    assert computed <= covered


def test_errata_document_is_current():
    from ccua.errata import errata_markdown
    from ccua.spec import available_frameworks, load_framework

    doc = Path(__file__).resolve().parents[1] / "docs" / "errata.md"
    expected = errata_markdown([load_framework(f) for f in available_frameworks()])
    assert doc.read_text(encoding="utf-8") == expected, (
        "docs/errata.md is stale: run  ccua errata --markdown > docs/errata.md"
    )
