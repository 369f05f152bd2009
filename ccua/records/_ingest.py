"""Ingest: export files in, validated month-partitioned Parquet of canonical records out.

For each source file:

1. tell its encoding from its first block and start hashing it (SHA-256, alongside the rest);
   a file already ingested with the same content, kind and mapping is skipped (re-running is a
   no-op; only a file of an ingested one's size waits for its hash);
2. match its headers to the canonical columns through the mapping (or canonical headers);
   missing required columns are all reported before any row is read;
3. **check every row and write it in one DuckDB pass**: rows with personal data replaced by
   salted SHA-256 pseudonyms go as Parquet partitioned by month into a staging folder, rows that
   break a check into a partition of their own. Only a file with problems is read again, to
   count each kind of problem over the whole file and show the first ones as
   ``file:row:column: what was expected``; it is not ingested unless the caller asks to leave
   its bad rows out (the manifest records how many);
4. count repeated keys over the staged Parquet, then move the files into place and commit them
   in the manifest (:mod:`ccua.records._store`).

Raw values of personal columns are never printed, stored or echoed in a problem.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ccua.errors import CcuaError, Problem, ValidationFailed
from ccua.records._engine import default_memory_limit
from ccua.records._mapped import IDENTITY, Mapping
from ccua.records._schema import KINDS, Column, Kind
from ccua.records._schema import kind as kind_named
from ccua.records._schema import sql_literal as _q
from ccua.records._sources import (
    ROW_COLUMN,
    SUFFIXES,
    OpenSource,
    SourceInfo,
    excel_to_csv,
    file_sha256,
    inspect,
    open_csv,
    open_parquet,
    transcode_to_utf8,
)
from ccua.records._store import RecordsStore

Progress = Callable[[str, str, float | None], None]  # (file, stage, fraction or None)

SHOWN = 10
SAMPLE = 2000
BUILTIN_FORMATS = (
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M:%S.%f",
)
TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "对", "√")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "错", "×")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
# fmt: off
_NUMERIC = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL",
)
# fmt: on


@dataclass(eq=False)
class RecordsInvalid(ValidationFailed):
    """A source has problems: the first few are listed, all are counted."""

    total: int = 0
    bad_rows: int = 0
    rows: int = 0
    tally: tuple[tuple[str, int], ...] = ()

    def _summary(self) -> str:
        head = (
            f"{self.subject}: {self.total:,} problem{'s' if self.total != 1 else ''}"
            f" in {self.bad_rows:,} of {self.rows:,} rows"
        )
        lines = [head + ("; the first ones:" if self.problems else "")]
        lines += [f"  - {p}" for p in self.problems]
        if len(self.tally) > 1 or (self.tally and self.total > len(self.problems)):
            lines.append("  counted:")
            lines += [f"    {n:>10,}  {what}" for what, n in self.tally]
        return "\n".join(lines)


@dataclass
class IngestResult:
    """What happened to one source file."""

    file: str
    kind: str | None = None
    status: str = "failed"  # ingested | replaced | unchanged | failed
    rows: int = 0
    written: int = 0
    skipped: int = 0  # bad rows left out (skip_bad_rows)
    duplicates: int = 0  # rows left out as duplicate keys (dedupe)
    duplicates_within: int = 0  # ... repeating a key earlier in the same file
    duplicates_earlier: int = 0  # ... whose key an earlier ingest already holds
    problems: int = 0
    months: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: CcuaError | None = None


# --- choosing the kind and mapping of a file ---------------------------------------------


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; a folder stands for the export files directly inside it."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(
                f
                for f in p.iterdir()
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith(".")
            )
        else:
            out.append(p)
    return out


def mapping_for(path: Path, mappings: Sequence[Mapping]) -> Mapping:
    matching = [m for m in mappings if m.files and m.applies_to(path)]
    if len(matching) > 1:
        names = ", ".join(str(m.path) for m in matching)
        raise CcuaError(f"several mappings name this file: {names}", file=str(path))
    if matching:
        return matching[0]
    general = [m for m in mappings if not m.files]
    if len(general) > 1:
        raise CcuaError(
            "several mappings without files: patterns; say which files each is for", file=str(path)
        )
    return general[0] if general else IDENTITY


def detect_kind(headers: Sequence[str], path: Path) -> Kind:
    have = {h.strip().lower() for h in headers}
    fits = [k for k in KINDS.values() if set(k.required) <= have]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise CcuaError(
            "cannot tell which kind of records this is from its headers; give "
            "--kind and, for headers that are not canonical, --mapping",
            file=str(path),
        )
    raise CcuaError(
        f"the headers fit several kinds ({', '.join(k.name for k in fits)}); give --kind",
        file=str(path),
    )


# --- SQL ---------------------------------------------------------------------------------


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _list(values: Sequence[str]) -> str:
    return ", ".join(_q(v) for v in values)


@dataclass
class _Col:
    column: Column
    header: str | None  # export header, None when absent (default or NULL)
    raw: str | None  # SQL of the raw value (trimmed text or native), or None
    parsed: str  # SQL of the canonical value
    native: bool = False
    given: str = "NULL"  # SQL of the value as given (after the value map)
    exact: bool = False  # the source's own type is the canonical one: nothing left to parse


@dataclass
class _Rule:
    column: str  # canonical column
    header: str  # where to report it
    condition: str  # over the columns of the checked relation
    message: str
    echo: tuple[str, ...] = ()  # canonical columns whose raw values the message shows


@dataclass
class _Plan:
    kind: Kind
    cols: list[_Col]
    rules: list[_Rule]
    relation: str
    row_expr: str | None
    ignored: list[str]

    def checked(self) -> str:
        raws = [
            f"{c.raw} AS {_ident('r_' + c.column.name)}" for c in self.cols if c.raw is not None
        ]
        if self.row_expr:
            raws.append(f"{self.row_expr} AS __row")
        parsed = ", ".join(f"{c.parsed} AS {c.column.name}" for c in self.cols)
        rules = ", ".join(
            f"COALESCE({r.condition}, FALSE) AS b_{i}" for i, r in enumerate(self.rules)
        )
        return (
            f"WITH r AS (SELECT {', '.join(raws) or '1 AS one'} FROM {self.relation}), "
            f"p AS (SELECT r.*, {parsed} FROM r), "
            f"c AS (SELECT p.*{', ' + rules if rules else ''} FROM p)"
        )

    @property
    def any_bad(self) -> str:
        return " OR ".join(f"b_{i}" for i in range(len(self.rules))) or "FALSE"

    @property
    def row_number(self) -> str:
        """SQL of a row's number in the checked relation (in file order, see _in_file_order)."""
        return "__row" if self.row_expr else "row_number() OVER ()"


def _sql_type(col: Column) -> str:
    return col.sql_type.replace("STRING", "VARCHAR")


def _raw_text(header: str) -> str:
    return f"NULLIF(trim(CAST({_ident(header)} AS VARCHAR)), '')"


def _mapped(col: Column, raw: str, mapping: Mapping) -> str:
    table = mapping.values.get(col.name)
    if not table:
        return raw
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in table.items())
    return f"NULLIF(CASE {raw} {whens} ELSE {raw} END, '')"  # mapped to "": blank


def _parse(
    col: Column, raw: str, native_type: str | None, mapping: Mapping, with_offsets: bool
) -> tuple[str, str]:
    """SQL turning a raw value into the canonical type, and SQL of the value as given.

    The value as given is the raw value after the mapping's value map: a value mapped to ""
    counts as blank. A value given whose canonical value is NULL did not parse.
    """
    t = col.type
    nt = (native_type or "VARCHAR").upper()
    if nt != "VARCHAR":
        parsed: str | None = None
        if t == "timestamp" and nt.startswith(("TIMESTAMP", "DATE")):
            parsed = f"CAST({raw} AS TIMESTAMP)"
        elif t == "seconds" and nt.startswith(_NUMERIC):
            parsed = f"TRY_CAST({raw} AS DECIMAL(18,3))"
        elif t == "seconds" and nt == "INTERVAL":
            parsed = f"CAST(epoch({raw}) AS DECIMAL(18,3))"
        elif t == "bool" and nt == "BOOLEAN":
            parsed = raw
        elif t == "bool" and nt.startswith(_NUMERIC):
            parsed = f"({raw} <> 0)"
        elif t == "int" and nt.startswith(_NUMERIC):
            parsed = f"TRY_CAST({raw} AS BIGINT)"
        if parsed is not None:
            if col.blank is not None:
                parsed = f"COALESCE({parsed}, CAST({_q(col.blank)} AS {_sql_type(col)}))"
            return parsed, raw
        raw = f"NULLIF(trim(CAST({raw} AS VARCHAR)), '')"
    given = _mapped(col, raw, mapping)
    value = given
    if col.blank is not None:
        value = f"COALESCE({value}, {_q(col.blank)})"
    if t == "timestamp":
        formats = _list([*mapping.datetime_formats, *BUILTIN_FORMATS])
        first = (
            f"CAST(TRY_CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP)"
            if with_offsets
            else f"TRY_CAST({value} AS TIMESTAMP)"
        )
        return (f"COALESCE({first}, CAST(try_strptime({value}, [{formats}]) AS TIMESTAMP))", given)
    if t == "seconds":
        return (
            f"COALESCE(TRY_CAST({value} AS DECIMAL(18,3)), "
            f"TRY_CAST(epoch(TRY_CAST({value} AS INTERVAL)) AS DECIMAL(18,3)))"
        ), given
    if t == "bool":
        whens = [f"WHEN {_q(w)} THEN TRUE" for w in TRUE_WORDS]
        whens += [f"WHEN {_q(w)} THEN FALSE" for w in FALSE_WORDS]
        return f"(CASE lower({value}) {' '.join(whens)} END)", given
    if t == "int":
        return f"TRY_CAST({value} AS BIGINT)", given
    if t == "enum":
        return f"lower({value})", given
    if t == "personal":
        if col.name == "caller_number":
            value = f"NULLIF(regexp_replace({value}, '[^0-9]', '', 'g'), '')"
        return (
            f"CAST(('0x' || substr(sha256(getvariable('ccua_salt') || {value}), 1, 15)) AS BIGINT)"
        ), given
    return value, given


EXPECTED = {
    "timestamp": "expected a time such as 2026-01-05 09:13:22 (other layouts go under the "
    "mapping's datetime_formats)",
    "seconds": "expected a duration in seconds (125 or 125.5) or as H:MM:SS",
    "bool": "expected true or false (是/否, 1/0); map other values under the mapping's values",
    "int": "expected a whole number",
}


def plan(
    kind: Kind, mapping: Mapping, source: OpenSource, path: Path, offsets: set[str] | None = None
) -> _Plan:
    """Match headers to columns and build the checks; report every missing column at once."""
    cols, used = _match_columns(kind, mapping, source, path, offsets or set())
    rules = [r for c in cols if c.raw is not None for r in _value_rules(c)]
    rules += _kind_rules(kind, cols)
    ignored = [h for h in source.headers if h not in used and h != ROW_COLUMN]
    return _Plan(kind, cols, rules, source.relation, source.row_expr, ignored)


def _match_columns(
    kind: Kind, mapping: Mapping, source: OpenSource, path: Path, offsets: set[str]
) -> tuple[list[_Col], set[str]]:
    """Each canonical column from its header, the mapping's constant, or its default."""
    by_header = {h: h for h in source.headers}
    if mapping is IDENTITY:  # canonical exports: headers match whatever their case
        by_header = {h.strip().lower(): h for h in source.headers}
    problems: list[Problem] = []
    cols: list[_Col] = []
    used: set[str] = set()
    for col in kind.columns:
        wanted = mapping.header_for(col.name)
        header = by_header.get(wanted if mapping is not IDENTITY else wanted.lower())
        if header is None and col.name in mapping.constants:
            parsed, _ = _parse(col, _q(mapping.constants[col.name]), None, mapping, False)
            cols.append(_Col(col, None, None, parsed))
        elif header is None:
            missing = _missing(col, col.name in mapping.columns, wanted, source, path)
            problems += [missing] if missing else []
            default = _q(col.default) if col.default is not None else "NULL"
            cols.append(_Col(col, None, None, f"CAST({default} AS {_sql_type(col)})"))
        else:
            used.add(header)
            native = source.types.get(header, "VARCHAR").upper() != "VARCHAR"
            raw = _ident(header) if native else _raw_text(header)
            parsed, given = _parse(
                col, _ident("r_" + col.name), source.types.get(header), mapping, col.name in offsets
            )
            exact = NATIVE_TYPES.get(col.type) == source.types.get(header, "").upper()
            cols.append(_Col(col, header, raw, parsed, native, given, exact))
    if problems:
        raise ValidationFailed.of(
            problems, subject=f"{path}: cannot read it as {kind.name} records"
        )
    return cols, used


def _missing(
    col: Column, explicit: bool, wanted: str, source: OpenSource, path: Path
) -> Problem | None:
    """The problem of a column without a header: mapped but absent, or required."""
    if explicit:
        return Problem(
            f"missing column {wanted!r} (mapped to {col.name}); the "
            f"file's headers are {', '.join(source.headers)}",
            file=str(path),
            row=1,
        )
    if col.required and col.default is None:
        return Problem(
            f"missing column {col.name} ({col.description}); map the export's header "
            f"to it under columns: in a mapping file",
            file=str(path),
            row=1,
        )
    return None


def _value_rules(c: _Col) -> list[_Rule]:
    """The checks of one column's own values: type, allowed values, blank, range."""
    col = c.column
    where = c.header or col.name
    label = "" if where == col.name else f"{col.name}: "
    rules = []
    if col.type in EXPECTED and not c.exact:  # (an exact type was checked by the reader)
        cond = f"{c.given} IS NOT NULL AND {col.name} IS NULL"
        rules.append(_Rule(col.name, where, cond, label + EXPECTED[col.type], (col.name,)))
    if col.type == "enum":
        message = (
            f"expected one of {', '.join(col.values)}; map other values under the mapping's values"
        )
        cond = f"{col.name} NOT IN ({_list(col.values)})"
        rules.append(_Rule(col.name, where, cond, label + message, (col.name,)))
    if not col.nullable and col.blank is None:
        message = label + "is blank; every record needs it"
        rules.append(_Rule(col.name, where, f"{c.given} IS NULL", message))
    if col.minimum is not None or col.maximum is not None:
        lo = col.minimum if col.minimum is not None else "-inf"
        hi = col.maximum if col.maximum is not None else "inf"
        conds = [f"{col.name} < {col.minimum}"] if col.minimum is not None else []
        conds += [f"{col.name} > {col.maximum}"] if col.maximum is not None else []
        message = label + f"expected a number from {lo} to {hi}"
        rules.append(_Rule(col.name, where, " OR ".join(conds), message, (col.name,)))
    return rules


def _kind_rules(kind: Kind, cols: list[_Col]) -> list[_Rule]:
    """The kind's checks across columns, for those whose columns the file has."""
    present = {c.column.name for c in cols if c.raw is not None or c.header is None}
    headers = {c.column.name: c.header for c in cols if c.header}
    rules = []
    for check in kind.checks:
        names = [n for n in kind.names if re.search(rf"\b{n}\b", check.condition)]
        if not all(n in present for n in names):
            continue
        header = headers.get(check.column, check.column)
        label = "" if header == check.column else f"{check.column}: "
        echo = tuple(n for n in names if kind.column(n).type != "personal")
        rules.append(_Rule(check.column, header, check.condition, label + check.message, echo))
    return rules


# --- running -----------------------------------------------------------------------------


def _connect(timezone: str, temp: Path) -> Any:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = {_q(default_memory_limit())}")
    con.execute(f"SET temp_directory = {_q(str(temp))}")
    con.execute(f"SET TimeZone = {_q(timezone)}")
    return con


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """``work()`` running in a daemon thread; its ``value`` or its ``error`` lands in the box."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    return worker, box


def _execute(
    con: Any, sql: str, on_progress: Callable[[float | None], None] | None = None
) -> list[tuple[Any, ...]]:
    """Run a query; report DuckDB's progress from here while it runs in a worker thread."""
    import duckdb

    worker, box = _in_thread(lambda: con.execute(sql).fetchall())
    try:
        while worker.is_alive():
            worker.join(0.25)
            if on_progress is not None:
                with_progress = con.query_progress()
                on_progress(with_progress / 100 if with_progress >= 0 else None)
    except KeyboardInterrupt:
        con.interrupt()
        worker.join()
        raise
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, duckdb.InterruptException):
            raise KeyboardInterrupt from None
        if isinstance(exc, duckdb.Error):
            raise CcuaError(f"cannot read the records: {str(exc).splitlines()[0]}") from None
        raise exc
    return box["value"]


def _open(info: SourceInfo, mapping: Mapping, staging: Path, con: Any) -> OpenSource:
    if info.format == "parquet":
        return open_parquet(con, info.path)
    if info.format == "excel":
        converted = staging / "source.csv"
        excel_to_csv(info.path, converted, mapping.sheet)
        source = open_csv(converted, "utf-8", info.path)
        source.row_expr = f"TRY_CAST({_ident(ROW_COLUMN)} AS BIGINT)"
        return source
    assert info.encoding is not None
    if info.encoding in ("utf-8", "utf-8-sig"):
        return open_csv(info.path, info.encoding)
    converted = staging / "source.csv"
    transcode_to_utf8(info.path, info.encoding, converted)
    return open_csv(converted, "utf-8", info.path)


def _in_file_order(con: Any) -> None:
    """Rows in file order, for their numbers: one thread, insertion order kept."""
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _file_row(p: _Plan, n: int, rejected: list[int]) -> int:
    """The row a user sees of the checked relation's ``n``-th row (the header is row 1; lines the
    reader set aside are not numbered by row_number)."""
    if p.row_expr:
        return n
    row = n + 1
    for line in rejected:  # sorted
        if line <= row:
            row += 1
    return row


def _examples(
    con: Any, p: _Plan, label: str, rejects: list[tuple[int, str]], limit: int
) -> list[Problem]:
    """The first problems in file order, with the row number the user sees."""
    raw_cols = [c.column.name for c in p.cols if c.raw is not None and c.column.type != "personal"]
    flags = ", ".join(f"b_{i}" for i in range(len(p.rules)))
    select = ", ".join([*(_ident("r_" + n) for n in raw_cols), flags])
    _in_file_order(con)
    found = con.execute(
        f"{p.checked()} SELECT * FROM (SELECT {p.row_number} AS n, {select} FROM c) "
        f"WHERE {p.any_bad} ORDER BY n LIMIT {limit}"
    ).fetchall()
    rejected_lines = sorted(line for line, _ in rejects)
    problems = [Problem(msg, file=label, row=line) for line, msg in rejects[:limit]]
    for record in found:
        n = int(record[0])
        values = dict(zip(raw_cols, record[1 : 1 + len(raw_cols)], strict=True))
        flags_set = record[1 + len(raw_cols) :]
        shown_row = _file_row(p, n, rejected_lines)
        for rule, broken in zip(p.rules, flags_set, strict=True):
            if not broken:
                continue
            shown = ", ".join(
                f"{n_}={_show(values[n_])}" if len(rule.echo) > 1 else f"got {_show(values[n_])}"
                for n_ in rule.echo
                if values.get(n_) is not None
            )
            if not shown and rule.echo:
                shown = "got a blank"
            problems.append(
                Problem(
                    rule.message + (f" ({shown})" if shown else ""),
                    file=label,
                    row=shown_row,
                    column=rule.header,
                )
            )
    problems.sort(key=lambda q: q.row or 0)
    return problems[:limit]


NATIVE_TYPES = {
    "timestamp": "TIMESTAMP",
    "seconds": "DECIMAL(18,3)",
    "bool": "BOOLEAN",
    "int": "BIGINT",
}


def _header_of(col: Column, source: OpenSource, mapping: Mapping) -> str | None:
    if mapping is IDENTITY:
        return next((h for h in source.headers if h.strip().lower() == col.name), None)
    header = mapping.header_for(col.name)
    return header if header in source.headers else None


def _sampled(
    con: Any, source: OpenSource, kind: Kind, mapping: Mapping, fast: bool
) -> tuple[set[str], dict[str, str]]:
    """What the first rows tell: timestamp columns with UTC offsets, columns the reader parses.

    Offsets: a timestamp column whose first ``SAMPLE`` values (blanks aside) include one with a
    UTC offset is read with its zone. Native: with ``fast``, a text column of a CSV whose first
    ``SAMPLE`` rows all parse as its type, that needs no value map and carries no offsets, is
    parsed by the CSV reader itself, several times faster than parsing text in SQL (a later
    value that does not parse is caught and the file is checked again the exact way). The
    first rows are read once, into a table.
    """
    text = {
        col.name: h
        for col in kind.columns
        if (h := _header_of(col, source, mapping)) and source.types.get(h, "VARCHAR") == "VARCHAR"
    }
    stamps = [n for n in text if kind.column(n).type == "timestamp"]
    natives = [n for n in text if kind.column(n).type in NATIVE_TYPES and n not in mapping.values]
    if not stamps and not (fast and natives and source.csv_path is not None):
        return set(), {}
    cols = ", ".join(f"{_raw_text(h)} AS {_ident(n)}" for n, h in text.items())
    limit = 5 * SAMPLE
    con.execute(f"CREATE TEMP TABLE ccua_sample AS SELECT {cols} FROM {source.head} LIMIT {limit}")
    whole = con.execute("SELECT count(*) FROM ccua_sample").fetchone()[0] < limit
    offsets = {n for n in stamps if _has_offsets(con, source, n, text[n], whole)}
    if not fast or source.csv_path is None:
        return offsets, {}
    natives = [n for n in natives if n not in offsets]
    if not natives:
        return offsets, {}
    bad = con.execute(
        "SELECT "
        + ", ".join(
            f"count_if({_ident(n)} IS NOT NULL AND TRY_CAST({_ident(n)} AS "
            f"{NATIVE_TYPES[kind.column(n).type]}) IS NULL)"
            for n in natives
        )
        + f" FROM (SELECT * FROM ccua_sample LIMIT {SAMPLE})"
    ).fetchone()
    native = {
        text[n]: NATIVE_TYPES[kind.column(n).type]
        for n, b in zip(natives, bad, strict=True)
        if b == 0
    }
    return offsets, native


def _has_offsets(con: Any, source: OpenSource, name: str, header: str, whole: bool) -> bool:
    values = con.execute(
        f"SELECT {_ident(name)} FROM ccua_sample WHERE {_ident(name)} IS NOT NULL LIMIT {SAMPLE}"
    ).fetchall()
    if len(values) < SAMPLE and not whole:  # a sparse column: look further, in the file
        values = con.execute(
            f"SELECT {_raw_text(header)} AS v FROM {source.relation} "
            f"WHERE v IS NOT NULL LIMIT {SAMPLE}"
        ).fetchall()
    return any(_OFFSET.search(v) and len(v) > 10 for (v,) in values)


BAD = "__bad"  # the partition a pass writes the rows that break a check into


@dataclass
class _Pass:
    """One pass over a source: every row checked, written to ``out`` by month."""

    con: Any
    plan: _Plan
    out: Path
    rows: int  # rows the reader produced
    bad_rows: int  # ... of which break a check (in the partition BAD)
    rejects: list[tuple[int, str]]  # lines the reader set aside (wrong number of fields)
    cast_rejects: int  # values the reader's own parsers refused
    not_utf8: bool  # the reader met bytes that are not UTF-8


def _copy_sql(p: _Plan, out: Path, month: str, ctes: str = "", rows: str = "c") -> str:
    """COPY of the checked relation's rows (or of ``rows``, defined in ``ctes``) by month."""
    columns = ", ".join(
        f"CAST({c.column.name} AS {_sql_type(c.column)}) AS {c.column.name}" for c in p.cols
    )
    with_ctes = f"{p.checked()}{', ' + ctes if ctes else ''}"
    # Smaller row groups keep the six open partitions within the memory cap.
    return (
        f"COPY ({with_ctes} SELECT {columns}, {month} AS month FROM {rows}) TO {_q(str(out))} "
        "(FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part_{i}', ROW_GROUP_SIZE 61440)"
    )


def _months(con: Any, out: Path) -> dict[str, int]:
    """Rows written per month partition (from the Parquet footers)."""
    if not any(out.glob("month=*/*.parquet")):
        return {}
    return {
        str(month): int(n)
        for month, n in con.execute(
            f"SELECT month, count(*) FROM read_parquet({_q(str(out))} || '/*/*.parquet', "
            "hive_partitioning = true, hive_types = {'month': VARCHAR}) "
            "GROUP BY month ORDER BY month"
        ).fetchall()
    }


def _write_pass(
    info: SourceInfo,
    mapping: Mapping,
    staging: Path,
    kind: str | None,
    salt: str,
    fast: bool,
    say: Callable[[float | None], None],
) -> _Pass:
    """Read, check, pseudonymise and write every row in one DuckDB pass.

    Rows that pass every check go to their month's partition; rows that break one go to the
    partition BAD, which the caller counts, explains and drops.
    """
    con = _connect(mapping.timezone, staging)
    try:
        source = _open(info, mapping, staging, con)
        k = kind_named(kind) if kind else detect_kind(source.headers, info.path)
        offsets, native = _sampled(con, source, k, mapping, fast)
        p = plan(k, mapping, source.typed(native) if native else source, info.path, offsets)
        con.execute("SET VARIABLE ccua_salt = ?", [salt])
        con.execute("SET preserve_insertion_order = false")
        out = staging / "out"
        month = f"CASE WHEN {p.any_bad} THEN '{BAD}' ELSE strftime({k.month_by}, '%Y-%m') END"
        _execute(con, _copy_sql(p, out, month), say)
        months = _months(con, out)
        rejects, cast_rejects, not_utf8 = _rejects(con)
        rows, bad = sum(months.values()), months.get(BAD, 0)
        return _Pass(con, p, out, rows, bad, rejects, cast_rejects, not_utf8)
    except BaseException as exc:
        con.close()
        import duckdb

        if isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.InterruptException):
            # A file DuckDB's reader refuses outright (inconsistent quotes or line ends, a
            # damaged Parquet file): one line, not DuckDB's page of options.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CcuaError(
                f"cannot read the records: {first}",
                file=str(info.path),
                hint="are its quotes and line ends consistent? save it again as CSV UTF-8",
            ) from None
        raise


def _write_checked(
    info: SourceInfo,
    mapping: Mapping,
    staging: Path,
    kind: str | None,
    salt: str,
    say: Callable[[float | None], None],
) -> _Pass:
    """The pass, again when it met what its first guesses did not foresee."""
    fast = True
    while True:
        done = _write_pass(info, mapping, staging, kind, salt, fast, say)
        if done.not_utf8 and not info.encoding_given and info.encoding == "utf-8":
            info.encoding = "gb18030"  # a byte past the first block is not UTF-8: GBK
        elif done.cast_rejects and fast:
            fast = False  # the exact parsers accept more layouts and name every problem
        else:
            return done
        done.con.close()
        shutil.rmtree(done.out, ignore_errors=True)


def _count_problems(done: _Pass, o: _Options, label: str) -> tuple[int, int]:
    """A source with problems: each counted (one more pass); refused, or its bad rows dropped.

    Returns (problems, rows left out).
    """
    con, p, rejects = done.con, done.plan, done.rejects
    counts = ", ".join(f"count_if(b_{i})" for i in range(len(p.rules)))
    counting = lambda f: o.say(label, "counting", f)  # noqa: E731
    row = _execute(con, f"{p.checked()} SELECT {counts or '0'} FROM c", counting)[0]
    per_rule = [int(x or 0) for x in row] if counts else []
    total = sum(per_rule) + len(rejects)
    if not o.skip_bad_rows:
        tally: dict[str, int] = {}
        for rule, n in zip(p.rules, per_rule, strict=True):
            if n:
                what = f"{rule.header}: {rule.message.split(';')[0]}"
                tally[what] = tally.get(what, 0) + n
        if rejects:
            tally["rows with the wrong number of fields"] = len(rejects)
        raise RecordsInvalid(
            problems=_examples(con, p, label, rejects, o.shown),
            subject=label,
            total=total,
            bad_rows=done.bad_rows + len(rejects),
            rows=done.rows + len(rejects),
            tally=tuple(tally.items()),
        )
    shutil.rmtree(done.out / f"month={BAD}", ignore_errors=True)
    return total, done.bad_rows + len(rejects)


def _sha256_later(path: Path) -> Callable[[], str]:
    """The file's SHA-256, hashed alongside the ingest (hashing releases the GIL); the call
    waits for it. Only a file of an ingested one's size is waited for before the pass."""
    worker, box = _in_thread(lambda: file_sha256(path))

    def value() -> str:
        worker.join()
        if isinstance(box.get("error"), OSError):
            raise CcuaError(f"cannot read the file: {box['error']}", file=str(path))
        if "error" in box:
            raise box["error"]
        return str(box["value"])

    return value


@dataclass(frozen=True)
class _Options:
    """What every file of one :func:`ingest` shares."""

    store: RecordsStore
    salt: str
    kind: str | None
    skip_bad_rows: bool
    dedupe: bool
    say: Progress
    shown: int


def ingest_file(o: _Options, path: Path, mapping: Mapping) -> IngestResult:
    """Ingest one source file into ``o.store``; the caller holds the store's lock.

    Records whose key (:attr:`Kind.key`) repeats, in the file or against what the store holds
    already, are refused; with ``o.dedupe`` the first in file order (or the one ingested
    earlier) is kept and the others are counted in the result.
    """
    started = time.perf_counter()
    label = str(path)
    o.say(label, "reading", None)
    info = inspect(path, mapping.encoding)
    if o.kind and mapping.kind and o.kind != mapping.kind:
        raise CcuaError(
            f"--kind {o.kind} but the mapping {mapping.path} is for {mapping.kind}", file=label
        )
    kind = o.kind or mapping.kind
    result = IngestResult(label, encoding=info.encoding)
    sha256 = _sha256_later(path)
    if not _unchanged(o.store, info, sha256, mapping, kind, result):
        staging = o.store.staging(uuid.uuid4().hex[:16])
        done: _Pass | None = None
        try:
            writing = lambda f: o.say(label, "writing", f)  # noqa: E731
            done = _write_checked(info, mapping, staging, kind, o.salt, writing)
            result.encoding = info.encoding
            _settle(done, o, path, sha256, result)
            done.con.close()
            _commit(o.store, info, sha256(), mapping, result, done.out)
        except BaseException:
            if done is not None:
                done.con.close()
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        o.say(label, "done", 1.0)
    result.seconds = time.perf_counter() - started
    return result


def _settle(
    done: _Pass, o: _Options, path: Path, sha256: Callable[[], str], result: IngestResult
) -> None:
    """After the pass: refuse an empty file or (unless skipped) bad rows, then repeated keys
    (unless deduplicated); ``result`` says what is staged to be committed."""
    label, p = str(path), done.plan
    result.kind, result.ignored_columns = p.kind.name, p.ignored
    result.rows = done.rows + len(done.rejects)
    if result.rows == 0:
        raise CcuaError(
            "the file has its header row but no records: nothing to ingest "
            "(was the export's date range empty?)",
            file=label,
            row=1,
        )
    if done.bad_rows or done.rejects:
        result.problems, result.skipped = _count_problems(done, o, label)
    if p.kind.key:
        _keys_once(done, o, path, sha256(), result)
    result.months = _months(done.con, done.out)
    result.written = sum(result.months.values())
    if result.duplicates_within or result.duplicates_earlier:
        result.duplicates = done.rows - done.bad_rows - result.written


def _unchanged(
    store: RecordsStore,
    info: SourceInfo,
    sha256: Callable[[], str],
    mapping: Mapping,
    kind: str | None,
    result: IngestResult,
) -> bool:
    """The same file, mapping and kind were ingested already: ``result`` says what it gave."""
    for source in store.manifest()["sources"]:
        if (
            source.get("size") == info.size
            and source["sha256"] == sha256()
            and source.get("mapping_sha256") == mapping.sha256
            and (kind is None or source["kind"] == kind)
        ):
            result.kind, result.status = source["kind"], "unchanged"
            result.rows, result.written = source["rows"], source["written"]
            result.months = dict(source["months"])
            return True
    return False


def _replaced(store: RecordsStore, kind: str, path: Path, sha256: str) -> list[dict[str, Any]]:
    """The manifest's entries a new ingest of this file replaces: same path, or same bytes."""
    resolved = str(path.resolve())
    return [s for s in store.sources(kind) if s["path"] == resolved or s["sha256"] == sha256]


def _keys_once(done: _Pass, o: _Options, path: Path, sha256: str, result: IngestResult) -> None:
    """Refuse repeated keys, or (``dedupe``) write the rows again keeping one of each."""
    con, p, out, label, store = done.con, done.plan, done.out, str(path), o.store
    if not any(out.glob("month=*/*.parquet")):
        return
    k = p.kind
    replacing = {s["sha256"] for s in _replaced(store, k.name, path, sha256)}
    earlier = [s for s in store.sources(k.name) if s["sha256"] not in replacing]
    within, before = _duplicates(con, out, k, store, earlier)
    if not (within or before):
        return
    keep = f" WHERE NOT ({p.any_bad})" if done.bad_rows else ""
    if not o.dedupe:
        raise _duplicate_error(done, o, label, result.rows, within, before, earlier, keep)
    shutil.rmtree(out)
    if within and not p.row_expr:
        # "The first in file order" needs the rows numbered in file order: a CSV has no row
        # number of its own, so it is read by one thread, in order.
        _in_file_order(con)
    _execute(
        con, _dedupe_copy(p, keep, out, store, earlier), lambda f: o.say(label, "deduplicating", f)
    )
    result.duplicates_within, result.duplicates_earlier = within, before


def _commit(
    store: RecordsStore,
    info: SourceInfo,
    sha256: str,
    mapping: Mapping,
    result: IngestResult,
    out: Path,
) -> None:
    """Move the partitions into place, then commit them: the manifest is the commit point."""
    assert result.kind is not None
    batch = f"{sha256[:12]}-{uuid.uuid4().hex[:6]}"
    files: list[str] = []
    for n, f in enumerate(sorted(out.glob("month=*/*.parquet"))):
        rel = f"{result.kind}/{f.parent.name}/{batch}-{n}.parquet"
        target = store.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        f.replace(target)
        files.append(rel)
    replaced = _replaced(store, result.kind, info.path, sha256)
    manifest = store.manifest()
    entry = {
        "kind": result.kind,
        "path": str(info.path.resolve()),
        "name": info.path.name,
        "size": info.size,
        "sha256": sha256,
        "format": info.format,
        "encoding": info.encoding,
        "mapping": mapping.path,
        "mapping_sha256": mapping.sha256,
        "timezone": mapping.timezone,
        "rows": result.rows,
        "written": result.written,
        "skipped_rows": result.skipped,
        "duplicates_dropped": result.duplicates,
        "problems": result.problems,
        "ignored_columns": result.ignored_columns,
        "months": result.months,
        "files": files,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest["sources"] = [s for s in manifest["sources"] if s not in replaced] + [entry]
    store.commit(manifest)
    for old in replaced:
        for rel in old["files"]:
            (store.root / rel).unlink(missing_ok=True)
    result.status = "replaced" if replaced else "ingested"


def _rejects(con: Any) -> tuple[list[tuple[int, str]], int, bool]:
    """Lines the CSV reader set aside (by line), how many values it refused to parse, and
    whether it met bytes that are not UTF-8."""
    try:
        # One entry per missing field, and one per query that read the file: one per line.
        rows = con.execute(
            "SELECT line, min_by(error_message, column_idx) FROM reject_errors "
            "WHERE error_type <> 'CAST' GROUP BY line ORDER BY line"
        ).fetchall()
        casts, not_utf8 = con.execute(
            "SELECT count(DISTINCT line) FILTER (WHERE error_type = 'CAST'), "
            "count(*) FILTER (WHERE error_type = 'INVALID ENCODING') FROM reject_errors"
        ).fetchone()
    except Exception:  # no CSV was read (Parquet): there is no reject table
        return [], 0, False
    return (
        [(int(line), f"expected as many fields as the header has ({msg})") for line, msg in rows],
        int(casts),
        bool(not_utf8),
    )


def ingest(
    records_dir: str | Path,
    files: Sequence[str | Path],
    *,
    kind: str | None = None,
    mappings: Sequence[Mapping] = (),
    skip_bad_rows: bool = False,
    dedupe: bool = False,
    progress: Progress | None = None,
    shown: int = SHOWN,
) -> list[IngestResult]:
    """Ingest export files into a records folder; one result per file, failures included."""
    store = RecordsStore(records_dir)
    if kind is not None:
        kind_named(kind)
    paths = expand(files)
    if not paths:
        raise CcuaError("no export files to ingest (.csv, .xlsx or .parquet)")
    results: list[IngestResult] = []
    with store.lock():
        store.clean()
        say = progress or (lambda _f, _s, _x: None)
        o = _Options(store, store.salt(), kind, skip_bad_rows, dedupe, say, shown)
        try:
            for path in paths:
                try:
                    results.append(ingest_file(o, path, mapping_for(path, mappings)))
                except CcuaError as exc:
                    failed = IngestResult(str(path), status="failed", error=exc)
                    if isinstance(exc, RecordsInvalid):
                        failed.problems, failed.rows = exc.total, exc.rows
                    results.append(failed)
        finally:
            store.clean_staging()
    return results


# --- duplicate keys ------------------------------------------------------------------------


def _keys(k: Kind) -> str:
    return ", ".join(_ident(n) for n in k.key)


def _parquet(files: Sequence[Path]) -> str:
    return f"read_parquet([{_list([str(f) for f in files])}], filename = true)"


def _earlier_files(store: RecordsStore, earlier: Sequence[dict[str, Any]]) -> list[Path]:
    return [store.root / rel for s in earlier for rel in s["files"]]


def _duplicates(
    con: Any, out: Path, k: Kind, store: RecordsStore, earlier: Sequence[dict[str, Any]]
) -> tuple[int, int]:
    """Rows of the staged output whose key repeats in it, and rows whose key is stored already.

    Both are counted by DuckDB over the key columns of the Parquet just written (a hash
    aggregate and a semi-join), whatever the number of rows.
    """
    keys = _keys(k)
    new = f"read_parquet({_q(str(out))} || '/*/*.parquet')"
    old_files = _earlier_files(store, earlier)
    if not old_files:
        # As many distinct hashes of the key as rows: no key repeats (cheaper than grouping
        # the keys themselves); else the repeats are counted exactly.
        (same,) = con.execute(
            f"SELECT count(*) - count(DISTINCT hash({keys})) FROM {new}"
        ).fetchone()
        if not same:
            return 0, 0
        (within,) = con.execute(
            f"SELECT COALESCE(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM "
            f"{new} GROUP BY {keys} HAVING n > 1)"
        ).fetchone()
        return int(within), 0
    within, before = con.execute(
        f"WITH g AS (SELECT {keys}, count(*) AS n FROM {new} GROUP BY {keys}), "
        f"o AS (SELECT DISTINCT {keys}, TRUE AS __old FROM {_parquet(old_files)}) "
        "SELECT COALESCE(sum(CASE WHEN __old THEN 0 ELSE n - 1 END), 0), "
        f"COALESCE(sum(CASE WHEN __old THEN n ELSE 0 END), 0) FROM g LEFT JOIN o USING ({keys})"
    ).fetchone()
    return int(within), int(before)


def _dedupe_copy(
    p: _Plan, keep: str, out: Path, store: RecordsStore, earlier: Sequence[dict[str, Any]]
) -> str:
    """COPY of the checked rows keeping, per key, the record an earlier ingest holds, else the
    first in file order."""
    k = p.kind
    keys = _keys(k)
    old_files = _earlier_files(store, earlier)
    anti = (
        f" ANTI JOIN (SELECT DISTINCT {keys} FROM {_parquet(old_files)}) AS old USING ({keys})"
        if old_files
        else ""
    )
    ctes = (
        f"n AS (SELECT *, {p.row_number} AS __n FROM c{keep}), "
        f"d AS (SELECT n.* FROM n{anti} QUALIFY row_number() OVER (PARTITION BY {keys} "
        "ORDER BY __n) = 1)"
    )
    return _copy_sql(p, out, f"strftime({k.month_by}, '%Y-%m')", ctes, "d")


def _duplicate_error(
    done: _Pass,
    o: _Options,
    label: str,
    rows: int,
    within: int,
    before: int,
    earlier: Sequence[dict[str, Any]],
    keep: str,
) -> RecordsInvalid:
    """The refusal: both counts, and the first duplicate rows in file order (file:row)."""
    con, p, store = done.con, done.plan, o.store
    k = p.kind
    keys = _keys(k)
    old_files = _earlier_files(store, earlier)
    by_file = {str(store.root / rel): s["name"] for s in earlier for rel in s["files"]}
    _in_file_order(con)
    old = (
        f"LEFT JOIN (SELECT {keys}, min(filename) AS __file FROM {_parquet(old_files)} "
        f"GROUP BY {keys}) AS old USING ({keys})"
        if old_files
        else ""
    )
    old_col = "old.__file" if old_files else "NULL"
    found = con.execute(
        f"{p.checked()}, n AS (SELECT {keys}, {p.row_number} AS __n FROM c{keep}), "
        f"f AS (SELECT n.*, min(__n) OVER (PARTITION BY {keys}) AS __first, {old_col} AS __old "
        f"FROM n {old}) "
        f"SELECT __n, __first, __old, {keys} FROM f WHERE __n > __first OR __old IS NOT NULL "
        f"ORDER BY __n LIMIT {int(o.shown)}"
    ).fetchall()
    rejected = sorted(line for line, _ in done.rejects)
    what = " and ".join(k.key)
    problems = []
    for n, first, old_file, *values in found:
        key = ", ".join(f"{name}={_show(v)}" for name, v in zip(k.key, values, strict=True))
        if old_file is not None:
            message = (
                f"{what} already ingested ({key}) from "
                f"{by_file.get(str(old_file), Path(str(old_file)).name)}"
            )
        else:
            message = f"{what} repeats row {_file_row(p, int(first), rejected)} ({key})"
        at = _file_row(p, int(n), rejected)
        problems.append(Problem(message, file=label, row=at, column=k.key[0]))
    tally = []
    if within:
        tally.append((f"rows repeating the {what} of an earlier row of the file", within))
    if before:
        tally.append((f"rows whose {what} an earlier ingest holds already", before))
    total = within + before
    return RecordsInvalid(
        problems=problems,
        subject=f"{label}: duplicate {what} (give --dedupe to keep one of each)",
        total=total,
        bad_rows=total,
        rows=rows,
        tally=tuple(tally),
    )
