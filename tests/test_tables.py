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
from ccua.i18n import Tr
from ccua.inputs import load_engagement
from ccua.report._front import front_context
from ccua.report._workbook import workbook_bytes
from ccua.results import build_results
from ccua.results_model import typed
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
        t6 = tables.score_table(typed(demo), lang)
        items = demo["assessment"]["items"]
        assert len(t6.rows) == len(items)
        assert [r[-3] for r in t6.rows] == [i.score for i in typed(demo).assessment.items]
        assert t6.footers[0].values[0] == typed(demo).assessment.total
        grid, pipe = tables.grid_markdown(t6), tables.pipe_markdown(t6)
        total = fmt.fixed(demo["assessment"]["total"]) + ("分" if lang == "zh" else "")
        assert f"**{total}**" in grid and f"**{total}**" in pipe
        sheet = tables.sheet_rows(t6)  # the item column splits into code and name
        assert sheet[0][2:4] == (["编号", "能力项"] if lang == "zh" else ["Code", "Item"])
        assert [r[2] for r in sheet[1:-1]] == [i["code"] for i in items]
        assert sheet[-1][len(t6.columns) - 2] == fmt.dec(demo["assessment"]["total"])
    # the report's table 6 is this table
    context = front_context(typed(demo))
    assert context["tables"]["t6"] == tables.grid_markdown(tables.score_table(typed(demo), "zh"))


def test_workbook_sheets_are_the_same_tables(demo: dict[str, Any]):
    fw = load_framework("t-ccua")
    for lang in ("zh", "en"):
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(typed(demo), fw.grades, "", lang)))
        for table in (
            tables.score_table(typed(demo), lang),
            *tables.handover_tables(typed(demo), lang),
            *tables.team_tables(typed(demo), lang),
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
    text = nb.requirements_md(typed(demo), typed(demo).assessment.item("SP1"))
    for req in item["requirements"]:
        if req["source"] == "assessor" and req.get("evidence"):
            assert f"证据：{nb.md_escape(req['evidence'])}" in text
    assert "| 测评方评分 |" not in text


@pytest.fixture(scope="module")
def guideline() -> dict[str, Any]:
    built = build_results(load_engagement(ROOT / "params" / "demo-guideline.yaml"))
    return json.loads(json.dumps(built.results.to_json_dict(), default=str))


def test_covered_cells_span_rows_and_columns():
    up, left = tables.UP, tables.LEFT
    t = tables.Table(
        "x",
        "c",
        (tables.Col("g"), tables.Col("text"), tables.Col("rating"), tables.Col("score")),
        (("A", "r1", "4", "9.00"), ("A", "r2", up, up), ("A", "note", left, up)),
        merge=1,
    )
    assert t.extent(0, 2) == (2, 1) and t.extent(0, 3) == (3, 1) and t.extent(2, 1) == (1, 2)
    lines = tables.grid_markdown(t).splitlines()
    # the rating over two rows, the score over three, the note over two columns
    assert lines[4].count("|") == 3 and lines[4].count("+") == 2  # r1 | r2: the rest continue
    assert lines[7].count("|") == 4 and "note" in lines[7]  # g | note (two columns) | score |
    pipe = tables.pipe_markdown(t)  # the notebook leaves covered cells empty
    assert pipe.splitlines()[3] == "|   | r2 |   |   |"
    assert tables.sheet_rows(t)[3] == ["A", "note", None, None]  # the workbook too


def test_requirement_table_e5(demo: dict[str, Any], guideline: dict[str, Any]):
    """Table 5 as the report prints it: a row per requirement, sub-points in its cell, the
    item's score in its category's column over the item's rows; a whole rating and its note
    span the item's requirements; points on groups: the group's score spans the group."""
    context = front_context(typed(demo))
    t5, _ = tables.requirement_tables(typed(demo), "zh")
    assert context["tables"]["t5"] == tables.grid_markdown(t5)
    item = demo["assessment"]["items"][0]
    reqs = item["requirements"]
    rows = [r for r in t5.rows if r[2] == tables.names(typed(demo)).item(item["code"])]
    assert len(rows) == len(reqs)
    assert rows[0][3][0] == f"{reqs[0]['code']}){reqs[0]['text']}"
    assert rows[0][-2:] == (fmt.fixed(item["score"]), "")  # 过程类 | 结果类
    assert all(r[-2:] == (tables.UP, tables.UP) for r in rows[1:])
    # an item the team rated as a whole, with a note
    changed = json.loads(json.dumps(demo))
    first = changed["assessment"]["items"][0]
    first.update(source="override", percent=50, note="复核后调整")
    for r in first["requirements"]:
        r["source"] = "item"
    rows = [r for r in tables.requirement_tables(typed(changed))[0].rows if r[2] == rows[0][2]]
    tr = Tr("zh")
    assert rows[0][4] == [tr("table.percent_value", percent="50.00%"), tr("table.team_decided")]
    assert [r[4] for r in rows[1:-1]] == [tables.UP] * (len(reqs) - 1)
    assert rows[-1][3].endswith("复核后调整") and rows[-1][4] == tables.LEFT
    tables.grid_markdown(tables.requirement_tables(typed(changed), "en")[0])  # lays out
    # the guideline: points on groups
    t5, _ = tables.requirement_tables(typed(guideline), "en")
    group = guideline["assessment"]["groups"][0]
    label = tables.names(typed(guideline), "en").group(group["code"])
    scores = [r[-1] for r in t5.rows if r[0] == label]
    assert scores[0] == fmt.fixed(group["score"]) and set(scores[1:]) == {tables.UP}


def test_requirement_list_is_the_notebook_table_and_the_workbook_sheet(demo: dict[str, Any]):
    from ccua import notebook as nb

    fw = load_framework("t-ccua")
    for lang in ("zh", "en"):
        nb.set_language(lang)
        item = demo["assessment"]["items"][3]
        one = tables.requirement_tables(typed(demo), lang, item["code"])[1]
        typed_item = typed(demo).assessment.item(item["code"])
        assert nb.requirements_md(typed(demo), typed_item) == tables.pipe_markdown(one)
        whole = tables.requirement_tables(typed(demo), lang)[1]
        n_rows = sum(
            1 + len(r.get("subpoints") or [])
            for i in demo["assessment"]["items"]
            for r in i["requirements"]
        )
        assert len(whole.rows) == n_rows
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(typed(demo), fw.grades, "", lang)))
        assert _sheet(wb, whole) == _want(whole)
    nb.set_language("zh")


def _sheet(wb: Any, table: tables.Table, title: str = "") -> list[list[Any]]:
    ws = wb[title or table.sheet]
    rows = ws.iter_rows(max_row=len(table.rows) + len(table.footers) + 1)
    return [[None if c.value == "" else c.value for c in row] for row in rows]


def _want(table: tables.Table) -> list[list[Any]]:
    return [
        [None if v == "" else (float(v) if hasattr(v, "as_tuple") else v) for v in r]
        for r in tables.sheet_rows(table)
    ]


def test_indicator_tables(demo: dict[str, Any]):
    from ccua import notebook as nb

    fw = load_framework("t-ccua")
    r = typed(demo)
    item = next(
        i
        for i in demo["assessment"]["items"]
        if any(k.kind != "documentary" for k in r.indicators_of(i["code"]))
    )
    checks, periods, monthly, one = tables.indicator_tables(r, item["code"], "zh")
    inds = [i for i in r.indicators_of(item["code"]) if i.kind != "documentary"]
    assert periods is not None and [row[0] for row in periods.rows] == [i.code for i in inds]
    assert [row[5] for row in periods.rows] == [
        "—" if i.met is None else "是" if i.met else "否" for i in inds
    ]
    text = nb.indicators_md(r, r.assessment.item(item["code"]))
    for t in (checks, periods, monthly):
        assert t is None or tables.pipe_markdown(t) in text
    assert [row[0] for row in one.rows] == [i.code for i in r.indicators_of(item["code"])]
    sheet = tables.indicator_tables(r, lang="en")[3]
    assert len(sheet.rows) == len(demo["indicators"])
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(typed(demo), fw.grades, "", "en")))
    assert _sheet(wb, sheet) == _want(sheet)


def test_kpi_table_a1(guideline: dict[str, Any], demo: dict[str, Any]):
    from ccua import notebook as nb

    assert tables.kpi_table(typed(demo)) is None  # T/CCUA has no KPI table
    t = tables.kpi_table(typed(guideline), "zh")
    assert t is not None and t.merge == 1
    kpis = [k for g in guideline["kpi_table"]["groups"] for k in g["kpis"]]
    assert [r[1] for r in t.rows] == [k["code"] for k in kpis]
    nb.set_language("zh")
    pipe = tables.pipe_markdown(t)
    assert pipe in nb.kpi_table_md(typed(guideline))
    group = guideline["kpi_table"]["groups"][0]
    body = pipe.splitlines()[2 : 2 + len(group["kpis"])]
    assert body[0].startswith(f"| {group['name']} |")  # the group once, over its rows
    assert all(line.startswith("|   |") for line in body[1:])


def test_crosswalk_tables(demo: dict[str, Any]):
    from ccua.report._projection import projection_markdown

    fw = load_framework("t-ccua")
    p = demo["projections"][0]
    typed_p = typed(demo).projections[0]
    for lang in ("zh", "en"):
        groups, items, missing, kpis, sheet = tables.projection_tables(typed(demo), typed_p, lang)
        assert groups.footers[0].values[-1] == typed_p.estimated_score
        assert [r[1].split()[0] for r in items.rows] == [i["code"] for i in p["items"]]
        assert [r[0] for r in missing.rows] == [m["code"] for m in p["missing"]]
        text = projection_markdown(typed(demo), lang)
        for t in (groups, items, missing, kpis):
            assert t is None or tables.grid_markdown(t) in text
        assert "—分" not in text  # a group without an estimate: a dash, no unit
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(typed(demo), fw.grades, "", lang)))
        from ccua.report._workbook import projection_sheet_title

        assert _sheet(wb, sheet, projection_sheet_title(p["to"], lang)) == _want(sheet)


def test_requirement_list_weights_and_items_rated_as_a_whole(demo: dict[str, Any]):
    changed = json.loads(json.dumps(demo))
    first, second = changed["assessment"]["items"][:2]
    first["requirements"][0]["weight"] = 2
    second.update(requirements=[], source="rating", mean_rating=3.5, note="整体判断")
    t = tables.requirement_tables(typed(changed))[1]
    labels = [c.label for c in t.columns]
    weight = labels.index("权重")  # a weight column once any requirement weighs other than 1
    n = tables.names(typed(changed))
    rows = [r for r in t.rows if r[2] == n.item(first["code"])]
    assert [r[weight] for r in rows[:2]] == [2, 1.0]
    text = tables.pipe_markdown(tables.requirement_tables(typed(changed), "zh", first["code"])[1])
    assert "| 2.00 |" in text and "权重" in text
    whole = [r for r in t.rows if r[2] == n.item(second["code"])]  # one row for the item
    assert len(whole) == 1
    assert (
        whole[0][3:6] == ("", "（整体评分）", 3.5)
        and whole[0][-2] == typed(changed).assessment.items[1].percent
    )
    assert "整体判断" in whole[0]
