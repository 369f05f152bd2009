"""Operating records (T/CCUA §7.2 c): canonical schemas, ingest, measures, engines.

The assessor recomputes the centre's indicators from its own records rather than trusting
its slides (真实性). The flow::

    ccua ingest CLIENT FILE...      export files -> validated, pseudonymised, month-partitioned
                                    Parquet in params/<client>/records/
    monthly_inputs(records, fw, months)   -> the same monthly inputs a sheet gives, exactly
    merge_inputs(sheet, records)          -> records win; warnings name what they replaced

Measures are defined once, as SQL over the canonical tables, next to the spec
(``ccua/frameworks/t-ccua/records.yaml``); DuckDB runs them by default, Spark on a cluster.
"""

from ccua.records._definitions import Definitions, MeasureDef, load_definitions
from ccua.records._engine import (
    ENGINES,
    DuckDBEngine,
    Engine,
    SparkEngine,
    open_engine,
    spark_unavailable,
)
from ccua.records._ingest import IngestResult, RecordsInvalid, expand, ingest
from ccua.records._inputs import (
    RecordInputs,
    definitions_for,
    merge_inputs,
    monthly_inputs,
)
from ccua.records._mapping import Mapping, load_mapping
from ccua.records._schema import KINDS, Column, Kind, kind
from ccua.records._store import RecordsStore

__all__ = [
    "ENGINES",
    "KINDS",
    "Column",
    "Definitions",
    "DuckDBEngine",
    "Engine",
    "IngestResult",
    "Kind",
    "Mapping",
    "MeasureDef",
    "RecordInputs",
    "RecordsInvalid",
    "RecordsStore",
    "SparkEngine",
    "definitions_for",
    "expand",
    "ingest",
    "kind",
    "load_definitions",
    "load_mapping",
    "merge_inputs",
    "monthly_inputs",
    "open_engine",
    "spark_unavailable",
]
