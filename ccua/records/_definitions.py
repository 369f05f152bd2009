"""Measure definitions over canonical records (``records.yaml``): loader, checks, queries.

The file lives next to the spec it serves (``ccua/frameworks/<id>/records.yaml``). Loading it
checks everything that can be checked before any data is seen, and reports every problem at
once: each measure exists in ``measures.yaml`` with a compatible unit; each table is a
canonical table or a declared view; each column a measure uses exists in its table; the SQL
stays inside the subset that DuckDB and Spark both run; and the whole thing binds (it is
planned against empty tables in DuckDB, so a misspelt column in a view is caught here).

One query per table computes every measure on it, grouped by month, so that a table is read
once however many measures it feeds (the same plan as hand-written SQL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ccua._yaml import Schema, fast_load, invalid, keyed, load_with_lines, read_yaml_text, validate
from ccua.errors import CcuaError, Problem, SpecError, ValidationFailed
from ccua.records._schema import KINDS, table_columns
from ccua.spec import FRAMEWORKS_DIR, Framework

DEFINITIONS_FILE = "records.yaml"

# The portable subset: functions both engines define identically.
FUNCTIONS = {"SUM", "COUNT", "MIN", "MAX", "COALESCE", "CAST", "ABS", "NULLIF"}
# fmt: off
KEYWORDS = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "AS", "AND", "OR", "NOT", "IS", "NULL", "IN",
    "CASE", "WHEN", "THEN", "ELSE", "END", "TRUE", "FALSE", "DISTINCT", "JOIN", "LEFT", "INNER",
    "ON", "UNION", "ALL", "BETWEEN", "HAVING", "DATE", "BIGINT", "STRING", "BOOLEAN", "TIMESTAMP",
    "DECIMAL", "INT", "INTEGER",
}
# fmt: on
_STRING = re.compile(r"'(?:[^']|'')*'")
_IDENT = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_PARAM = re.compile(r"\{([a-z_]+)\}")
PARAMETER_SQL = {"service_level_ms": ("service_level_seconds", 1000)}

SqlUnit = Literal["count", "ms"]
MS_PER = {"seconds": 1000, "minutes": 60_000, "hours": 3_600_000}


Aggregate = Literal["count", "sum", "parameter"]


def _fraction(value: object) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError("a parameter needs a numeric default") from None


class Parameter(Schema):
    """A setting of the run that a measure may read (``parameter:``)."""

    default: Annotated[Fraction, PlainValidator(_fraction)]
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, raw: Any) -> Any:
        return raw if isinstance(raw, dict) else {"default": raw}  # name: 20


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    description: str = ""
    columns: tuple[str, ...] = field(default=(), compare=False, repr=False)  # once bound


@dataclass(frozen=True)
class MeasureDef:
    """How one measure is computed from one table, per month."""

    measure: str
    table: str
    aggregate: Aggregate
    expression: str = "1"  # what is summed (1 for a count)
    where: str = "TRUE"
    scope: str = "TRUE"
    unit: SqlUnit = "count"
    parameter: str | None = None
    note: str = ""
    index: int = 0  # position in the file's measures list


@dataclass(frozen=True)
class TableQuery:
    """The one query of a table: ``month``, then each distinct aggregate once.

    ``scope_column`` and ``measure_column`` give, per scope and per measure, the position of
    its aggregate in a result row (identical aggregates are computed once).
    """

    table: str
    sql: str
    measures: tuple[MeasureDef, ...]
    scope_column: Mapping[str, int]
    measure_column: Mapping[str, int]


def _and(*conditions: str) -> str:
    kept = [c for c in conditions if c.strip().upper() != "TRUE"]
    return " AND ".join(f"({c})" for c in kept) or "TRUE"


def aggregate_sql(condition: str, value: str | None, style: str) -> str:
    """A conditional count (``value`` None) or sum, in the engine's preferred spelling.

    ``case`` is the portable form; ``filter`` (``COUNT(*) FILTER (WHERE …)``) is the same
    aggregate, which DuckDB evaluates faster.
    """
    if condition == "TRUE":
        return "COUNT(*)" if value is None else f"COALESCE(SUM({value}), 0)"
    if style == "filter":
        where = f"FILTER (WHERE {condition})"
        return f"COUNT(*) {where}" if value is None else f"COALESCE(SUM({value}) {where}, 0)"
    return f"SUM(CASE WHEN {condition} THEN {'1' if value is None else value} ELSE 0 END)"


@dataclass(frozen=True)
class Definitions:
    framework: str
    path: str
    parameters: Mapping[str, Parameter]
    views: tuple[View, ...]
    measures: tuple[MeasureDef, ...]
    to_measure_unit: Mapping[str, Fraction] = field(default_factory=dict)

    def measure(self, code: str) -> MeasureDef:
        return {m.measure: m for m in self.measures}[code]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.measure for m in self.measures)

    def tables(self) -> tuple[str, ...]:
        """The tables measures read, in order of first use."""
        return tuple(dict.fromkeys(m.table for m in self.measures))

    def settings(self, overrides: Mapping[str, object] | None = None) -> dict[str, Fraction]:
        values = {name: p.default for name, p in self.parameters.items()}
        for name, value in (overrides or {}).items():
            if name not in values:
                raise CcuaError(
                    f"no parameter {name!r}; parameters are {', '.join(values)}",
                    file=self.path,
                    field=name,
                )
            values[name] = Fraction(str(value))
        return values

    def render(self, sql: str, settings: Mapping[str, Fraction]) -> str:
        def sub(m: re.Match[str]) -> str:
            name, factor = PARAMETER_SQL[m.group(1)]
            value = settings[name] * factor
            if value.denominator != 1:
                raise CcuaError(
                    f"{name} = {settings[name]} does not give whole milliseconds", field=name
                )
            return str(value.numerator)

        return _PARAM.sub(sub, sql)

    def queries(self, settings: Mapping[str, Fraction], style: str = "case") -> list[TableQuery]:
        out = []
        for table in self.tables():
            measures = tuple(m for m in self.measures if m.table == table)
            aggregates: dict[str, int] = {}

            def column(sql: str, aggregates: dict[str, int] = aggregates) -> int:
                return aggregates.setdefault(sql, len(aggregates) + 1)

            scope_column = {
                m.scope: column(aggregate_sql(_and(m.scope), None, style)) for m in measures
            }
            measure_column = {}
            for m in measures:
                if m.aggregate == "parameter":
                    continue
                value = None if m.aggregate == "count" else m.expression
                measure_column[m.measure] = column(
                    aggregate_sql(_and(m.scope, m.where), value, style)
                )
            select = ", ".join(["month", *aggregates])
            sql = f"SELECT {select} FROM {table} GROUP BY month"
            out.append(
                TableQuery(
                    table, self.render(sql, settings), measures, scope_column, measure_column
                )
            )
        return out


def definitions_path(framework: Framework | str, root: Path | None = None) -> Path:
    fid = framework if isinstance(framework, str) else framework.id
    return (root or FRAMEWORKS_DIR) / fid / DEFINITIONS_FILE


def identifiers(sql: str) -> list[str]:
    """Column names a SQL fragment uses (not keywords, functions or string literals)."""
    text = _PARAM.sub("0", _STRING.sub("''", sql))
    return [
        m.group(1)
        for m in _IDENT.finditer(text)
        if not m.group(2) and m.group(1).upper() not in KEYWORDS
    ]


def functions(sql: str) -> list[str]:
    text = _STRING.sub("''", sql)
    return [f for f in _FUNC.findall(text) if f.upper() not in KEYWORDS]


def _outside_subset(sql: str) -> list[str]:
    return [
        f"function {fn}() is outside the SQL subset both engines run (allowed: "
        f"{', '.join(sorted(FUNCTIONS))})"
        for fn in functions(sql)
        if fn.upper() not in FUNCTIONS
    ]


class _ViewIn(Schema):
    sql: str
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _has_sql(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not isinstance(raw.get("sql"), str):
            raise ValueError("a view needs sql:")
        return raw


def _view(named: tuple[str, Any], info: ValidationInfo) -> View:
    """A view: not named like a canonical table, portable SQL, and it binds (in order, so a
    view may read the ones before it)."""
    name, raw = named
    if name in KINDS:
        raise ValueError(f"view {name!r} has the name of a canonical table")
    body = _ViewIn.model_validate(raw)
    sql = " ".join(body.sql.split())
    found = _outside_subset(body.sql)
    engine, columns = (info.context or {})["engine"], ()
    try:
        engine.view(name, sql)
        columns = tuple(engine.columns(name))
    except Exception as exc:  # duckdb raises one class per error kind
        found.append(f"view {name} does not bind: {_first_line(exc)}")
    if found:
        raise invalid(*(((), why) for why in found))
    return View(name, sql, body.description, columns)


def _cond(value: Any) -> str:
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    return str(value).strip()


class _MeasureIn(Schema):
    """One measure as written: ``{measure: CODE, table: T, count:|sum:|parameter: ...}``."""

    measure: str
    table: str = ""
    count: str | None = None
    sum: str | None = None
    parameter: str | None = None
    where: str = "TRUE"
    scope: str = "TRUE"
    unit: str = "count"
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "measure" not in raw:
            raise ValueError("expected {measure: CODE, table: ..., count:|sum:|parameter: ...}")
        given = [k for k in ("count", "sum", "parameter") if k in raw]
        if len(given) != 1:
            raise ValueError(f"{raw['measure']}: give exactly one of count:, sum: or parameter:")
        sql, text = (
            ("count", "sum", "where", "scope"),
            ("measure", "table", "parameter", "unit", "note"),
        )
        return {k: _cond(v) if k in sql else str(v) if k in text else v for k, v in raw.items()}

    @property
    def aggregate(self) -> Aggregate:
        return "count" if self.count is not None else "sum" if self.sum is not None else "parameter"


def _measure_def(n: int, body: _MeasureIn, info: ValidationInfo) -> MeasureDef:
    """The measure exists in the framework, reads a table or view, gives a unit the
    framework's measure converts from; one problem at a time, as each needs the last."""
    code, aggregate = body.measure, body.aggregate
    framework: Framework = (info.context or {})["framework"]
    spec_measure = next((m for m in framework.measures if m.code == code), None)
    if spec_measure is None:
        raise ValueError(f"no measure {code!r} in {framework.id}'s measures.yaml")
    views = info.data.get("views")  # None when a view is wrong: its name is not checked
    if views is not None and body.table not in (*KINDS, *views):
        raise ValueError(
            f"{code}: table {body.table!r} is neither a canonical table ({', '.join(KINDS)}) "
            "nor a view"
        )
    if body.unit not in ("count", "ms"):
        raise ValueError(f"{code}: `unit` must be count or ms, got {body.unit!r}")
    if aggregate == "parameter":
        if body.parameter not in (info.data.get("parameters") or {}):
            raise ValueError(f"{code}: no parameter {body.parameter!r}")
    elif spec_measure.unit in MS_PER:
        if body.unit != "ms":
            raise ValueError(f"{code} is in {spec_measure.unit}: compute it in ms (unit: ms)")
    elif body.unit != "count" or spec_measure.unit not in ("count", "days"):
        raise ValueError(
            f"{code} is in {spec_measure.unit}; records give counts and durations only"
        )
    where = body.count if body.count is not None else body.where
    if body.count is not None and "where" in body.model_fields_set:
        where = f"({body.count}) AND ({body.where})"
    expression = {"count": "1", "parameter": "0"}.get(aggregate) or str(body.sum)
    unit: SqlUnit = "ms" if body.unit == "ms" else "count"
    param = body.parameter if aggregate == "parameter" else None
    return MeasureDef(
        code, body.table, aggregate, expression, where, body.scope, unit, param, body.note, n
    )


def _columns(table: str, info: ValidationInfo) -> set[str] | None:
    if table in KINDS:
        return set(table_columns(KINDS[table]))
    view = (info.data.get("views") or {}).get(table)
    return set(view.columns) if view is not None else None


def _measure(numbered: tuple[int, Any], info: ValidationInfo) -> MeasureDef:
    """One measure: its definition, then its SQL: portable functions, known placeholders,
    and columns its table has (every problem of the SQL at once)."""
    n, raw = numbered
    m = _measure_def(n, _MeasureIn.model_validate(raw), info)
    found = []
    for fragment in (m.expression, m.where, m.scope):
        found += [f"{m.measure}: {why}" for why in _outside_subset(fragment)]
        found += [
            f"{m.measure}: unknown placeholder {{{name}}}; placeholders are "
            f"{', '.join('{' + k + '}' for k in PARAMETER_SQL)}"
            for name in _PARAM.findall(fragment)
            if name not in PARAMETER_SQL
        ]
    cols = _columns(m.table, info)
    if cols is not None and "month" not in cols:
        found.append(f"{m.measure}: table {m.table} has no month column")
    elif cols is not None:
        for fragment in (m.expression, m.where, m.scope):
            found += [
                f"{m.measure}: no column {name!r} in {m.table}; columns are "
                f"{', '.join(sorted(cols))}"
                for name in identifiers(fragment)
                if name not in cols
            ]
    if found:
        raise invalid(*(((), why) for why in found))
    return m


def _numbered(raw: object) -> object:
    return list(enumerate(raw)) if isinstance(raw, list) else [] if raw is None else raw


class _DefinitionsFile(Schema):
    """The schema of ``records.yaml``; validated with the framework and an engine as context."""

    version: int = 1
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    views: Annotated[
        dict[str, Annotated[View, PlainValidator(_view, json_schema_input_type=_ViewIn)]],
        keyed("expected views: {NAME: {sql: ..., description: ...}}"),
    ] = Field(default_factory=dict)
    measures: Annotated[
        list[Annotated[MeasureDef, PlainValidator(_measure, json_schema_input_type=_MeasureIn)]],
        BeforeValidator(_numbered),
    ] = Field(default_factory=list)

    @field_validator("parameters")
    @classmethod
    def _needed(cls, parameters: dict[str, Parameter]) -> dict[str, Parameter]:
        for sql_name, (param, _) in PARAMETER_SQL.items():
            if param not in parameters:
                raise ValueError(f"parameter {param} is missing ({{{sql_name}}} needs it)")
        return parameters

    @field_validator("measures")
    @classmethod
    def _once(cls, measures: list[MeasureDef]) -> list[MeasureDef]:
        seen: set[str] = set()
        twice = []
        for m in measures:
            if m.measure in seen:
                twice.append((m.index, m.measure))
            seen.add(m.measure)
        if twice:
            raise invalid(*(((str(n),), f"{code} is defined twice") for n, code in twice))
        return measures


def load_definitions(framework: Framework, path: Path | None = None) -> Definitions:
    """Read and check the measure definitions of a framework; raise with every problem."""
    p = path or definitions_path(framework)
    file = str(p)
    if not p.exists():
        raise CcuaError(
            f"framework {framework.id} has no {DEFINITIONS_FILE}: nothing can be "
            "computed from records",
            file=file,
        )
    text = read_yaml_text(p, file)
    data = fast_load(text, file)  # libyaml; the lines are worked out only for a problem
    if not isinstance(data, dict):
        raise SpecError("expected version:, parameters:, views: and measures:", file=file)
    from ccua.records._engine import DuckDBEngine

    engine = DuckDBEngine(memory_limit="256MB")
    try:
        for kind in KINDS.values():
            engine.register(kind, [])
        body = validate(
            _DefinitionsFile,
            data,
            file=file,
            lines=lambda: load_with_lines(text, file)[1],
            context={"framework": framework, "engine": engine},
            subject=f"measure definitions {file}",
        )
        views, measures = tuple(body.views.values()), tuple(body.measures)
        factors = {  # (a parameter is in its measure's unit already)
            m.measure: Fraction(1, MS_PER.get(framework.measure(m.measure).unit, 1))
            for m in measures
            if m.aggregate != "parameter"
        }
        definitions = Definitions(framework.id, file, body.parameters, views, measures, factors)
        problems = _plan(definitions, engine)
    finally:
        engine.close()
    if problems:
        raise ValidationFailed.of(problems, subject=f"measure definitions {file}")
    return definitions


def _plan(definitions: Definitions, engine: Any) -> list[Problem]:
    """Plan every query against the empty tables: what the engines cannot type surfaces here."""
    problems = []
    settings = {"service_level_seconds": Fraction(20)}
    for style in ("case", "filter"):
        for q in definitions.queries(settings, style):
            try:
                engine.rows(f"EXPLAIN {q.sql}")
            except Exception as exc:
                problems.append(
                    Problem(
                        f"the query of table {q.table} does not bind: {_first_line(exc)}",
                        file=definitions.path,
                        field=q.table,
                    )
                )
    return problems


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
