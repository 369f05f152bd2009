"""``ccua new`` (a client from templates) and ``ccua check`` (validate a client's files).

The templates are checked the way an assessor meets them: a fresh client fails only with the
problems an assessor expects; uncommenting the prepared entries gives exactly the "fill me
in" problems; filling them in gives a valid client.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ccua.engagement import (
    Engagement,
    default_targets,
    load_params,
    parse_checks,
    parse_monthly,
    parse_targets,
    read_sheet,
)
from ccua.errors import CcuaError, Problem, ValidationFailed
from ccua.inputs import load_engagement
from ccua.ratings import parse_ratings
from ccua.scaffold import (
    CLAIMED_HEADERS,
    HELP_SHEET,
    MONTHLY_HEADERS,
    MONTHLY_SHEET,
    PLACEHOLDER,
    check_client,
    new_client,
    period_months,
)
from ccua.spec import load_framework
from tests.cli import run
from tests.conftest import MINI_HEAD, MINI_ITEMS, MINI_MEASURES, write_framework
from tests.engagement_fixture import MONTHS, dump, make_client, ratings_data

FILES = [
    "engagement.yaml",
    "targets.yaml",
    "checks.yaml",
    "ratings.yaml",
    "monthly.xlsx",
    "claimed.csv",
]


def create(tmp_path: Path, name: str = "acme", **kwargs) -> Path:
    new_client(name, directory=tmp_path / "params", start="2026-01", **kwargs)
    return tmp_path / "params" / f"{name}.yaml"


def problems_of(params: Path) -> list[Problem]:
    with pytest.raises(ValidationFailed) as info:
        load_engagement(params)
    return list(info.value.problems)


def uncomment_entries(text: str) -> str:
    """Remove "# " before every commented YAML key line: what an assessor does to fill one."""
    return re.sub(r"(?m)^([ \t]*)# ([ \t]*(?:- )?[\w.\"]+:(?:[ \t].*)?)$", r"\1\2", text)


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill_template(workbook: Path, values: dict[str, list[int]]) -> None:
    """Type values into the generated template, as the centre would."""
    wb = load_workbook(workbook)
    ws = wb[MONTHLY_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in values:
            for cell, value in zip(row[len(MONTHLY_HEADERS) :], values[row[0].value], strict=True):
                cell.value = value
    wb.save(workbook)


# ----------------------------------------------------------------------------- what is created


def test_new_creates_the_params_file_and_every_engagement_file(tmp_path):
    created = new_client("acme", directory=tmp_path / "params", start="2026-01")
    folder = tmp_path / "params" / "acme"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert created.files == (tmp_path / "params" / "acme.yaml", *(folder / f for f in FILES))
    assert created.months == tuple(MONTHS)
    params = load_params(created.params_file)
    assert (params.client, params.engagement, params.framework) == ("acme", "acme", "t-ccua")
    assert params.tolerance == type(params.tolerance)()  # the model's defaults, written out
    # Nothing else: no staging folder left beside it.
    assert sorted(p.name for p in (tmp_path / "params").iterdir()) == ["acme", "acme.yaml"]


def test_params_file_explains_every_key(tmp_path):
    params = create(tmp_path)
    lines = [
        line
        for line in params.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(lines) >= 10
    assert all("#" in line for line in lines), "every key has a comment"


def test_fresh_client_fails_only_with_what_the_assessor_expects(tmp_path):
    problems = problems_of(create(tmp_path))
    assert len(problems) == 2, problems
    monthly, ratings = sorted(problems, key=lambda p: p.file)
    assert "monthly.xlsx" in monthly.file and "no monthly values yet" in monthly.message
    assert ratings.file.endswith("ratings.yaml") and "no item is rated yet" in ratings.message


def test_engagement_template_validates_and_lists_every_item(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "engagement.yaml"
    engagement = Engagement.model_validate(read_yaml(path))
    assert list(engagement.handover) == [i.code for i in tccua.items]
    assert engagement.background.period.months == MONTHS
    assert engagement.report.assessee.startswith(PLACEHOLDER)
    assert [s.name for s in engagement.process] == [
        "测评项目启动",
        "测评范围确认",
        "测评项目资料反馈与确认",
        "项目测评",
    ]
    text = path.read_text(encoding="utf-8")
    for item in tccua.items:  # each E.3 row says which item it is
        assert re.search(rf"^  {item.code}: .*# {item.name}$", text, re.M)
    # The commented key point becomes a valid entry once uncommented (and [] removed).
    filled = uncomment_entries(text.replace("key_points: []", "key_points:"))
    kp = Engagement.model_validate(yaml.safe_load(filled)).key_points
    assert len(kp) == 1 and kp[0].item == tccua.items[0].code


def test_engagement_comments_name_the_report_cells(tmp_path):
    create(tmp_path)
    text = (tmp_path / "params" / "acme" / "engagement.yaml").read_text(encoding="utf-8")
    for cell in (
        "表E.1",
        "表E.2",
        "表E.3",
        "表E.4",
        "7.2 a)",
        "7.2 c)",
        "7.3.4",
        "委托单位",
        "受评机构",
        "坐席数",
        "测评组意见",
    ):
        assert cell in text, cell


def test_targets_template_holds_the_defaults_marked_as_defaults(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "targets.yaml"
    problems: list[Problem] = []
    targets = parse_targets(read_yaml(path), tccua, path, {}, problems)
    assert problems == [] and targets == default_targets(tccua)
    assert all(t.source == "default" for t in targets.values())
    assert "source: centre" in path.read_text(encoding="utf-8")


def test_targets_template_entries_without_default_ask_for_the_right_bound(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "targets.yaml"
    text = uncomment_entries(path.read_text(encoding="utf-8"))
    problems: list[Problem] = []
    parse_targets(yaml.safe_load(text), tccua, path, {}, problems)
    defaults = default_targets(tccua)
    expected = {
        i.code
        for i in tccua.indicators
        if not i.is_documentary and i.direction != "none" and i.code not in defaults
    }
    assert {p.field for p in problems} == expected
    assert {p.message for p in problems} == {"a target needs min or max"}


def test_checks_template_lists_every_documentary_indicator_ready_to_fill(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "checks.yaml"
    problems: list[Problem] = []
    assert parse_checks(read_yaml(path), tccua, path, {}, problems) == {} and problems == []
    parse_checks(
        yaml.safe_load(uncomment_entries(path.read_text(encoding="utf-8"))),
        tccua,
        path,
        {},
        problems,
    )
    documentary = [i for i in tccua.indicators if i.is_documentary]
    assert {p.field for p in problems} == {
        f"checks.{i.code}.{f}" for i in documentary for f in ("met", "note")
    }
    text = path.read_text(encoding="utf-8")
    assert all(f"# {i.code} {i.name}：" in text for i in documentary)


def test_ratings_template_lists_every_rating_and_fills_into_a_valid_file(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "ratings.yaml"
    text = path.read_text(encoding="utf-8")
    assert parse_ratings(yaml.safe_load(text), tccua).items == {}
    for item in tccua.items:
        for req in item.requirements:
            assert f"#   {req.code}) {req.text}" in text
            for sub in req.subpoints:
                assert f"{req.code}.{sub.code}) {sub.text}" in text
    # Uncommented, every blank asks for a rating, and nothing else is wrong.
    with pytest.raises(ValidationFailed) as info:
        parse_ratings(yaml.safe_load(uncomment_entries(text)), tccua)
    expected = {
        f"items.{i.code}.ratings.{r.code}.{s.code}" if s else f"items.{i.code}.ratings.{r.code}"
        for i in tccua.items
        for r in i.requirements
        if r.kind != "indicator"
        for s in (r.subpoints or (None,))
    }
    assert {p.field for p in info.value.problems} == expected
    assert {p.message for p in info.value.problems} == {"no rating given"}
    # Filled with 3 everywhere, it is a complete, valid ratings file.
    filled = re.sub(r"(?m)^(\s+[\w.]+\.\d+|\s+[a-z]):$", r"\1: 3", uncomment_entries(text))
    ratings = parse_ratings(yaml.safe_load(filled), tccua)
    assert set(ratings.items) == {i.code for i in tccua.items}


def test_monthly_template_lists_every_input_and_is_styled(tmp_path, tccua):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "monthly.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == [MONTHLY_SHEET, HELP_SHEET]
    ws = wb[MONTHLY_SHEET]
    header = [c.value for c in ws[1]]
    assert header == [*MONTHLY_HEADERS, *MONTHS]
    rows = [[c.value for c in r][:4] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == [m.code for m in tccua.measures]
    assert [r[1] for r in rows] == [m.name for m in tccua.measures]
    abandoned = next(r for r in rows if r[0] == "abandoned_calls")
    assert abandoned[2] == "个" and "DO6.9 放弃率" in abandoned[3]
    shared = next(r for r in rows if r[0] == "customer_questions")
    assert "CB2.1" in shared[3] and "CB5.1" in shared[3]
    assert ws.freeze_panes == "E2"
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F4E78")
    assert ws.column_dimensions["B"].width >= 30 and ws.column_dimensions["E"].width >= 10
    assert all(c.value is None for r in ws.iter_rows(min_row=2, min_col=5) for c in r)
    help_text = "\n".join(str(c.value or "") for c in wb[HELP_SHEET]["A"])
    assert "2026-01 至 2026-06" in help_text and MONTHLY_SHEET in help_text
    assert "个人信息" in help_text  # no personal data of customers


def test_monthly_template_reads_back_and_a_filled_client_loads(tmp_path, tccua):
    params = create(tmp_path)
    folder = tmp_path / "params" / "acme"
    inputs, problems = parse_monthly(read_sheet(folder / "monthly.xlsx"), tccua, MONTHS)
    assert problems == [] and inputs.values == {}
    values = {
        "offered_calls": [100, 200, 300, 400, 500, 600],
        "abandoned_calls": [5, 10, 15, 20, 25, 30],
    }
    fill_template(folder / "monthly.xlsx", values)
    (folder / "ratings.yaml").write_text(dump(ratings_data(tccua)), encoding="utf-8")
    data = load_engagement(params)
    assert data.inputs.get("2026-04", "offered_calls") == 400
    assert data.inputs.get("2026-06", "abandoned_calls") == 30
    assert data.inputs.measures() == set(values)
    assert data.targets == default_targets(tccua)


def test_claimed_template_is_utf8_with_bom_and_only_headers(tmp_path):
    create(tmp_path)
    path = tmp_path / "params" / "acme" / "claimed.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = read_sheet(path)
    assert (sheet.encoding, sheet.headers, sheet.rows) == ("utf-8-sig", CLAIMED_HEADERS, ())


# ----------------------------------------------------------------------------- never overwrite


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_new_never_overwrites_a_client(tmp_path):
    params = create(tmp_path)
    (tmp_path / "params" / "acme" / "ratings.yaml").write_text(
        "framework: t-ccua\n# mine\n", encoding="utf-8"
    )
    before = snapshot(tmp_path)
    with pytest.raises(CcuaError, match="exists already"):
        create(tmp_path)
    with pytest.raises(CcuaError, match="exists already"):
        create(tmp_path, framework="ccea-guideline")
    assert snapshot(tmp_path) == before
    assert params.exists()


@pytest.mark.parametrize("existing", ["folder", "params"])
def test_new_stops_if_either_half_exists(tmp_path, existing):
    root = tmp_path / "params"
    root.mkdir()
    if existing == "folder":
        (root / "acme").mkdir()
        (root / "acme" / "notes.txt").write_text("keep", encoding="utf-8")
    else:
        (root / "acme.yaml").write_text("client: acme\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(CcuaError) as info:
        create(tmp_path)
    assert "exists already" in str(info.value) and "nothing was changed" in str(info.value)
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in root.iterdir()) == [
        "acme" if existing == "folder" else "acme.yaml"
    ]


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import ccua.scaffold as scaffold

    real = scaffold.atomic_write_bytes
    calls = []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(scaffold, "atomic_write_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        create(tmp_path)
    assert list((tmp_path / "params").iterdir()) == []


@pytest.mark.parametrize(
    "name", ["", "a b", "../evil", "-x", ".hidden", "ac/me", "客户", "acme.yaml"]
)
def test_bad_names_are_refused_before_anything_is_written(tmp_path, name):
    with pytest.raises(CcuaError) as info:
        create(tmp_path, name)
    assert info.value.problem.field == "NAME"
    assert not (tmp_path / "params").exists()


# ----------------------------------------------------------------------------- the period


def test_period_from_start_and_months():
    assert period_months("2026-01", 6) == MONTHS
    assert period_months("2025/11", 3) == ["2025-11", "2025-12", "2026-01"]
    assert period_months("2026年2月", 1) == ["2026-02"]


def test_default_period_is_the_last_complete_months():
    assert period_months(None, 6, today=date(2026, 11, 23)) == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert period_months(None, 6, today=date(2026, 3, 1)) == [
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert period_months(None, 12, today=date(2026, 1, 15)) == [
        f"2025-{m:02d}" for m in range(1, 13)
    ]


@pytest.mark.parametrize(
    ("start", "months", "field"),
    [
        ("2026-13", 6, "--start"),
        ("soon", 6, "--start"),
        ("2026-01", 0, "--months"),
        ("2026-01", 25, "--months"),
    ],
)
def test_bad_period_is_refused_before_anything_is_written(tmp_path, start, months, field):
    with pytest.raises(CcuaError) as info:
        new_client("acme", directory=tmp_path / "params", start=start, months=months)
    assert info.value.problem.field == field
    assert not (tmp_path / "params").exists()


# ----------------------------------------------------------------------------- any framework


def test_new_works_for_the_guideline_framework(tmp_path):
    fw = load_framework("ccea-guideline")
    params = create(tmp_path, framework="ccea-guideline")
    folder = tmp_path / "params" / "acme"
    engagement = read_yaml(folder / "engagement.yaml")
    assert list(engagement["handover"]) == [i.code for i in fw.items]  # "2.10" stays a string
    expected = {"ratings.yaml"} | ({"monthly.xlsx[月度输入]"} if fw.measures else set())
    assert {Path(p.file).name for p in problems_of(params)} == expected
    ws = load_workbook(folder / "monthly.xlsx")[MONTHLY_SHEET]
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == [m.code for m in fw.measures]
    (folder / "ratings.yaml").write_text(dump(ratings_data(fw)), encoding="utf-8")
    if fw.measures:
        fill_template(folder / "monthly.xlsx", {fw.measures[0].code: [1, 2, 3, 4, 5, 6]})
    assert load_engagement(params).framework.id == "ccea-guideline"


def mini_framework(tmp_path: Path, measures: bool = True) -> Path:
    items = copy.deepcopy(MINI_ITEMS)
    if not measures:
        items["B1"].pop("indicators")
    root = write_framework(
        tmp_path / "fw",
        copy.deepcopy(MINI_HEAD),
        items,
        copy.deepcopy(MINI_MEASURES) if measures else [],
    )
    return root


@pytest.mark.parametrize("measures", [True, False])
def test_generation_is_driven_by_the_framework_data(tmp_path, measures):
    root = mini_framework(tmp_path, measures)
    created = new_client(
        "x",
        framework="mini",
        directory=tmp_path / "params",
        start="2026-01",
        months=2,
        frameworks_root=root,
    )
    folder = created.folder
    assert list(read_yaml(folder / "engagement.yaml")["handover"]) == ["A1", "A2", "B1"]
    ws = load_workbook(folder / "monthly.xlsx")[MONTHLY_SHEET]
    assert [c.value for c in ws[1]] == [*MONTHLY_HEADERS, "2026-01", "2026-02"]
    assert [r[1].value for r in ws.iter_rows(min_row=2)] == (
        ["放弃量", "来话量"] if measures else []
    )
    ratings = (folder / "ratings.yaml").read_text(encoding="utf-8")
    assert "#     a.1:" in ratings and "#     b:" in ratings and "子一；" in ratings
    targets = read_yaml(folder / "targets.yaml")
    assert targets == {"targets": None}
    assert created.defaults == 0 and created.inputs == (2 if measures else 0)


# ----------------------------------------------------------------------------- ccua check


def test_check_valid_client_prints_ok_and_a_summary(tmp_path, capsys):
    params = make_client(tmp_path)
    code, out, _ = run(capsys, "check", str(params))
    assert code == 0
    assert out.startswith("ok: acme — t-ccua")
    assert "2026-01..2026-06 (6 months, 6 with data)" in out
    assert "items rated 19 of 19" in out and "3 centre, 0 default" in out


def test_check_json_summary(tmp_path, capsys):
    params = make_client(tmp_path)
    code, out, _ = run(capsys, "check", str(params), "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "ok" and data["problems"] == []
    assert data["summary"]["inputs"] == {"found": 8, "of": len(load_framework().measures)}
    # DO6.9, DO6.13, CB1.3 have targets and data; DO6.10 has data only.
    assert data["summary"]["indicators"]["evaluable"] == 3
    assert data["summary"]["indicators"]["with_value"] == 4


def test_check_fresh_client_lists_every_problem_and_fails(tmp_path, capsys):
    code, _, _ = run(capsys, "new", "acme", "--dir", str(tmp_path / "params"), "--start", "2026-01")
    assert code == 0
    params = tmp_path / "params" / "acme.yaml"
    code, out, err = run(capsys, "check", str(params))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"{params}: 2 problems:"
    assert any("monthly.xlsx" in line and "no monthly values yet" in line for line in lines)
    assert any("ratings.yaml: items: no item is rated yet" in line for line in lines)
    code, out, _ = run(capsys, "check", str(params), "--json")
    assert code == 1 and json.loads(out)["status"] == "failed"


def test_check_lists_more_than_ten_problems_in_full(tmp_path, capsys):
    text = "月份," + ",".join(f"bad{n}" for n in range(15)) + "\n2026-01" + ",1" * 15 + "\n"
    params = make_client(tmp_path, monthly_csv=text)
    code, out, _ = run(capsys, "check", str(params))
    assert code == 1 and out.count("unknown input column") == 15


def test_check_says_what_a_run_still_needs(tmp_path, capsys):
    ratings = ratings_data()
    ratings["items"]["CB1"] = {"ratings": {"a.1": 4}}
    params = make_client(tmp_path, ratings=ratings)
    report = check_client(params)
    assert report.status == "incomplete" and report.problems == []
    # CB1's indicator requirement (e) is rated from the data: CB1.3 has a target and values.
    assert {p.field: p.message.split(" (")[0] for p in report.todo} == {
        "CB1.a": "sub-points 2, 3 not rated",
        "CB1.b": "not rated",
        "CB1.c": "not rated",
        "CB1.d": "not rated",
    }
    assert all(p.file.endswith("ratings.yaml") for p in report.todo)
    # ccua run would stop on them: check fails too (issue 11: one validation).
    code, out, _ = run(capsys, "check", str(params))
    assert code == 1 and "items rated 18 of 19" in out and "before ccua run" in out
    code, _, _ = run(capsys, "check", str(params), "--strict")
    assert code == 1


def test_check_warns_about_template_placeholders(tmp_path, tccua):
    params = create(tmp_path)
    folder = tmp_path / "params" / "acme"
    fill_template(folder / "monthly.xlsx", {"offered_calls": [1] * 6, "abandoned_calls": [0] * 6})
    (folder / "ratings.yaml").write_text(dump(ratings_data(tccua)), encoding="utf-8")
    report = check_client(params)
    assert report.status == "ok"
    fields = {p.field for p in report.warnings}
    assert {
        "report.commissioned_by",
        "contacts.assessee.name",
        "team.assessors.0.name",
        "background.seats",
        "handover",
    } <= fields
    engagement = folder / "engagement.yaml"
    row = next(
        n
        for n, line in enumerate(engagement.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip().startswith("commissioned_by:")
    )
    assert next(p for p in report.warnings if p.field == "report.commissioned_by").row == row


def test_check_reports_half_filled_months_from_the_period_computation(tmp_path):
    # DO6.9 needs both of its inputs every month; a month with one of them is flagged.
    text = "月份,offered_calls,abandoned_calls\n2026-01,100,5\n2026-02,100,\n"
    report = check_client(make_client(tmp_path, monthly_csv=text))
    assert report.status == "failed"
    (p,) = report.problems
    assert p.indicator == "DO6.9" and p.field == "2026-02" and p.file.endswith("monthly.csv")


def test_check_of_a_missing_params_file(tmp_path, capsys):
    code, out, _ = run(capsys, "check", str(tmp_path / "nope.yaml"))
    assert code == 1 and "file not found" in out


def test_new_cli_reports_a_bad_name_in_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "new", "a b", "--dir", str(tmp_path))
    assert code == 1 and err.startswith("error: NAME: client name 'a b' is not allowed")
    assert err.count("\n") == 1


def test_new_cli_json(tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "new",
        "acme",
        "--dir",
        str(tmp_path / "p"),
        "--start",
        "2026-07",
        "--months",
        "3",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["months"] == ["2026-07", "2026-08", "2026-09"]
    assert data["default_targets"] == len(default_targets(load_framework()))
    assert len(data["files"]) == 7 and all(Path(f).exists() for f in data["files"])
