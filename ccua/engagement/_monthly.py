"""Monthly indicator inputs and claimed values, from the sheets clients send.

Two layouts are read, whichever the client used:

- **inputs as rows** (our Excel template): one row per input, with its code and Chinese name
  in the first columns and one column per month (``2026-01`` …);
- **months as rows**: a ``月份`` (or ``month``) column and one column per input.

An input column or row is recognised by its code (``offered_calls``), its Chinese name when
that is unique (``总来话量``), or both (``总来话量（offered_calls）``). Every problem is
collected and reported at once with its file, row and column.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from ccua._limits import ProblemCap
from ccua._num import NotANumber, to_fraction
from ccua.engagement._models import month_text
from ccua.engagement._tables import Cell, Sheet, column_letter
from ccua.errors import Problem
from ccua.spec import Framework

MONTH_HEADERS = {"月份", "月", "month", "统计月份"}
CODE_HEADERS = {"code", "代码", "输入代码", "input", "measure"}
NAME_HEADERS = {"输入项", "名称", "name", "中文名称", "输入项名称"}
# fmt: off
IGNORED_HEADERS = {
    "指标", "指标代码", "indicator", "indicators", "单位", "unit", "备注", "note", "说明", "序号",
    "no", "no.",
}
# fmt: on
_CODE_IN_BRACKETS = re.compile(r"[（(]\s*([a-z][a-z0-9_]*)\s*[)）]\s*$")


@dataclass(frozen=True)
class Source:
    """Where a value came from, for messages: ``monthly.csv:5:C (总来话量)``."""

    file: str
    row: int
    column: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}"


@dataclass
class MonthlyInputs:
    """values[month][measure] = exact value; sources say where each came from."""

    values: dict[str, dict[str, Fraction]] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # measure -> "sheet" | "records"

    def months(self) -> list[str]:
        return sorted(self.values)

    def get(self, month: str, measure: str) -> Fraction | None:
        return self.values.get(month, {}).get(measure)

    def set(
        self,
        month: str,
        measure: str,
        value: Fraction,
        source: Source | None = None,
        origin: str = "sheet",
    ) -> None:
        self.values.setdefault(month, {})[measure] = value
        if source is not None:
            self.sources[(month, measure)] = source
        self.origin.setdefault(measure, origin)

    def measures(self) -> builtins.set[str]:  # `set` here is the method above
        return {m for row in self.values.values() for m in row}


def measure_resolver(framework: Framework):
    """A function from a header text to a measure code (or None)."""
    by_code = {m.code: m.code for m in framework.measures}
    names: dict[str, list[str]] = {}
    for m in framework.measures:
        names.setdefault(_norm(m.name), []).append(m.code)

    def resolve(header: str) -> tuple[str | None, str | None]:
        text = header.strip()
        if text in by_code:
            return text, None
        bracket = _CODE_IN_BRACKETS.search(text)
        if bracket and bracket.group(1) in by_code:
            return bracket.group(1), None
        codes = names.get(_norm(text))
        if codes and len(codes) == 1:
            return codes[0], None
        if codes:
            return None, (
                f"{text!r} names {len(codes)} inputs ({', '.join(codes)}); write it "
                f"as {text}（code）"
            )
        return None, None

    return resolve


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


#: No input of a half-year comes near this (contacts, seconds, yuan); beyond it is a typo.
MAX_VALUE = 10**15
_MAGNITUDE = re.compile(r"[eE]\s*\+?\s*(\d+)")


def _number(
    cell: Cell, sheet: Sheet, problems: list[Problem], what: str, unit: str | None = None
) -> Fraction | None:
    """The exact value of an input cell, or None (blank or a problem, which is recorded).

    ``unit`` is the input's unit: a count must be a whole number, and no input is a
    percentage, so a cell Excel formats as one is refused rather than read as a fraction.
    """
    if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
        return None
    column = f"{cell.letter} ({cell.column})"

    def refuse(message: str) -> None:
        problems.append(Problem(f"{what}: {message}", file=sheet.file, row=cell.row, column=column))

    if isinstance(cell.value, str):
        big = _MAGNITUDE.search(cell.value)
        if big and len(big.group(1)) > 3:  # 1e9999: refuse before expanding it
            refuse(
                f"{cell.value.strip()[:40]!r} is not a plausible value (at most {MAX_VALUE:.0e})"
            )
            return None
    try:
        value = to_fraction(cell.value)
    except NotANumber as exc:
        refuse(str(exc))
        return None
    if value < 0:
        refuse(f"negative value {cell.value}; inputs are counts and durations")
        return None
    if value > MAX_VALUE:
        refuse(f"{cell.value} is not a plausible value (at most {MAX_VALUE:.0e})")
        return None
    if "%" in cell.format and unit != "percent":
        shown = f"{float(value) * 100:g}%"
        refuse(
            f"the cell is formatted as a percentage ({shown}), so it holds "
            f"{float(value):g}; {_unit_words(unit)}: type the plain number and format the "
            "cell as a number"
        )
        return None
    if unit == "whole" and value.denominator != 1:
        refuse(f"expected a whole number (a count), got {cell.value}")
        return None
    return value


def _units(framework: Framework) -> dict[str, str]:
    """Each input's unit for :func:`_number`: ``whole`` for counts that must be whole numbers
    (flows and stocks; counts averaged over the period, such as calls per agent per shift,
    may have decimals)."""
    return {
        m.code: "whole" if m.unit == "count" and m.aggregation != "mean" else m.unit
        for m in framework.measures
    }


def _unit_words(unit: str | None) -> str:
    words = {
        "count": "a count",
        "whole": "a count",
        "seconds": "a duration in seconds",
        "minutes": "a duration in minutes",
        "hours": "a duration in hours",
        "days": "a number of days",
        "currency": "an amount of money",
    }
    if unit in words:
        return f"this input is {words[unit]}, not a percentage"
    return "a percentage is written as its number (85.5 for 85.5%)"


def _month(text: object) -> str | None:
    value = month_text(text)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return value
    return None


def parse_monthly(
    sheet: Sheet, framework: Framework, period: Iterable[str] | None = None
) -> tuple[MonthlyInputs, list[Problem]]:
    """Read a monthly-inputs sheet in either layout; return inputs and every problem.

    Problems beyond :data:`ccua._limits.MAX_PROBLEMS` are counted, not kept (one last line
    says how many more there were).
    """
    problems = ProblemCap(sheet.file)
    allowed = set(period) if period is not None else None
    read = _Reading(sheet, problems, measure_resolver(framework), _units(framework), allowed)
    heads = [h.strip() for h in sheet.headers]
    month_cols = _month_columns(read, heads)
    if month_cols:
        _inputs_as_rows(read, heads, month_cols)
    else:
        _months_as_rows(read, heads)
    return read.inputs, problems.close()


@dataclass
class _Reading:
    """One monthly sheet being read: where problems go, and what is read so far."""

    sheet: Sheet
    problems: ProblemCap
    resolve: Callable[[str], tuple[str | None, str | None]]
    units: dict[str, str]
    allowed: set[str] | None
    inputs: MonthlyInputs = field(default_factory=MonthlyInputs)

    def problem(self, message: str, row: int, column: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.sheet.file, row=row, column=column))

    def in_period(self, month: str, row: int, column: str) -> bool:
        if self.allowed is None or month in self.allowed:
            return True
        self.problem(
            f"month {month} is outside the assessment period "
            f"{min(self.allowed)}..{max(self.allowed)}",
            row,
            column,
        )
        return False

    def number(self, cell: Cell, code: str) -> Fraction | None:
        return _number(cell, self.sheet, self.problems, code, self.units.get(code))


def _month_columns(read: _Reading, heads: list[str]) -> dict[int, str]:
    """The columns headed by a month (inputs as rows), each month once."""
    sheet = read.sheet
    month_cols: dict[int, str] = {}
    month_at: dict[str, int] = {}
    for i, h in enumerate(heads):
        m = _month(h)
        if m is None:
            continue
        if m in month_at:
            first = month_at[m]
            read.problem(
                f"month {m} has two columns ({column_letter(first)} "
                f"{heads[first]!r} and {column_letter(i)} {h!r}): keep one",
                1,
                sheet.rows[0][i].letter if sheet.rows else column_letter(i),
            )
            continue
        month_at[m] = i
        month_cols[i] = m
    return month_cols


def _inputs_as_rows(read: _Reading, heads: list[str], month_cols: dict[int, str]) -> None:
    """Our template: one row per input, named by a code and/or name column."""
    sheet = read.sheet
    code_col = next((i for i, h in enumerate(heads) if h.lower() in CODE_HEADERS), None)
    name_col = next((i for i, h in enumerate(heads) if h.lower() in NAME_HEADERS), None)
    if code_col is None and name_col is None:
        read.problem(
            "inputs are in rows (months are columns) but no column names "
            "them: add a 'code' or '输入项' column",
            1,
        )
        return
    unexpected = [
        i
        for i, h in enumerate(heads)
        if i not in month_cols
        and i not in (code_col, name_col)
        and h
        and h.lower() not in IGNORED_HEADERS
    ]
    for i in unexpected:
        read.problem(
            f"unexpected column {heads[i]!r}: expected months like 2026-01",
            1,
            f"{sheet.rows[0][i].letter if sheet.rows else i}",
        )
    seen: dict[str, int] = {}
    for cells in sheet.rows:
        label_cell = cells[code_col] if code_col is not None else cells[name_col]  # type: ignore[index]
        code = _row_input(read, cells, label_cell, code_col, name_col, seen)
        if code is None:
            continue
        for i, col_month in month_cols.items():
            value = read.number(cells[i], code)
            if value is not None and read.in_period(col_month, cells[i].row, cells[i].letter):
                source = Source(sheet.file, cells[i].row, f"{cells[i].letter} ({col_month})")
                read.inputs.set(col_month, code, value, source)


def _row_input(
    read: _Reading,
    cells: Sequence[Cell],
    label_cell: Cell,
    code_col: int | None,
    name_col: int | None,
    seen: dict[str, int],
) -> str | None:
    """The input a row gives (by its code, else its name), once; None: a problem, noted."""
    label = str(label_cell.value or "").strip()
    code, why = read.resolve(label)
    if code is None and name_col is not None and code_col is not None:
        code, why = read.resolve(str(cells[name_col].value or ""))
    if code is None:
        read.problem(
            why or f"unknown input {label!r} (see the template: ccua new, or ccua kpi show CODE)",
            label_cell.row,
            label_cell.letter,
        )
        return None
    if code in seen:
        read.problem(
            f"input {code} appears twice (rows {seen[code]} and {label_cell.row})", label_cell.row
        )
        return None
    seen[code] = label_cell.row
    return code


def _months_as_rows(read: _Reading, heads: list[str]) -> None:
    """A 月份 column and one column per input."""
    sheet = read.sheet
    month_col = next((i for i, h in enumerate(heads) if h.lower() in MONTH_HEADERS), None)
    if month_col is None:
        read.problem("found neither month columns (2026-01 …) nor a 月份 column", 1)
        return
    columns = _input_columns(read, heads, month_col)
    seen_months: dict[str, int] = {}
    for cells in sheet.rows:
        mcell = cells[month_col]
        month = _month(mcell.value)
        if month is None:
            read.problem(
                f"expected a month like 2026-01, got {mcell.value!r}", mcell.row, mcell.column
            )
            continue
        if month in seen_months:
            read.problem(
                f"month {month} appears twice (rows {seen_months[month]} and {mcell.row})",
                mcell.row,
            )
            continue
        seen_months[month] = mcell.row
        if not read.in_period(month, mcell.row, mcell.column):
            continue
        for i, code in columns.items():
            value = read.number(cells[i], code)
            if value is not None:
                source = Source(sheet.file, cells[i].row, f"{cells[i].letter} ({cells[i].column})")
                read.inputs.set(month, code, value, source)


def _input_columns(read: _Reading, heads: list[str], month_col: int) -> dict[int, str]:
    """The columns naming an input (months as rows), each input once."""
    columns: dict[int, str] = {}
    for i, h in enumerate(heads):
        if i == month_col or not h or h.lower() in IGNORED_HEADERS:
            continue
        code, why = read.resolve(h)
        if code is None:
            read.problem(why or f"unknown input column {h!r}", 1, h)
        elif code in columns.values():
            read.problem(f"input {code} has two columns", 1, h)
        else:
            columns[i] = code
    return columns


@dataclass(frozen=True)
class Claim:
    code: str
    month: str | None  # None = the whole period
    value: Fraction
    source: Source
    document: str = ""


CLAIM_CODE = {"code", "指标代码", "indicator", "指标"}
CLAIM_MONTH = {"month", "月份", "period", "期间"}
CLAIM_VALUE = {"value", "声称值", "claimed", "报告值", "数值"}
CLAIM_DOC = {"source", "document", "来源", "出处"}


def parse_claims(
    sheet: Sheet, framework: Framework, period: Iterable[str]
) -> tuple[list[Claim], list[Problem]]:
    """Claimed values: one row per indicator and month (or 全期/period for the half-year)."""
    problems = ProblemCap(sheet.file)
    heads = [h.strip().lower() for h in sheet.headers]

    def problem(message: str, row: int, column: str | None = None) -> None:
        problems.append(Problem(message, file=sheet.file, row=row, column=column))

    def col(names: set[str], label: str) -> int | None:
        for i, h in enumerate(heads):
            if h in names:
                return i
        problem(f"no {label} column (expected one of {', '.join(sorted(names))})", 1)
        return None

    ci, mi, vi = col(CLAIM_CODE, "indicator"), col(CLAIM_MONTH, "month"), col(CLAIM_VALUE, "value")
    di = next((i for i, h in enumerate(heads) if h in CLAIM_DOC), None)
    if None in (ci, mi, vi):
        return [], problems.close()
    months = set(period)
    known = {i.code for i in framework.indicators}
    claims: list[Claim] = []
    seen: set[tuple[str, str | None]] = set()
    for cells in sheet.rows:
        code_cell, month_cell, value_cell = cells[ci], cells[mi], cells[vi]  # type: ignore[index]
        code = str(code_cell.value or "").strip()
        if code not in known:
            problem(f"unknown indicator {code!r}", code_cell.row, code_cell.column)
            continue
        raw_month = str(month_cell.value or "").strip()
        month: str | None
        if raw_month.lower() in ("period", "全期", "半年", "合计", "all"):
            month = None
        else:
            month = _month(month_cell.value)
            if month is None or month not in months:
                problem(
                    f"expected a month of the period ({min(months)}..{max(months)}) or 全期, "
                    f"got {month_cell.value!r}",
                    month_cell.row,
                    month_cell.column,
                )
                continue
        if (code, month) in seen:
            problem(f"{code} {month or '全期'} is claimed twice", code_cell.row)
            continue
        seen.add((code, month))
        value = _number(value_cell, sheet, problems, code)
        if value is None:
            if value_cell.value in (None, ""):
                problem("no value", value_cell.row, value_cell.column)
            continue
        document = str(cells[di].value or "").strip() if di is not None else ""
        source = Source(sheet.file, code_cell.row, value_cell.column)
        claims.append(Claim(code, month, value, source, document))
    return claims, problems.close()
