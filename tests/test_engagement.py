"""Validation of a client's engagement files: every problem named by file, row or cell, field.

Each test starts from the valid client of ``tests/engagement_fixture.py``, breaks one thing,
and checks that ``load_engagement`` reports it where the assessor has to look. Expected line
numbers are found in the file the test wrote, never taken from the code under test.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from ccua.engagement import (
    default_targets,
    parse_monthly,
    read_sheet,
)
from ccua.engagement._defaults import DEFAULT_TARGETS_FILE, default_targets_path
from ccua.errors import CcuaError, Problem, SpecError, ValidationFailed
from ccua.inputs import load_engagement
from ccua.spec import Framework, load_framework
from tests.conftest import MINI_HEAD, MINI_ITEMS, MINI_MEASURES, write_framework
from tests.engagement_fixture import (
    MONTHLY,
    MONTHS,
    dump,
    engagement_data,
    line_containing,
    make_client,
    monthly_inputs_as_rows,
    monthly_months_as_rows,
    ratings_data,
    targets_data,
)


def problems_of(params: Path) -> list[Problem]:
    with pytest.raises(ValidationFailed) as info:
        load_engagement(params)
    return list(info.value.problems)


def one(problems: list[Problem], text: str) -> Problem:
    found = [p for p in problems if text in p.message]
    assert len(found) == 1, f"expected one problem with {text!r}, got {problems}"
    return found[0]


def folder_of(params: Path) -> Path:
    return params.parent / params.stem


# ----------------------------------------------------------------------------- the fixture


def test_fixture_client_is_valid_and_holds_what_it_says(tmp_path, tccua):
    data = load_engagement(make_client(tmp_path))
    assert data.months == MONTHS
    assert data.inputs.measures() == set(MONTHLY)
    assert data.inputs.get("2026-03", "offered_calls") == 11000
    assert set(data.targets) == {"DO6.9", "DO6.13", "CB1.3"}
    assert all(t.source == "centre" for t in data.targets.values())
    assert [r.percent for r in data.ratings.items.values()][:2] == [85, 89]
    assert len(data.ratings.items) == len(tccua.items)


# ----------------------------------------------------------------------------- engagement.yaml


def write_engagement(params: Path, data: dict) -> Path:
    path = folder_of(params) / "engagement.yaml"
    path.write_text(dump(data), encoding="utf-8")
    return path


def test_engagement_missing_required_field(tmp_path):
    params = make_client(tmp_path)
    data = engagement_data()
    del data["report"]["assessee"]
    path = write_engagement(params, data)
    p = one(problems_of(params), "required field is missing")
    assert p.file == str(path.resolve()) and p.field == "report.assessee"
    assert p.row == line_containing(path, "report:")
    assert "engagement.yaml" in str(p) and "report.assessee" in str(p)


def test_engagement_wrong_type_echoes_the_value(tmp_path):
    params = make_client(tmp_path)
    data = engagement_data()
    data["background"]["seats"] = "很多"
    path = write_engagement(params, data)
    p = one(problems_of(params), "valid integer")
    assert p.field == "background.seats" and p.row == line_containing(path, "seats:")
    assert "'很多'" in p.message


def test_engagement_unknown_field(tmp_path):
    params = make_client(tmp_path)
    data = engagement_data()
    data["background"]["colour"] = "blue"
    path = write_engagement(params, data)
    p = one(problems_of(params), "unknown key; expected one of business_types, description")
    assert p.field == "background.colour" and p.row == line_containing(path, "colour:")


def test_engagement_unknown_item_in_handover(tmp_path):
    params = make_client(tmp_path)
    data = engagement_data()
    data["handover"]["ZZ9"] = {"copies": 1, "pages": 1}
    path = write_engagement(params, data)
    p = one(problems_of(params), "no item 'ZZ9' in t-ccua")
    assert p.field == "handover.ZZ9" and p.row == line_containing(path, "ZZ9:")


def test_engagement_missing_handover_row_names_the_item(tmp_path):
    params = make_client(tmp_path)
    data = engagement_data()
    del data["handover"]["DO6"]
    path = write_engagement(params, data)
    p = one(problems_of(params), "no hand-over row (E.3) for item DO6")
    assert p.field == "handover" and p.row == line_containing(path, "handover:")


@pytest.mark.parametrize("bad", ["2026-13", "下个月", "2026"])
def test_engagement_bad_month(tmp_path, bad):
    params = make_client(tmp_path)
    data = engagement_data()
    data["background"]["period"]["start"] = bad
    path = write_engagement(params, data)
    p = one(problems_of(params), "expected a month such as 2026-01")
    assert p.field == "background.period.start"
    assert p.row == line_containing(path, "start:")
    assert repr(bad) in p.message


def test_engagement_client_must_match_params(tmp_path):
    params = make_client(tmp_path)
    path = write_engagement(params, engagement_data(client="other"))
    p = one(problems_of(params), "client is 'other' here but 'acme'")
    assert p.field == "client" and p.row == line_containing(path, "client:")


# ----------------------------------------------------------------------------- targets.yaml


def write_targets(params: Path, body: dict) -> Path:
    path = folder_of(params) / "targets.yaml"
    path.write_text(dump({"targets": body}), encoding="utf-8")
    return path


def test_targets_unknown_code(tmp_path):
    params = make_client(tmp_path)
    path = write_targets(params, {**targets_data()["targets"], "XX1.1": {"min": 1}})
    p = one(problems_of(params), "no indicator 'XX1.1'")
    assert p.file == str(path) and p.field == "XX1.1" and p.row == line_containing(path, "XX1.1")


def test_targets_documentary_code_points_to_checks(tmp_path):
    params = make_client(tmp_path)
    path = write_targets(params, {"SP1.1": {"min": 1}})
    p = one(problems_of(params), "SP1.1 is documentary")
    assert "checks.yaml" in p.message and p.row == line_containing(path, "SP1.1")


def test_targets_number_shorthand_follows_direction_but_not_for_a_band(tmp_path):
    params = make_client(tmp_path)
    path = write_targets(params, {"DO6.9": 5, "DO6.13": 80, "DO6.1": 85})
    p = one(problems_of(params), "direction band")
    assert p.field == "DO6.1" and p.row == line_containing(path, "DO6.1:")
    # The shorthand of the other two is accepted: lower -> max, higher -> min.
    path.write_text(dump({"targets": {"DO6.9": 5, "DO6.13": 80}}), encoding="utf-8")
    targets = load_engagement(params).targets
    assert (targets["DO6.9"].max, targets["DO6.9"].min) == (5, None)
    assert (targets["DO6.13"].min, targets["DO6.13"].max) == (80, None)


def test_targets_min_above_max(tmp_path):
    params = make_client(tmp_path)
    path = write_targets(params, {"DO6.1": {"min": 90, "max": 80}})
    p = one(problems_of(params), "max 80 is below min 90")
    assert p.field == "targets.DO6.1.max" and p.row == line_containing(path, "max:")


def test_targets_empty_section_means_no_targets(tmp_path):
    params = make_client(tmp_path)
    (folder_of(params) / "targets.yaml").write_text(
        "targets:\n  # DO6.9: {max: 5}\n", encoding="utf-8"
    )
    assert load_engagement(params).targets == {}


# ----------------------------------------------------------------------------- checks.yaml


def test_checks_reject_computed_indicator(tmp_path):
    params = make_client(tmp_path, checks={"checks": {"DO6.9": {"met": True, "note": "x"}}})
    path = folder_of(params) / "checks.yaml"
    p = one(problems_of(params), "DO6.9 放弃率 is computed from data")
    assert p.file == str(path) and p.row == line_containing(path, "DO6.9")


def test_checks_need_a_note(tmp_path):
    params = make_client(tmp_path, checks={"checks": {"SP1.1": {"met": True}}})
    path = folder_of(params) / "checks.yaml"
    p = one(problems_of(params), "required field is missing")
    assert p.field == "checks.SP1.1.note" and p.row == line_containing(path, "SP1.1")


def test_checks_valid_entry_is_loaded(tmp_path):
    params = make_client(tmp_path, checks={"checks": {"SP1.1": {"met": False, "note": "无规划"}}})
    check = load_engagement(params).checks["SP1.1"]
    assert (check.met, check.note) == (False, "无规划")


# ----------------------------------------------------------------------------- monthly sheet


def sheet_from(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_sheet(path)


def parse(
    tmp_path: Path,
    text: str,
    tccua: Framework,
    name: str = "monthly.csv",
    period: list[str] | None = MONTHS,
):
    sheet = sheet_from(tmp_path, name, text.encode("utf-8"))
    return parse_monthly(sheet, tccua, period)


def test_monthly_utf8_bom_and_gbk_read_identically(tmp_path, tccua):
    # Chinese headers, as a centre's system exports them.
    text = monthly_months_as_rows(
        headers={"offered_calls": "总来话量", "answered_contacts": "总应答数"}
    )
    encoded = {
        "utf8.csv": text.encode("utf-8"),
        "bom.csv": b"\xef\xbb\xbf" + text.encode(),
        "gbk.csv": text.encode("gbk"),
    }
    results = {}
    for name, data in encoded.items():
        sheet = sheet_from(tmp_path, name, data)
        inputs, problems = parse_monthly(sheet, tccua, MONTHS)
        assert problems == []
        results[name] = (sheet.encoding, inputs.values)
    assert [enc for enc, _ in results.values()] == ["utf-8", "utf-8-sig", "gb18030"]
    values = [v for _, v in results.values()]
    assert values[0] == values[1] == values[2]
    assert values[0]["2026-01"]["offered_calls"] == 10000
    assert values[0]["2026-06"]["answered_contacts"] == 9000


def test_monthly_both_layouts_give_identical_inputs(tmp_path, tccua):
    by_month, p1 = parse(tmp_path, monthly_months_as_rows(), tccua, "a.csv")
    by_input, p2 = parse(tmp_path, monthly_inputs_as_rows(), tccua, "b.csv")
    assert p1 == p2 == []
    assert by_month.values == by_input.values
    assert by_input.get("2026-02", "abandoned_calls") == MONTHLY["abandoned_calls"][1]
    assert len(by_input.values) == 6 and by_input.measures() == set(MONTHLY)


def test_monthly_xlsx_is_read_with_numbers_and_date_months(tmp_path, tccua):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["月份", *MONTHLY])
    for n, month in enumerate(MONTHS):
        year, mon = map(int, month.split("-"))
        # Excel turns "2026-01" into a date: the reader must accept it.
        ws.append([datetime(year, mon, 1), *(v[n] for v in MONTHLY.values())])
    path = tmp_path / "monthly.xlsx"
    wb.save(path)
    inputs, problems = parse_monthly(read_sheet(path), tccua, MONTHS)
    csv_inputs, _ = parse(tmp_path, monthly_months_as_rows(), tccua)
    assert problems == [] and inputs.values == csv_inputs.values


def test_monthly_unknown_column_and_unknown_row(tmp_path, tccua):
    text = monthly_months_as_rows().replace("月份,", "月份,colour,", 1)
    text = (
        "\n".join(
            line if n == 0 else line.replace(",", ",red,", 1)
            for n, line in enumerate(text.splitlines())
        )
        + "\n"
    )
    _, problems = parse(tmp_path, text, tccua)
    p = one(problems, "unknown input column 'colour'")
    assert (p.row, p.column) == (1, "colour")

    rows = monthly_inputs_as_rows() + "nonsense," + ",".join("1" * 6) + "\n"
    _, problems = parse(tmp_path, rows, tccua, "rows.csv")
    p = one(problems, "unknown input 'nonsense'")
    assert (p.row, p.column) == (len(MONTHLY) + 2, "A")


def test_monthly_non_number_cell_names_file_row_and_column(tmp_path, tccua):
    text = monthly_months_as_rows().replace("11000", "约一万", 1)
    _, problems = parse(tmp_path, text, tccua)
    p = one(problems, "expected a number, got '约一万'")
    # 2026-03 is the third data row (row 4 with the header); offered_calls is column B.
    assert p.file.endswith("monthly.csv") and p.row == 4 and p.column == "B (offered_calls)"
    assert str(p).startswith(f"{p.file}:4:B (offered_calls): offered_calls:")


def test_monthly_percent_sign_is_refused_with_a_hint(tmp_path, tccua):
    text = monthly_inputs_as_rows().replace("500,", "5%,", 1)
    _, problems = parse(tmp_path, text, tccua)
    assert "give 5, not 5%" in one(problems, "plain number").message


def test_monthly_negative_value(tmp_path, tccua):
    text = monthly_inputs_as_rows().replace(",300,", ",-300,", 1)
    _, problems = parse(tmp_path, text, tccua)
    p = one(problems, "negative value -300")
    assert p.row == 3 and p.column == "C (2026-02)"


def test_monthly_month_outside_the_period(tmp_path, tccua):
    text = monthly_months_as_rows() + "2026-07," + ",".join("1" * len(MONTHLY)) + "\n"
    inputs, problems = parse(tmp_path, text, tccua)
    p = one(problems, "month 2026-07 is outside the assessment period 2026-01..2026-06")
    assert p.row == 8
    assert "2026-07" not in inputs.values


def test_monthly_duplicate_month(tmp_path, tccua):
    lines = monthly_months_as_rows().splitlines()
    text = "\n".join([*lines, lines[2]]) + "\n"
    _, problems = parse(tmp_path, text, tccua)
    p = one(problems, "month 2026-02 appears twice (rows 3 and 8)")
    assert p.row == 8


def test_monthly_duplicate_input_row(tmp_path, tccua):
    lines = monthly_inputs_as_rows().splitlines()
    text = "\n".join([*lines, lines[1]]) + "\n"
    _, problems = parse(tmp_path, text, tccua)
    assert one(problems, "input offered_calls appears twice (rows 2 and").row == len(lines) + 1


def test_monthly_ambiguous_chinese_header_asks_for_the_code(tmp_path, tccua):
    # 客户提问总数 names the AI service's questions (CB2.1) and the bot's (MI2.6).
    shared = [m.code for m in tccua.measures if m.name == "客户提问总数"]
    assert len(shared) == 2
    text = "月份,客户提问总数\n2026-01,100\n"
    _, problems = parse(tmp_path, text, tccua)
    p = one(problems, "names 2 inputs")
    assert all(code in p.message for code in shared) and "客户提问总数（code）" in p.message
    # Writing it the suggested way resolves it.
    inputs, problems = parse(
        tmp_path, f"月份,客户提问总数（{shared[1]}）\n2026-01,100\n", tccua, "ok.csv"
    )
    assert problems == [] and inputs.get("2026-01", shared[1]) == 100


def test_monthly_problems_reach_load_engagement_all_at_once(tmp_path):
    text = monthly_months_as_rows().replace("11000", "x", 1).replace(",300,", ",-300,", 1)
    params = make_client(tmp_path, monthly_csv=text)
    problems = problems_of(params)
    assert {p.message.split(":")[0] for p in problems} >= {"offered_calls", "abandoned_calls"}
    assert all(p.file.endswith("monthly.csv") for p in problems)


def test_monthly_sheet_is_required(tmp_path):
    params = make_client(tmp_path)
    (folder_of(params) / "monthly.csv").unlink()
    p = one(problems_of(params), "no monthly.xlsx or monthly.csv")
    assert p.file == str(folder_of(params).resolve())


def test_monthly_sheet_without_values_is_a_fresh_template(tmp_path):
    params = make_client(
        tmp_path, monthly_csv="code," + ",".join(MONTHS) + "\noffered_calls" + "," * 6 + "\n"
    )
    p = one(problems_of(params), "no monthly values yet")
    assert p.file.endswith("monthly.csv")


# ----------------------------------------------------------------------------- claimed sheet

CLAIMED_HEAD = "指标代码,月份,声称值,来源\n"


def test_claimed_values_are_read(tmp_path):
    params = make_client(
        tmp_path, claimed_csv=CLAIMED_HEAD + "DO6.9,2026-01,5,月报\nDO6.9,全期,4,半年报\n"
    )
    claims = load_engagement(params).claims
    assert [(c.code, c.month, c.value, c.document) for c in claims] == [
        ("DO6.9", "2026-01", 5, "月报"),
        ("DO6.9", None, 4, "半年报"),
    ]


def test_claimed_unknown_indicator_bad_month_and_duplicate(tmp_path):
    params = make_client(
        tmp_path,
        claimed_csv=CLAIMED_HEAD + "XX1.1,2026-01,5,\n"
        "DO6.9,2026-13,5,\n"
        "DO6.9,2025-12,5,\n"
        "DO6.13,2026-02,80,\n"
        "DO6.13,2026-02,81,\n",
    )
    problems = problems_of(params)
    assert all(p.file.endswith("claimed.csv") for p in problems)
    assert one(problems, "unknown indicator 'XX1.1'").row == 2
    bad = [p for p in problems if "expected a month of the period" in p.message]
    assert [p.row for p in bad] == [3, 4] and "'2026-13'" in bad[0].message
    assert one(problems, "DO6.13 2026-02 is claimed twice").row == 6
    assert len(problems) == 4


# ----------------------------------------------------------------------------- ratings, params


def test_ratings_problems_surface_through_load_engagement(tmp_path):
    ratings = ratings_data()
    ratings["items"]["CB1"] = {"ratings": {"a.1": 7, "z": 3}}
    ratings["items"]["XX9"] = {"percent": 50, "note": "?"}
    params = make_client(tmp_path, ratings=ratings)
    path = folder_of(params) / "ratings.yaml"
    problems = problems_of(params)
    assert all(p.file == str(path) for p in problems)
    rating = one(problems, "rating must be a whole number 0-5")
    assert rating.field == "items.CB1.ratings.a.1" and rating.row == line_containing(path, "a.1:")
    assert one(problems, "no requirement 'z'").field == "items.CB1.ratings.z"
    assert one(problems, "no item 'XX9'").row == line_containing(path, "XX9:")


def test_ratings_with_nothing_rated_is_a_fresh_client(tmp_path):
    params = make_client(tmp_path, ratings={"framework": "t-ccua", "items": {}})
    p = one(problems_of(params), "no item is rated yet")
    assert p.file.endswith("ratings.yaml") and p.field == "items"


def test_params_pointing_at_a_missing_folder(tmp_path):
    params = make_client(tmp_path)
    params.write_text(dump({"client": "acme", "engagement": "nowhere"}), encoding="utf-8")
    with pytest.raises(CcuaError) as info:
        load_engagement(params)
    assert "engagement folder 'nowhere' not found" in str(info.value)
    assert info.value.problem.field == "engagement" and info.value.problem.file == str(params)


def test_params_problems_name_the_params_file(tmp_path):
    params = make_client(tmp_path)
    params.write_text("client: acme\nengagement: acme\nspeed: fast\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_engagement(params)
    (p,) = info.value.problems
    assert (p.file, p.row, p.field) == (str(params), 3, "speed")
    assert p.message == (
        "unknown key; expected one of benchmark, client, engagement, framework, lang, output, "
        "records, report, service_level_seconds, staffing, tolerance"
    )


def test_params_and_engagement_must_agree_on_the_framework(tmp_path):
    params = make_client(tmp_path)
    params.write_text(
        dump({"client": "acme", "engagement": "acme", "framework": "ccea-guideline"}),
        encoding="utf-8",
    )
    p = one(problems_of(params), "params say framework 'ccea-guideline'")
    assert p.file == str(params) and p.field == "framework"


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    data = engagement_data()
    data["background"]["seats"] = 0
    params = make_client(
        tmp_path,
        engagement=data,
        targets={"targets": {"XX1.1": 1}},
        monthly_csv=monthly_months_as_rows().replace("11000", "x", 1),
        ratings={"framework": "t-ccua", "items": {"SP1": {"percent": 120}}},
    )
    files = {Path(p.file).name.split("[")[0] for p in problems_of(params)}
    assert files == {"engagement.yaml", "targets.yaml", "monthly.csv", "ratings.yaml"}


# ----------------------------------------------------------------------------- default targets


def test_bundled_default_targets_load_and_respect_directions(tccua):
    defaults = default_targets(tccua)
    assert len(defaults) >= 10
    for code, target in defaults.items():
        ind = tccua.indicator(code)
        assert not ind.is_documentary and target.source == "default" and target.basis
        given = (target.min is not None, target.max is not None)
        assert (
            given
            == {"higher": (True, False), "lower": (False, True), "band": (True, True)}[
                ind.direction
            ]
        ), code
        bounds = [b for b in (target.min, target.max) if b is not None]
        assert all(b >= 0 for b in bounds), code
        if ind.unit == "percent" and ind.function != "ratio_percent":  # a share: 0..100
            assert all(b <= 100 for b in bounds), code


def test_bundled_defaults_pin_the_documented_sources(tccua):
    defaults = default_targets(tccua)
    # Seed 004 §3.1.18 (80/20), §3.1.22 (utilisation 80-90), §10.3.2 d) (60 s to an agent).
    assert (
        defaults["DO6.13"].min,
        defaults["DO6.1"].min,
        defaults["DO6.1"].max,
        defaults["CB1.3"].max,
    ) == (80, 80, 90, 60)
    assert "3.1.18" in defaults["DO6.13"].basis and "3.1.22" in defaults["DO6.1"].basis
    assert "10.3.2" in defaults["CB1.3"].basis and defaults["DO6.9"].max == 5


def test_every_computed_indicator_without_a_default_is_listed_in_the_file(tccua):
    text = default_targets_path(tccua).read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    named = set(re.findall(r"\b[A-Z]{2}\d\.\d+\b", comments))
    # Ranges such as "DO2.3-DO2.5" name every position between.
    for item, lo, hi in re.findall(r"\b([A-Z]{2}\d)\.(\d+)-[A-Z]{2}\d\.(\d+)\b", comments):
        named |= {f"{item}.{n}" for n in range(int(lo), int(hi) + 1)}
    defaults = default_targets(tccua)
    for ind in tccua.indicators:
        if ind.is_documentary:
            continue
        assert (ind.code in defaults) != (ind.code in named), (
            f"{ind.code} {ind.name}: give a default or say in the comments why there is none"
        )


def test_frameworks_without_the_file_have_no_defaults(tmp_path):
    root = write_framework(
        tmp_path / "fw",
        copy.deepcopy(MINI_HEAD),
        copy.deepcopy(MINI_ITEMS),
        copy.deepcopy(MINI_MEASURES),
    )
    assert default_targets(load_framework("mini", root), root) == {}


def mini_with_defaults(tmp_path: Path, body: dict) -> tuple[Framework, Path, Path]:
    items = copy.deepcopy(MINI_ITEMS)
    base = {"definition": "d", "formula_text": "f", "formula_latex": "", "unit": "percent"}
    items["B1"]["indicators"] += [
        {
            **base,
            "code": "B1.2",
            "name": "利用率",
            "name_en": "Utilisation",
            "function": "ratio_percent",
            "inputs": ["abandoned", "offered"],
            "direction": "band",
            "kind": "ratio",
        },
        {
            **base,
            "code": "B1.3",
            "name": "分流率",
            "name_en": "Share",
            "function": "share",
            "inputs": ["abandoned", "offered"],
            "direction": "none",
            "kind": "ratio",
        },
        {
            "code": "B1.4",
            "name": "目标",
            "name_en": "Goal",
            "definition": "d",
            "formula_text": "－",
            "formula_latex": "",
            "function": "documentary",
            "inputs": [],
            "direction": "none",
            "kind": "documentary",
        },
    ]
    root = write_framework(
        tmp_path / "fw", copy.deepcopy(MINI_HEAD), items, copy.deepcopy(MINI_MEASURES)
    )
    path = root / "mini" / DEFAULT_TARGETS_FILE
    path.write_text(yaml.safe_dump({"targets": body}, allow_unicode=True), encoding="utf-8")
    return load_framework("mini", root), root, path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ZZ1.1": {"max": 5, "basis": "b"}}, "no indicator 'ZZ1.1' in mini"),
        ({"B1.4": {"max": 5, "basis": "b"}}, "B1.4 is documentary"),
        ({"B1.2": {"min": 80, "basis": "b"}}, "is direction band: its default gives min and max"),
        ({"B1.2": 85}, "has direction band: give min and/or max"),
        ({"B1.1": {"min": 5, "basis": "b"}}, "is direction lower: its default gives max, not min"),
        ({"B1.3": {"min": 5, "basis": "b"}}, "has no direction (reported only)"),
        ({"B1.1": {"max": 5}}, "needs its basis"),
        ({"B1.1": {"max": 5, "basis": "b", "source": "centre"}}, "source: default, not 'centre'"),
    ],
)
def test_bad_default_targets_are_a_spec_error_naming_the_file(tmp_path, body, message):
    fw, root, path = mini_with_defaults(tmp_path, body)
    with pytest.raises(SpecError) as info:
        default_targets(fw, root)
    assert message in str(info.value)
    assert info.value.problem.file == str(path)


def test_several_bad_defaults_are_listed_together(tmp_path):
    fw, root, path = mini_with_defaults(
        tmp_path, {"ZZ1.1": {"max": 1, "basis": "b"}, "B1.4": {"max": 1, "basis": "b"}}
    )
    with pytest.raises(SpecError) as info:
        default_targets(fw, root)
    text = str(info.value)
    assert text.startswith(f"{path}: 2 problems") and "ZZ1.1" in text and "B1.4" in text


def test_good_mini_defaults_are_marked_default(tmp_path):
    fw, root, _ = mini_with_defaults(
        tmp_path,
        {"B1.1": {"max": 5, "basis": "惯例"}, "B1.2": {"min": 80, "max": 90, "basis": "惯例"}},
    )
    defaults = default_targets(fw, root)
    assert {c: (t.min, t.max, t.source) for c, t in defaults.items()} == {
        "B1.1": (None, 5, "default"),
        "B1.2": (80, 90, "default"),
    }


def test_the_documented_defaults_table_matches_the_file(tccua):
    doc = Path(__file__).resolve().parents[1] / "docs" / "engagement.md"
    rows = re.findall(r"(?m)^\| ([A-Z]{2}\d\.\d+) \| [^|]+ \| ([^|]+) \|", doc.read_text("utf-8"))
    documented = {}
    for code, cell in rows:
        numbers = [Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", cell)]
        if "-" in cell:
            documented[code] = (numbers[0], numbers[1])
        else:
            documented[code] = (numbers[0], None) if cell.startswith("min") else (None, numbers[0])
    assert documented == {c: (t.min, t.max) for c, t in default_targets(tccua).items()}


def test_the_engagement_reads_the_sheet_alone_and_lays_an_overlay_over_it(tmp_path):
    """ccua.engagement never reads the records itself (no cycle with ccua.records): the
    overlay it is given (ccua.inputs: the ingested records) is laid over the monthly sheet,
    with what it reads and the problems it finds."""
    from ccua.engagement import MonthlyInputs, Reading, read_engagement

    params = make_client(tmp_path)
    seen: list[Reading] = []

    def overlay(sheet: MonthlyInputs, reading: Reading) -> tuple[MonthlyInputs, list[str]]:
        seen.append(reading)
        reading.files["extra"] = reading.folder / "extra"
        reading.problems.append(Problem("from the overlay", file="extra"))
        laid = MonthlyInputs()
        laid.set(reading.months[0], "offered_calls", Fraction(7), origin="records")
        return laid, ["replaced"]

    alone, problems, _ = read_engagement(params, None)
    assert alone is not None and not problems and "extra" not in alone.files
    assert alone.inputs.get(MONTHS[0], "offered_calls") != Fraction(7)
    data, problems, _ = read_engagement(params, overlay)
    assert data is not None and [r.months for r in seen] == [MONTHS]
    assert [p.message for p in problems] == ["from the overlay"]
    assert data.warnings == ["replaced"] and list(data.files)[:4] == [
        "engagement",
        "targets",
        "monthly",
        "extra",
    ]
    assert data.inputs.get(MONTHS[0], "offered_calls") == Fraction(7)
