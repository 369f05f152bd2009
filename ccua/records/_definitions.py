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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast

from ccua._yaml import fast_load, line_of, load_with_lines, read_yaml_text
from ccua.errors import CcuaError, Problem, SpecError, ValidationFailed
from ccua.records._schema import KINDS, table_columns
from ccua.spec import FRAMEWORKS_DIR, Framework

DEFINITIONS_FILE = "records.yaml"

# The portable subset: functions both engines define identically.
FUNCTIONS = {"SUM", "COUNT", "MIN", "MAX", "COALESCE", "CAST", "ABS", "NULLIF"}
KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IS",
    "NULL",
    "IN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "TRUE",
    "FALSE",
    "DISTINCT",
    "JOIN",
    "LEFT",
    "INNER",
    "ON",
    "UNION",
    "ALL",
    "BETWEEN",
    "HAVING",
    "DATE",
    "BIGINT",
    "STRING",
    "BOOLEAN",
    "TIMESTAMP",
    "DECIMAL",
    "INT",
    "INTEGER",
}
_STRING = re.compile(r"'(?:[^']|'')*'")
_IDENT = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_PARAM = re.compile(r"\{([a-z_]+)\}")
PARAMETER_SQL = {"service_level_ms": ("service_level_seconds", 1000)}

SqlUnit = Literal["count", "ms"]
MS_PER = {"seconds": 1000, "minutes": 60_000, "hours": 3_600_000}


Aggregate = Literal["count", "sum", "parameter"]


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Fraction
    description: str = ""


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    description: str = ""


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
    if style == "filter":
        if condition == "TRUE":
            return "COUNT(*)" if value is None else f"COALESCE(SUM({value}), 0)"
        return (
            f"COUNT(*) FILTER (WHERE {condition})"
            if value is None
            else f"COALESCE(SUM({value}) FILTER (WHERE {condition}), 0)"
        )
    if condition == "TRUE":
        return "COUNT(*)" if value is None else f"COALESCE(SUM({value}), 0)"
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
        for m in self.measures:
            if m.measure == code:
                return m
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.measure for m in self.measures)

    def tables(self) -> tuple[str, ...]:
        """The tables measures read, in order of first use."""
        return tuple(dict.fromkeys(m.table for m in self.measures))

    def kinds_used(self) -> set[str]:
        """Canonical tables any measure depends on, through views too."""
        used = {t for t in self.tables() if t in KINDS}
        for view in self.views:
            used |= {k for k in KINDS if re.search(rf"\b{k}\b", view.sql)}
        return used

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


def _cond(value: Any) -> str:
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    return str(value).strip()


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
    # libyaml is fast; line numbers are only worked out when there is a problem
    data = fast_load(text, file)
    known_lines: list[dict] = []
    problems: list[Problem] = []

    def line(*loc: str) -> int | None:
        if not known_lines:
            known_lines.append(load_with_lines(text, file)[1])
        return line_of(known_lines[0], loc)

    def bad(message: str, *loc: str) -> None:
        problems.append(Problem(message, file=file, row=line(*loc), field=".".join(loc) or None))

    if not isinstance(data, dict):
        raise SpecError("expected version:, parameters:, views: and measures:", file=file)
    parameters: dict[str, Parameter] = {}
    for name, body in (data.get("parameters") or {}).items():
        body = body if isinstance(body, dict) else {"default": body}
        try:
            parameters[str(name)] = Parameter(
                str(name), Fraction(str(body["default"])), str(body.get("description", ""))
            )
        except (KeyError, ValueError):
            bad("a parameter needs a numeric default", "parameters", str(name))
    for sql_name, (param, _) in PARAMETER_SQL.items():
        if param not in parameters:
            bad(f"parameter {param} is missing ({{{sql_name}}} needs it)", "parameters")
    views: list[View] = []
    for name, body in (data.get("views") or {}).items():
        name = str(name)
        if name in KINDS:
            bad(f"view {name!r} has the name of a canonical table", "views", name)
            continue
        if not isinstance(body, dict) or not isinstance(body.get("sql"), str):
            bad("a view needs sql:", "views", name)
            continue
        views.append(View(name, " ".join(body["sql"].split()), str(body.get("description", ""))))
        for fn in functions(body["sql"]):
            if fn.upper() not in FUNCTIONS:
                bad(
                    f"function {fn}() is outside the SQL subset both engines run (allowed: "
                    f"{', '.join(sorted(FUNCTIONS))})",
                    "views",
                    name,
                )
    known_measures = {m.code: m for m in framework.measures}
    tables = set(KINDS) | {v.name for v in views}
    measures: list[MeasureDef] = []
    factors: dict[str, Fraction] = {}
    seen: set[str] = set()
    for n, body in enumerate(data.get("measures") or []):
        loc = ("measures", str(n))
        if not isinstance(body, dict) or "measure" not in body:
            bad("expected {measure: CODE, table: ..., count:|sum:|parameter: ...}", *loc)
            continue
        code = str(body["measure"])
        extra = set(body) - {
            "measure",
            "table",
            "count",
            "sum",
            "where",
            "scope",
            "unit",
            "parameter",
            "note",
        }
        if extra:
            bad(f"{code}: unknown key(s) {', '.join(sorted(extra))}", *loc)
        spec_measure = known_measures.get(code)
        if spec_measure is None:
            bad(f"no measure {code!r} in {framework.id}'s measures.yaml", *loc)
            continue
        if code in seen:
            bad(f"{code} is defined twice", *loc)
            continue
        seen.add(code)
        table = str(body.get("table", ""))
        if table not in tables:
            bad(
                f"{code}: table {table!r} is neither a canonical table ({', '.join(KINDS)}) "
                "nor a view",
                *loc,
            )
            continue
        given = [k for k in ("count", "sum", "parameter") if k in body]
        if len(given) != 1:
            bad(f"{code}: give exactly one of count:, sum: or parameter:", *loc)
            continue
        aggregate = given[0]
        unit = str(body.get("unit", "count"))
        if unit not in ("count", "ms"):
            bad(f"{code}: `unit` must be count or ms, got {unit!r}", *loc)
            continue
        factor = Fraction(1)
        if aggregate == "parameter":
            pname = str(body["parameter"])
            if pname not in parameters:
                bad(f"{code}: no parameter {pname!r}", *loc)
                continue
        elif spec_measure.unit in MS_PER:
            if unit != "ms":
                bad(f"{code} is in {spec_measure.unit}: compute it in ms (unit: ms)", *loc)
                continue
            factor = Fraction(1, MS_PER[spec_measure.unit])
        elif unit != "count" or spec_measure.unit not in ("count", "days"):
            bad(f"{code} is in {spec_measure.unit}; records give counts and durations only", *loc)
            continue
        factors[code] = factor
        expression = {"count": "1", "parameter": "0"}.get(aggregate) or _cond(body.get("sum"))
        where = _cond(body.get("count")) if aggregate == "count" else _cond(body.get("where", True))
        if aggregate == "count" and "where" in body:
            where = f"({where}) AND ({_cond(body['where'])})"
        measures.append(
            MeasureDef(
                code,
                table,
                cast(Aggregate, aggregate),
                expression,
                where,
                _cond(body.get("scope", True)),
                unit,  # type: ignore[arg-type]
                str(body["parameter"]) if aggregate == "parameter" else None,
                str(body.get("note", "")),
                n,
            )
        )
        for fragment in (expression, where, _cond(body.get("scope", True))):
            for fn in functions(fragment):
                if fn.upper() not in FUNCTIONS:
                    bad(
                        f"{code}: function {fn}() is outside the SQL subset both engines run "
                        f"(allowed: {', '.join(sorted(FUNCTIONS))})",
                        *loc,
                    )
            for name in _PARAM.findall(fragment):
                if name not in PARAMETER_SQL:
                    bad(
                        f"{code}: unknown placeholder {{{name}}}; placeholders are "
                        f"{', '.join('{' + k + '}' for k in PARAMETER_SQL)}",
                        *loc,
                    )
    problems += _bind(
        framework,
        views,
        measures,
        file,
        lambda m: line("measures", str(m.index)),
        plan=not problems,
    )
    if problems:
        raise ValidationFailed.of(problems, subject=f"measure definitions {file}")
    return Definitions(framework.id, file, parameters, tuple(views), tuple(measures), factors)


def _bind(
    framework: Framework,
    views: list[View],
    measures: list[MeasureDef],
    file: str,
    line: Callable[[MeasureDef], int | None],
    plan: bool = True,
) -> list[Problem]:
    """Check columns, then plan every query against empty tables (``plan``): what a misspelt
    column in a view or an expression the engines cannot type would break surfaces here."""
    from ccua.records._engine import DuckDBEngine

    problems: list[Problem] = []
    engine = DuckDBEngine(memory_limit="256MB")
    try:
        for kind in KINDS.values():
            engine.register(kind, [])
        columns = {name: set(table_columns(k)) for name, k in KINDS.items()}
        for view in views:
            try:
                engine.view(view.name, view.sql)
                columns[view.name] = set(engine.columns(view.name))
            except Exception as exc:  # duckdb raises one class per error kind
                problems.append(
                    Problem(
                        f"view {view.name} does not bind: {_first_line(exc)}",
                        file=file,
                        field=view.name,
                    )
                )
        for m in measures:
            cols = columns.get(m.table)
            if cols is None:
                continue
            if "month" not in cols:
                problems.append(
                    Problem(
                        f"{m.measure}: table {m.table} has no month column", file=file, row=line(m)
                    )
                )
                continue
            for fragment in (m.expression, m.where, m.scope):
                for name in identifiers(fragment):
                    if name not in cols:
                        problems.append(
                            Problem(
                                f"{m.measure}: no column {name!r} in {m.table}; columns are "
                                f"{', '.join(sorted(cols))}",
                                file=file,
                                row=line(m),
                            )
                        )
        if problems or not plan:
            return problems
        draft = Definitions(
            framework.id,
            file,
            {"service_level_seconds": Parameter("service_level_seconds", Fraction(20))},
            tuple(views),
            tuple(measures),
        )
        queries = [
            q
            for style in ("case", "filter")
            for q in draft.queries({"service_level_seconds": Fraction(20)}, style)
        ]
        for q in queries:
            try:
                engine.rows(f"EXPLAIN {q.sql}")
            except Exception as exc:
                problems.append(
                    Problem(
                        f"the query of table {q.table} does not bind: {_first_line(exc)}",
                        file=file,
                        field=q.table,
                    )
                )
    finally:
        engine.close()
    return problems


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
