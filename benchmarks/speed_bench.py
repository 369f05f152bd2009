"""Speed benchmark (issue 14; not a test): every ratio, each against its baseline side by side.

    .venv/bin/python benchmarks/speed_bench.py [--repeat 5] [--clients 20] [--before DIR]
    .venv/bin/python benchmarks/speed_bench.py --smoke        # seconds; what the tests run

Every measurement is a whole process, timed by wall clock, and its baseline is measured in
the same round, right before it, so that a busy machine slows both alike; each round gives a
ratio and the table shows the median of the rounds (and the median times). With ``--before
DIR`` (a checkout of an earlier ccua, e.g. ``git archive <commit> | tar -x -C DIR``) the same
commands also run against that code (``PYTHONPATH=DIR``, its own params and notebooks) in the
same rounds: a before/after table from one session.

1. ``ccua run`` of the demo against a trivial one-cell notebook run by ``papermill`` (goal
   ≤ 2×); the run's results.json and executed notebooks are compared with a run in fresh
   kernels (``CCUA_WARM_KERNELS=0``): they must be the same apart from provenance.
2. ``ccua score``, ``ccua kpi calc``, ``ccua spec show`` against ``python -c pass`` (goal
   ≤ 0.5 s, ≤ 10×; each round the fastest of three runs of each); and the rfc3987_syntax
   import tax: ``import jsonschema`` / ``altair`` with and without
   :func:`ccua._imports.skip_slow_optional_imports`.
3. ``ccua batch`` of ``--clients`` synthetic demo clients at ``--jobs 2`` against one client
   (goal ≤ 8×).
4. ``ccua form`` until its page is served, the demo against ccua's Voila serving a 1-cell
   notebook (goal ≤ 3 s), and a client with ``--records`` voice calls' worth of ingested
   records (every kind) against the demo, its measures' cache cold and warm; the same for
   ``ccua check`` (goal: as fast as the demo).
5. Ingest of a voice CSV against a bare DuckDB COPY of the same file (goal ≤ 1.3×), from
   benchmarks/records_bench.py's variants.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TRIVIAL = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "c1",
            "metadata": {},
            "outputs": [],
            "source": ["1 + 1"],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


class Tree:
    """A ccua to measure: this checkout, or an earlier one (``--before``)."""

    def __init__(self, name: str, root: Path) -> None:
        self.name, self.root = name, root
        # with its bytecode, as installed (scripts/setup compiles this checkout's): where
        # PYTHONDONTWRITEBYTECODE is set, a tree without it compiles ccua in every process
        subprocess.run(
            [PY, "-m", "compileall", "-q", "-j", "0", str(root / "ccua")],
            stdout=subprocess.DEVNULL,
            check=False,
        )

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, **extra)
        env["PYTHONPATH"] = str(self.root)
        if "CCUA_WARM_KERNELS" not in extra:
            env.pop("CCUA_WARM_KERNELS", None)
        return env

    def ccua(self, *args: str) -> list[str]:
        return [PY, "-m", "ccua", *args]


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600
) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return seconds


class Row:
    def __init__(self, goal: str, what: str, baseline: str, target: str) -> None:
        self.goal, self.what, self.baseline, self.target = goal, what, baseline, target
        self.times: list[float] = []
        self.base: list[float] = []

    def add(self, seconds: float, base: float) -> None:
        self.times.append(seconds)
        self.base.append(base)

    def cells(self) -> list[str]:
        if not self.times:
            return [self.goal, self.what, "—", self.baseline, "—", "—", self.target]
        ratio = statistics.median(t / b for t, b in zip(self.times, self.base, strict=True))
        return [
            self.goal,
            self.what,
            f"{statistics.median(self.times):.3f}",
            self.baseline,
            f"{statistics.median(self.base):.3f}",
            f"{ratio:.2f}×",
            self.target,
        ]


def print_table(rows: list[Row], notes: list[str], runs: int) -> None:
    header = ["goal", "what", "s (median)", "baseline", "baseline s", "ratio (median)", "goal"]
    body = [header] + [r.cells() for r in rows]
    widths = [max(len(str(line[i])) for line in body) for i in range(len(header))]
    print(
        f"\nccua speed benchmark: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
        f"{runs} round(s), medians\n"
    )
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in body[1:]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    for note in notes:
        print(f"- {note}")


# ----------------------------------------------------------------------------- goals


def goal_commands(trees: list[Tree], rows: list[Row], repeat: int, work: Path) -> None:
    commands = [
        ("score", ["score", "params/worked-example.ratings.yaml"]),
        ("kpi calc", ["kpi", "calc", "DO6.9", "50", "1000"]),
        ("spec show", ["spec", "show"]),
    ]
    table = {
        (t.name, label): Row("2", f"ccua {label} [{t.name}]", "python -c pass", "≤ 0.5 s, ≤ 10×")
        for t in trees
        for label, _ in commands
    }
    rows += table.values()
    # Each tree its own framework cache: an older ccua replaces any other's cache file.
    envs = {t.name: t.env(CCUA_CACHE_DIR=str(work / f"cache-{t.name}")) for t in trees}
    for tree in trees:  # warm the caches (framework, .pyc) once
        for _, args in commands:
            timed(tree.ccua(*args), tree.root, envs[tree.name])
    # A round's time is the fastest of three runs in a row, the baseline's too: these are
    # tenths of a second, which the other work of a shared machine only ever lengthens.
    for _ in range(repeat):
        for tree in trees:
            for label, args in commands:
                base = min(timed([PY, "-c", "pass"], ROOT) for _ in range(3))
                cmd, env = tree.ccua(*args), envs[tree.name]
                seconds = min(timed(cmd, tree.root, env) for _ in range(3))
                table[tree.name, label].add(seconds, base)


def goal_rfc3987(rows: list[Row], repeat: int, altair: bool = True) -> None:
    skip = "import ccua._imports as i; i.skip_slow_optional_imports(); "
    cases = [
        ("import jsonschema", "import jsonschema"),
        ("import jsonschema, rfc3987_syntax skipped", skip + "import jsonschema"),
        ("import altair", "import altair"),
        ("import altair, rfc3987_syntax skipped", skip + "import altair"),
    ][: 4 if altair else 2]
    table = {label: Row("2b", label, "python -c pass", "the tax gone") for label, _ in cases}
    rows += table.values()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(repeat):
        for label, code in cases:
            base = timed([PY, "-c", "pass"], ROOT)
            table[label].add(timed([PY, "-c", code], ROOT, env), base)


def _strip_provenance(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_provenance(v) for k, v in value.items() if k not in ("provenance", "ccua")
        }
    if isinstance(value, list):
        return [_strip_provenance(v) for v in value]
    return value


def same_outputs(a: Path, b: Path) -> list[str]:
    """Files of run ``a`` that differ from run ``b`` (provenance aside)."""
    names = ["results.json", *sorted(p.name for p in a.glob("*.ipynb"))]
    differ = []
    for name in names:
        left, right = a / name, b / name
        if not right.exists() or _strip_provenance(
            json.loads(left.read_text("utf-8"))
        ) != _strip_provenance(json.loads(right.read_text("utf-8"))):
            differ.append(name)
    return differ


def goal_run(
    trees: list[Tree],
    rows: list[Row],
    notes: list[str],
    repeat: int,
    work: Path,
    report: bool,
    compare: bool = True,
) -> None:
    trivial = work / "trivial.ipynb"
    trivial.write_text(json.dumps(TRIVIAL), encoding="utf-8")
    papermill = [
        PY,
        "-m",
        "papermill",
        "-k",
        "python3",
        "--no-progress-bar",
        str(trivial),
        str(work / "trivial.out.ipynb"),
    ]
    extra = [] if report else ["--no-report"]
    table = {
        t.name: Row(
            "1",
            f"ccua run demo{'' if report else ' --no-report'} [{t.name}]",
            "papermill 1-cell",
            "≤ 2×",
        )
        for t in trees
    }
    rows += table.values()
    after = trees[-1]
    # ccua keeps rendered chart SVGs in its cache (ccua/charts.py): [after] runs with the
    # demo's charts there, as after any earlier run of it (one untimed run first), and
    # [after, caches empty] with an empty cache folder in every round (charts, framework).
    # Not in the smoke test (compare=False).
    empty = None
    if compare:
        empty = Row(
            "1",
            f"ccua run demo{'' if report else ' --no-report'} [{after.name}, caches empty]",
            "papermill 1-cell",
            "≤ 2×",
        )
        rows.append(empty)
        timed(
            after.ccua("run", "params/demo.yaml", "-o", str(work / "run-warm-up"), *extra),
            after.root,
            after.env(),
        )
    for n in range(repeat):
        for tree in trees:
            base = timed(papermill, work)
            out = work / f"run-{tree.name}-{n}"
            table[tree.name].add(
                timed(
                    tree.ccua("run", "params/demo.yaml", "-o", str(out), *extra),
                    tree.root,
                    tree.env(),
                ),
                base,
            )
        if empty is None:
            continue
        base = timed(papermill, work)
        empty.add(
            timed(
                after.ccua("run", "params/demo.yaml", "-o", str(work / f"run-empty-{n}"), *extra),
                after.root,
                after.env(CCUA_CACHE_DIR=str(work / f"cache-empty-{n}")),
            ),
            base,
        )
    if not compare:
        return
    differ = same_outputs(work / f"run-{after.name}-0", work / "run-empty-0")
    notes.append(
        f"ccua run [{after.name}] with its caches against empty caches: "
        + ("DIFFERENT: " + ", ".join(differ) if differ else "the same (provenance aside)")
    )
    cold = work / "run-cold"
    timed(
        after.ccua("run", "params/demo.yaml", "-o", str(cold), *extra),
        after.root,
        after.env(CCUA_WARM_KERNELS="0"),
    )
    differ = same_outputs(work / f"run-{after.name}-0", cold)
    verdict = (
        "DIFFERENT: " + ", ".join(differ)
        if differ
        else "results.json and every executed notebook the same (provenance aside)"
    )
    notes.append(f"ccua run [{after.name}] against fresh kernels (CCUA_WARM_KERNELS=0): {verdict}")


def goal_batch(trees: list[Tree], rows: list[Row], clients: int, work: Path, report: bool) -> None:
    extra = [] if report else ["--no-report"]
    for tree in trees:
        folder = work / f"batch-{tree.name}"
        params = folder / "params"
        params.mkdir(parents=True)
        for n in range(clients):
            timed(
                tree.ccua(
                    "demo-client",
                    "--client",
                    f"c{n:02d}",
                    "--seed",
                    str(1000 + n),
                    "--out",
                    str(params),
                ),
                tree.root,
                tree.env(),
            )
        row = Row("3", f"batch {clients} clients --jobs 2 [{tree.name}]", "one client", "≤ 8×")
        rows.append(row)
        # Each client's charts are its own: the one client and the batch start with empty
        # caches of their own (an earlier benchmark may have left these clients' SVGs).
        one = timed(
            tree.ccua("run", str(params / "c00.yaml"), "-o", str(folder / "one"), *extra),
            folder,
            tree.env(CCUA_CACHE_DIR=str(folder / "cache-one")),
        )
        paths = [str(params / f"c{n:02d}.yaml") for n in range(clients)]
        many = timed(
            tree.ccua("batch", *paths, "--jobs", "2", *extra),
            folder,
            tree.env(CCUA_CACHE_DIR=str(folder / "cache-batch")),
        )
        row.add(many, one)


def goal_ingest(trees: list[Tree], rows: list[Row], repeat: int, calls: int, work: Path) -> None:
    """Each tree's ingest against records_bench.py's bare DuckDB COPY of the same CSV."""
    folder = work / "voice"

    def bench(call: str, root: Path = ROOT) -> list[str]:
        path = [str(root / "benchmarks"), str(root)]
        return [
            PY,
            "-c",
            f"import sys; sys.path[:0] = {path!r}; "
            "import records_bench as b; from pathlib import Path; " + call,
        ]

    timed(bench(f"b.generate_records({calls}, Path({str(folder)!r}))"), ROOT)
    csv = folder / "voice_calls.csv"
    table = {
        t.name: Row(
            "5", f"ingest {calls:,} voice calls (every check) [{t.name}]", "DuckDB COPY", "≤ 1.3×"
        )
        for t in trees
    }
    rows += table.values()
    for n in range(repeat):
        for tree in trees:
            base_out, ccua_out = work / f"sql-{n}", work / f"ccua-{n}"
            base = timed(bench(f"b.ingest_sql(Path({str(csv)!r}), Path({str(base_out)!r}))"), ROOT)
            ours = bench(f"b.ingest_ccua(Path({str(csv)!r}), Path({str(ccua_out)!r}))", tree.root)
            table[tree.name].add(timed(ours, tree.root), base)
            shutil.rmtree(base_out, ignore_errors=True)
            shutil.rmtree(ccua_out, ignore_errors=True)


def _records_client(n: int, folder: Path) -> Path:
    """The demo client with ``n`` synthetic voice calls' worth of records ingested (every kind;
    ~4.3 records in all per call); built once in ``folder``, reused when it is there."""
    params = folder / "params" / "demo.yaml"
    marker = folder / f"built-{n}"
    if marker.exists() and params.exists():
        return params
    if folder.exists() and any(folder.iterdir()) and not list(folder.glob("built-*")):
        raise SystemExit(f"{folder} holds other files: choose an empty folder for the client")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "params" / "demo", folder / "params" / "demo")
    shutil.copy(ROOT / "params" / "demo.yaml", params)
    exports = folder / "exports"
    ccua = [PY, "-m", "ccua"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    timed([*ccua, "demo-data", "-n", str(n), "--canonical", "-o", str(exports)], ROOT, env)
    timed([*ccua, "ingest", str(params), str(exports)], ROOT, env)
    shutil.rmtree(exports)
    marker.write_text("", encoding="utf-8")
    return params


def _ingested_rows(params: Path) -> int:
    manifest = params.parent / "demo" / "records" / "manifest.json"
    return sum(s["written"] for s in json.loads(manifest.read_text("utf-8"))["sources"])


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served(cmd: list[str], env: dict[str, str], port: int | None = None) -> float:
    """Seconds from starting a server until its page is served: the form at the address it
    prints, or (``port``) a bare Voila's page once the port listens, polled as ``ccua form``
    polls. A form's page must show widgets and no error."""
    import re
    import signal
    import socket
    import urllib.request

    started = time.perf_counter()
    out = subprocess.PIPE if port is None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        if port is None:
            assert proc.stdout is not None
            found = None
            for line in proc.stdout:
                found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
                if found:
                    break
            if not found:
                raise SystemExit(f"no address from: {' '.join(cmd)}")
            url = found.group(1)
        else:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise SystemExit(f"stopped: {' '.join(cmd)}") from None
                    time.sleep(0.2)
            url = f"http://127.0.0.1:{port}/?token=t"
        with urllib.request.urlopen(url, timeout=600) as response:
            page = response.read().decode("utf-8")
        seconds = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if port is None and ("widget-view" not in page or "Cannot open the ratings form" in page):
        raise SystemExit(f"the form did not open: {' '.join(cmd)}")
    return seconds


def checked(cmd: list[str], env: dict[str, str]) -> float:
    """``ccua check``'s wall time; exit status 1 (the run would stop) counts as done."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - started


def goal_form(
    rows: list[Row], notes: list[str], repeat: int, work: Path, records: int, where: Path | None
) -> None:
    """``ccua form`` and ``ccua check``: the demo, and the demo with ``records`` calls' worth of
    ingested records, the measures' cache cold (removed first) and warm (just written)."""
    from ccua.forms._app import voila_command

    params = _records_client(records, where or work / "records-client")
    cache = params.parent / "demo" / "records" / ".cache"
    total = _ingested_rows(params)
    notes.append(
        f"goal 4: the records client holds {total:,} ingested records ({records:,} voice "
        "calls and the other kinds); cold = its measures' cache removed before the start"
    )
    trivial = work / "ratings-trivial.ipynb"
    trivial.write_text(json.dumps(TRIVIAL), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("CCUA_NO_CACHE", None)
    demo = ROOT / "params" / "demo.yaml"
    big = f"{total / 1e6:.1f} M records" if total >= 1e5 else f"{total:,} records"

    def form(p: Path) -> list[str]:
        return [PY, "-m", "ccua", "form", str(p), "--no-browser", "--port", str(_free_port())]

    def voila() -> float:  # ccua's own launcher of Voila (no rfc3987_syntax), a 1-cell page
        port = _free_port()
        return served(voila_command(trivial, port, "t"), env, port)

    def check(p: Path) -> list[str]:
        return [PY, "-m", "ccua", "check", str(p)]

    table = {
        "form demo": Row("4", "ccua form demo", "Voila 1-cell", "≤ 3 s"),
        "form cold": Row("4", f"ccua form {big}, cache cold", "ccua form demo", "≤ 3 s, ≈ 1×"),
        "form warm": Row("4", f"ccua form {big}, cache warm", "ccua form demo", "≤ 3 s, ≈ 1×"),
        "check demo": Row("4", "ccua check demo", "python -c pass", "—"),
        "check none": Row("4", f"ccua check {big}, CCUA_NO_CACHE=1", "ccua check demo", "≈ 1×"),
        "check cold": Row("4", f"ccua check {big}, cache cold", "ccua check demo", "≈ 1×"),
        "check warm": Row("4", f"ccua check {big}, cache warm", "ccua check demo", "≈ 1×"),
    }
    rows += table.values()
    served(form(demo), env)  # .pyc and the framework cache warm, as for an assessor
    for _ in range(repeat):
        demo_s = served(form(demo), env)
        table["form demo"].add(demo_s, voila())
        shutil.rmtree(cache, ignore_errors=True)
        table["form cold"].add(served(form(params), env), demo_s)
        table["form warm"].add(served(form(params), env), demo_s)
        demo_s = checked(check(demo), env)
        table["check demo"].add(demo_s, timed([PY, "-c", "pass"], ROOT))
        none = checked(check(params), dict(env, CCUA_NO_CACHE="1"))
        table["check none"].add(none, demo_s)
        shutil.rmtree(cache, ignore_errors=True)
        table["check cold"].add(checked(check(params), env), demo_s)
        table["check warm"].add(checked(check(params), env), demo_s)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="rounds per measurement")
    ap.add_argument("--clients", type=int, default=20, help="clients in the batch (goal 3)")
    ap.add_argument("--calls", type=int, default=1_000_000, help="records to ingest (goal 5)")
    ap.add_argument(
        "--records", type=int, default=10_000_000, help="voice calls of the records client (goal 4)"
    )
    ap.add_argument(
        "--records-dir", type=Path, help="build the records client here once and reuse it (goal 4)"
    )
    ap.add_argument("--before", type=Path, help="an earlier ccua checkout to compare with")
    ap.add_argument("--goals", default="1,2,3,4,5", help="which goals to measure")
    ap.add_argument("--no-report", action="store_true", help="runs without the report")
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="one round, tiny sizes, no batch: checks that the script works",
    )
    args = ap.parse_args(argv)
    if args.smoke:
        args.repeat, args.clients, args.calls, args.records = 1, 2, 2000, 2000
        args.goals, args.no_report = "1,2,4,5", True
    goals = set(args.goals.split(","))
    trees = ([Tree("before", args.before.resolve())] if args.before else []) + [Tree("after", ROOT)]
    rows: list[Row] = []
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="ccua-speed-"))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("2", lambda: goal_commands(trees, rows, args.repeat, work)),
        ("2", lambda: goal_rfc3987(rows, args.repeat, altair=not args.smoke)),
        (
            "1",
            lambda: goal_run(
                trees, rows, notes, args.repeat, work, not args.no_report, compare=not args.smoke
            ),
        ),
        ("3", lambda: goal_batch(trees, rows, args.clients, work, not args.no_report)),
        (
            "4",
            lambda: goal_form(rows, notes, args.repeat, work, args.records, args.records_dir),
        ),
        ("5", lambda: goal_ingest(trees, rows, args.repeat, args.calls, work)),
    ]
    try:
        for goal, step in steps:
            if goal in goals:
                started = time.perf_counter()
                step()
                print(
                    f"goal {goal}: measured in {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        print_table(rows, notes, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
