"""One table model: each table of Appendix E built once, written to the report (grid
Markdown), the notebooks (pipe Markdown) and the workbook from the same object."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ccua import fmt, tables
from ccua.inputs import load_engagement
from ccua.report._front import front_context
from ccua.report._workbook import workbook_bytes
from ccua.results import build_results
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    built = build_results(load_engagement(ROOT / "params" / "demo.yaml"))
    return json.loads(json.dumps(built.results.to_json_dict(), default=str))


def test_spans_merge_leading_columns_within_their_parent():
    t = tables.Table(
        "x",
        "c",
        (tables.Col("a"), tables.Col("b"), tables.Col("v")),
        (("A", "g1", 1), ("A", "g1", 2), ("A", "g2", 3), ("B", "g2", 4)),
        merge=2,
    )
    # "g2" under A and "g2" under B are two cells: a merge never crosses its parent's edge
    assert tables.spans(t) == [[3, 0, 0, 1], [2, 0, 1, 1]]


def test_score_table_is_built_once_and_written_three_ways(demo: dict[str, Any]):
    for lang in ("zh", "en"):
        t6 = tables.score_table(demo, lang)
        items = demo["assessment"]["items"]
        assert len(t6.rows) == len(items)
        assert [r[-3] for r in t6.rows] == [i["score"] for i in items]
        assert t6.footers[0].values[0] == demo["assessment"]["total"]
        grid, pipe = tables.grid_markdown(t6), tables.pipe_markdown(t6)
        total = fmt.fixed(demo["assessment"]["total"]) + ("分" if lang == "zh" else "")
        assert f"**{total}**" in grid and f"**{total}**" in pipe
        sheet = tables.sheet_rows(t6)  # the item column splits into code and name
        assert sheet[0][2:4] == (["编号", "能力项"] if lang == "zh" else ["Code", "Item"])
        assert [r[2] for r in sheet[1:-1]] == [i["code"] for i in items]
        assert sheet[-1][len(t6.columns) - 2] == fmt.dec(demo["assessment"]["total"])
    # the report's table 6 is this table
    context = front_context(demo)
    assert context["tables"]["t6"] == tables.grid_markdown(tables.score_table(demo, "zh"))


def test_workbook_sheets_are_the_same_tables(demo: dict[str, Any]):
    fw = load_framework("t-ccua")
    for lang in ("zh", "en"):
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(demo, fw.grades, "", lang)))
        for table in (
            tables.score_table(demo, lang),
            *tables.handover_tables(demo, lang),
            *tables.team_tables(demo, lang),
            tables.grade_table(fw.grades, demo["assessment"]["grade"], lang),
        ):
            ws = wb[table.sheet]
            got = [[c.value for c in row] for row in ws.iter_rows(max_row=len(table.rows) + 1)]
            want = tables.sheet_rows(table)[: len(table.rows) + 1]
            assert [
                [None if v == "" else (float(v) if hasattr(v, "as_tuple") else v) for v in r]
                for r in want
            ] == [[None if v == "" else v for v in r] for r in got], table.key


def test_grade_table_prints_the_rule_the_engine_applies():
    grades = load_framework("t-ccua").grades
    t7 = tables.grade_table(grades, "良好", "zh")
    bands = {r[0]: r[1] for r in t7.rows}
    # D.1 prints 改进 "≤60分", overlapping 合格 "≥60分": the engine puts 60 in 合格 (E-M-grade-60)
    assert bands == {"优秀": "≥95分", "良好": "≥75分", "合格": "≥60分", "改进": "<60分"}
    assert [r[-1] for r in t7.rows] == ["", "符合", "", ""]
    en = tables.grade_table(grades, "良好", "en")
    assert [r[0] for r in en.rows] == ["Excellent", "Good", "Pass", "Improve"] or [
        r[0] for r in en.rows
    ][:3] == ["Excellent", "Good", "Pass"]
    assert {r[1] for r in en.rows} == {"≥ 95 points", "≥ 75 points", "≥ 60 points", "< 60 points"}
    assert "E-M-grade-60" in {e.id for e in load_framework("t-ccua").errata}


def test_requirement_basis_names_what_the_rating_rests_on(demo: dict[str, Any]):
    from ccua import notebook as nb

    nb.set_language("zh")
    item = next(i for i in demo["assessment"]["items"] if i["code"] == "SP1")
    text = nb.requirements_md(demo, item)
    for req in item["requirements"]:
        if req["source"] == "assessor" and req.get("evidence"):
            assert f"证据：{nb.md_escape(req['evidence'])}" in text
    assert "| 测评方评分 |" not in text
