"""Portfolio at scale: `ccua benchmark` and the site with N stored runs (default 10,000).

    .venv/bin/python benchmarks/portfolio_bench.py [--runs 10000] [--smoke]

Fills a fresh store with N runs (one real results.json of the demo, with totals, item percents
and indicator values varied per synthetic client; a third of the clients with two
engagements), then times, side by side in this process:

- ccua's benchmark (``ccua.portfolio.benchmark``) against a baseline of hand-written Python
  over rows fetched by one plain SQL query (the obvious implementation);
- the same as a whole ``ccua benchmark`` process, against ``python -c pass``;
- the site build (``ccua.portfolio.build_site``).

Prints the figures and the ratios. The goals (issue 16): benchmark ≤ 0.5 s and site ≤ 30 s
with 10,000 runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fill(path: Path, runs: int, seed: int = 7) -> str:
    from ccua.engagement import load_engagement
    from ccua.portfolio import connect, record_of
    from ccua.results import build_results

    results = build_results(load_engagement(ROOT / "params" / "demo.yaml")).results
    base = record_of(results, "0" * 64, "")
    rnd = random.Random(seed)
    segments = ["保险业（寿险）", "银行业", "电信运营", "电子商务", "公用事业"]
    clients = int(runs / 1.333) + 1
    made = 0
    run_rows, item_rows, ind_rows = [], [], []
    for c in range(clients):
        for engagement in range(2 if c % 3 == 2 else 1):
            if made >= runs:
                break
            run_id = f"r{made:07d}"
            total = Decimal(rnd.randint(5500, 9800)) / 100
            year = 2026 - engagement
            run_rows.append(
                (
                    run_id,
                    f"c{c:05d}",
                    segments[c % 5],
                    f"{year}-01",
                    f"{year}-06",
                    base.framework,
                    base.framework_version,
                    total,
                    None,
                    100,
                    2,
                    3.8,
                    f"{made:064x}",
                    None,
                    "",
                    made + 1,
                )
            )
            for code, group, points, _percent, _score in base.items:
                item_rows.append(
                    (run_id, code, group, points, Decimal(rnd.randint(5000, 10000)) / 100, None)
                )
            for code, unit, direction, value, evaluable, met in base.indicators:
                if value is not None:
                    ind_rows.append(
                        (
                            run_id,
                            code,
                            unit,
                            direction,
                            value * rnd.uniform(0.8, 1.2),
                            evaluable,
                            met,
                        )
                    )
            made += 1
    with connect(path, write=True) as con:
        import pandas as pd

        for table, rows in (
            ("runs", run_rows),
            ("run_items", item_rows),
            ("run_indicators", ind_rows),
        ):
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            plain = [[float(v) if isinstance(v, Decimal) else v for v in r] for r in rows]
            frame = pd.DataFrame(plain, columns=cols)  # noqa: F841  (read by DuckDB by name)
            con.execute(f"INSERT INTO {table} SELECT * FROM frame")
    return "c00002"


def baseline_benchmark(con, client: str) -> dict:
    """The obvious way: fetch the latest runs, rank in Python."""
    rows = con.execute(
        "SELECT client, run_id, total FROM runs r WHERE period_end = (SELECT max(period_end) "
        "FROM runs r2 WHERE r2.client = r.client)"
    ).fetchall()
    me = next(r for r in rows if r[0] == client)
    totals = [float(r[2]) for r in rows]
    ids = [r[1] for r in rows]
    items = con.execute(
        "SELECT run_id, code, percent FROM run_items WHERE run_id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    by_code: dict[str, list[float]] = {}
    mine: dict[str, float] = {}
    for run_id, code, percent in items:
        by_code.setdefault(code, []).append(float(percent))
        if run_id == me[1]:
            mine[code] = float(percent)
    from ccua.portfolio import percentile_rank

    return {
        "total": percentile_rank(float(me[2]), totals),
        "items": {c: percentile_rank(v, by_code[c]) for c, v in mine.items()},
    }


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="200 runs, one repeat")
    args = ap.parse_args()
    if args.smoke:
        args.runs, args.repeat = 200, 1
    from ccua.portfolio import benchmark, build_site, connect

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "ccua.duckdb"
        t = time.perf_counter()
        client = fill(store, args.runs)
        fill_s = time.perf_counter() - t
        with connect(store) as con:
            ours = timed(lambda: benchmark(con, client), args.repeat)
            base = timed(lambda: baseline_benchmark(con, client), args.repeat)
            got = benchmark(con, client)
            expected = baseline_benchmark(con, client)
            assert got["total"]["percentile"] == round(expected["total"], 2), "disagree"
            site = timed(
                lambda: build_site(con, Path(tmp) / "site", copy_reports=False),
                max(1, args.repeat // 2),
            )
        proc = timed(
            lambda: subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ccua",
                    "benchmark",
                    client,
                    "--portfolio",
                    str(store),
                    "--json",
                ],
                check=True,
                capture_output=True,
            ),
            args.repeat,
        )
        floor = timed(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.repeat
        )
    print(f"runs stored: {args.runs} (filled in {fill_s:.1f} s); peers: {got['peers']}")
    print(
        f"benchmark in process: {ours:.3f} s   baseline (SQL + Python ranks): {base:.3f} s   "
        f"ratio {ours / base:.2f}"
    )
    print(
        f"ccua benchmark process: {proc:.3f} s   python -c pass: {floor:.3f} s   ratio "
        f"{proc / floor:.1f}   goal ≤ 0.5 s: {'met' if proc <= 0.5 else 'NOT met'}"
    )
    print(f"site build: {site:.2f} s   goal ≤ 30 s: {'met' if site <= 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
