"""The bundled guideline (seed 004) as data: complete, consistent, verbatim against the text."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from ccua.errors import InputError
from ccua.kpi import compute
from ccua.spec import load_framework
from tests.conftest import SHARED

# Table B.2 呼叫中心评分记录表格: areas, their points, and the item codes in order.
AREAS = {
    "1": ("规划及发展方向", 10, 7),
    "2": ("人员管理", 15, 10),
    "3": ("现场管理", 12, 8),
    "4": ("流程管理", 10, 6),
    "5": ("绩效管理", 13, 3),
    "6": ("客户价值与满意度", 15, 7),
    "7": ("工具与技术", 10, 7),
    "8": ("网络与信息安全", 8, 5),
    "9": ("用户权益保护", 7, 4),
}


@pytest.fixture(scope="module")
def guideline():
    return load_framework("ccea-guideline")


@pytest.fixture(scope="module")
def seed004() -> str:
    path = SHARED / "seeds" / "004_1bd8ed0a5b63cb1b.txt"
    if not path.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    return path.read_text(encoding="utf-8")


_ASCII_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def _norm(text: str) -> str:
    """What the PDF extraction damaged, undone on both sides (E-G-001): spaces, ASCII
    punctuation in Chinese text, and page numbers on lines of their own."""
    text = "\n".join(line for line in text.splitlines() if not line.strip().isdigit())
    return re.sub(r"\s+", "", text).translate(_ASCII_TO_FULL)


def test_areas_items_and_points(guideline):
    assert guideline.scoring.points_at == "group"
    assert {
        g.code: (g.name, int(g.points), len(guideline.items_of(g.code))) for g in guideline.groups
    } == AREAS
    assert sum(g.points for g in guideline.groups) == Decimal(100)
    assert len(guideline.items) == 57
    for group in guideline.groups:
        n = len(guideline.items_of(group.code))
        assert [i.code for i in guideline.items_of(group.code)] == [
            f"{group.code}.{k}" for k in range(1, n + 1)
        ]
    assert all(i.points is None for i in guideline.items)
    assert not guideline.grades and guideline.comparison_grades is not None
    assert load_framework(guideline.comparison_grades.framework).grades


def _between(text: str, start: str, end: str | None = None) -> str:
    """The normalised text from the last ``start`` (the body, not the table of contents) to
    the next ``end``."""
    i = text.rindex(start)
    return text[i : text.index(end, i)] if end else text[i:]


def test_scale_is_table_b1(guideline, seed004):
    b1 = _between(_norm(seed004), "表B.1呼叫中心评分标准", "表B.2")
    assert [lv.value for lv in guideline.scale.levels] == [0, 1, 2, 3, 4, 5]
    for level in guideline.scale.levels:
        assert _norm(f"{level.value}{level.label}") in b1
        assert _norm(level.description) in b1


def test_item_names_are_table_b2(guideline, seed004):
    b2 = _between(_norm(seed004), "表B.2呼叫中心评分记录表格")
    for item in guideline.items:
        assert _norm(f"{item.code}{item.name}") in b2, item.code


def test_requirements_are_verbatim(guideline, seed004):
    body = _between(_norm(seed004), "4规划及发展方向4.1综述", "运营绩效结果及指标对照表见表A.1")
    # E-G-012: a run-in heading and its paragraph are joined with a "：" that is not printed.
    joined = set(next(e for e in guideline.errata if e.id == "E-G-012").subjects)
    checked = 0
    for item in guideline.items:
        for req in item.requirements:
            text = _norm(req.text)
            if f"{item.code}.{req.code}" in joined:
                text = text.replace("：", "", 1)
            assert text in body, f"{item.code}.{req.code}"
            if req.heading:
                for part in req.heading.split(" / "):
                    assert _norm(part) in body, f"{item.code}.{req.code} heading"
            for sub in req.subpoints:
                assert _norm(sub.text) in body, f"{item.code}.{req.code}.{sub.code}"
                checked += 1
            checked += 1
        for line in item.description.splitlines():
            assert _norm(line) in body, f"{item.code} description"
    assert checked > 400


def test_sub_clause_headings_where_items_span_several(guideline):
    headed = {i.code for i in guideline.items if any(r.heading for r in i.requirements)}
    assert headed == {"7.3", "8.3", "8.4"}
    for code in headed:
        assert all(r.heading and r.section for r in guideline.item(code).requirements), code
    assert (
        guideline.item("7.3").requirement("1d").heading
        == "新建呼叫中心验收指标要求 / 以IP方式接入的语音的客观评定标准"
    )
    assert guideline.item("8.4").requirement("3a").section == "11.5.3 a)"


def test_terms_and_kpi_table_are_verbatim(guideline, seed004):
    terms = _between(_norm(seed004), "3.1术语和定义", "3.2缩略语")
    for term in guideline.terms:
        assert _norm(term.name) in terms and _norm(term.definition) in terms, term.clause
        if term.formula_text:
            assert _norm(term.formula_text) in terms, term.clause
    a1 = _between(_norm(seed004), "运营绩效结果及指标对照表见表A.1", "表B.1")
    table = guideline.kpi_table
    assert table is not None and len(table.kpis) == 36
    assert [len(g.kpis) for g in table.groups] == [2, 2, 9, 11, 8, 4]
    names = [guideline.indicator(code).name for code in table.kpis]
    position = 0
    for group in table.groups:
        assert _norm(group.name + "：") in a1
        for code in group.kpis:  # every row, in printed order
            found = a1.find(_norm(guideline.indicator(code).name), position)
            assert found >= 0, code
            position = found
    assert len(set(names)) == 36
    for code in table.kpis:
        ind = guideline.indicator(code)
        assert ind.scope == "framework" and ind.item is None
        assert re.fullmatch(r"A[1-6]\.\d+", code)


def test_thresholds_are_verbatim_and_typed(guideline, seed004):
    body = _norm(seed004)
    assert len(guideline.thresholds) == 58
    for th in guideline.thresholds:
        assert _norm(th.text) in body, th.id
    by_id = {t.id: t for t in guideline.thresholds}
    ivr = by_id["10.3.2a"]  # IVR self-service success ≥ 98 % over 24 h
    assert (ivr.operator, ivr.value, ivr.unit, ivr.window, ivr.item, ivr.requirement) == (
        ">=",
        Decimal(98),
        "percent",
        "24h",
        "7.3",
        "2a",
    ) and ivr.direction == "higher"
    wait = by_id["10.3.2d"]  # transfer-to-agent wait ≤ 60 s
    assert (wait.operator, wait.value, wait.unit, wait.direction) == ("<=", 60, "seconds", "lower")
    mail = by_id["10.3.2e4"]  # e-mail response ≤ 24 h over a week
    assert (mail.value, mail.unit, mail.window) == (24, "hours", "1 week")
    assert by_id["3.1.22"].kind == "guidance" and by_id["3.1.22"].range == (80, 90)
    assert by_id["3.1.18"].kind == "example" and by_id["3.1.18"].indicator == "A4.5"


def test_the_rule_is_data(guideline):
    rule = guideline.rule("6.5k")
    assert rule.evidence_for == "3.4.k"
    assert rule.text == guideline.item("3.4").requirement("k").text
    assert (rule.required_share, rule.improvement_run) == (Decimal("0.75"), 3)


def test_errata_cover_the_decisions(guideline):
    ids = {e.id for e in guideline.errata}
    assert len(ids) == len(guideline.errata) >= 46
    for e in guideline.errata:
        assert e.subjects and e.issue.strip() and e.decision.strip(), e.id
        assert "spec_work" not in e.decision + e.issue, e.id
    for subject in ("§3.1.22", "A3.7", "3.4.k", "kpi_table"):
        assert guideline.errata_for(subject), subject


# -- indicators computed by hand (seconds and counts as a month would report them)
@pytest.mark.parametrize(
    ("code", "inputs", "expected"),
    [
        # utilisation (3.1.22): (talk + wrap + idle) / (… + break) × 100 = 8100 / 9000 × 100
        ("A3.7", [5400, 1200, 1500, 900], Fraction(90)),
        # occupancy (3.1.23): (talk + wrap) / (talk + wrap + idle) = 6600 / 8100 × 100
        ("T3.1.23", [5400, 1200, 1500], Fraction(6600, 81)),
        ("A4.1", [36000, 1800], Fraction(20)),  # ASA: wait / answered
        ("A4.5", [1600, 2000], Fraction(80)),  # service level X of 80/20
        ("A4.2", [850, 1000], Fraction(85)),  # FCR
        ("T3.1.2", [270000, 54000, 1800], Fraction(180)),  # AHT: (talk + wrap) / answered
        ("A3.5", [270000, 1800], Fraction(150)),  # average talk time
        ("A3.6", [54000, 1800], Fraction(30)),  # after-call work per call
        ("A3.4", ["4.5"], Fraction(9, 2)),  # reported value, as given
    ],
)
def test_guideline_indicators_by_hand(guideline, code, inputs, expected):
    assert compute(guideline, code, inputs).exact == expected


def test_leading_share_refuses_a_zero_whole(guideline):
    with pytest.raises(InputError, match="is zero, and it is the denominator"):
        compute(guideline, "T3.1.23", [0, 0, 0])


def test_errata_document_lists_the_guideline():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "errata.md").read_text("utf-8")
    assert "## 呼叫中心服务质量和运营管理指导要求（试行本） (`ccea-guideline`" in doc
    assert "E-G-046" in doc
