"""Reading the spreadsheets clients send: CSV in UTF-8, UTF-8 with BOM or GBK, and Excel.

Every cell keeps its location (file, row number as the user sees it, column header and letter)
so that a bad value can be named precisely.

Sheets are bounded (``ccua._limits``): the file size, the rows and the columns are checked while
reading, CSV row by row and Excel through openpyxl's streaming reader, so that no sheet can
take unbounded time or memory. What a sheet would make silently wrong is refused instead:
merged cells (only their first cell holds the value) and formulas Excel never calculated (the
file holds no value for them).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import iterparse

from ccua._limits import MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, check_size
from ccua.errors import CcuaError

#: Uncompressed size of an Excel file's parts: a small .xlsx may expand a thousandfold.
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024


@dataclass(frozen=True)
class Cell:
    value: object
    row: int  # 1-based, as a spreadsheet shows it (the header is row 1)
    column: str  # the header text
    letter: str  # A, B, ..., AA
    format: str = ""  # Excel's number format ("0.00%"), "" for CSV


@dataclass(frozen=True)
class Sheet:
    file: str
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
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
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = data[3 : 3 + exc.start].count(b"\n") + 1
            raise CcuaError(
                f"starts as UTF-8 (with a BOM) but byte {exc.start + 3} is not "
                "UTF-8; save the file again as CSV UTF-8",
                file=file,
                row=line,
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise CcuaError(
            f"cannot read the text: it is neither UTF-8 nor GBK (byte "
            f"{exc.start}); save it as UTF-8 CSV",
            file=file,
        ) from None


def _from_rows(
    file: str, encoding: str, raw_rows: Iterable[tuple[list[object], list[str]]]
) -> Sheet:
    """Cells from rows of values (and, for Excel, their number formats), read lazily.

    Leading blank rows are skipped, keeping the header row number right; blank rows are
    skipped; rows and columns are bounded.
    """
    headers: tuple[str, ...] | None = None
    rows: list[tuple[Cell, ...]] = []
    for number, (raw, fmts) in enumerate(raw_rows, start=1):
        if len(raw) > MAX_SHEET_COLUMNS and any(not _blank(v) for v in raw[MAX_SHEET_COLUMNS:]):
            raise CcuaError(
                f"row {number} has more than {MAX_SHEET_COLUMNS:,} columns, the most "
                "a sheet may have (see docs/limits.md)",
                file=file,
                row=number,
            )
        if all(_blank(v) for v in raw):
            continue
        if headers is None:
            heads = ["" if _blank(h) else str(h).strip() for h in raw]
            while heads and heads[-1] == "":
                heads.pop()
            headers = tuple(heads)
            continue
        if len(rows) >= MAX_SHEET_ROWS:
            raise CcuaError(
                f"more than {MAX_SHEET_ROWS:,} rows of data, the most a sheet may "
                "have (a monthly sheet has a row per input or per month; see "
                "docs/limits.md)",
                file=file,
                row=number,
            )
        if (len(rows) + 1) * len(headers) > MAX_SHEET_CELLS:
            raise CcuaError(
                f"more than {MAX_SHEET_CELLS:,} cells ({len(headers):,} columns "
                f"by {len(rows) + 1:,} rows so far), the most a sheet may have "
                "(see docs/limits.md)",
                file=file,
                row=number,
            )
        cells = tuple(
            Cell(
                raw[i] if i < len(raw) else None,
                number,
                headers[i] or column_letter(i),
                column_letter(i),
                fmts[i] if i < len(fmts) else "",
            )
            for i in range(len(headers))
        )
        extra = [v for v in raw[len(headers) :] if not _blank(v)]
        if extra:
            raise CcuaError(
                f"row {number} has {len(extra)} value(s) beyond the last header "
                f"column {column_letter(len(headers) - 1) if headers else 'A'}",
                file=file,
                row=number,
            )
        rows.append(cells)
    if headers is None:
        raise CcuaError("the sheet is empty", file=file)
    return Sheet(file, encoding, headers, tuple(rows))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(path: str | Path, *, sheet: str | None = None) -> Sheet:
    """Read a CSV or Excel file into cells with locations."""
    p = Path(path)
    file = str(path)
    if not p.exists():
        raise CcuaError("file not found", file=file)
    if p.is_dir():
        raise CcuaError("is a folder; expected a .csv or .xlsx file", file=file)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv"):
        check_size(p, "sheet", file=file)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, file, sheet)
    if suffix == ".xls":
        raise CcuaError("old Excel .xls files are not supported; save as .xlsx or CSV", file=file)
    if suffix not in (".csv", ".txt", ".tsv"):
        raise CcuaError(f"expected a .csv or .xlsx file, got {suffix or 'no extension'}", file=file)
    text, encoding = decode_csv_bytes(p.read_bytes(), file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if suffix == ".tsv" else ","
    if "\x00" in text:
        raise CcuaError(
            "holds NUL characters: not a text CSV file (save the sheet as CSV UTF-8)", file=file
        )

    def raw_rows() -> Iterator[tuple[list[object], list[str]]]:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for row in reader:
                yield list(row), []
        except csv.Error as exc:
            raise CcuaError(
                f"not valid CSV: {exc}", file=file, row=reader.line_num or None
            ) from None

    return _from_rows(file, encoding, raw_rows())


def _read_xlsx(p: Path, file: str, sheet: str | None) -> Sheet:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise CcuaError("reading Excel needs openpyxl: pip install openpyxl", file=file) from None
    try:
        with zipfile.ZipFile(p) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise CcuaError(f"cannot open as Excel: {exc}", file=file) from None
    if expanded > MAX_XLSX_UNCOMPRESSED:
        raise CcuaError(
            f"the workbook expands to {expanded / 1024 / 1024:,.0f} MB; a sheet may "
            f"be at most {MAX_XLSX_UNCOMPRESSED // 1024 // 1024} MB uncompressed "
            "(see docs/limits.md)",
            file=file,
        )
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise CcuaError(f"cannot open as Excel: {_one_line(exc)}", file=file) from None
    try:
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
        except (KeyError, IndexError):
            raise CcuaError(
                f"no sheet {sheet!r}; sheets are {', '.join(wb.sheetnames)}", file=file
            ) from None
        where = f"{file}[{ws.title}]"

        def rows() -> Iterator[tuple[list[object], list[str]]]:
            with warnings.catch_warnings():
                # openpyxl warns (on stderr) about a date cell beyond the calendar and reads
                # it as an error value, which the sheet's checks then name with its cell.
                warnings.simplefilter("ignore", UserWarning)
                for r in ws.iter_rows():
                    cells = list(r[: MAX_SHEET_COLUMNS + 1])
                    yield (
                        [c.value for c in cells],
                        [str(getattr(c, "number_format", "") or "") for c in cells],
                    )

        try:
            result = _from_rows(where, "xlsx", rows())
        except CcuaError:
            raise
        except Exception as exc:  # a damaged sheet part
            raise CcuaError(f"cannot read the sheet: {_one_line(exc)}", file=where) from None
        _check_cells(p, getattr(ws, "_worksheet_path", None), where)
        return result
    finally:
        wb.close()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


_REF = re.compile(r"([A-Z]+)(\d+)$")


def _check_cells(p: Path, part: str | None, where: str) -> None:
    """Refuse what openpyxl's values would silently get wrong: merged cells, and formulas
    with no value saved (a file written by a program, never opened and saved in Excel).

    One streaming pass over the sheet's XML; only the offending cells are kept.
    """
    if not part:
        return
    merged: list[str] = []
    uncached: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(p) as zf, zf.open(part.lstrip("/")) as fh:
            for _event, el in iterparse(fh, events=("end",)):
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "c":
                    formula = value = None
                    for child in el:
                        name = child.tag.rsplit("}", 1)[-1]
                        if name == "f":
                            formula = child.text or ""
                            if child.get("t") == "shared" and not formula:
                                formula = "(shared formula)"
                        elif name in ("v", "is"):
                            value = child
                    # A text result may be empty (=IF(A1="","",A1) saves t="str" and an
                    # empty <v>); an empty value of a number cell is what a program leaves.
                    has_value = value is not None and (
                        value.text not in (None, "")
                        or len(value) > 0
                        or el.get("t") in ("str", "s", "inlineStr")
                    )
                    if formula is not None and not has_value and len(uncached) < 10:
                        uncached.append((el.get("r", "?"), formula))
                    el.clear()
                elif tag == "mergeCell":
                    merged.append(el.get("ref", "?"))
                elif tag == "row":
                    el.clear()
    except (KeyError, zipfile.BadZipFile, OSError, SyntaxError) as exc:
        raise CcuaError(f"cannot read the sheet: {_one_line(exc)}", file=where) from None
    if merged:
        more = f" (and {len(merged) - 1} more)" if len(merged) > 1 else ""
        first = merged[0]
        row = _REF.match(first.split(":")[0])
        raise CcuaError(
            f"merged cells {first}{more}: only the first cell of a merge holds a "
            "value, so the others would read as blank; unmerge them and give "
            "every column its own header and every cell its own value",
            file=where,
            row=int(row.group(2)) if row else None,
        )
    if uncached:
        ref, formula = uncached[0]
        row = _REF.match(ref)
        more = f" (and {len(uncached) - 1} more)" if len(uncached) > 1 else ""
        raise CcuaError(
            f"cell {ref} holds a formula (={formula[:60]}) with no value saved"
            f"{more}: the file was written by a program and never calculated; "
            "open it in Excel or WPS, save it, and run again (or type the values)",
            file=where,
            row=int(row.group(2)) if row else None,
        )
