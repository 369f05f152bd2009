"""Reading the spreadsheets clients send: CSV in UTF-8, UTF-8 with BOM or GBK, and Excel.

Every cell keeps its location (file, row number as the user sees it, column header and letter)
so that a bad value can be named precisely.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ccua.errors import CcuaError


@dataclass(frozen=True)
class Cell:
    value: object
    row: int          # 1-based, as a spreadsheet shows it (the header is row 1)
    column: str       # the header text
    letter: str       # A, B, ..., AA


@dataclass(frozen=True)
class Sheet:
    file: str
    encoding: str                     # utf-8, utf-8-sig, gb18030 or xlsx
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def where(self, cell: Cell) -> str:
        return f"{self.file}:{cell.row}:{cell.letter} ({cell.column})"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def decode_csv_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GBK (as its superset GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise CcuaError(f"cannot read the text: it is neither UTF-8 nor GBK (byte "
                        f"{exc.start}); save it as UTF-8 CSV", file=file) from None


def _from_rows(file: str, encoding: str, raw_rows: list[list[object]]) -> Sheet:
    # Skip leading blank rows, keep the header row number right.
    start = 0
    while start < len(raw_rows) and all(_blank(v) for v in raw_rows[start]):
        start += 1
    if start == len(raw_rows):
        raise CcuaError("the sheet is empty", file=file)
    header_row = raw_rows[start]
    headers = tuple("" if _blank(h) else str(h).strip() for h in header_row)
    while headers and headers[-1] == "":
        headers = headers[:-1]
    rows = []
    for offset, raw in enumerate(raw_rows[start + 1:], start=start + 2):
        if all(_blank(v) for v in raw):
            continue
        cells = tuple(Cell(raw[i] if i < len(raw) else None, offset, headers[i] or
                           column_letter(i), column_letter(i)) for i in range(len(headers)))
        extra = [v for v in raw[len(headers):] if not _blank(v)]
        if extra:
            raise CcuaError(f"row {offset} has {len(extra)} value(s) beyond the last header "
                            f"column {column_letter(len(headers) - 1)}", file=file, row=offset)
        rows.append(cells)
    return Sheet(file, encoding, headers, tuple(rows))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(path: str | Path, *, sheet: str | None = None) -> Sheet:
    """Read a CSV or Excel file into cells with locations."""
    p = Path(path)
    file = str(path)
    if not p.exists():
        raise CcuaError("file not found", file=file)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, file, sheet)
    if suffix == ".xls":
        raise CcuaError("old Excel .xls files are not supported; save as .xlsx or CSV", file=file)
    if suffix not in (".csv", ".txt", ".tsv"):
        raise CcuaError(f"expected a .csv or .xlsx file, got {suffix or 'no extension'}",
                        file=file)
    text, encoding = decode_csv_bytes(p.read_bytes(), file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if suffix == ".tsv" else ","
    try:
        raw_rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text),
                                                                     delimiter=delimiter)]
    except csv.Error as exc:
        raise CcuaError(f"not valid CSV: {exc}", file=file) from None
    return _from_rows(file, encoding, raw_rows)


def _read_xlsx(p: Path, file: str, sheet: str | None) -> Sheet:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise CcuaError("reading Excel needs openpyxl: pip install openpyxl", file=file) from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise CcuaError(f"cannot open as Excel: {exc}", file=file) from None
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
    except KeyError:
        raise CcuaError(f"no sheet {sheet!r}; sheets are {', '.join(wb.sheetnames)}",
                        file=file) from None
    raw_rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return _from_rows(f"{file}[{ws.title}]", "xlsx", raw_rows)
