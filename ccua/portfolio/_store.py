"""The portfolio store: every run of every client, append-only, in an embedded DuckDB file.

Default ``runs/ccua.duckdb`` (``CCUA_PORTFOLIO`` or ``--portfolio`` elsewhere). The schema is
versioned: ``meta.schema_version`` says which of :data:`MIGRATIONS` have been applied, and
opening a store applies the missing ones in order, inside one transaction.

A run is identified by the sha256 of its results.json, so recording the same run twice (a
re-import, a rerun with identical inputs) adds nothing. Writers take a file lock beside the
database, so concurrent batch workers queue instead of failing on DuckDB's single writer.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccua.errors import CcuaError

if TYPE_CHECKING:  # the results model is only needed to record a run, not to read the store
    from ccua.results_model import Results

DEFAULT_STORE = Path("runs") / "ccua.duckdb"
LOCK_TIMEOUT = 120.0

# Each entry upgrades the schema by one version; never edit an entry once released.
MIGRATIONS: tuple[str, ...] = (
    # 1: runs, item scores, indicator values
    """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,          -- first 16 hex digits of results.json's sha256
        client VARCHAR NOT NULL,
        segment VARCHAR NOT NULL,            -- the engagement's industry (背景 行业)
        period_start VARCHAR NOT NULL,
        period_end VARCHAR NOT NULL,
        framework VARCHAR NOT NULL,
        framework_version VARCHAR NOT NULL,
        total DECIMAL(7, 2),
        grade VARCHAR,
        ratings_rated INTEGER,               -- requirements rated by the assessors
        ratings_na INTEGER,                  -- requirements marked not applicable
        ratings_mean DOUBLE,                 -- mean rating of the rated requirements
        results_sha256 VARCHAR NOT NULL,
        input_hashes JSON,                   -- from the run's provenance, when recorded
        source VARCHAR,                      -- where the results.json was read from
        recorded_seq BIGINT NOT NULL         -- order of recording (append-only log)
    );
    CREATE TABLE run_items (
        run_id VARCHAR NOT NULL, code VARCHAR NOT NULL, grp VARCHAR,
        points DECIMAL(7, 2), percent DECIMAL(7, 2), score DECIMAL(7, 2),
        PRIMARY KEY (run_id, code)
    );
    CREATE TABLE run_indicators (
        run_id VARCHAR NOT NULL, code VARCHAR NOT NULL, unit VARCHAR, direction VARCHAR,
        value DOUBLE, evaluable BOOLEAN, met BOOLEAN,
        PRIMARY KEY (run_id, code)
    );
    CREATE SEQUENCE recorded_seq START 1;
    """,
)


def store_path(path: str | Path | None = None) -> Path:
    """The store to use: the one given, else ``CCUA_PORTFOLIO``, else runs/ccua.duckdb."""
    if path is not None:
        return Path(path)
    env = os.environ.get("CCUA_PORTFOLIO")
    return Path(env) if env else DEFAULT_STORE


@contextmanager
def connect(path: Path, *, write: bool = False) -> Iterator[Any]:
    """A DuckDB connection to the store, migrated to the current schema."""
    import duckdb
    from filelock import FileLock, Timeout

    if not write and not path.exists():
        raise CcuaError(
            "no portfolio store here yet: runs are recorded by `ccua run` and "
            "`ccua batch`, or back-filled with `ccua portfolio import`",
            file=str(path),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=LOCK_TIMEOUT)
    except Timeout:
        raise CcuaError(
            f"the portfolio store is busy (another process holds {lock.lock_file} "
            f"for more than {LOCK_TIMEOUT:.0f} s)",
            file=str(path),
        ) from None
    try:
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise CcuaError(f"cannot open the portfolio store: {exc}", file=str(path)) from None
        try:
            migrate(con)
            yield con
        finally:
            con.close()
    finally:
        lock.release()


def schema_version(con: Any) -> int:
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: Any) -> int:
    """Apply the migrations the store lacks; return the schema version."""
    version = schema_version(con)
    if version > len(MIGRATIONS):
        raise CcuaError(
            f"the portfolio store has schema version {version}; this ccua knows "
            f"up to {len(MIGRATIONS)}: upgrade ccua"
        )
    if version == len(MIGRATIONS):
        return version
    with _transaction(con):
        if version == 0:
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.execute("INSERT INTO meta VALUES ('schema_version', '0')")
        for sql in MIGRATIONS[version:]:
            con.execute(sql)
        con.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(len(MIGRATIONS))]
        )
    return len(MIGRATIONS)


@contextmanager
def _transaction(con: Any) -> Iterator[None]:
    """All or nothing: committed at the end, rolled back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    client: str
    segment: str
    period_start: str
    period_end: str
    framework: str
    framework_version: str
    total: Decimal | None
    grade: str | None
    ratings_rated: int
    ratings_na: int
    ratings_mean: float | None
    results_sha256: str
    input_hashes: str | None
    source: str
    items: tuple[tuple[str, str, Decimal | None, Decimal | None, Decimal | None], ...]
    indicators: tuple[tuple[str, str | None, str, float | None, bool, bool | None], ...]


def record_of(results: Results, digest: str, source: str = "") -> RunRecord:
    """What the store keeps of one run (pure)."""
    a = results.assessment
    ratings = [r for i in a.items for r in i.requirements if r.source in ("assessor", "subpoints")]
    rated = [float(r.rating) for r in ratings if r.rating is not None]
    na = sum(1 for i in a.items for r in i.requirements if r.source == "na")
    hashes = None
    if results.provenance and isinstance(results.provenance.get("inputs"), dict | list):
        hashes = json.dumps(results.provenance["inputs"], ensure_ascii=False, sort_keys=True)
    segment = results.engagement.background.industry or "—"
    values = [None if i.value is None else float(i.value) for i in results.indicators]
    return RunRecord(
        run_id=digest[:16],
        client=results.client,
        segment=segment,
        period_start=results.period.start,
        period_end=results.period.end,
        framework=results.framework.id,
        framework_version=results.framework.version,
        total=a.total,
        grade=a.grade,
        ratings_rated=len(rated),
        ratings_na=na,
        ratings_mean=(sum(rated) / len(rated)) if rated else None,
        results_sha256=digest,
        input_hashes=hashes,
        source=source,
        items=tuple((i.code, i.group, i.points, i.percent, i.score) for i in a.items),
        indicators=tuple(
            (ind.code, ind.unit, ind.direction, value, ind.evaluable, ind.met)
            for ind, value in zip(results.indicators, values, strict=True)
        ),
    )


def insert(con: Any, record: RunRecord) -> bool:
    """Append one run; False when the store already has it (same results.json)."""
    exists = con.execute("SELECT 1 FROM runs WHERE run_id = ?", [record.run_id]).fetchone()
    if exists:
        return False
    row = [getattr(record, f.name) for f in fields(record) if f.name not in ("items", "indicators")]
    with _transaction(con):
        marks = ", ".join("?" * len(row))
        con.execute(f"INSERT INTO runs VALUES ({marks}, nextval('recorded_seq'))", row)
        if record.items:
            con.executemany(
                "INSERT INTO run_items VALUES (?, ?, ?, ?, ?, ?)",
                [[record.run_id, *row] for row in record.items],
            )
        if record.indicators:
            con.executemany(
                "INSERT INTO run_indicators VALUES (?, ?, ?, ?, ?, ?, ?)",
                [[record.run_id, *row] for row in record.indicators],
            )
    return True


def read_run_file(path: Path) -> tuple[Results, str]:
    """A run's results and the sha256 of its results.json."""
    from ccua.results_model import read_results

    file = path / "results.json" if path.is_dir() else path
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CcuaError(f"cannot read: {exc.strerror or exc}", file=str(file)) from None
    return read_results(data.decode("utf-8"), file=str(file)), hashlib.sha256(data).hexdigest()


def record_runs(paths: Sequence[Path], store: Path | None = None) -> tuple[int, int]:
    """Record runs (folders or results.json files); return (added, already there)."""
    records = []
    for p in paths:
        results, digest = read_run_file(p)
        records.append(record_of(results, digest, str(p)))
    added = 0
    with connect(store_path(store), write=True) as con:
        for record in records:
            added += insert(con, record)
    return added, len(records) - added
