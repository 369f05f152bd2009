"""The workbook in each language: every table of Appendix E, the summary and grade, the
indicators by month; sheet names in the output language, no internal ids."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ccua import fmt
from ccua.inputs import load_engagement
from ccua.report._workbook import projection_sheet_title, sheet_names, workbook_bytes
from ccua.results import build_results
from ccua.results_model import typed
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def books() -> dict[str, tuple[dict[str, Any], Any]]:
    out = {}
    for params, grades_of in (("demo.yaml", "t-ccua"), ("demo-guideline.yaml", "t-ccua")):
        built = build_results(load_engagement(ROOT / "params" / params))
        data = json.loads(json.dumps(built.results.to_json_dict(), default=str))
        for lang in ("zh", "en"):
            label = "" if data["framework"]["has_grades"] else "comparison"
            raw = workbook_bytes(typed(data), load_framework(grades_of).grades, label, lang)
            out[f"{params}:{lang}"] = (data, openpyxl.load_workbook(io.BytesIO(raw)))
    return out


def test_every_sheet_in_order_and_in_the_language(books: dict):
    for key, (data, wb) in books.items():
        lang = key.split(":")[1]
        projected = [projection_sheet_title(p["to"], lang) for p in data.get("projections") or []]
        assert wb.sheetnames == [*sheet_names(lang), *projected]
        for name in wb.sheetnames:
            assert len(name) <= 31 and not re.search(r"[\\/?*\[\]:]", name)
            assert "t-ccua" not in name and "ccea-guideline" not in name  # no internal ids
            if lang == "en":
                assert not HAN.search(name), name
                header = [c.value for c in wb[name][1] if c.value]
                assert not [h for h in header if HAN.search(str(h))], (name, header)


def test_summary_sheet_holds_total_and_grade(books: dict):
    for key, (data, wb) in books.items():
        lang = key.split(":")[1]
        ws = wb[sheet_names(lang)[7]]
        values = {row[0].value: row[1].value for row in ws.iter_rows(min_row=2) if row[0].value}
        total_label = "测评计分合计" if lang == "zh" else "Total score"
        assert values[total_label] == pytest.approx(float(data["assessment"]["total"]))
        grade_label = "测评等级" if lang == "zh" else "Grade"
        grade = data["assessment"]["grade"]
        if grade and lang == "zh":
            assert values[grade_label] == grade
        groups = {g["code"] for g in data["assessment"]["groups"]}
        assert {str(k).split()[0] for k in values} >= groups


def test_indicator_sheet_has_monthly_values_targets_and_attainment(books: dict):
    data, wb = books["demo.yaml:en"]
    ws = wb[sheet_names("en")[8]]
    header = [c.value for c in ws[1]]
    months = data["period"]["months"]
    assert header[3 : 3 + len(months)] == [fmt.month_text(m, "en") for m in months]
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=2)}
    ind = next(i for i in data["indicators"] if i["code"] == "DO7.1")
    row = rows["DO7.1"]
    assert row[1] == ind["name_en"]
    assert row[3 : 3 + len(months)] == [pytest.approx(m["value"]) for m in ind["monthly"]]
    assert row[-2] == "≤16%" and row[-1] == ("met" if ind["met"] else "not met")
    assert len(rows) == len(data["indicators"])


def test_team_sheets_e1_e2(books: dict):
    data, wb = books["demo.yaml:zh"]
    team = data["engagement"]["team"]
    for sheet, members in (
        (sheet_names("zh")[0], team["assessors"]),
        (sheet_names("zh")[1], team["assessee"]),
    ):
        names = [r[1].value for r in wb[sheet].iter_rows(min_row=2)]
        assert names == [m["name"] for m in members]


def test_chinese_crosswalk_sheet_has_no_english_note(books: dict):
    data, wb = books["demo.yaml:zh"]
    for p in data["projections"]:
        ws = wb[projection_sheet_title(p["to"], "zh")]
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not re.search(r"\b[a-z]+ [a-z]+ [a-z]+\b", value), value


def test_report_lang_en_writes_beside_the_chinese_files(books: dict, tmp_path: Path, capsys):
    from tests.cli import run

    data, _ = books["demo.yaml:zh"]
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert run(capsys, "report", str(folder), "--format", "xlsx")[0] == 0
    code, out, err = run(
        capsys, "report", str(folder), "--format", "xlsx", "--lang", "en", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["files"] == ["report.en.xlsx"]
    assert (folder / "report.xlsx").exists() and (folder / "report.en.xlsx").exists()
    en = openpyxl.load_workbook(folder / "report.en.xlsx")
    assert en.sheetnames[:7] == list(sheet_names("en")[:7])
    code, _, err = run(capsys, "report", str(folder), "--format", "xlsx", "--lang", "fr")
    assert code != 0 and "unknown language 'fr'" in err


def test_params_lang_is_checked():
    from ccua.engagement import Params

    assert Params(client="x", engagement="x").lang == "zh"
    assert Params(client="x", engagement="x", lang="en").lang == "en"
    with pytest.raises(ValueError):
        Params(client="x", engagement="x", lang="fr")
