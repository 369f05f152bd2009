"""Benchmark of per-client runs (not a test): one client end to end, and batch throughput.

    .venv/bin/python benchmarks/runs_bench.py [--clients 20] [--jobs 1,2] [--no-report]

Generates synthetic clients from the demo generator (different seeds) into a temporary
folder, times one client end to end (validate, compute, notebooks, report), then runs the
batch at each ``--jobs`` and prints wall time and clients per minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ccua.demo import write_demo  # noqa: E402
from ccua.runner import run_batch, run_client  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()
    report = not args.no_report
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="ccua-bench-"))
    os.chdir(ROOT)  # the notebooks folder is found from the project
    try:
        params = work / "params"
        paths = []
        for n in range(args.clients):
            client = f"client{n:02d}"
            write_demo(params, seed=1000 + n, client=client)
            paths.append(params / f"{client}.yaml")

        started = time.perf_counter()
        single = run_client(paths[0], output=work / "single", report=report)
        one = time.perf_counter() - started
        rows = [("one client end to end", "1", f"{one:.1f}", f"{60 / one:.1f}")]
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = work / f"runs-j{jobs}"
            out.mkdir()
            os.chdir(out)  # runs/<client> lands here
            started = time.perf_counter()
            summaries = run_batch(paths, jobs=jobs, report=report)
            wall = time.perf_counter() - started
            os.chdir(ROOT)
            failed = [s for s in summaries if s.status != "ok"]
            if failed:
                console.print(f"[red]{len(failed)} failed[/]: {failed[0].error}")
            rows.append(
                (
                    f"batch of {len(paths)} clients",
                    str(jobs),
                    f"{wall:.1f}",
                    f"{len(paths) * 60 / wall:.1f}",
                )
            )
        table = Table(
            title=f"ccua runs ({os.cpu_count()} CPUs, report {'on' if report else 'off'},"
            f" grade of client00: {single.grade})"
        )
        for col in ("what", "jobs", "wall s", "clients/min"):
            table.add_column(col, justify="left" if col == "what" else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    finally:
        os.chdir(ROOT)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
