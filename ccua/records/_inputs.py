"""Monthly measures from ingested records, and their merge with the hand-entered sheet.

:func:`monthly_inputs` runs the framework's measure definitions over a records folder and
returns the same :class:`ccua.engagement.MonthlyInputs` that the monthly sheet gives, with
exact values and ``origin="records"``. Indicators are then computed by the one pure core
(:mod:`ccua.kpi`, :mod:`ccua.period`); nothing here knows a formula.

:func:`merge_inputs` lays the records over the sheet: where both give a measure for a month
the records win (they are the centre's own data, recomputed: the 真实性 check), and every
replaced value is named in a warning. Settings that records cannot give (a standard working
day) are only defaults: a sheet's value for them is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ccua._num import to_decimal
from ccua.engagement import MonthlyInputs
from ccua.errors import CcuaError
from ccua.records import _cache
from ccua.records._definitions import Definitions, definitions_path, load_definitions
from ccua.records._engine import Engine, open_engine
from ccua.records._schema import KINDS
from ccua.records._store import RecordsStore
from ccua.spec import Framework


@dataclass
class RecordInputs(MonthlyInputs):
    """Monthly inputs from records; ``defaults`` are (month, measure) pairs that came from a
    setting of the run rather than from records (a sheet's value for them wins)."""

    defaults: set[tuple[str, str]] = field(default_factory=set)


_CACHE: dict[tuple[str, str, int, str, float], Definitions] = {}


def definitions_for(framework: Framework, path: Path | None = None) -> Definitions:
    """The framework's measure definitions, checked once per process (and file version)."""
    p = path or definitions_path(framework)
    if not p.exists():
        return load_definitions(framework, p)  # raises the clear error
    key = (framework.id, framework.version, len(framework.measures), str(p), p.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = load_definitions(framework, p)
    return _CACHE[key]


def _exact(value: Any, what: str) -> Fraction:
    if value is None:
        return Fraction(0)
    if isinstance(value, int | Decimal):  # (a bool is an int)
        return Fraction(value)
    raise CcuaError(
        f"{what}: the engine returned {type(value).__name__} {value!r}; measure "
        "definitions must compute on integers or decimals so that sums are exact"
    )


def register_tables(
    engine: Engine, store: RecordsStore, definitions: Definitions, months: Sequence[str] | None
) -> dict[str, int]:
    """Expose the canonical tables (the files of these months) and the views to an engine."""
    files_per_kind = {}
    for name, kind in KINDS.items():
        files = store.files(name, list(months) if months is not None else None)
        files_per_kind[name] = len(files)
        engine.register(kind, files, store.root / name)
    for view in definitions.views:
        engine.view(view.name, view.sql)
    return files_per_kind


def measure_rows(
    engine: Engine, definitions: Definitions, settings: Mapping[str, Fraction]
) -> list[tuple[str, str, Fraction]]:
    """(month, measure, exact value in the measure's unit) for every month with rows in scope."""
    out: list[tuple[str, str, Fraction]] = []
    style = getattr(engine, "aggregate_style", "case")
    for query in definitions.queries(settings, style):
        for row in engine.rows(query.sql):
            month = str(row[0])
            for m in query.measures:
                if not row[query.scope_column[m.scope]]:
                    continue  # no rows in scope this month: no measure
                if m.aggregate == "parameter":
                    value = settings[m.parameter or ""]
                else:
                    value = _exact(
                        row[query.measure_column[m.measure]], f"{m.measure} {month}"
                    ) * definitions.to_measure_unit.get(m.measure, Fraction(1))
                out.append((month, m.measure, value))
    return out


def monthly_inputs(
    records_dir: str | Path,
    framework: Framework,
    months: list[str],
    *,
    service_level_seconds: int = 20,
    engine: str | Engine = "duckdb",
    standard_workday_hours: int | float | Decimal | None = None,
    definitions: Definitions | None = None,
) -> RecordInputs:
    """Every measure the records can give, per month of ``months``, exactly.

    ``engine`` is ``"duckdb"`` (embedded, default), ``"spark"`` (a local session), or an
    engine object (e.g. a :class:`ccua.records.SparkEngine` on a cluster's session).
    With an engine named and the framework's own definitions, the result is kept in the
    records folder under a hash of everything it depends on (:mod:`ccua.records._cache`).
    """
    store = RecordsStore(records_dir)
    if not store.exists():
        raise CcuaError(
            "no ingested records here; run `ccua ingest CLIENT FILE...` first",
            file=str(records_dir),
        )
    if service_level_seconds <= 0:
        raise CcuaError(
            f"the service-level threshold must be positive, got {service_level_seconds}",
            field="service_level_seconds",
        )
    cache = None
    if definitions is None and isinstance(engine, str) and _cache.enabled():
        manifest = _cache.manifest_bytes(store)
        settings_key = [
            ("service_level_seconds", _cache.setting(service_level_seconds)),
            ("standard_workday_hours", _cache.setting(standard_workday_hours)),
        ]
        key = _cache.measures_key(
            store, manifest, framework, definitions_path(framework), months, settings_key, engine
        )
        if key is not None:
            cached = _cache.load(store, key)
            if cached is not None:
                return _assemble(cached)
            cache = (key, manifest)
    rows = _measure_rows(
        store, framework, months, service_level_seconds, engine, standard_workday_hours, definitions
    )
    if cache is not None:
        _cache.save(store, cache[0], rows, cache[1])
    return _assemble(rows)


def _measure_rows(
    store: RecordsStore,
    framework: Framework,
    months: list[str],
    service_level_seconds: int,
    engine: str | Engine,
    standard_workday_hours: int | float | Decimal | None,
    definitions: Definitions | None,
) -> list[_cache.Row]:
    """(month, measure, value, from a setting) of ``months``, sorted, computed by the engine."""
    defs = definitions or definitions_for(framework)
    overrides: dict[str, object] = {"service_level_seconds": service_level_seconds}
    if standard_workday_hours is not None:
        overrides["standard_workday_hours"] = standard_workday_hours
    settings = defs.settings(overrides)
    defaults = {m.measure for m in defs.measures if m.aggregate == "parameter"}
    owned = isinstance(engine, str)
    eng = open_engine(engine) if isinstance(engine, str) else engine
    try:
        register_tables(eng, store, defs, months)
        rows = measure_rows(eng, defs, settings)
    finally:
        if owned:
            eng.close()
    wanted = set(months)
    return [(mo, me, v, me in defaults) for mo, me, v in sorted(rows) if mo in wanted]


def _assemble(rows: list[_cache.Row]) -> RecordInputs:
    out = RecordInputs()
    for month, measure, value, default in rows:
        out.set(month, measure, value, origin="records")
        if default:
            out.defaults.add((month, measure))
    return out


def _show(value: Fraction) -> str:
    return f"{to_decimal(value, 6).normalize():f}"


def merge_inputs(
    sheet: MonthlyInputs, records: MonthlyInputs, *, framework: Framework | None = None
) -> tuple[MonthlyInputs, list[str]]:
    """The sheet with the records laid over it; warnings name every replaced sheet value.

    Records win where both give a measure for a month. A measure's origin becomes
    ``records`` when every month of it came from records, ``mixed`` when some did. With the
    framework, a warning also names every indicator whose inputs in a month come partly from
    records and partly from the sheet (they may not count the same contacts).
    """
    merged = MonthlyInputs(
        values={m: dict(v) for m, v in sheet.values.items()},
        sources=dict(sheet.sources),
        origin=dict(sheet.origin),
    )
    came_from: dict[tuple[str, str], str] = {
        (month, measure): "sheet" for month, row in sheet.values.items() for measure in row
    }
    defaults: set[tuple[str, str]] = getattr(records, "defaults", set())
    warnings: list[str] = []
    for month in sorted(records.values):
        for measure, value in sorted(records.values[month].items()):
            old = sheet.get(month, measure)
            if (month, measure) in defaults and old is not None:
                continue  # a setting: the sheet's own value stands
            if old is not None and old != value:
                where = sheet.sources.get((month, measure))
                warnings.append(
                    f"{month} {measure}: the sheet's {_show(old)}"
                    f"{f' ({where})' if where else ''} is replaced by "
                    f"{_show(value)} recomputed from records"
                )
            merged.values.setdefault(month, {})[measure] = value
            merged.sources.pop((month, measure), None)
            came_from[(month, measure)] = "records"
    for measure in {m for _, m in came_from}:
        kinds = {o for (_, m), o in came_from.items() if m == measure}
        merged.origin[measure] = kinds.pop() if len(kinds) == 1 else "mixed"
    if framework is not None:
        settings = {m for _, m in defaults}
        for month in sorted(merged.values):
            for ind in framework.indicators:
                used = [m for m in ind.inputs if m not in settings]
                origins = {m: came_from.get((month, m)) for m in used}
                if None in origins.values() or len(set(origins.values())) < 2:
                    continue
                by = {o: [m for m, x in origins.items() if x == o] for o in ("records", "sheet")}
                warnings.append(
                    f"{month} {ind.code} {ind.name}: {', '.join(by['records'])} "
                    f"from records but {', '.join(by['sheet'])} from the sheet; "
                    "check that they count the same contacts"
                )
    return merged, warnings
