"""Comparisons from the portfolio: a client against anonymised peers, and against itself.

**Benchmark** (percentile rank among peers). The group is the latest run of every client
(optionally of one segment) under the same framework. For a value v of the client:

    percentile = 100 × (B + 0.5·E) / N

N counts the clients in the group, this one included; B those with a strictly worse value;
E those with an equal value, this one included. "Worse" is lower for higher-is-better values
(the total, item percents, most indicators) and higher for lower-is-better indicators
(direction ``lower``: a higher value counts as lower). Indicators without a direction or with a
band are not ranked. A group of fewer than :data:`MIN_PEERS` clients is refused
(k-anonymity); no other client's name or value is ever returned.

**Re-assessment**: the client's previous engagement (the latest earlier run with another
period), against which :mod:`ccua.portfolio._hooks` compares every item and indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccua.errors import CcuaError

MIN_PEERS = 5


def percentile_rank(value: float, peers: Sequence[float], lower_is_better: bool = False) -> float:
    """100 × (B + 0.5·E) / N over ``peers`` (which include ``value`` itself)."""
    n = len(peers)
    if n == 0:
        raise ValueError("no peers")
    below = sum(1 for p in peers if (p > value if lower_is_better else p < value))
    equal = sum(1 for p in peers if p == value)
    return 100 * (below + 0.5 * equal) / n


LATEST = """
    SELECT * FROM (
        SELECT r.*, row_number() OVER (PARTITION BY client
                                       ORDER BY period_end DESC, recorded_seq DESC) AS rn
        FROM runs r WHERE framework = ? {segment}
    ) WHERE rn = 1
"""


def benchmark(con: Any, client: str, segment: str | None = None) -> dict[str, Any]:
    """The client's percentile ranks among the latest run of every client of the group."""
    row = con.execute(
        "SELECT framework, segment, run_id FROM runs WHERE client = ? "
        "ORDER BY period_end DESC, recorded_seq DESC LIMIT 1",
        [client],
    ).fetchone()
    if row is None:
        raise CcuaError(f"the portfolio has no run of client {client!r}", field="CLIENT")
    framework, own_segment, run_id = row
    if segment is not None and segment != own_segment:
        raise CcuaError(
            f"client {client!r} is in segment {own_segment!r}, not {segment!r}", field="--segment"
        )
    latest = LATEST.format(segment="AND segment = ?" if segment else "")
    params = [framework, segment] if segment else [framework]
    n = con.execute(f"SELECT count(*) FROM ({latest})", params).fetchone()[0]
    if n < MIN_PEERS:
        raise CcuaError(
            f"the group has {n} client{'s' if n != 1 else ''}; benchmarks need at "
            f"least {MIN_PEERS} so that no client can be singled out "
            "(k-anonymity)",
            field="--segment" if segment else "CLIENT",
        )
    # One query per kind computes B and E for the client against the group, in DuckDB.
    total = con.execute(
        f"""WITH g AS ({latest}), me AS (SELECT total FROM runs WHERE run_id = ?)
            SELECT me.total, count(*) FILTER (WHERE g.total < me.total),
                   count(*) FILTER (WHERE g.total = me.total)
            FROM g, me GROUP BY me.total""",
        [*params, run_id],
    ).fetchone()
    items = con.execute(
        f"""WITH g AS ({latest}),
                 gi AS (SELECT i.* FROM run_items i JOIN g USING (run_id)),
                 me AS (SELECT * FROM run_items WHERE run_id = ?)
            SELECT me.code, me.percent,
                   count(gi.percent) FILTER (WHERE gi.percent < me.percent),
                   count(gi.percent) FILTER (WHERE gi.percent = me.percent),
                   count(gi.percent)
            FROM me JOIN gi USING (code) WHERE me.percent IS NOT NULL
            GROUP BY me.code, me.percent ORDER BY me.code""",
        [*params, run_id],
    ).fetchall()
    indicators = con.execute(
        f"""WITH g AS ({latest}),
                 gi AS (SELECT i.* FROM run_indicators i JOIN g USING (run_id)),
                 me AS (SELECT * FROM run_indicators WHERE run_id = ?
                        AND value IS NOT NULL AND direction IN ('higher', 'lower'))
            SELECT me.code, me.value, me.direction,
                   count(gi.value) FILTER (WHERE CASE WHEN me.direction = 'lower'
                                           THEN gi.value > me.value ELSE gi.value < me.value END),
                   count(gi.value) FILTER (WHERE gi.value = me.value),
                   count(gi.value)
            FROM me JOIN gi USING (code)
            GROUP BY me.code, me.value, me.direction ORDER BY me.code""",
        [*params, run_id],
    ).fetchall()

    def pct(below: int, equal: int, count: int) -> float:
        return round(100 * (below + 0.5 * equal) / count, 2)

    out: dict[str, Any] = {"peers": n, "segment": segment, "framework": framework, "client": client}
    out["total"] = {
        "value": None if total is None else str(total[0]),
        "percentile": None if total is None else pct(total[1], total[2], n),
    }
    out["items"] = [
        {"code": code, "value": str(value), "percentile": pct(b, e, c), "peers": c}
        for code, value, b, e, c in items
        if c >= MIN_PEERS
    ]
    out["indicators"] = [
        {"code": code, "value": value, "direction": way, "percentile": pct(b, e, c), "peers": c}
        for code, value, way, b, e, c in indicators
        if c >= MIN_PEERS
    ]
    return out


def previous_run(
    con: Any, client: str, period_start: str, period_end: str
) -> tuple[Any, ...] | None:
    """The client's latest run of an earlier engagement (another period ending before)."""
    return con.execute(
        "SELECT run_id, period_start, period_end, total, grade FROM runs "
        "WHERE client = ? AND period_end < ? AND NOT (period_start = ? AND period_end = ?) "
        "ORDER BY period_end DESC, recorded_seq DESC LIMIT 1",
        [client, period_start, period_start, period_end],
    ).fetchone()
