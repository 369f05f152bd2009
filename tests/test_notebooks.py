"""The notebooks papermill executes per client, and the presentation helpers they call.

The real notebooks run once per session on the committed demo client, through the runner
(``ccua.runner.run_client``), and the assertions read the executed notebooks' outputs against
``results.json`` of the same run. The second framework (the guideline: points on areas, items
rated whole or by requirement, no grades) runs its domain and scorecard notebooks on a client
built in memory. The pure Markdown helpers have hand-written cases.

Slow part: executing the notebooks (about 20-40 s on a 2-core machine, depending on load).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
import yaml

from ccua import fmt, prose
from ccua import notebook as nb
from ccua import tables as table_model
from ccua.charts import VEGA_LITE_MIMETYPE, VEGA_LITE_SCHEMA
from ccua.engagement import Engagement, EngagementData, MonthlyInputs, Params
from ccua.errors import CcuaError
from ccua.ratings import parse_ratings
from ccua.results import build_results, dumps
from ccua.results_model import typed
from ccua.runner import NotebookJob, execute_notebook, run_client
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = ("engagement", "domain", "scorecard")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


# ---------------------------------------------------------------- helpers


def unescape(markdown: str) -> str:
    """Markdown text back to the literal text (backslash escapes of ASCII punctuation)."""
    return _ESCAPE.sub(r"\1", markdown)


def outputs(book: Any) -> list[dict[str, Any]]:
    return [o for cell in book.cells for o in cell.get("outputs", [])]


def markdowns(book: Any) -> list[str]:
    return [
        o["data"]["text/markdown"] for o in outputs(book) if "text/markdown" in o.get("data", {})
    ]


def chart_bundles(book: Any) -> list[dict[str, Any]]:
    return [o["data"] for o in outputs(book) if VEGA_LITE_MIMETYPE in o.get("data", {})]


def item_block(book: Any, item: dict[str, Any]) -> str:
    """The Markdown of one item: from its ``##`` heading to the next item's heading."""
    texts = markdowns(book)
    heading = f"## {item['code']} {item['name']}"
    starts = [i for i, t in enumerate(texts) if t.startswith("## ")]
    mine = [i for i in starts if unescape(texts[i]).startswith(heading)]
    assert len(mine) == 1, f"{heading!r} appears {len(mine)} times"
    later = [i for i in starts if i > mine[0]]
    return "\n\n".join(texts[mine[0] : later[0] if later else len(texts)])


def table_rows(markdown: str) -> list[list[str]]:
    """Every pipe-table row as a list of unescaped cells (escaped pipes stay inside cells)."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| "):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([unescape(c.strip()) for c in cells])
    return rows


def tables(markdown: str) -> dict[str, list[list[str]]]:
    """The captioned tables of a Markdown text, by caption: a ``Table: …`` line follows its
    table, as pandoc reads it (a caption attaches to the table just before it)."""
    out = {}
    blocks = markdown.split("\n\n")
    for before, block in itertools.pairwise(blocks):
        if block.startswith("Table: "):
            assert before.startswith("| "), f"caption {block!r} follows no table"
            out[unescape(block.removeprefix("Table: "))] = table_rows(before)
    return out


def two(value: float) -> str:
    """A two-decimal number of results.json as printed (already rounded half-up there)."""
    return f"{value:.2f}"


def comparable(book: Any) -> Any:
    """An executed notebook without what legitimately differs between runs: papermill's and
    nbclient's timing metadata, the paths, and the id papermill gives its injected cell."""
    book = json.loads(json.dumps(book))
    book["metadata"].pop("papermill", None)
    for cell in book["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell.pop("id", None)
    return book


GUIDELINE_NA = ("2.3", "a", "1")  # the sub-point the guideline client marks not applicable


def guideline_results() -> dict[str, Any]:
    """results.json of a client assessed against the guideline (built in memory: points on
    areas, every third item rated as a whole, the others by requirement and sub-point, one
    sub-point not applicable; no monthly data)."""
    fw = load_framework("ccea-guideline")
    eng = yaml.safe_load((ROOT / "params" / "demo" / "engagement.yaml").read_text("utf-8"))
    eng.update(client="gl", framework=fw.id)
    eng["handover"] = {
        i.code: {
            "nature": "电子版",
            "copies": 1,
            "pages": 3,
            "completeness": "完整",
            "granularity": "符合",
        }
        for i in fw.items
    }
    eng["key_points"] = [
        {"topic": "流程", "item": "4.2", "issue": "流程文件缺少版本|修订记录。", "status": "open"}
    ]
    items: dict[str, Any] = {}
    for n, item in enumerate(fw.items):
        if (n % 3 == 0 and item.code != GUIDELINE_NA[0]) or not item.requirements:
            items[item.code] = {"rating": 2 + n % 4, "note": "整体评定"}
            continue
        ratings: dict[str, Any] = {}
        for k, req in enumerate(item.requirements):
            if req.subpoints:
                for j, sp in enumerate(req.subpoints):
                    ratings[f"{req.code}.{sp.code}"] = 1 + (n + k + j) % 5
            else:
                ratings[req.code] = 1 + (n + k) % 5
        items[item.code] = {"ratings": ratings}
    item, req, sub = GUIDELINE_NA
    items[item]["ratings"][f"{req}.{sub}"] = {"na": True, "note": "该中心无课堂式培训"}
    data = EngagementData(
        params_file=ROOT / "gl.yaml",
        params=Params(client="gl", engagement="gl"),
        folder=ROOT / "gl",
        framework=fw,
        engagement=Engagement.model_validate(eng),
        targets={},
        checks={},
        inputs=MonthlyInputs(),
        claims=[],
        ratings=parse_ratings({"framework": fw.id, "items": items}, fw),
    )
    return build_results(data).data


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notebooks") / "demo"
    # Notebooks run two at a time in threads: the process's working folder must never move
    # (papermill's cwd= moved it, threads restored it out of order, and the next client of a
    # batch lost its relative paths). Every chdir during the run is recorded; papermill's file
    # handler "changes" to the folder it was started in, which is harmless.
    before = os.getcwd()
    moves: list[str] = []
    chdir = os.chdir
    os.chdir = lambda path: (moves.append(str(path)), chdir(path))[1]  # type: ignore[assignment]
    try:
        summary = run_client(
            ROOT / "params" / "demo.yaml", output=out, report=False, notebooks_folder=NOTEBOOKS
        )
    finally:
        os.chdir = chdir
    assert summary.status == "ok"
    assert set(moves) <= {before}, sorted(set(moves))
    assert os.getcwd() == before
    return out


@pytest.fixture(scope="module")
def results(demo_run: Path) -> dict[str, Any]:
    return json.loads((demo_run / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def executed(demo_run: Path) -> dict[str, Any]:
    return {p.stem: nbformat.read(p, as_version=4) for p in sorted(demo_run.glob("*.ipynb"))}


@pytest.fixture(scope="module")
def guideline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict]:
    folder = tmp_path_factory.mktemp("guideline")
    data = guideline_results()
    (folder / "results.json").write_text(dumps(data), encoding="utf-8")
    books = {}
    for template, output, params in (
        ("domain", "2.ipynb", {"results_path": "results.json", "chapter": "2"}),
        ("scorecard", "scorecard.ipynb", {"results_path": "results.json"}),
    ):
        execute_notebook(
            NotebookJob(NOTEBOOKS / f"{template}.ipynb", output, params, output), folder
        )
        books[output] = nbformat.read(folder / output, as_version=4)
    return data, books


# ---------------------------------------------------------------- the committed templates


@pytest.mark.parametrize("name", TEMPLATES)
def test_committed_notebooks_are_clean_and_parameterised(name: str):
    path = NOTEBOOKS / f"{name}.ipynb"
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.metadata.kernelspec.name == "python3"
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0]
    assert all(c.source.startswith("#| echo: false\n") for c in code)
    params = papermill.inspect_notebook(str(path))
    expected = {"results_path", "lang"} | ({"chapter"} if name == "domain" else set())
    assert set(params) == expected
    assert params["results_path"]["default"] == '"results.json"'
    assert params["lang"]["default"] == '"zh"'
    # Thin: no logic, no pandas; only calls into ccua.notebook after the parameters.
    for cell in code[1:]:
        body = [line for line in cell.source.splitlines()[1:] if line.strip()]
        assert all(
            line.startswith(("nb.", "from ccua import notebook", "results = nb.")) for line in body
        ), body
    assert "pandas" not in json.dumps(book)


# ---------------------------------------------------------------- the demo client, executed


def test_runner_executes_one_notebook_per_chapter(executed: dict, results: dict):
    chapters = [c["id"] for c in results["chapters"]]
    assert chapters == ["SP", "CB", "DO", "MI"]
    assert sorted(executed) == sorted(["engagement", "scorecard", *chapters])


def test_no_errors_warnings_or_stray_text_in_any_output(executed: dict):
    for name, book in executed.items():
        for o in outputs(book):
            assert o["output_type"] == "display_data", (name, o["output_type"], o)
            text = json.dumps(o["data"], ensure_ascii=False)
            for bad in ("Traceback", "Warning", "warning:", "Error"):
                assert bad not in text, (name, bad)


def test_every_item_of_each_chapter_appears_with_its_score(executed: dict, results: dict):
    items = {i["code"]: i for i in results["assessment"]["items"]}
    for chapter in results["chapters"]:
        book = executed[chapter["id"]]
        headings = [unescape(t.splitlines()[0]) for t in markdowns(book) if t.startswith("## ")]
        expected = [f"## {c} {items[c]['name']}" for c in chapter["items"]]
        assert headings[: len(expected)] == expected
        # after the items, only the chapter's slice of the actions (docs/improve.md)
        assert set(headings[len(expected) :]) <= {"## 改进建议", "## 人员配置与排队模型核对"}
        for code in chapter["items"]:
            item = items[code]
            summary = table_rows(item_block(book, item))[1]  # the row under the header
            assert summary[:5] == [
                f"{two(item['points'])}分",
                f"{two(item['percent'])}%",
                two(item["mean_rating"]),
                f"{two(item['score'])}分",
                f"{two(item['share'])}%",
            ]


def test_requirements_verbatim_with_ratings_and_scale_labels(executed: dict, results: dict):
    labels = {lv["value"]: lv["label"] for lv in results["framework"]["scale"]["levels"]}
    for chapter in results["chapters"]:
        book = executed[chapter["id"]]
        for code in chapter["items"]:
            item = next(i for i in results["assessment"]["items"] if i["code"] == code)
            rows = {r[0]: r for r in table_rows(item_block(book, item))}
            for req in item["requirements"]:
                row = rows[f"{req['code']})"]
                assert row[1] == req["text"]
                if req["rating"] is not None and float(req["rating"]).is_integer():
                    assert row[2] == str(int(req["rating"]))
                    assert row[3] == labels[int(req["rating"])]
                for sp in req.get("subpoints", []):
                    srow = rows[f"{req['code']}) {sp['code']})"]
                    assert srow[1] == sp["text"]
                    if sp["rating"] is not None:
                        assert srow[2:4] == [str(sp["rating"]), labels[sp["rating"]]]
                    if sp["na"]:
                        assert srow[2] == "不适用"


def test_indicator_tables_show_values_targets_and_flags(executed: dict, results: dict):
    item = next(i for i in results["assessment"]["items"] if i["code"] == "DO6")
    found = tables(item_block(executed["DO"], item))
    period = {r[0]: r for r in found["DO6 绩效管理：关键指标期间值与目标"][1:]}
    monthly = {r[0]: r for r in found["DO6 绩效管理：关键指标月度值"][1:]}
    computed = [i for i in results["indicators"] if i["item"] == "DO6"]
    assert list(period) == list(monthly) == [i["code"] for i in computed]
    for ind in computed:
        row = period[ind["code"]]
        assert row[1] == ind["name"] and row[3] == two(ind["value"])
        assert row[4].startswith(ind["target"]["text"])
        assert row[4].endswith("（默认）") == (ind["target"]["source"] == "default")
        assert row[5] == ("是" if ind["met"] else "否")
        statuses = {c["status"] for c in ind["reconciliation"]}
        assert ("不一致" in row[7]) == ("mismatch" in statuses)
        assert (row[7] == "—") == (not statuses)
        assert monthly[ind["code"]][2:] == [two(m["value"]) for m in ind["monthly"]]
    assert "不一致" in period["DO6.13"][7]


def test_documentary_checks_and_findings_are_listed(executed: dict, results: dict):
    book = executed["SP"]
    for code in ("SP1", "SP2", "SP3"):
        item = next(i for i in results["assessment"]["items"] if i["code"] == code)
        block = unescape(item_block(book, item))
        for ind in (i for i in results["indicators"] if i["item"] == code):
            assert ind["check"]["note"] in block
        for finding in typed(results).findings[code]:
            assert f"- {prose.finding_text(typed(results), finding, 'zh')}" in block
        if not results["findings"][code]:
            assert "未发现需要关注的问题。" in block


def test_charts_carry_vega_lite_svg_and_a_description(executed: dict, results: dict):
    for chapter in results["chapters"]:
        book = executed[chapter["id"]]
        bundles = chart_bundles(book)
        with_values = [
            c
            for c in chapter["items"]
            if any(i["value"] is not None for i in results["indicators"] if i["item"] == c)
        ]
        with_months = [
            c
            for c in chapter["items"]
            if any(i["monthly"] for i in results["indicators"] if i["item"] == c)
        ]
        assert len(bundles) == 1 + len(with_values) + len(with_months), chapter["id"]
        for bundle in bundles:
            assert set(bundle) == {VEGA_LITE_MIMETYPE, "image/svg+xml", "text/plain"}
            assert bundle[VEGA_LITE_MIMETYPE]["$schema"] == VEGA_LITE_SCHEMA
            svg = bundle["image/svg+xml"]
            assert svg.startswith("<svg") and "Noto Sans CJK SC" in svg
            assert re.search(r"<text[^>]*>[^<]*[\u4e00-\u9fff]", svg)  # Chinese, as text
            assert bundle["text/plain"].startswith("图：") and "\n" not in bundle["text/plain"]
    assert len(chart_bundles(executed["scorecard"])) == 2
    assert chart_bundles(executed["engagement"]) == []


def test_engagement_notebook_shows_steps_teams_sheets_and_key_points(executed: dict, results: dict):
    text = unescape("\n".join(markdowns(executed["engagement"])))
    eng = results["engagement"]
    for heading in (
        "## 概况",
        "## 测评过程",
        "## 测评小组人员",
        "## 测评范围",
        "## 测评资料反馈",
        "## 测评关键点问题",
        "## 数据真实性核对",
    ):
        assert heading in text
    for step in eng["process"]:
        assert step["name"] in text and step["deliverable"] in text
    for member in eng["team"]["assessors"] + eng["team"]["assessee"]:
        assert f"| {member['name']} | {member['phone']} | {member['email']} |" in text
    feedback = next(t for t in markdowns(executed["engagement"]) if t.startswith("## 测评资料反馈"))
    rows = table_rows(feedback)  # the feedback sheet (E.4)
    by_item = {r[2]: r for r in rows[1:]}  # the report's table 4: "SP1 战略目标"
    for item in results["assessment"]["items"]:
        h = eng["handover"][item["code"]]
        row = by_item[f"{item['code']} {item['name']}"]
        assert row[3:8] == [
            h["nature"],
            str(h["copies"]),
            str(h["pages"]),
            h["completeness"],
            h["granularity"],
        ]
    for kp in eng["key_points"]:
        assert kp["issue"] in text and kp["response"] in text
    assert f"**测评背景**：{eng['background']['description']}" in text
    assert f"{eng['background']['seats']}席" in text
    assert "、".join(eng["background"]["business_types"]) in text


def test_scorecard_shows_e6_subtotals_and_the_marked_grade(executed: dict, results: dict):
    texts = markdowns(executed["scorecard"])
    a = results["assessment"]
    rows = table_rows(texts[0])  # the report's table 6 (one table model)
    assert rows[0][3:7] == ["分值", "分值占比", "计分", "计分占比"]
    by_item = {r[2]: r for r in rows[1:-1]}
    for item in a["items"]:
        row = by_item[f"{item['code']} {item['name']}"]
        assert row[3:7] == [
            f"{two(item['points'])}分",
            f"{two(item['points_share'])}%",
            f"{two(item['score'])}分",
            f"{two(item['share'])}%",
        ]
    assert rows[-1][0] == "**测评计分合计**" and rows[-1][5] == f"**{two(a['total'])}分**"
    subtotals = unescape(texts[1])
    for cat in a["categories"]:
        assert f"| {cat['name']} | {two(cat['points'])}分 | {two(cat['score'])}分 |" in subtotals
    for g in a["groups"]:
        assert f"| {g['code']} {g['name']} |" in subtotals and f"{two(g['score'])}分" in subtotals
    grade = texts[2]
    assert f"测评等级为 **{a['grade']}**" in grade
    marked = [r for r in table_rows(grade) if r[-1] == "**符合**"]  # table 7's 评审结果
    assert [r[0] for r in marked] == [a["grade"]]
    assert all(line in marked[0][2] for line in a["grade_detail"]["process"])
    bands = {r[0]: r[1] for r in table_rows(grade)[1:]}
    assert bands["改进"] == "<60分" and bands["合格"] == "≥60分"  # the rule applied (E-M-grade-60)


def test_rerunning_gives_identical_outputs(demo_run: Path, executed: dict, tmp_path: Path):
    shutil.copy(demo_run / "results.json", tmp_path / "results.json")
    for template, name, params in (
        ("domain", "MI", {"results_path": "results.json", "lang": "zh", "chapter": "MI"}),
        ("scorecard", "scorecard", {"results_path": "results.json", "lang": "zh"}),
    ):
        execute_notebook(
            NotebookJob(NOTEBOOKS / f"{template}.ipynb", f"{name}.ipynb", params, name), tmp_path
        )
        again = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        assert [c.get("outputs") for c in again.cells] == [
            c.get("outputs") for c in executed[name].cells
        ]
        assert comparable(again) == comparable(executed[name])


def test_english_notebooks_hold_no_chinese_outside_quoted_text(
    demo_run: Path, results: dict, tmp_path: Path
):
    """The runner's English notebooks (lang parameter): every Markdown output in English but
    for what the client wrote and the standard's Chinese-only texts (tests/test_i18n.py)."""
    from tests.test_i18n import HAN, as_text, leftover, quoted_texts

    shutil.copy(demo_run / "results.json", tmp_path / "results.json")
    allowed = quoted_texts(results)
    for template, name, params in (
        ("domain", "DO.en", {"results_path": "results.json", "lang": "en", "chapter": "DO"}),
        ("scorecard", "scorecard.en", {"results_path": "results.json", "lang": "en"}),
        ("engagement", "engagement.en", {"results_path": "results.json", "lang": "en"}),
    ):
        execute_notebook(_job(template, name, params), tmp_path)
        book = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        text = as_text("\n\n".join(markdowns(book)))
        assert "Score table" in text or "Overview" in text or "findings" in text
        stray = sorted({m.group(0) for m in HAN.finditer(leftover(text, allowed))})
        assert stray == [], (name, stray[:20])


def _job(template: str, name: str, params: dict[str, Any]) -> NotebookJob:
    return NotebookJob(NOTEBOOKS / f"{template}.ipynb", f"{name}.ipynb", params, name)


# ---------------------------------------------------------------- the guideline


def test_guideline_chapter_and_scorecard(guideline_run: tuple[dict, dict]):
    data, books = guideline_run
    assert data["framework"]["points_at"] == "group" and not data["framework"]["has_grades"]
    chapter = next(c for c in data["chapters"] if c["id"] == "2")
    domain = books["2.ipynb"]
    assert all(o["output_type"] == "display_data" for o in outputs(domain))
    items = {i["code"]: i for i in data["assessment"]["items"]}
    for code in chapter["items"]:
        item = items[code]
        block = item_block(domain, item)
        summary = table_rows(block)[1]
        mean = item["mean_rating"]
        assert summary[0] == (str(int(mean)) if float(mean).is_integer() else two(mean))
        assert summary[2] == f"{two(item['percent'])}%"
        assert summary[3] == ("整体评分" if item["source"] == "rating" else "逐条评分")
        for req in load_framework("ccea-guideline").item(code).requirements:
            assert f"| {req.code}) | {req.text} |" in unescape(block)
    assert len(chart_bundles(domain)) == 1  # the area's items; no indicators
    card = books["scorecard.ipynb"]
    text = unescape("\n".join(markdowns(card)))
    assert "未规定测评等级划分" in text and f"{two(data['assessment']['total'])}分" in text
    cmp = data["assessment"].get("comparison_grade")
    if cmp:  # another framework's grade, shown as a comparison only
        assert f"{cmp['label']}：{cmp['name']}（{cmp['band']}）" in text
    assert "类别小计" not in text
    item, req, sub = GUIDELINE_NA
    assert f"要求 {req}) {sub}) 不适用：该中心无课堂式培训" in text
    assert len(chart_bundles(card)) == 2


# ---------------------------------------------------------------- pure helpers


def test_md_escape_keeps_text_literal_in_tables():
    assert nb.md_escape("a|b") == "a\\|b"
    assert (
        nb.md_escape("5*3_2 [x](y) <b> $1 ~2^ @c #d & `e`")
        == "5\\*3\\_2 \\[x\\](y) \\<b\\> \\$1 \\~2\\^ \\@c \\#d \\& \\`e\\`"
    )
    assert nb.md_escape("line\nbreak") == "line break"
    assert nb.md_escape("windows\r\nline") == "windows line"
    assert nb.md_escape("中文，“引号”（括号）") == "中文，“引号”（括号）"
    t = table_model.text_table(["a", "b"], [["x|y", "bold"]])
    table = table_model.pipe_markdown(replace(t, strong=frozenset({(0, 1)})))
    assert table.splitlines()[2] == "| x\\|y | **bold** |"
    assert table_rows(table)[1] == ["x|y", "**bold**"]


def test_text_tables_reject_ragged_rows_and_set_alignment():
    with pytest.raises(ValueError, match="2 cells, header has 3"):
        table_model.text_table(["a", "b", "c"], [["1", "2"]])
    t = table_model.text_table(["a", "b", "c"], [], widths=[4, 5, 6], align="lrc", caption="说明|x")
    table = table_model.pipe_markdown(t)
    # the caption follows its table: pandoc gives a caption line to the table before it
    assert table.splitlines() == ["| a | b | c |", "|----|----:|:----:|", "", "Table: 说明\\|x"]


def test_md_paragraph_never_starts_a_list():
    assert nb.md_paragraph("- 不是列表") == "\\- 不是列表"
    assert nb.md_paragraph("1. 不是列表") == "1\\. 不是列表"
    assert nb.md_paragraph("2) 也不是") == "2\\) 也不是"
    assert nb.md_paragraph("2026年1月") == "2026年1月"


def test_numbers_are_printed_half_up():
    # 2.675 is 2.67499999… as a binary float; the report prints the decimal the JSON holds.
    assert fmt.fixed(2.675) == "2.68"
    assert fmt.fixed(1.005) == "1.01"
    assert fmt.fixed(79.88) == "79.88"
    assert fmt.fixed(None) == "—"
    assert fmt.rating(4.0) == "4" and fmt.rating(3.5) == "3.50"
    assert fmt.rating(2.8571) == "2.86"


def test_scale_labels_name_both_levels_for_a_mean():
    results = typed(guideline_results())
    label = {lv.value: lv.label for lv in results.framework.scale.levels}
    assert len(set(label.values())) == len(label) >= 4  # distinct labels: the checks mean something
    nb.set_language("zh")
    assert nb.scale_label(results, 3) == label[3]
    assert nb.scale_label(results, 3.0) == label[3]
    assert nb.scale_label(results, 2.8571) == f"{label[2]}～{label[3]}"
    assert nb.scale_label(results, 3.5) == f"{label[3]}～{label[4]}"
    assert nb.scale_label(results, None) == "—"


def test_load_results_refuses_what_it_cannot_present(tmp_path: Path):
    # the one loader's checks and words (ccua.results_model.load_run)
    with pytest.raises(CcuaError, match="is not a run folder"):
        nb.load_results(tmp_path / "results.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CcuaError, match="is not valid JSON"):
        nb.load_results(bad)
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something"}', encoding="utf-8")
    with pytest.raises(CcuaError, match="is not a ccua results file"):
        nb.load_results(other)
    old = tmp_path / "old.json"
    old.write_text('{"schema": "ccua.results", "schema_version": 0}', encoding="utf-8")
    with pytest.raises(CcuaError, match="has schema_version 0"):
        nb.load_results(old)


def test_unknown_chapter_is_a_clear_error():
    data = typed(guideline_results())
    known = ", ".join(ch.id for ch in data.chapters)
    with pytest.raises(CcuaError, match=f"chapter must be one of {known}, got 'XX'"):
        data.chapter("XX")


def test_items_rated_whole_still_list_their_requirements():
    data = guideline_results()
    whole = [i for i in data["assessment"]["items"] if i["source"] == "rating"]
    assert whole
    for item in whole:
        spec = load_framework("ccea-guideline").item(item["code"])
        assert [r["text"] for r in item["requirements"]] == [r.text for r in spec.requirements]
        assert {r["source"] for r in item["requirements"]} == {"item"}
        block = nb.requirements_md(typed(data), typed(data).assessment.item(item["code"]))
        assert "整体评定" in block and spec.requirements[0].text in unescape(block)
