"""Reading the files centres send: CSV (UTF-8, UTF-8 with BOM, GBK), Excel and Parquet.

A source is never modified: it is hashed and read. Its encoding is told from its first block
(UTF-8 with or without BOM, else GB18030); a later byte that is not UTF-8 is caught by DuckDB's
reader, and the ingest then reads the file as GB18030. CSV in GBK is transcoded, and Excel
converted, into a UTF-8 CSV in the ingest's staging folder first, because DuckDB reads UTF-8
CSV fastest and with the least memory. The dialect is pinned rather than sniffed (DuckDB's
sniffer can take a malformed last line for the header), and rows with the wrong number of
fields are set aside and reported by line instead of stopping the read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ccua._limits import MAX_RECORDS_EXCEL_BYTES, check_size
from ccua.errors import CcuaError
from ccua.records._schema import sql_literal as _q

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES
CHUNK = 1 << 20
ROW_COLUMN = "__ccua_row"


@dataclass
class SourceInfo:
    path: Path
    size: int
    format: str  # csv | excel | parquet
    encoding: str | None = None  # for CSV: utf-8, utf-8-sig or gb18030
    encoding_given: bool = False  # named by the mapping, not told from the bytes


@dataclass
class OpenSource:
    """A source ready for DuckDB: a FROM clause, its headers and how to number its rows."""

    relation: str  # what follows FROM
    headers: list[str]
    types: dict[str, str] = field(default_factory=dict)  # header -> DuckDB type
    row_expr: str | None = None  # a column giving the row number the user sees
    encoding: str | None = None
    csv_path: Path | None = None  # for CSV: the UTF-8 file DuckDB reads
    delimiter: str = ","

    @property
    def head(self) -> str:
        """The relation to read the first rows from: a CSV through a small read buffer (the
        default, 32 MB a thread, is read whole however few rows are wanted)."""
        if self.csv_path is None:
            return self.relation
        return _csv_relation(self.csv_path, self.types, self.delimiter, ", buffer_size = 4194304")

    def typed(self, types: dict[str, str]) -> OpenSource:
        """The same CSV with some columns parsed by the reader itself (much faster)."""
        assert self.csv_path is not None
        merged = {h: types.get(h, "VARCHAR") for h in self.headers}
        return OpenSource(
            _csv_relation(self.csv_path, merged, self.delimiter),
            self.headers,
            merged,
            self.row_expr,
            self.encoding,
            self.csv_path,
            self.delimiter,
        )


def inspect(path: Path, encoding: str | None = None) -> SourceInfo:
    """Format, size and (for CSV) the encoding, from the file's first block."""
    if not path.exists():
        raise CcuaError("file not found", file=str(path))
    if path.is_dir():
        raise CcuaError("is a folder; give the export files", file=str(path))
    fmt = _format(path)
    check_size(path, "records")
    if fmt == "excel":
        check_size(path, "records", limit=MAX_RECORDS_EXCEL_BYTES)
    size = path.stat().st_size
    if fmt != "csv":
        return SourceInfo(path, size, fmt)
    with path.open("rb") as fh:
        first = fh.read(CHUNK)
    if b"\x00" in first[:4096]:
        raise CcuaError(
            "the file contains NUL bytes: it looks like UTF-16 text, not a CSV "
            "in UTF-8 or GBK; save it as CSV UTF-8",
            file=str(path),
        )
    if encoding:
        return SourceInfo(path, size, fmt, {"gbk": "gb18030"}.get(encoding, encoding), True)
    if first.startswith(codecs.BOM_UTF8):
        return SourceInfo(path, size, fmt, "utf-8-sig")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=len(first) == size)
    except UnicodeDecodeError:
        return SourceInfo(path, size, fmt, "gb18030")
    return SourceInfo(path, size, fmt, "utf-8")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == ".xls":
        raise CcuaError(
            "old Excel .xls files are not supported; save as .xlsx or CSV", file=str(path)
        )
    raise CcuaError(
        f"expected a .csv, .xlsx or .parquet file, got {suffix or 'no extension'}", file=str(path)
    )


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def transcode_to_utf8(src: Path, encoding: str, out: Path) -> None:
    """Stream a GBK (GB18030) or other CSV into UTF-8."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with src.open("rb") as fin, out.open("wb") as fout:
            while chunk := fin.read(CHUNK):
                fout.write(decoder.decode(chunk).encode("utf-8"))
            fout.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CcuaError(
            f"cannot read the text: it is neither UTF-8 nor GBK (byte {exc.start} "
            "of a block); save it as CSV UTF-8",
            file=str(src),
        ) from None


def _csv_header(path: Path, encoding: str) -> tuple[list[str], str]:
    with path.open("r", encoding=encoding, newline="") as fh:
        sample = fh.read(65536)
    if not sample.strip():
        raise CcuaError("the file is empty", file=str(path))
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        first = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    except csv.Error as exc:
        why = "a stray line break (\\r) in it" if "new-line" in str(exc) else str(exc)
        raise CcuaError(
            f"cannot read the header row: {why}; save the file again as CSV UTF-8",
            file=str(path),
            row=1,
        ) from None
    headers = [h.strip().lstrip("\ufeff") for h in first]
    return headers, delimiter


def _csv_relation(path: Path, types: dict[str, str], delimiter: str, buffer: str = "") -> str:
    columns = "{" + ", ".join(f"{_q(h)}: {_q(t)}" for h, t in types.items()) + "}"
    return (
        f"read_csv({_q(str(path))}, header = true, auto_detect = false, "
        f"delim = {_q(delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        f"store_rejects = true, null_padding = false{buffer})"
    )


def open_csv(path: Path, encoding: str, display: Path | None = None) -> OpenSource:
    """A UTF-8 CSV as text columns; rows with the wrong number of fields go to rejects."""
    headers, delimiter = _csv_header(path, "utf-8-sig" if encoding == "utf-8-sig" else "utf-8")
    _check_headers(headers, display or path)
    types = {h: "VARCHAR" for h in headers}
    return OpenSource(
        _csv_relation(path, types, delimiter), headers, types, None, encoding, path, delimiter
    )


def _check_headers(headers: list[str], path: Path) -> None:
    seen: set[str] = set()
    for n, h in enumerate(headers):
        if not h:
            raise CcuaError(
                f"column {n + 1} has no header; every column needs one", file=str(path), row=1
            )
        if h in seen:
            raise CcuaError(f"header {h!r} appears twice", file=str(path), row=1)
        seen.add(h)


def open_parquet(con: object, path: Path) -> OpenSource:
    relation = f"read_parquet({_q(str(path))}, file_row_number = true)"
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()  # type: ignore[attr-defined]
    types = {r[0]: r[1] for r in described if r[0] != "file_row_number"}
    return OpenSource(relation, list(types), types, "file_row_number + 1")


def excel_to_csv(path: Path, out: Path, sheet: str | None) -> None:
    """An Excel sheet as a UTF-8 CSV with the sheet's row numbers in a first column."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise CcuaError("reading Excel needs openpyxl", file=str(path)) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise CcuaError(f"cannot open as Excel: {exc}", file=str(path)) from None
    try:
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
        except (KeyError, IndexError):
            raise CcuaError(
                f"no sheet {sheet!r}; sheets are {', '.join(wb.sheetnames)}", file=str(path)
            ) from None
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            header_done = False
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                    continue
                if not header_done:
                    while row and row[-1] is None:
                        row = row[:-1]
                    writer.writerow(
                        [ROW_COLUMN, *("" if v is None else str(v).strip() for v in row)]
                    )
                    header_done = True
                    continue
                writer.writerow([number, *(_cell(v) for v in row)])
            if not header_done:
                raise CcuaError("the sheet is empty", file=str(path))
    finally:
        wb.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    return str(value)
