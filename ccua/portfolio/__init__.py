"""The portfolio: every run kept in a database, clients compared over time and with peers.

- :mod:`ccua.portfolio._store`: the append-only DuckDB store (schema versioned, migrations);
- :mod:`ccua.portfolio._compare`: benchmarks against anonymised peers, the previous run;
- :mod:`ccua.portfolio._site`: the static site of the portfolio.
"""

from __future__ import annotations

from ccua.portfolio._compare import MIN_PEERS, benchmark, percentile_rank, previous_run
from ccua.portfolio._demo import run_portfolio
from ccua.portfolio._hooks import (
    PORTFOLIO_FILE,
    compare_before_run,
    record_after_run,
    write_comparison,
)
from ccua.portfolio._site import build_site
from ccua.portfolio._store import (
    DEFAULT_STORE,
    MIGRATIONS,
    connect,
    migrate,
    record_of,
    record_runs,
    schema_version,
    store_path,
)

__all__ = [
    "DEFAULT_STORE",
    "MIGRATIONS",
    "MIN_PEERS",
    "PORTFOLIO_FILE",
    "benchmark",
    "build_site",
    "compare_before_run",
    "connect",
    "migrate",
    "percentile_rank",
    "previous_run",
    "record_after_run",
    "record_of",
    "record_runs",
    "run_portfolio",
    "schema_version",
    "store_path",
    "write_comparison",
]
