"""The monthly sheet: what would be silently wrong is an error naming the file and the cell."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from ccua import _limits
from ccua.engagement import _tables
from ccua.engagement._monthly import parse_claims, parse_monthly
from ccua.engagement._tables import read_sheet
from ccua.errors import CcuaError, ValidationFailed
from ccua.inputs import load_engagement
from ccua.spec import load_framework

PARAMS = Path(__file__).resolve().parents[1] / "params"
MONTHS = [f"2026-0{m}" for m in range(1, 7)]
FW = load_framework("t-ccua")


def demo_rows() -> list[list[str]]:
    text = (PARAMS / "demo" / "monthly.csv").read_text(encoding="utf-8-sig")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def to_xlsx(path: Path, rows: list[list[str]]) -> tuple[openpyxl.Workbook, Path]:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append([int(v) if v.isdigit() else v for v in r])
    return wb, path


def parse(path: Path):
    return parse_monthly(read_sheet(path), FW, MONTHS)


def messages(problems) -> str:
    return "\n".join(str(p) for p in problems)


def test_the_demo_sheet_reads_without_problems_as_csv_and_xlsx(tmp_path):
    inputs, problems = parse(PARAMS / "demo" / "monthly.csv")
    assert problems == [] and inputs.months() == MONTHS
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.save(path)
    xinputs, xproblems = parse(path)
    assert xproblems == [] and xinputs.values == inputs.values


def test_a_month_column_given_twice_is_an_error_naming_both_columns(tmp_path):
    rows = demo_rows()
    for r in rows:
        r.append("2026-01" if r is rows[0] else "1")
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    text = messages(problems)
    assert "month 2026-01 has two columns (E '2026-01' and K '2026-01')" in text
    assert f"{tmp_path / 'monthly.csv'}:1:K" in text


def test_the_same_month_written_two_ways_is_two_columns(tmp_path):
    rows = demo_rows()
    for r in rows:
        r.append("2026年1月" if r is rows[0] else "1")
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    assert "month 2026-01 has two columns" in messages(problems)


def test_merged_header_cells_are_an_error_naming_the_range(tmp_path):
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.active.merge_cells("E1:F1")
    wb.save(path)
    with pytest.raises(CcuaError) as info:
        read_sheet(path)
    text = str(info.value)
    assert text.startswith(f"{path}[Sheet]:1: merged cells E1:F1") and "unmerge" in text


def test_merged_data_cells_are_an_error_too(tmp_path):
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.active.merge_cells("E3:E4")
    wb.save(path)
    with pytest.raises(CcuaError, match=r":3: merged cells E3:E4"):
        read_sheet(path)


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path):
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.active["G5"] = "=E5+F5"  # openpyxl saves no value: nothing calculated it
    wb.save(path)
    with pytest.raises(CcuaError) as info:
        read_sheet(path)
    text = str(info.value)
    assert f"{path}[Sheet]:5: cell G5 holds a formula (=E5+F5) with no value saved" in text


def test_a_formula_with_its_saved_value_is_read(tmp_path):
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.active["G5"] = "=E5+F5"
    wb.save(path)
    # What Excel does on saving: the formula keeps its calculated value next to it.
    import zipfile

    src = zipfile.ZipFile(path)
    out = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>E5+F5</f><v />" in data
                data = data.replace(b"<f>E5+F5</f><v />", b"<f>E5+F5</f><v>12345</v>")
            dst.writestr(item, data)
    inputs, problems = parse(out)
    assert problems == []
    assert inputs.get("2026-03", demo_rows()[4][1]) == 12345


def test_a_formula_whose_saved_value_is_empty_text_is_not_uncalculated(tmp_path):
    import zipfile

    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    wb.active["K1"] = '=IF(1,"","")'  # a formula column Excel calculated to ""
    wb.save(path)
    src = zipfile.ZipFile(path)
    out = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                old = b'<c r="K1"><f>IF(1,"","")</f><v /></c>'
                assert old in data
                data = data.replace(old, b'<c r="K1" t="str"><f>IF(1,"","")</f><v></v></c>')
            dst.writestr(item, data)
    _, problems = parse(out)
    assert problems == []


def test_monthly_xlsx_and_csv_both_present_is_an_error(tmp_path):
    shutil.copytree(PARAMS / "demo", tmp_path / "demo")
    shutil.copy(PARAMS / "demo.yaml", tmp_path / "demo.yaml")
    wb, path = to_xlsx(tmp_path / "demo" / "monthly.xlsx", demo_rows())
    wb.save(path)
    with pytest.raises(ValidationFailed) as info:
        load_engagement(tmp_path / "demo.yaml")
    assert "both monthly.xlsx and monthly.csv are here and only one would be read" in str(
        info.value
    )


def test_a_percent_formatted_count_cell_is_an_error(tmp_path):
    wb, path = to_xlsx(tmp_path / "monthly.xlsx", demo_rows())
    cell = wb.active["E2"]  # unjustified_incident_tickets, a count
    cell.value = 0.39
    cell.number_format = "0%"
    wb.save(path)
    _, problems = parse(path)
    [p] = problems
    assert (p.row, p.column) == (2, "E (2026-01)")
    assert "formatted as a percentage (39%)" in p.message and "a count" in p.message


def test_a_fractional_count_is_an_error(tmp_path):
    rows = demo_rows()
    rows[1][4] = "39.5"
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    [p] = problems
    assert "expected a whole number (a count), got 39.5" in p.message
    assert (p.row, p.column) == (2, "E (2026-01)")


def test_averaged_counts_and_durations_may_have_decimals(tmp_path):
    rows = demo_rows()
    i = next(n for n, r in enumerate(rows) if r[1] == "queue_time_total")
    rows[i][4] = "109640494.5"
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    assert problems == []
    fw = load_framework("ccea-guideline")  # calls handled per agent shift: a mean
    text = (PARAMS / "demo-guideline" / "monthly.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    _, problems = parse_monthly(read_sheet(path), fw, MONTHS)
    assert problems == []


@pytest.mark.timeout(10)
def test_an_absurd_exponent_is_refused_without_expanding_it(tmp_path):
    rows = demo_rows()
    rows[1][4] = "1e999999999"
    rows[2][4] = "2e20"
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    assert [p.row for p in problems] == [2, 3]
    assert all("not a plausible value" in p.message for p in problems)


def test_problems_are_capped_and_the_rest_counted(tmp_path):
    rows = [["月份", "offered_calls"]] + [[f"bad{n}", "x"] for n in range(1000)]
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    assert len(problems) == _limits.MAX_PROBLEMS + 1
    assert problems[-1].message.startswith("... and 800 more problems")


def test_a_sheet_beyond_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setitem(_limits.MAX_BYTES, "sheet", 1000)
    with pytest.raises(CcuaError, match="a sheet may be at most 1,000 bytes"):
        read_sheet(PARAMS / "demo" / "monthly.csv")


def test_rows_and_columns_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(_tables, "MAX_SHEET_ROWS", 10)
    with pytest.raises(CcuaError, match=r"more than 10 rows of data"):
        read_sheet(PARAMS / "demo" / "monthly.csv")
    monkeypatch.setattr(_tables, "MAX_SHEET_COLUMNS", 5)
    with pytest.raises(CcuaError, match=r"more than 5 columns"):
        read_sheet(PARAMS / "demo" / "monthly.csv")


def test_claims_percent_formatted_value_is_an_error(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标代码", "月份", "声称值"])
    ws.append(["DO6.10", "全期", 0.938])
    ws["C2"].number_format = "0.0%"
    wb.save(tmp_path / "claimed.xlsx")
    claims, problems = parse_claims(read_sheet(tmp_path / "claimed.xlsx"), FW, MONTHS)
    assert claims == [] and "formatted as a percentage (93.8%)" in problems[0].message


@pytest.mark.timeout(60)
def test_a_large_sheet_of_bad_rows_is_bounded_in_time_and_problems(tmp_path):
    """The issue's case, inside the limits: 9,000 bad rows give 201 problems, quickly."""
    import time

    rows = [["月份", *(m.code for m in FW.measures[:20])]]
    rows += [[f"2026-{n:05d}", *(["x"] * 20)] for n in range(9_000)]
    path = write_csv(tmp_path / "monthly.csv", rows)
    started = time.perf_counter()
    _, problems = parse(path)
    assert time.perf_counter() - started < 20
    assert len(problems) == _limits.MAX_PROBLEMS + 1
    assert problems[-1].message.startswith("... and 8,800 more problems")


def test_a_50_mb_sheet_is_refused_at_once(tmp_path):
    path = tmp_path / "monthly.csv"
    with path.open("wb") as fh:
        fh.write(b"month,offered_calls\n")
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(CcuaError, match="the file is 50 MB; a sheet may be at most 20 MB"):
        read_sheet(path)


def test_cells_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(_tables, "MAX_SHEET_CELLS", 50)
    with pytest.raises(CcuaError, match=r"more than 50 cells \(10 columns by 6 rows so far\)"):
        read_sheet(PARAMS / "demo" / "monthly.csv")


def test_a_capped_list_still_counts_every_problem(tmp_path):
    from ccua.errors import ValidationFailed, count_problems, error_dict

    rows = [["月份", "offered_calls"]] + [[f"bad{n}", "x"] for n in range(1000)]
    _, problems = parse(write_csv(tmp_path / "monthly.csv", rows))
    assert count_problems(problems) == 1000
    exc = ValidationFailed.of(problems, subject="client acme")
    assert str(exc).startswith("client acme: 1000 problems:")
    assert error_dict(exc)["problem_count"] == 1000
