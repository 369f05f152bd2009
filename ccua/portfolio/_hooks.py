"""What a run asks of the portfolio: its previous engagement before, its own record after.

``ccua run`` and ``ccua batch`` write ``portfolio.json`` into the run folder (the previous
engagement of the same client and the change of every item and indicator since; the peer
benchmark when the params ask for it) and, once the run is in place, append it to the store.
``portfolio.json`` is kept apart from results.json on purpose: results.json depends only on
the run's inputs (``ccua verify`` recomputes it), the comparison depends on the store.

The store never stops a run: a store that cannot be read or written is a warning.
``CCUA_PORTFOLIO=off`` turns the store off.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccua.errors import CcuaError
from ccua.portfolio._compare import MIN_PEERS, benchmark, previous_run
from ccua.portfolio._store import connect, record_runs, store_path

if TYPE_CHECKING:
    from ccua.results_model import Results

PORTFOLIO_FILE = "portfolio.json"


def enabled(store: Path | None) -> bool:
    off = ("off", "0", "no", "false")
    return store is not None or os.environ.get("CCUA_PORTFOLIO", "").lower() not in off


def _num(value: Any) -> str | None:
    """Points and percents to the cent, as every other output prints them."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def comparison(
    store: Path | None,
    results: Results,
    *,
    with_benchmark: bool = False,
    segment: str | None = None,
) -> dict[str, Any] | None:
    """The previous engagement and the changes since (and the benchmark), or None."""
    path = store_path(store)
    if not path.exists():
        return None
    out: dict[str, Any] = {"schema": "ccua.portfolio", "schema_version": 1}
    with connect(path) as con:
        prev = previous_run(con, results.client, results.period.start, results.period.end)
        if prev is not None:
            run_id, start, end, total, grade = prev
            items = dict(
                con.execute(
                    "SELECT code, percent FROM run_items WHERE run_id = ?", [run_id]
                ).fetchall()
            )
            values = dict(
                con.execute(
                    "SELECT code, value FROM run_indicators WHERE run_id = ?", [run_id]
                ).fetchall()
            )
            a = results.assessment
            out["previous"] = {
                "run_id": run_id,
                "period_start": start,
                "period_end": end,
                "total": _num(total),
                "grade": grade,
                "total_change": _num(a.total - total)
                if a.total is not None and total is not None
                else None,
            }
            out["items"] = [
                {
                    "code": i.code,
                    "before": _num(items.get(i.code)),
                    "after": _num(i.percent),
                    "change": _num(i.percent - items[i.code])
                    if i.percent is not None and items.get(i.code) is not None
                    else None,
                }
                for i in a.items
            ]
            out["indicators"] = [
                {
                    "code": ind.code,
                    "before": values.get(ind.code),
                    "after": float(ind.value) if ind.value is not None else None,
                    "change": round(float(ind.value) - values[ind.code], 6)
                    if ind.value is not None and values.get(ind.code) is not None
                    else None,
                }
                for ind in results.indicators
                if ind.value is not None
            ]
        if with_benchmark:
            try:
                out["benchmark"] = benchmark(con, results.client, segment)
            except CcuaError as exc:
                out["benchmark"] = {"refused": str(exc), "min_peers": MIN_PEERS}
    return out if len(out) > 2 else None


def write_comparison(folder: Path, data: dict[str, Any]) -> None:
    from ccua._io import atomic_write_text

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(type(value).__name__)

    atomic_write_text(
        folder / PORTFOLIO_FILE,
        json.dumps(data, ensure_ascii=False, indent=1, default=default) + "\n",
    )


def record_after_run(store: Path | None, run_dir: Path) -> str | None:
    """Append the run to the store; a warning text instead of an error when it cannot."""
    if not enabled(store):
        return None
    try:
        record_runs([run_dir], store)
    except Exception as exc:  # a corrupt or foreign file must not fail a finished run
        return f"the run was not recorded in the portfolio store: {_why(exc)}"
    return None


def _why(exc: Exception) -> str:
    """The error as a sentence; its kind too when it is not one ccua or the system names."""
    return str(exc) if isinstance(exc, (CcuaError, OSError)) else f"{type(exc).__name__}: {exc}"


def compare_before_run(
    store: Path | None, results: Results, *, with_benchmark: bool = False
) -> tuple[dict[str, Any] | None, str | None]:
    if not enabled(store):
        return None, None
    try:
        return comparison(store, results, with_benchmark=with_benchmark), None
    except Exception as exc:
        return None, f"the portfolio store could not be read: {_why(exc)}"
