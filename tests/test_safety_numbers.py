"""Issue 11: numbers beyond the decimal context, dates in number cells, bad client names:
clear one-line errors naming the indicator, input, file, row and field; never a traceback."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from ccua._num import NotANumber, fmt, quantize, round_half_up, to_fraction
from ccua.demo import write_demo
from tests.cli import run


@pytest.mark.parametrize(
    "args, expected",
    [
        (["1e400", "1"], "input 'abandoned_calls'"),
        (["1", "1e400"], "input 'offered_calls'"),
        (["1e-400", "1"], "too small"),
        (["1" * 300, "1"], "characters"),
    ],
)
def test_kpi_calc_refuses_numbers_beyond_what_ccua_computes_with(args, expected, capsys):
    code, out, err = run(capsys, "kpi", "calc", "DO6.9", *args)
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.startswith("error: DO6.9 放弃率: input") and expected in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "kpi", "calc", "DO6.9", *args, "--json")
    assert code == 1 and "DO6.9" in json.loads(out)["error"]


def test_large_values_inside_the_bounds_are_exact(capsys):
    # 1e26 and up made decimal.quantize raise InvalidOperation: now exact.
    code, out, err = run(capsys, "kpi", "calc", "DO6.9", "1e30", "3e30")
    assert code == 0, err
    assert "33.333333%" in out
    code, out, _ = run(capsys, "kpi", "calc", "DO6.10", "3e40", "4e40", "--json")
    assert code == 0 and json.loads(out)["value"] == 75.0
    assert round_half_up(Fraction(10**45) + Fraction(1, 200)) == Decimal(f"{10**45}.01")
    assert fmt(Decimal("1e40")) == "1" + "0" * 40 + ".00"
    assert quantize(Decimal("123456789012345678901234567890.125")) == Decimal(
        "123456789012345678901234567890.13"
    )


def test_to_fraction_bounds():
    with pytest.raises(NotANumber, match="too large"):
        to_fraction(10**400)
    with pytest.raises(NotANumber, match="too large"):
        to_fraction(Decimal("1e999999999"))  # would be a billion-digit integer
    with pytest.raises(NotANumber, match="too small"):
        to_fraction("1e-999999999")
    with pytest.raises(NotANumber, match="significant digits"):
        to_fraction("0." + "1" * 70)
    assert to_fraction("1e49") == 10**49 and to_fraction("1.5e-20") == Fraction(15, 10**21)


def test_a_date_in_a_number_is_printed_as_the_date():
    with pytest.raises(NotANumber) as exc:
        to_fraction(datetime.datetime(2026, 1, 15))
    assert str(exc.value) == "expected a number, got the date 2026-01-15"
    with pytest.raises(NotANumber) as exc:
        to_fraction(datetime.date(2026, 1, 15))
    assert "datetime" not in str(exc.value) and "2026-01-15" in str(exc.value)


@pytest.fixture
def client(tmp_path: Path) -> Path:
    code = run_new(tmp_path)
    assert code == 0
    return tmp_path / "params" / "acme.yaml"


def run_new(tmp_path: Path) -> int:
    from ccua.scaffold import new_client

    new_client("acme", directory=tmp_path / "params", start="2026-01")
    return 0


def test_excel_date_in_the_monthly_sheet(client: Path, capsys):
    from openpyxl import load_workbook

    path = client.parent / "acme" / "monthly.xlsx"
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "offered_calls")
    ws.cell(row, 5).value = datetime.datetime(2026, 1, 15)
    ws.cell(row, 5).number_format = "yyyy-mm-dd"
    wb.save(path)
    code, out, err = run(capsys, "check", str(client))
    assert code == 1 and "Traceback" not in err
    line = next(t for t in out.splitlines() if "offered_calls" in t and "date" in t)
    assert "the date 2026-01-15" in line and "datetime" not in out
    assert "monthly.xlsx" in line and f":{row}:E" in line


def test_huge_target_is_a_clear_error(client: Path, capsys):
    targets = client.parent / "acme" / "targets.yaml"
    targets.write_text("targets:\n  DO6.9: {max: 1e400}\n", encoding="utf-8")
    code, out, err = run(capsys, "check", str(client))
    assert code == 1 and "Traceback" not in err
    line = next(t for t in out.splitlines() if "targets.yaml" in t)
    assert "targets.yaml:2: targets.DO6.9.max" in line and "too large" in line
    assert "Value error" not in line


def test_huge_value_in_the_monthly_sheet_through_check_and_run(tmp_path: Path, capsys):
    params = tmp_path / "params"
    write_demo(params)
    monthly = params / "demo" / "monthly.csv"
    lines = monthly.read_text(encoding="utf-8").splitlines()
    row = next(n for n, t in enumerate(lines) if ",offered_calls," in t)
    cells = lines[row].split(",")
    cells[4] = "1e400"
    lines[row] = ",".join(cells)
    monthly.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (["check"], ["run", "--no-notebooks", "-o", str(tmp_path / "r")]):
        code, out, err = run(capsys, command[0], str(params / "demo.yaml"), *command[1:])
        assert code == 1 and "Traceback" not in err and "InvalidOperation" not in out + err
        assert f"monthly.csv:{row + 1}:E" in out + err and "offered_calls" in out + err


def test_bad_client_name_in_a_params_file_in_plain_words(tmp_path: Path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("client: no good\nengagement: x\n", encoding="utf-8")
    for command in ("check", "run"):
        code, out, err = run(capsys, command, str(params))
        assert code == 1
        text = out + err
        assert "client: not allowed as a client name: use letters, digits and - _ ." in text
        assert "pattern" not in text and "[A-Za-z" not in text


def test_month_in_words_too(tmp_path: Path, capsys):
    from ccua.scaffold import new_client

    new_client("acme", directory=tmp_path / "params", start="2026-01")
    eng = tmp_path / "params" / "acme" / "engagement.yaml"
    text = eng.read_text(encoding="utf-8")
    eng.write_text(text.replace('start: "2026-01"', 'start: "2026-13"'), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(tmp_path / "params" / "acme.yaml"))
    assert code == 1 and "expected a month such as 2026-01 (got '2026-13')" in out


def test_a_yaml_date_in_a_text_field_is_printed_as_the_date(tmp_path: Path, capsys):
    from ccua.scaffold import new_client

    new_client("acme", directory=tmp_path / "params", start="2026-01")
    eng = tmp_path / "params" / "acme" / "engagement.yaml"
    lines = eng.read_text(encoding="utf-8").splitlines()
    lines = [
        ("  commissioned_by: 2026-11-01" if t.startswith("  commissioned_by:") else t)
        for t in lines
    ]
    eng.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(tmp_path / "params" / "acme.yaml"))
    line = next(t for t in out.splitlines() if "report.commissioned_by" in t)
    assert code == 1 and "(got the date 2026-11-01)" in line and "datetime" not in line
