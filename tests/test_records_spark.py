"""The same measure definitions on Spark give exactly what DuckDB gives.

Skipped, with the reason, where pyspark or a Java runtime is missing (CI installs both: the
``spark`` extra and openjdk-17-jre-headless). One local[1] session serves the module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ccua.records import ingest, monthly_inputs, spark_unavailable

DATA = Path(__file__).parent / "data" / "records"
MONTHS = ["2026-01", "2026-02", "2026-03"]

pytestmark = pytest.mark.skipif(spark_unavailable() is not None, reason=spark_unavailable() or "")


@pytest.fixture(scope="module")
def spark_engine():
    from ccua.records import SparkEngine

    engine = SparkEngine(master="local[1]")
    yield engine
    engine.spark.stop()


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spark") / "records"
    assert all(r.error is None for r in ingest(folder, [DATA]))
    return folder


@pytest.mark.parametrize("seconds", [20, 30])
def test_duckdb_and_spark_agree_exactly(records, tccua, spark_engine, seconds):
    duck = monthly_inputs(records, tccua, MONTHS, service_level_seconds=seconds)
    spark = monthly_inputs(
        records, tccua, MONTHS, service_level_seconds=seconds, engine=spark_engine
    )
    assert spark.values == duck.values
    assert len(duck.measures()) > 60
    assert spark.defaults == duck.defaults
