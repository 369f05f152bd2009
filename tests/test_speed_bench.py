"""The speed benchmark runs (issue 14, goal 6): a smoke test at a tiny size, no timing asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_speed_bench_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, "benchmarks/speed_bench.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    goals = {line.split("|")[1].strip() for line in table[1:]}
    assert goals == {"1", "2", "2b", "4", "5"}, proc.stdout
    for line in table[1:]:
        assert line.split("|")[6].strip().endswith("×"), line  # a ratio for every row
