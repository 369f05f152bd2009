"""The second demo client, assessed under the CCEA guideline, from its files to its report.

The committed files are what the generator writes; the framework-level evidence the run adds
to results.json (the §6.5 k) rule per KPI, the thresholds, table A.1, the estimate under
T/CCUA) is checked against hand computations from the committed monthly sheet; then the demo
runs end to end once (``run_client`` with the real notebooks and the report, pandoc + Typst)
and the HTML, PDF and workbook are read back against results.json, as strings to the cent.

Slow part: the end-to-end run, about 30 s on a 2-core machine (11 notebooks and the report).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from ccua._num import round_half_up
from ccua.demo import demo_files, load_demo
from ccua.fmt import fixed
from ccua.inputs import load_engagement
from ccua.report._workbook import SHEETS, projection_sheet_title
from ccua.results import build_results, dumps
from ccua.runner import run_client
from ccua.spec import load_framework
from tests.cli import run as cli
from tests.test_report import parse_html, pdf_text, squash

ROOT = Path(__file__).resolve().parents[1]
CLIENT = load_demo("ccea-guideline").client
PARAMS = ROOT / "params" / f"{CLIENT}.yaml"
FOLDER = ROOT / "params" / CLIENT


# ---------------------------------------------------------------- helpers


def monthly_sheet() -> dict[str, dict[str, Fraction]]:
    """measure → month → value, read from the committed monthly.csv by hand."""
    with (FOLDER / "monthly.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    months = rows[0][4:]
    return {
        r[1]: {m: Fraction(v) for m, v in zip(months, r[4:], strict=True) if v} for r in rows[1:]
    }


def targets() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((FOLDER / "targets.yaml").read_text(encoding="utf-8"))["targets"]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return json.loads(dumps(build_results(load_engagement(PARAMS)).data))


# ---------------------------------------------------------------- the committed files


def test_committed_guideline_demo_is_what_the_generator_writes():
    for rel, text in demo_files("ccea-guideline").items():
        path = ROOT / "params" / rel
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} differs from the generator: run  ccua demo-client -f ccea-guideline --force"
        )


def test_demo_client_command_writes_either_framework_or_both(tmp_path: Path, capsys):
    code, out, _ = cli(
        capsys, "demo-client", "--framework", "ccea-guideline", "--out", str(tmp_path), "--json"
    )
    assert code == 0
    written = json.loads(out)["files"]
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in written) == sorted(
        demo_files("ccea-guideline")
    )
    code, out, _ = cli(
        capsys, "demo-client", "--framework", "all", "--out", str(tmp_path), "--json"
    )
    names = {Path(p).relative_to(tmp_path).parts[0] for p in json.loads(out)["files"]}
    assert code == 0 and names == {"demo.yaml", "demo", f"{CLIENT}.yaml", CLIENT}
    code, _, err = cli(capsys, "demo-client", "--framework", "iso-9001", "--out", str(tmp_path))
    assert code != 0
    assert "--framework" in err and "ccea-guideline" in err and "'iso-9001'" in err


def test_the_demo_checks_clean_and_rates_every_item(capsys):
    data = load_engagement(PARAMS)
    fw = data.framework
    assert fw.id == "ccea-guideline" and data.params.framework == fw.id
    assert set(data.ratings.items) == {i.code for i in fw.items}
    kinds = {"whole": 0, "requirements": 0, "subpoints": 0, "na": 0}
    for item in data.ratings.items.values():
        if item.na:
            kinds["na"] += 1
            assert item.note
        elif item.rating is not None:
            kinds["whole"] += 1
            assert item.note
        else:
            kinds["requirements"] += 1
            kinds["subpoints"] += any("." in key for key in item.ratings)
    assert kinds["na"] == 1 and all(kinds.values()), kinds
    assert set(data.engagement.handover) == {i.code for i in fw.items}
    code, out, _ = cli(capsys, "check", str(PARAMS))
    assert code == 0 and out.startswith("ok: demo-guideline"), out


# ---------------------------------------------------------------- results.json wiring


def test_the_rule_per_kpi_matches_a_hand_computation(results):
    """Every month of every KPI with a target, recomputed from the sheet and targets.yaml."""
    sheet, goals = monthly_sheet(), targets()
    fw = load_framework("ccea-guideline")
    (rule,) = results["rules"]
    assert rule["rule"] == "6.5k" and rule["months"] == results["period"]["months"]
    for kpi in rule["kpis"]:
        ind = fw.indicator(kpi["code"])
        goal = goals.get(kpi["code"])
        if ind.function == "value":
            values = sheet.get(ind.inputs[0], {})
        elif ind.function in ("share", "mean"):
            part, whole = (sheet[m] for m in ind.inputs)
            values = {
                m: part[m] / whole[m] * (100 if ind.function == "share" else 1) for m in whole
            }
        else:  # sum_mean, leading_share: computed elsewhere; the rule only reads them
            values = {m["month"]: None for m in kpi["monthly"]}
            continue
        if goal is None or not values:
            assert kpi["status"] == "not measurable"
            continue
        met = [
            m
            for m in rule["months"]
            if m in values
            and ("min" not in goal or values[m] >= Fraction(str(goal["min"])))
            and ("max" not in goal or values[m] <= Fraction(str(goal["max"])))
        ]
        assert kpi["months_met"] == len(met), kpi["code"]
        assert kpi["months_counted"] == len(rule["months"])  # missing months count as not met
        better = {"higher": lambda a, b: a > b, "lower": lambda a, b: a < b}.get(ind.direction)
        if better is not None:
            run = longest = 0
            months = rule["months"]
            for before, after in itertools.pairwise(months):
                ok = before in values and after in values and better(values[after], values[before])
                run = run + 1 if ok else 0
                longest = max(longest, run)
            assert kpi["longest_run"] == longest, kpi["code"]
            passed = Fraction(len(met), len(months)) >= Fraction(3, 4) and longest >= 3
            assert kpi["status"] == ("pass" if passed else "fail"), kpi["code"]


def test_the_demo_tells_the_rule_story(results):
    (rule,) = results["rules"]
    statuses = {k["code"]: k for k in rule["kpis"]}
    share_only = [k for k in statuses.values() if k["share_ok"] is False and k["improvement_ok"]]
    run_only = [k for k in statuses.values() if k["share_ok"] and k["improvement_ok"] is False]
    assert {"pass", "fail", "not measurable"} <= {k["status"] for k in statuses.values()}
    assert share_only and run_only  # e.g. A4.5 4/6 months; A1.1 no 3 in a row
    assert statuses["A4.5"]["months_met"] == 4 and statuses["A4.5"]["status"] == "fail"
    assert rule["counts"] == {
        s: sum(1 for k in statuses.values() if k["status"] == s)
        for s in ("pass", "fail", "not measurable")
    }


def test_item_34_carries_the_rule_as_evidence_and_findings(results):
    (rule,) = results["rules"]
    item = next(i for i in results["assessment"]["items"] if i["code"] == rule["item"])
    (entry,) = [e for e in item["evidence"] if e["kind"] == "rule"]
    assert entry["id"] == rule["rule"] and entry["requirement"] == rule["requirement"] == "k"
    assert entry["counts"] == rule["counts"]
    (fact,) = [f for f in results["findings"][item["code"]] if f["code"] == "rule_result"]
    assert fact["rule"] == rule["rule"] and fact["passed"] == rule["counts"]["pass"]
    judged = [t for t in results["thresholds"] if t["rule"] == rule["rule"]]
    assert judged and all(t["item"] == "3.4" and t["requirement"] == "k" for t in judged)
    others = [
        i
        for i in results["assessment"]["items"]
        if any(e["kind"] == "rule" for e in i["evidence"]) and i["code"] != "3.4"
    ]
    assert others == []


def test_thresholds_are_checked_against_period_values(results):
    fw = load_framework("ccea-guideline")
    assert [t["id"] for t in results["thresholds"]] == [t.id for t in fw.thresholds]
    values = {i["code"]: i["value"] for i in results["indicators"]}
    for th in results["thresholds"]:
        if th["indicator"] is None:
            assert th["status"] == "not measured" and th["measured"] is None
            continue
        value = values[th["indicator"]]
        assert th["measured"] == value
        if th["operator"] == "between":
            expected = th["range"][0] <= value <= th["range"][1]
        else:
            expected = {">=": value >= th["value"], "<=": value <= th["value"]}[th["operator"]]
        assert th["met"] is expected and th["status"] == ("met" if expected else "not met")
    by_item = {
        i["code"]: {e["id"] for e in i["evidence"] if e["kind"] == "threshold"}
        for i in results["assessment"]["items"]
    }
    for th in results["thresholds"]:
        if th["item"] is not None:
            assert th["id"] in by_item[th["item"]]


def test_kpi_table_is_table_a1_filled_with_the_last_months(results):
    fw = load_framework("ccea-guideline")
    table = results["kpi_table"]
    months = results["period"]["months"]
    assert [c["month"] for c in table["columns"]] == months[-4:]
    assert [c["name"] for c in table["columns"]] == [c.name for c in fw.kpi_table.period_columns]
    listed = [g for g in table["groups"] if g["code"] is not None]
    assert [[k["code"] for k in g["kpis"]] for g in listed] == [
        list(g.kpis) for g in fw.kpi_table.groups
    ]
    (rest,) = [g for g in table["groups"] if g["code"] is None]
    assert {k["code"] for k in rest["kpis"]} == {i.code for i in fw.framework_indicators} - set(
        fw.kpi_table.kpis
    )
    monthly = {
        i["code"]: {m["month"]: m["value"] for m in i["monthly"]} for i in results["indicators"]
    }
    for group in table["groups"]:
        for kpi in group["kpis"]:
            assert kpi["values"] == [monthly[kpi["code"]].get(m) for m in months[-4:]]


def test_projection_onto_tccua_is_labelled_an_estimate(results):
    (p,) = results["projections"]
    assert (p["from"], p["to"], p["kind"]) == ("ccea-guideline", "t-ccua", "estimate")
    scored = [i["score"] for i in p["items"] if i["score"] is not None]
    assert p["estimated_score"] == pytest.approx(sum(scored), abs=1e-9)
    assert p["rescaled_total"] == float(
        round_half_up(
            Fraction(str(p["estimated_score"])) * 100 / Fraction(str(p["covered_points"])), 2
        )
    )
    # item 6.7 is not applicable, so what only it covers under T/CCUA is missing evidence
    missing = {m["code"] for m in p["missing"]}
    only_67 = {
        i["code"] for i in p["items"] if i["unrated_sources"] == ["6.7"] and not i["sources"]
    }
    assert only_67 and only_67 <= missing


def test_tccua_results_gain_the_reverse_projection_and_nothing_else():
    data = json.loads(dumps(build_results(load_engagement(ROOT / "params" / "demo.yaml")).data))
    assert data["rules"] == [] and data["thresholds"] == [] and data["kpi_table"] is None
    assert all(i["evidence"] == [] for i in data["assessment"]["items"])
    (p,) = data["projections"]
    assert (p["from"], p["to"]) == ("t-ccua", "ccea-guideline")
    assert len(p["items"]) == 57 and p["missing"]


def test_results_are_byte_identical_for_identical_inputs():
    a = dumps(build_results(load_engagement(PARAMS)).data)
    b = dumps(build_results(load_engagement(PARAMS)).data)
    assert a == b


# ---------------------------------------------------------------- end to end, with the report


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("runs") / CLIENT
    summary = run_client(PARAMS, output=out, report=True)
    assert summary.status == "ok"
    assert {"report.html", "report.pdf", "report.xlsx"} <= set(summary.files)
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)


def test_html_scores_the_nine_areas_to_the_cent(run):
    out, res = run
    page = parse_html(out / "report.html")
    a = res["assessment"]
    table6 = page.tables["表 6 测评计分表"]
    for group in a["groups"]:
        row = next(r for r in table6 if r[0] == f"{group['code']} {group['name']}")
        assert row[1] == f"{fixed(group['points'])}分" and row[4] == f"{fixed(group['score'])}分"
    assert next(r for r in table6 if r[0] == "测评计分合计")[1] == f"{fixed(a['total'])}分"
    text = squash((out / "report.html").read_text(encoding="utf-8"))
    assert f"测评得分{fixed(a['total'])}分" in text and "未规定测评等级" in text


def test_html_captions_sit_on_their_own_tables(run):
    page = parse_html(run[0] / "report.html")
    firsts = {
        "：要求评分": "要求",
        "：可衡量要求（阈值）": "要求",
        "规则逐项结果": "指标",
        "（表 A.1）": "分组",
        "标准所列的指标参考值": "条款",
    }
    checked = 0
    for caption, rows in page.tables.items():
        for suffix, first in firsts.items():
            if suffix in caption:
                assert rows[0][0] == first, (caption, rows[0])
                checked += 1
    assert checked > 57


def test_html_kpi_table_and_rule_follow_results_json(run):
    out, res = run
    page = parse_html(out / "report.html")
    a1 = next(rows for cap, rows in page.tables.items() if cap.endswith("（表 A.1）"))
    inds = {i["code"]: i for i in res["indicators"]}
    for group in res["kpi_table"]["groups"]:
        for kpi in group["kpis"]:
            row = next(r for r in a1 if r[1] == kpi["code"])
            assert row[3:7] == [fixed(v) if v is not None else "—" for v in kpi["values"]]
            value = inds[kpi["code"]]["value"]
            assert row[7] == (fixed(value) if value is not None else "—")
    (rule,) = res["rules"]
    table = page.tables[f"§{rule['section']} 规则逐项结果"]
    labels = {"pass": "满足", "fail": "不满足", "not measurable": "不可衡量"}
    for kpi in rule["kpis"]:
        row = next(r for r in table if r[0] == kpi["code"])
        assert row[6] == labels[kpi["status"]]
        if kpi["status"] != "not measurable":
            assert row[3] == f"{kpi['months_met']}/{kpi['months_counted']}"
            assert row[4] == f"{fixed(kpi['share_met'] * 100)}%"
            assert row[5] == f"{kpi['longest_run']} 个月"
    evidence = page.tables[f"§{rule['section']} 规则逐项结果（未满足的指标）"]
    assert {r[0] for r in evidence[1:]} == {
        k["code"] for k in rule["kpis"] if k["status"] != "pass"
    }


def test_html_appendix_estimates_the_other_framework(run):
    out, res = run
    (p,) = res["projections"]
    page = parse_html(out / "report.html")
    heading = next(h for h in page.headings if h.endswith("与其他测评框架的对照（估算）"))
    assert heading.startswith(f"附件{len(res['chapters']) + 2}")  # after scorecard, 9 areas
    missing = page.tables["完整测评尚缺证据的能力项"]
    assert [r[0] for r in missing[1:]] == [m["code"] for m in p["missing"]]
    groups = page.tables["按能力域的估算计分（估算）"]
    assert groups[-1][1:] == [
        f"{fixed(p['total_points'])}分",
        f"{fixed(p['covered_points'])}分",
        f"{fixed(p['estimated_score'])}分",
    ]
    text = squash((out / "report.html").read_text(encoding="utf-8"))
    assert f"按满分折算约{fixed(p['rescaled_total'])}分" in text
    assert "估算，不是测评得分" in text and "不是测评得分，不能替代" in text


def test_pdf_holds_the_chapters_the_kpi_table_and_the_estimate(run):
    out, res = run
    text = pdf_text(out / "report.pdf")
    assert f"测评计分合计{fixed(res['assessment']['total'])}分" in text
    for group in res["assessment"]["groups"]:
        assert squash(f"{group['code']} {group['name']}") in text
    for phrase in (
        "运营绩效结果及指标对照表（表A.1）",
        "§6.5k)规则逐项结果",
        "3.4报表管理",
        "与其他测评框架的对照（估算）",
        "完整测评尚缺证据的能力项",
    ):
        assert phrase in text, phrase
    assert not re.search(r"Table:", text)


def test_workbook_has_e3_to_e7_and_the_estimate_sheet(run):
    out, res = run
    wb = openpyxl.load_workbook(out / "report.xlsx")
    (p,) = res["projections"]
    assert wb.sheetnames == [*SHEETS, projection_sheet_title(p["to"])]
    e6 = wb["E.6 测评计分表"]
    assert Decimal(str(e6.cell(e6.max_row, 6).value)) == res["assessment"]["total"]
    sheet = wb[projection_sheet_title(p["to"])]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2) if r[1].value}
    for item in p["items"]:
        score = rows[item["code"]][6].value
        assert (None if score is None else Decimal(str(score))) == item["score"]
    assert "估算" in sheet.oddHeader.center.text
