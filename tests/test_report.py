"""The client report, checked as a reader sees it.

The demo client is computed (results.json), given stand-in executed notebooks that follow the
notebooks' output contract (Markdown outputs, charts with a Vega-Lite spec and an SVG), and
rendered once through pandoc + Typst. Then: the HTML is parsed for the grade, the total and
all 19 items; the PDF's text (pypdf) and fonts (pdffonts) are read; its pages are rendered to
PNG (pdftoppm); the workbook is read back; the HTML is opened in headless Chromium, where
every chart must draw and the console must stay quiet. Numbers are compared with results.json
as strings to the cent, never recomputed.

System tools: poppler-utils (pdffonts, pdftoppm) and chromium; tests that need one skip
without it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from ccua.cli import main
from ccua.errors import CcuaError
from ccua.fmt import fixed
from ccua.report import FontNotFound, render_report, render_run
from ccua.report._workbook import SHEETS, projection_sheet_title
from ccua.runner import run_client
from tests.test_worked_example import E6

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "params" / "demo.yaml"
WORKED_EXAMPLE = ROOT / "params" / "worked-example.ratings.yaml"
HEADINGS = [
    "一、概况",
    "二、测评过程",
    "1.测评小组人员",
    "2.测评范围",
    "3.测评资料反馈表",
    "4.测评要求各项计分",
    "5.测评等级评定",
    "三、评测结论",
    "四、测评组意见",
    "五、测评小组组长或测评方授权人确认",
    "六、测评结论",
]
CAPTIONS = [
    "表 1 测评方成员名单",
    "表 2 测评小组受评方成员名单",
    "表 3 测评资料交接确认单",
    "表 4 测评资料反馈表",
    "表 5 测评要求计分表",
    "表 6 测评计分表",
    "表 7 测评等级评定",
]


# --- helpers ---------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Tables (caption -> rows of cell texts) and headings of an HTML page, stdlib only."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headings: list[str] = []
        self._rows: list[list[str]] | None = None
        self._caption: str | None = None
        self._cell: str | None = None
        self._heading: str | None = None
        self._in_caption = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag in ("h1", "h2", "h3"):
            self._heading = ""
        elif tag == "br" and self._cell is not None:
            self._cell += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "table" and self._rows is not None:
            self.tables[(self._caption or "").strip()] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(self._cell.strip())
            self._cell = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(self._heading.strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell += data
        if self._heading is not None:
            self._heading += data


def parse_html(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def squash(text: str) -> str:
    """Text without any whitespace: Typst spaces Latin from CJK, PDF extraction adds breaks."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return squash("".join(page.extract_text() or "" for page in PdfReader(path).pages))


def row_for(rows: list[list[str]], code: str) -> list[str]:
    found = [r for r in rows if any(cell.startswith(f"{code} ") for cell in r)]
    assert len(found) == 1, f"{code}: {len(found)} rows"
    return found[0]


def _chart_output(spec: dict[str, Any]) -> dict[str, Any]:
    import vl_convert

    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "application/vnd.vegalite.v5+json": spec,
            "image/svg+xml": vl_convert.vegalite_to_svg(spec),
            "text/plain": "alt.Chart(...)",
        },
    }


def _markdown_output(text: str) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/markdown": text, "text/plain": text},
    }


def write_standin_notebooks(run: Path) -> int:
    """Executed notebooks as the notebook colleague's contract describes them; returns charts."""
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    items = {i["code"]: i for i in results["assessment"]["items"]}
    indicators = [i for i in results["indicators"] if i["monthly"] and i["value"] is not None]
    charts = 0

    def write(name: str, outputs: list[dict[str, Any]]) -> None:
        cells = [
            {
                "cell_type": "code",
                "source": "results_path = 'results.json'",
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "execution_count": 1,
            },
            {
                "cell_type": "code",
                "source": "show()",
                "metadata": {},
                "outputs": outputs,
                "execution_count": 2,
            },
            {
                "cell_type": "code",
                "source": "print('stand-in stdout')",
                "metadata": {},
                "execution_count": 3,
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "stand-in stdout\n"}
                ],
            },
        ]
        (run / name).write_text(
            json.dumps(
                {"nbformat": 4, "nbformat_minor": 5, "cells": cells, "metadata": {}},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )

    bars = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "各能力项计分与分值",
        "width": 380,
        "data": {
            "values": [
                {"能力项": f"{c} {i['name']}", "计分": i["score"], "分值": i["points"]}
                for c, i in items.items()
            ]
        },
        "layer": [
            {
                "mark": {"type": "bar", "color": "#ddd"},
                "encoding": {
                    "y": {"field": "能力项", "type": "nominal", "sort": None},
                    "x": {"field": "分值", "type": "quantitative"},
                },
            },
            {
                "mark": "bar",
                "encoding": {
                    "y": {"field": "能力项", "type": "nominal", "sort": None},
                    "x": {"field": "计分", "type": "quantitative"},
                },
            },
        ],
    }
    write(
        "scorecard.ipynb",
        [_markdown_output("## 计分概览\n\n各能力项计分见下图。"), _chart_output(bars)],
    )
    charts += 1
    for chapter in results["chapters"]:
        outputs = []
        for code in chapter["items"]:
            item = items[code]
            outputs.append(
                _markdown_output(
                    f"## {code} {item['name']}\n\n计分 {fixed(item['score'])}分"
                    f"（分值 {fixed(item['points'])}分）。\n\n| 要求 | 评分 |\n|:--|--:|\n"
                    + "\n".join(f"| {r['code']} | {r['rating']} |" for r in item["requirements"])
                )
            )
        ind = next((i for i in indicators if i["item"] in chapter["items"]), None)
        if ind is not None and charts < 3:  # a few trends test charts enough (SVGs take time)
            outputs.append(
                _chart_output(
                    {
                        "title": f"{ind['code']} {ind['name']} 月度趋势",
                        "width": 380,
                        "height": 150,
                        "data": {"values": ind["monthly"]},
                        "mark": {"type": "line", "point": True},
                        "encoding": {
                            "x": {"field": "month", "type": "ordinal", "title": "月份"},
                            "y": {"field": "value", "type": "quantitative", "title": ind["name"]},
                        },
                    }
                )
            )
            charts += 1
        write(f"{chapter['id']}.ipynb", outputs)
    return charts


def results_of(run: Path) -> dict[str, Any]:
    return json.loads((run / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)


def write_results(run: Path, results: dict[str, Any]) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    (run / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=float), encoding="utf-8"
    )
    return run


# --- the demo client, rendered once ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "demo"
    run_client(DEMO, output=run, notebooks=False)
    charts = write_standin_notebooks(run)
    messages: list[str] = []
    out = render_report(run, engine="pandoc", say=messages.append)
    return run, out, results_of(run), charts


def test_render_writes_every_format_and_times_them(demo):
    run, out, _, charts = demo
    assert out.engine == "pandoc"
    assert out.files == ["report.qmd", "report.html", "report.pdf", "report.xlsx"]
    assert all((run / f).stat().st_size > 0 for f in out.files)
    assert set(out.seconds) == {"source", "html", "pdf", "xlsx"}
    assert out.chapters == 5 and out.charts == charts


def test_html_has_the_grade_the_total_and_all_19_items(demo):
    run, _, results, _ = demo
    page = parse_html(run / "report.html")
    a = results["assessment"]
    assert [c for c in CAPTIONS if c not in page.tables] == []
    table6 = page.tables["表 6 测评计分表"]
    assert len(a["items"]) == 19
    for item in a["items"]:
        row = row_for(table6, item["code"])
        assert row[-5:-1] == [
            f"{fixed(item['points'])}分",
            f"{fixed(item['points_share'])}%",
            f"{fixed(item['score'])}分",
            f"{fixed(item['share'])}%",
        ]
    total_row = next(r for r in table6 if r[0] == "测评计分合计")
    assert total_row[1] == f"{fixed(a['total'])}分"
    verdict = [r for r in page.tables["表 7 测评等级评定"][1:] if r[-1] == "符合"]
    assert len(verdict) == 1 and verdict[0][0] == a["grade"]
    for item in a["items"]:  # every item in tables 3, 4 and 5
        for caption in ("表 3 测评资料交接确认单", "表 4 测评资料反馈表", "表 5 测评要求计分表"):
            assert any(
                f"{item['code']} {item['name']}" in c for r in page.tables[caption] for c in r
            ), (caption, item["code"])
    text = squash((run / "report.html").read_text(encoding="utf-8"))
    assert f"测评得分{fixed(a['total'])}分" in text and f"测评等级评定为{a['grade']}" in text
    assert f"推荐测评等级为{a['grade']}" in text
    assert [h for h in HEADINGS if h not in page.headings] == []


def test_html_works_offline_with_one_chart_bundle(demo):
    run, _, _, charts = demo
    html = (run / "report.html").read_text(encoding="utf-8")
    assert html.count('class="ccua-chart"') == charts
    assert html.count("bundled by vl-convert") == 1
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)
    assert "stand-in stdout" not in html and "alt.Chart(...)" not in html


def test_pdf_text_holds_total_grade_and_chinese_headings(demo):
    run, _, results, _ = demo
    text = pdf_text(run / "report.pdf")
    a = results["assessment"]
    assert f"测评计分合计{fixed(a['total'])}分" in text
    assert f"对华安人寿保险股份有限公司客户联络中心运营能力测评等级评定为{a['grade']}" in text
    for heading in HEADINGS + CAPTIONS:
        assert squash(heading) in text, heading
    for item in results["assessment"]["items"]:
        assert squash(f"{item['code']} {item['name']}") in text


def test_pdf_embeds_the_cjk_font(demo):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    run = demo[0]
    fonts = subprocess.run(
        ["pdffonts", str(run / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_pdf_pages_render_to_png(demo, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    run = demo[0]
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-png",
            "-f",
            "1",
            "-l",
            "3",
            str(run / "report.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 2000 for p in pages)


def test_workbook_reads_back_as_tables_e3_to_e7(demo):
    run, _, results, _ = demo
    wb = openpyxl.load_workbook(run / "report.xlsx")
    # E.3-E.7, then one estimate sheet per framework the results are projected onto
    projected = [projection_sheet_title(p["to"]) for p in results.get("projections") or []]
    assert projected, "the demo client is projected onto the older guideline"
    assert wb.sheetnames == list(SHEETS) + projected
    a = results["assessment"]
    e6 = wb["E.6 测评计分表"]
    header = [c.value for c in e6[1]]
    assert header == [
        "类别",
        "能力域",
        "编号",
        "能力项",
        "分值",
        "分值占比",
        "计分",
        "计分占比",
        "备注",
    ]
    assert e6.freeze_panes == "A2"
    rows = {r[2].value: r for r in e6.iter_rows(min_row=2) if r[2].value}
    for item in a["items"]:
        row = rows[item["code"]]
        assert Decimal(str(row[6].value)) == item["score"], item["code"]
        assert Decimal(str(row[4].value)) == item["points"]
        assert row[6].number_format == "0.00" and row[7].number_format == '0.00"%"'
    total = next(r for r in e6.iter_rows(min_row=2) if r[0].value == "测评计分合计")
    assert Decimal(str(total[6].value)) == a["total"]
    e7 = wb["E.7 测评等级划分"]
    marked = [r[0].value for r in e7.iter_rows(min_row=2) if r[4].value == "符合"]
    assert marked == [a["grade"]]
    e3 = wb["E.3 资料交接确认单"]
    assert e3.max_row == 1 + 19 and e3["A1"].value == "类别"
    e4 = wb["E.4 测评资料反馈表"]
    cb4 = next(r for r in e4.iter_rows(min_row=2) if r[2].value == "CB4")
    assert [c.value for c in cb4[7:9]] == ["不完整", "不符合"]
    e5 = wb["E.5 测评要求计分表"]
    assert {r[2].value for r in e5.iter_rows(min_row=2)} == {i["code"] for i in a["items"]}


def test_a_re_render_gives_the_same_bytes(demo):
    run = demo[0]
    before = {
        f: (run / f).read_bytes()
        for f in ("report.qmd", "report.html", "report.pdf", "report.xlsx")
    }
    render_report(run, engine="pandoc")
    assert {f: (run / f).read_bytes() for f in before} == before


def test_the_runner_calls_render_run(demo):
    from ccua.runner import _report_renderer

    assert _report_renderer() is render_run
    run = demo[0]
    # render_run is what ccua run calls on its staging folder: every format, file names relative
    assert render_run(run, lambda _m: None) == [
        "report.qmd",
        "report.html",
        "report.pdf",
        "report.xlsx",
    ]


def test_ccua_report_command(demo, capsys):
    run = demo[0]
    try:
        main(["report", str(run), "--format", "xlsx", "--json"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == ["report.xlsx"] and data["engine"] == "python"
    assert data["seconds"]["xlsx"] >= 0


def test_run_folder_is_a_self_contained_quarto_project(demo):
    run = demo[0]
    assert (run / "_quarto.yml").read_bytes() == (ROOT / "_quarto.yml").read_bytes()
    config = yaml.safe_load((run / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["render"] == ["report.qmd"]
    typst = config["format"]["typst"]
    for partial in typst["template-partials"]:
        assert (run / partial).exists(), partial
    html = config["format"]["html"]
    assert (run / html["css"]).exists() and (run / html["include-after-body"]).exists()
    front = yaml.safe_load((run / "report.qmd").read_text(encoding="utf-8").split("---")[1])
    assert front["mainfont"] == "Noto Sans CJK SC"
    assert all(Path(p).is_dir() for p in front["font-paths"])


# --- the worked example of Appendix E: table 6 to the cent -----------------------------------

# Table E.6 as printed in the standard: E6 of tests/test_worked_example.py (one transcription).


def test_worked_example_prints_table_e6_to_the_cent(demo, tmp_path):
    from ccua import load_framework, load_ratings, score
    from ccua.serialize import assessment_dict

    fw = load_framework("t-ccua")
    assessment = assessment_dict(score(fw, load_ratings(WORKED_EXAMPLE, fw)), fw)
    results = copy.deepcopy(results_of(demo[0]))
    results["assessment"] = json.loads(json.dumps(assessment), parse_float=Decimal)
    run = write_results(tmp_path / "example", results)
    render_report(run, "html", engine="pandoc")
    page = parse_html(run / "report.html")
    table6 = page.tables["表 6 测评计分表"]
    for code, points, points_share, item_score, share in (
        line.split() for line in E6.strip().splitlines()
    ):
        row = row_for(table6, code)
        assert row[-5:-1] == [f"{points}分", f"{points_share}%", f"{item_score}分", f"{share}%"]
        assert "测评组评定得分率" in row[-1]  # an override shows its note
    assert next(r for r in table6 if r[0] == "测评计分合计")[1] == "85.56分"
    verdict = [r[0] for r in page.tables["表 7 测评等级评定"][1:] if r[-1] == "符合"]
    assert verdict == ["良好"]


# --- a framework without grades (the guideline) ----------------------------------------------


def guideline_results(demo_results: dict[str, Any]) -> dict[str, Any]:
    from ccua import load_framework, score
    from ccua.ratings import parse_ratings
    from ccua.serialize import assessment_dict

    fw = load_framework("ccea-guideline")
    ratings = parse_ratings(
        {
            "framework": fw.id,
            "items": {item.code: {"rating": 2 + n % 4} for n, item in enumerate(fw.items)},
        },
        fw,
    )
    results = copy.deepcopy(demo_results)
    from ccua.results import framework_dict

    results["framework"] = json.loads(json.dumps(framework_dict(fw)))
    for key in ("improvement", "staffing", "agreement", "evidence_cited"):  # the demo's own
        results.pop(key, None)
    results["assessment"] = json.loads(
        json.dumps(assessment_dict(score(fw, ratings), fw)), parse_float=Decimal
    )
    results["chapters"] = [
        {
            "id": c.id,
            "title": c.title,
            "groups": list(c.groups),
            "items": [i.code for g in c.groups for i in fw.items_of(g)],
        }
        for c in fw.chapters
    ]
    results["engagement"]["framework"] = fw.id
    results["engagement"]["handover"] = {"1.1": {"nature": "纸质版", "copies": 2, "pages": 30}}
    results["engagement"]["report"]["standard"] = ""
    return results


def test_a_framework_without_grades_reports_the_total_alone(demo, tmp_path):
    results = guideline_results(results_of(demo[0]))
    run = write_results(tmp_path / "guideline", results)
    render_report(run, "html,xlsx", engine="pandoc")
    page = parse_html(run / "report.html")
    total = fixed(results["assessment"]["total"])
    text = squash((run / "report.html").read_text(encoding="utf-8"))
    assert "未规定测评等级" in text and f"测评得分{total}分" in text
    assert "推荐测评等级" not in text and "符合" not in text.split("三、评测结论")[1]
    table6 = page.tables["表 6 测评计分表"]
    assert table6[0][0] == "评审范围" and len(table6) == 1 + 9 + 1
    assert next(r for r in table6 if r[0] == "测评计分合计")[1] == f"{total}分"
    comparison = next(c for c in page.tables if c.startswith("表 7"))
    assert "仅供对照" in comparison
    assert all(len(r) == 2 for r in page.tables[comparison])  # bands only: no verdict
    assert "评审细项" in page.tables["表 3 测评资料交接确认单"][0]
    wb = openpyxl.load_workbook(run / "report.xlsx")
    e6 = wb["E.6 测评计分表"]
    assert e6["B1"].value == "评审范围"
    assert Decimal(str(e6.cell(e6.max_row, 6).value)) == results["assessment"]["total"]
    assert not [r for r in wb["E.7 测评等级划分"].iter_rows() if r[4].value == "符合"]


def test_engagement_text_is_printed_verbatim(demo, tmp_path):
    results = copy.deepcopy(results_of(demo[0]))
    odd = 'A*B_<C> #1 | $5 "引号" \\ @x'
    results["engagement"]["report"]["assessee"] = odd
    run = write_results(tmp_path / "odd", results)
    render_report(run, "html,pdf", engine="pandoc")
    html_text = squash(
        "".join(
            c for table in parse_html(run / "report.html").tables.values() for r in table for c in r
        )
    )
    page_text = squash(
        (run / "report.html")
        .read_text(encoding="utf-8")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )
    assert squash(odd) in page_text
    assert html_text  # the tables survived
    assert squash(odd) in pdf_text(run / "report.pdf")


def _lowest_grade(results: dict[str, Any]) -> None:
    results["assessment"]["grade"] = "改进"
    results["assessment"]["grade_detail"]["name"] = "改进"


def _incomplete(results: dict[str, Any]) -> None:
    results["assessment"].update(
        complete=False, grade=None, grade_detail=None, missing=["DO6: requirement b is not rated"]
    )


def _custom_weights(results: dict[str, Any]) -> None:
    results["assessment"]["custom_weights"] = True
    results["assessment"]["items"][0]["standard_points"] = Decimal("2.0")
    results["assessment"]["items"][0]["points"] = Decimal("3.0")


@pytest.mark.parametrize(
    ("change", "present", "absent"),
    [
        (
            _lowest_grade,
            [
                "未达到客户联络中心运营能力测评合格的要求",
                "测评等级评定为改进",
                "同意测评等级为改进",
            ],
            ["符合客户联络中心运营能力测评"],
        ),
        (
            _incomplete,
            ["本报告为草稿", "DO6: requirement b is not rated", "尚不能作出测评结论"],
            ["推荐测评等级为", "同意测评等级为"],
        ),
        (_custom_weights, ["按可定制化原则采用定制分值", "标准分值 2.00分"], []),
    ],
    ids=["lowest-grade", "incomplete", "custom-weights"],
)
def test_the_wording_follows_what_results_json_says(demo, tmp_path, change, present, absent):
    results = copy.deepcopy(results_of(demo[0]))
    change(results)
    run = write_results(tmp_path / "variant", results)
    render_report(run, "html", engine="pandoc")
    text = squash((run / "report.html").read_text(encoding="utf-8"))
    assert [p for p in present if squash(p) not in text] == []
    assert [a for a in absent if squash(a) in text] == []


# --- errors ----------------------------------------------------------------------------------


def test_a_missing_cjk_font_stops_with_how_to_install_one(demo, tmp_path, monkeypatch, capsys):
    from ccua.report import _fonts

    monkeypatch.setattr(_fonts, "bundled_font_folder", lambda: None)
    monkeypatch.setattr(_fonts, "system_families", lambda: ["DejaVu Sans"])
    monkeypatch.delenv(_fonts.ENV_FONT_PATHS, raising=False)
    run = write_results(tmp_path / "nofont", results_of(demo[0]))
    with pytest.raises(FontNotFound) as err:
        render_report(run, "pdf", engine="pandoc")
    message = str(err.value)
    assert "no CJK font" in message and "empty boxes" in message
    assert "pip install noto-cjk-sans-otc" in message and "fonts-noto-cjk" in message
    assert not (run / "report.qmd").exists()  # stopped before writing anything
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(run), "--format", "pdf"])
    assert exit_info.value.code == 1
    err_text = capsys.readouterr().err
    assert err_text.startswith("error: ") and "Traceback" not in err_text
    assert "pip install noto-cjk-sans-otc" in err_text
    # HTML needs no font on this machine: the reader's browser has its own
    assert render_report(run, "html", engine="pandoc").files == ["report.qmd", "report.html"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda run: None, "has no results.json"),
        (
            lambda run: (run / "results.json").write_text("{}", encoding="utf-8"),
            "is not a ccua results file",
        ),
        (
            lambda run: (run / "results.json").write_text("{oops", encoding="utf-8"),
            "is not valid JSON",
        ),
    ],
)
def test_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path, setup, message):
    run = tmp_path / "run"
    run.mkdir()
    setup(run)
    with pytest.raises(CcuaError, match=message):
        render_report(run, engine="pandoc")


def test_results_of_another_version_of_the_standard_are_refused(demo, tmp_path):
    results = copy.deepcopy(results_of(demo[0]))
    results["framework"]["version"] = "1999-old"
    run = write_results(tmp_path / "old", results)
    with pytest.raises(CcuaError, match="version 1999-old.*re-run the client"):
        render_report(run, "html", engine="pandoc")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"formats": "html,docx"}, "`--format` must be a comma-separated list of html, pdf, xlsx"),
        ({"engine": "latex"}, "`--engine` must be one of auto, quarto, pandoc, got 'latex'"),
    ],
)
def test_bad_options_name_what_is_allowed(demo, kwargs, message):
    with pytest.raises(CcuaError, match=re.escape(message)):
        render_report(demo[0], **kwargs)


# --- Quarto, when it is on PATH --------------------------------------------------------------

FAKE_QUARTO = """#!{python}
import json, os, pathlib, sys
log = pathlib.Path({log!r})
with log.open("a") as fh:
    fh.write(json.dumps({{"args": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
if {fail!r}:
    print("ERROR: typst compile failed", file=sys.stderr)
    sys.exit(1)
to = sys.argv[sys.argv.index("--to") + 1]
pathlib.Path("report.html" if to == "html" else "report.pdf").write_text("rendered by quarto")
"""


def fake_quarto(folder: Path, log: Path, fail: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "quarto"
    exe.write_text(
        FAKE_QUARTO.format(python=os.sys.executable, log=str(log), fail=fail), encoding="utf-8"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_quarto_renders_the_run_folder_when_it_is_on_path(demo, tmp_path, monkeypatch):
    log = tmp_path / "quarto.log"
    fake_quarto(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    run = write_results(tmp_path / "q", results_of(demo[0]))
    out = render_report(run)
    assert out.engine == "quarto"
    assert out.files == ["report.qmd", "report.html", "report.pdf", "report.xlsx"]
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c["args"] for c in calls] == [
        ["render", "report.qmd", "--to", "html"],
        ["render", "report.qmd", "--to", "typst"],
    ]
    assert {Path(c["cwd"]).resolve() for c in calls} == {run.resolve()}
    for needed in (
        "_quarto.yml",
        "report.qmd",
        "templates/typst-show.typ",
        "templates/typst-template.typ",
        "templates/ccua.typ",
        "templates/report.css",
        "templates/charts.html",
        "charts/vega-embed.js",
    ):
        assert (run / needed).exists(), needed
    assert (run / "report.html").read_text() == "rendered by quarto"


def test_a_failing_quarto_is_one_clear_line(demo, tmp_path, monkeypatch):
    fake_quarto(tmp_path / "bin", tmp_path / "quarto.log", fail=True)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    run = write_results(tmp_path / "q", results_of(demo[0]))
    with pytest.raises(
        CcuaError,
        match=r"quarto render --to html failed \(exit 1\): "
        r"ERROR: typst compile failed",
    ):
        render_report(run, "html")


def test_engine_quarto_without_quarto_says_so(demo, monkeypatch):
    monkeypatch.setattr("ccua.report._render.quarto_executable", lambda: None)
    with pytest.raises(CcuaError, match="quarto is not on PATH"):
        render_report(demo[0], "html", engine="quarto")


# --- the HTML in a browser -------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def test_html_charts_draw_in_headless_chromium_without_console_errors(demo):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    run, _, _, charts = demo
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((run / "report.html").as_uri())
            page.wait_for_function(
                "n => document.querySelectorAll('div.ccua-chart svg, div.ccua-chart canvas')"
                ".length >= n",
                arg=charts,
                timeout=30000,
            )
            drawn = page.eval_on_selector_all(
                "div.ccua-chart", "els => els.map(e => !!e.querySelector('svg, canvas'))"
            )
            title = page.title()
        finally:
            browser.close()
    assert drawn == [True] * charts
    assert problems == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert title == "华安人寿客户联络中心运营能力测评报告"
