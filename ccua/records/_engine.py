"""Engines that run the measure definitions: DuckDB (embedded, the default) and Spark.

The definitions (``records.yaml``) are written once in a SQL subset that both engines run
unchanged. An engine only has to do three things: expose each canonical table as a view with
the derived integer columns (its one dialect-specific function is the epoch in milliseconds),
create the definition views, and return rows. Choosing SQL over Ibis keeps the definitions
readable as data next to the spec, keeps the dependency list short (Ibis would pull in its own
SQL compiler and pin both backends), and the subset is small enough to check mechanically
(:mod:`ccua.records._definitions` refuses functions outside it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ccua.errors import CcuaError
from ccua.records._schema import Kind, derived_columns
from ccua.records._schema import sql_literal as _quote

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str
    aggregate_style: str  # "case" (portable) or "filter"

    def register(self, kind: Kind, files: Sequence[Path], base: Path | None = None) -> None:
        """Expose a canonical table (empty, typed, when there are no files)."""

    def view(self, name: str, sql: str) -> None:
        """Create (or replace) a view of the definitions."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""

    def close(self) -> None:
        """Release the engine's resources."""


def empty_select(kind: Kind) -> str:
    """A typed, empty table of the canonical columns (the same SQL on both engines)."""
    cols = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in kind.columns)
    return f"SELECT {cols}, CAST(NULL AS STRING) AS month WHERE 1 = 0"


def table_sql(kind: Kind, source: str, epoch_ms: str) -> str:
    derived = ", ".join(f"{expr} AS {name}" for name, expr in derived_columns(kind, epoch_ms))
    return f"SELECT raw.*, {derived} FROM ({source}) raw"


class DuckDBEngine:
    """DuckDB in process: bounded memory (spills to disk), all cores, no server."""

    name = "duckdb"
    EPOCH_MS = "epoch_ms({})"
    aggregate_style = "filter"  # COUNT(*) FILTER (WHERE …): faster here than CASE

    def __init__(
        self,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET memory_limit = {_quote(memory_limit or default_memory_limit())}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory is not None:
            self.con.execute(f"SET temp_directory = {_quote(str(temp_directory))}")

    def register(self, kind: Kind, files: Sequence[Path], base: Path | None = None) -> None:
        if files:
            listed = ", ".join(_quote(str(f)) for f in files)
            cols = ", ".join(kind.names)
            source = (
                f"SELECT {cols}, CAST(month AS VARCHAR) AS month FROM read_parquet("
                f"[{listed}], hive_partitioning = true, hive_types = {{'month': VARCHAR}})"
            )
        else:
            source = empty_select(kind)
        self.con.execute(
            f"CREATE OR REPLACE VIEW {kind.name} AS {table_sql(kind, source, self.EPOCH_MS)}"
        )

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()]

    def close(self) -> None:
        self.con.close()


def default_memory_limit() -> str:
    """DuckDB's memory cap: CCUA_DUCKDB_MEMORY, else 600 MB (it spills beyond)."""
    return os.environ.get("CCUA_DUCKDB_MEMORY", "600MB")


class SparkEngine:
    """A Spark session: local by default (``local[*]``), or one the caller built."""

    name = "spark"
    EPOCH_MS = "unix_millis(CAST({} AS TIMESTAMP))"
    aggregate_style = "case"

    def __init__(self, session: Any = None, *, master: str | None = None) -> None:
        self.spark = session if session is not None else local_spark(master)
        self._owned = session is None
        self._views: list[str] = []

    def register(self, kind: Kind, files: Sequence[Path], base: Path | None = None) -> None:
        if files:
            reader = self.spark.read
            if base is not None:
                reader = reader.option("basePath", str(base))
            raw = f"ccua_raw_{kind.name}"
            reader.parquet(*[str(f) for f in files]).createOrReplaceTempView(raw)
            cols = ", ".join(kind.names)
            source = f"SELECT {cols}, CAST(month AS STRING) AS month FROM {raw}"
        else:
            source = empty_select(kind)
        self.view(kind.name, table_sql(kind, source, self.EPOCH_MS))

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
        self._views.append(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self) -> None:
        if self._owned:
            self.spark.stop()


def spark_unavailable() -> str | None:
    """Why the Spark engine cannot run here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the Spark engine needs pyspark: pip install 'ccua[spark]'"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return (
            "the Spark engine needs a Java runtime (17 or newer), e.g. apt-get install "
            "openjdk-17-jre-headless"
        )
    return None


def local_spark(master: str | None = None) -> Any:
    """A local Spark session configured for the definitions (UTC wall clock, string months)."""
    reason = spark_unavailable()
    if reason:
        raise CcuaError(reason)
    from pyspark.sql import SparkSession

    master = master or os.environ.get("CCUA_SPARK_MASTER", "local[*]")
    cores = master[len("local[") : -1] if master.startswith("local[") else "*"
    shuffle = str(os.cpu_count() or 4) if cores == "*" else cores
    builder = (
        SparkSession.builder.master(master)
        .appName("ccua-records")
        # Timestamps are local wall-clock times stored without a zone; reading them in
        # UTC keeps them as written, like DuckDB.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.shuffle.partitions", shuffle)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def open_engine(name: str = "duckdb", **options: Any) -> Engine:
    """An engine by name (``duckdb`` or ``spark``)."""
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        return SparkEngine(**options)
    raise CcuaError(f"`engine` must be one of {', '.join(ENGINES)}, got {name!r}", field="engine")
