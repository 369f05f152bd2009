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

from typing import TYPE_CHECKING

from ccua._lazy import lazy_exports

# Imported on first use (PEP 562): reading records needs DuckDB, ingesting needs the sources,
# and neither should pay for the other (nor for Spark).
_EXPORTS = {
    "Definitions": "ccua.records._definitions",
    "MeasureDef": "ccua.records._definitions",
    "load_definitions": "ccua.records._definitions",
    "ENGINES": "ccua.records._engine",
    "DuckDBEngine": "ccua.records._engine",
    "Engine": "ccua.records._engine",
    "SparkEngine": "ccua.records._engine",
    "open_engine": "ccua.records._engine",
    "spark_unavailable": "ccua.records._engine",
    "IngestResult": "ccua.records._ingest",
    "RecordsInvalid": "ccua.records._ingest",
    "expand": "ccua.records._ingest",
    "ingest": "ccua.records._ingest",
    "RecordInputs": "ccua.records._inputs",
    "definitions_for": "ccua.records._inputs",
    "merge_inputs": "ccua.records._inputs",
    "monthly_inputs": "ccua.records._inputs",
    "Mapping": "ccua.records._mapped",
    "load_mapping": "ccua.records._mapping",
    "KINDS": "ccua.records._schema",
    "Column": "ccua.records._schema",
    "Kind": "ccua.records._schema",
    "kind": "ccua.records._schema",
    "RecordsStore": "ccua.records._store",
    "resolve_client": "ccua.records._client",
    "Plan": "ccua.records._synth",
    "write_records": "ccua.records._synth",
}

if TYPE_CHECKING:
    from ccua.records._client import resolve_client
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
    from ccua.records._inputs import RecordInputs, definitions_for, merge_inputs, monthly_inputs
    from ccua.records._mapped import Mapping
    from ccua.records._mapping import load_mapping
    from ccua.records._schema import KINDS, Column, Kind, kind
    from ccua.records._store import RecordsStore
    from ccua.records._synth import Plan, write_records


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


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
    "Plan",
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
    "resolve_client",
    "spark_unavailable",
    "write_records",
]
