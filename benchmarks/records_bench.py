"""Benchmark: records to indicators, ccua against hand-written DuckDB SQL and plain pandas.

    .venv/bin/python benchmarks/records_bench.py --sizes 1e6,1e7,5e7

For each size N it generates N canonical voice calls once (``ccua.records._synth``, seed 7,
six months), then runs every variant in its own subprocess and prints one table (ingest once;
each indicator variant ``--repeat`` times on warm files, the fastest shown, because a shared
machine's noise only ever adds time):

- ingest: ``ccua`` (check every row, pseudonymise, partition by month), ``sql`` (one
  hand-written DuckDB COPY of the same conversion, no checks), ``pandas`` (read_csv, the same
  checks vectorised, hashlib pseudonyms, to_parquet partitioned);
- indicators (the voice indicators: DO6.5, DO6.6, DO6.8, DO6.9, DO6.10, DO6.13, CB1.3,
  DO2.2): ``ccua`` (``monthly_inputs`` and the exact core), ``sql`` (the same sums in one
  hand-written DuckDB query, the same arithmetic), ``pandas`` (groupby over the columns
  read with pyarrow), and ``spark`` (``monthly_inputs(engine="spark")``, local[*]; its session
  start-up is reported apart).

Peak memory is the largest resident set of the variant's process tree (sampled every 50 ms
with psutil, and the kernel's ru_maxrss), so a JVM counts too. Every indicator variant's
monthly values are compared with ccua's and the run stops if any differs. DuckDB variants
share the memory cap ``CCUA_DUCKDB_MEMORY`` (600 MB unless set). Files go to ``--work``
(default /tmp/ccua-bench), which needs about 180 bytes of disk per call.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
CODES = ["DO6.5", "DO6.6", "DO6.8", "DO6.9", "DO6.10", "DO6.13", "CB1.3", "DO2.2"]
SALT = "benchmark-salt-0123456789abcdef0123456789abcdef"


# --- variants (run in a subprocess) ---------------------------------------------------------


def _voice_files(records: Path) -> list[str]:
    from ccua.records import RecordsStore

    return [str(p) for p in RecordsStore(records).files("voice")]


def ingest_ccua(csv: Path, out: Path) -> dict:
    from ccua.records import ingest

    [result] = ingest(out, [csv], kind="voice")
    if result.error:
        raise SystemExit(str(result.error))
    return {"rows": result.written}


def ingest_sql(csv: Path, out: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{os.environ.get('CCUA_DUCKDB_MEMORY', '600MB')}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET VARIABLE salt = ?", [SALT])
    out.mkdir(parents=True, exist_ok=True)
    n = con.execute(f"""
        COPY (SELECT call_id, channel, queue, arrived_at, answered_at, ended_at, agent_id,
                     CAST(ring_s AS DECIMAL(18,3)) ring_s, CAST(talk_s AS DECIMAL(18,3)) talk_s,
                     CAST(hold_s AS DECIMAL(18,3)) hold_s, CAST(wrap_s AS DECIMAL(18,3)) wrap_s,
                     transferred, resolved_first_contact,
                     CAST(('0x' || substr(sha256(getvariable('salt') || customer_id), 1, 15))
                          AS BIGINT) AS customer_id,
                     strftime(arrived_at, '%Y-%m') AS month
              FROM read_csv('{csv}', header = true))
        TO '{out}' (FORMAT parquet, PARTITION_BY (month), ROW_GROUP_SIZE 61440)""").fetchall()
    return {"rows": int(n[0][0])}


def ingest_pandas(csv: Path, out: Path) -> dict:
    import hashlib

    import pandas as pd

    df = pd.read_csv(csv, parse_dates=["arrived_at", "answered_at", "ended_at"])
    bad = (df["answered_at"] < df["arrived_at"]) | (df["ended_at"] < df["arrived_at"])
    for col in ("ring_s", "talk_s", "hold_s", "wrap_s"):
        bad |= df[col] < 0
    if bad.any():
        raise SystemExit(f"{int(bad.sum())} bad rows")
    salt = SALT.encode()
    df["customer_id"] = df["customer_id"].map(
        lambda v: int(hashlib.sha256(salt + str(v).encode()).hexdigest()[:15], 16)
    )
    df["month"] = df["arrived_at"].dt.strftime("%Y-%m")
    df.to_parquet(out, partition_cols=["month"], index=False)
    return {"rows": len(df)}


def _indicators_from(sums: dict[str, dict[str, Fraction]]) -> dict[str, dict[str, float]]:
    """The voice indicators from per-month sums, with the core's formulas (exact)."""
    from ccua.kpi import compute
    from ccua.spec import load_framework

    fw = load_framework("t-ccua")
    out: dict[str, dict[str, float]] = {}
    for month, s in sums.items():
        values = {
            "DO6.5": [s["handle"], s["answered"]],
            "DO6.6": [s["talk"], s["answered"]],
            "DO6.8": [s["within"], s["answered"]],
            "DO6.9": [s["abandoned"], s["offered"]],
            "DO6.10": [s["answered"], s["offered"]],
            "DO6.13": [s["within"], s["offered"]],
            "CB1.3": [s["queue"], s["ring"], s["answered"]],
            "DO2.2": [s["single"], s["customers"]],
        }
        out[month] = {c: float(compute(fw, c, v).exact) for c, v in values.items()}
    return out


def indicators_ccua(records: Path, engine: str = "duckdb") -> dict:
    from ccua.kpi import indicators_from_inputs
    from ccua.records import monthly_inputs
    from ccua.spec import load_framework

    fw = load_framework("t-ccua")
    os.environ["CCUA_NO_CACHE"] = "1"  # the computation is measured, not the measures' cache
    started = time.perf_counter()
    eng: object = engine
    startup = 0.0
    if engine == "spark":
        from ccua.records import SparkEngine

        eng = SparkEngine()
        startup = time.perf_counter() - started
    inputs = monthly_inputs(records, fw, MONTHS, engine=eng)  # type: ignore[arg-type]
    values, problems = indicators_from_inputs(fw, inputs)
    if problems:
        raise SystemExit("; ".join(problems))
    out: dict[str, dict[str, float]] = {}
    for v in values:
        if v.code in CODES:
            out.setdefault(v.month, {})[v.code] = float(v.value)
    if engine == "spark":
        eng.close()  # type: ignore[attr-defined]
    return {"indicators": out, "startup": startup}


def indicators_sql(records: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{os.environ.get('CCUA_DUCKDB_MEMORY', '600MB')}'")
    files = _voice_files(records)
    src = f"read_parquet({files}, hive_partitioning = true)"
    rows = con.execute(f"""
        SELECT month, count(*), count(*) FILTER (answered_at IS NULL), count(answered_at),
               count(*) FILTER (answered_at IS NOT NULL
                                AND epoch_ms(answered_at) - epoch_ms(arrived_at) <= 20000),
               sum(talk_s) FILTER (answered_at IS NOT NULL),
               sum(talk_s + hold_s + wrap_s) FILTER (answered_at IS NOT NULL),
               sum(epoch_ms(answered_at) - epoch_ms(arrived_at)) - sum(ring_s) * 1000,
               sum(ring_s) FILTER (answered_at IS NOT NULL)
        FROM {src} GROUP BY month""").fetchall()
    days = con.execute(f"""
        SELECT month, count(*) FILTER (calls = 1), count(*) FROM (
            SELECT month, customer_id, CAST(arrived_at AS DATE), count(*) AS calls
            FROM {src} WHERE customer_id IS NOT NULL GROUP BY ALL) GROUP BY month""").fetchall()
    sums: dict[str, dict[str, Fraction]] = {}
    for m, offered, abandoned, answered, within, talk, handle, queue_ms, ring in rows:
        sums[m] = {
            "offered": Fraction(offered),
            "abandoned": Fraction(abandoned),
            "answered": Fraction(answered),
            "within": Fraction(within),
            "talk": Fraction(talk),
            "handle": Fraction(handle),
            "queue": Fraction(queue_ms) / 1000,
            "ring": Fraction(ring),
        }
    for m, single, customers in days:
        sums[m].update(single=Fraction(single), customers=Fraction(customers))
    return {"indicators": _indicators_from(sums)}


def indicators_pandas(records: Path) -> dict:
    import pyarrow as pa
    import pyarrow.dataset as ds

    cols = ["arrived_at", "answered_at", "ring_s", "talk_s", "hold_s", "wrap_s", "customer_id"]
    table = ds.dataset(_voice_files(records), format="parquet", partitioning="hive").to_table(
        columns=cols
    )
    # Plain pandas has no exact decimals that are fast: durations become float seconds.
    table = table.cast(
        pa.schema(
            [(c, pa.float64() if c.endswith("_s") else table.schema.field(c).type) for c in cols]
        )
    )
    df = table.to_pandas()
    df["month"] = df["arrived_at"].dt.strftime("%Y-%m")
    df["answered"] = df["answered_at"].notna()
    wait = (df["answered_at"] - df["arrived_at"]).dt.total_seconds()
    df["within"] = df["answered"] & (wait <= 20)
    df["talk"] = df["talk_s"].where(df["answered"], 0)
    df["handle"] = (df["talk_s"] + df["hold_s"] + df["wrap_s"]).where(df["answered"], 0)
    df["queue"] = (wait - df["ring_s"]).where(df["answered"], 0)
    df["ring"] = df["ring_s"].where(df["answered"], 0)
    g = df.groupby("month")
    agg = g.agg(
        offered=("answered", "size"),
        answered=("answered", "sum"),
        within=("within", "sum"),
        talk=("talk", "sum"),
        handle=("handle", "sum"),
        queue=("queue", "sum"),
        ring=("ring", "sum"),
    )
    df["day"] = df["arrived_at"].dt.normalize()
    per = df.dropna(subset=["customer_id"]).groupby(["month", "customer_id", "day"]).size()
    days = per.groupby(level="month").agg(single=lambda s: int((s == 1).sum()), customers="size")
    sums: dict[str, dict[str, Fraction]] = {}
    for m, r in agg.iterrows():
        sums[str(m)] = {
            "offered": Fraction(int(r.offered)),
            "abandoned": Fraction(int(r.offered - r.answered)),
            "answered": Fraction(int(r.answered)),
            "within": Fraction(int(r.within)),
            "talk": Fraction(r.talk),
            "handle": Fraction(r.handle),
            "queue": Fraction(r.queue),
            "ring": Fraction(r.ring),
            "single": Fraction(int(days.loc[m, "single"])),
            "customers": Fraction(int(days.loc[m, "customers"])),
        }
    return {"indicators": _indicators_from(sums)}


VARIANTS = {
    "generate": lambda a: generate_records(int(a.size), Path(a.out)),
    "ingest/ccua": lambda a: ingest_ccua(Path(a.csv), Path(a.out)),
    "ingest/sql": lambda a: ingest_sql(Path(a.csv), Path(a.out)),
    "ingest/pandas": lambda a: ingest_pandas(Path(a.csv), Path(a.out)),
    "indicators/ccua": lambda a: indicators_ccua(Path(a.records)),
    "indicators/sql": lambda a: indicators_sql(Path(a.records)),
    "indicators/pandas": lambda a: indicators_pandas(Path(a.records)),
    "indicators/spark": lambda a: indicators_ccua(Path(a.records), "spark"),
}


def child(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    result = VARIANTS[args.variant](args)
    result["seconds"] = time.perf_counter() - started
    # The kernel's high-water mark of this process and of children it waited for (a JVM).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["maxrss_kb"] = max(own, kids)
    sys.stdout.write("\nRESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    # Leave without interpreter teardown: native thread pools (pyarrow, duckdb) have been seen
    # to abort at exit ("terminate called without an active exception") after the work is done.
    os._exit(0)


# --- the parent -------------------------------------------------------------------------------


def run_variant(variant: str, timeout: float, **paths: Path) -> dict:
    import psutil

    cmd = [sys.executable, __file__, "--variant", variant]
    for key, value in paths.items():
        cmd += [f"--{key}", str(value)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        if time.perf_counter() - started > timeout:
            proc.kill()
            return {"error": f"timed out after {timeout:.0f} s"}
        time.sleep(0.05)
    out, err = proc.communicate()
    if proc.returncode != 0 or "RESULT " not in out:
        return {"error": (err.strip().splitlines() or ["failed"])[-1][:120]}
    result = json.loads(out.rsplit("RESULT ", 1)[1])
    result["peak_mb"] = max(peak, result["maxrss_kb"] * 1024) / 2**20
    return result


def generate_records(n: int, out: Path) -> dict:
    from ccua.records._synth import Plan, write_records

    write_records(out, Plan(calls=n), kinds=("voice",), messy_voice=False)
    return {"rows": n}


def generate(n: int, work: Path) -> tuple[Path, float]:
    """The N calls' CSV, generated once (in a subprocess: Linux hands a parent's peak memory
    on to the children it starts, which would blur theirs)."""
    folder = work / f"voice-{n}"
    csv = folder / "voice_calls.csv"
    if csv.exists():
        return csv, 0.0
    tmp = work / f".voice-{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    result = run_variant("generate", 7200, out=tmp, size=n)
    if "error" in result:
        raise SystemExit(f"generating {n:,} calls failed: {result['error']}")
    tmp.rename(folder)
    return csv, result["seconds"]


def warm(folder: Path) -> None:
    """Read the files once so every variant starts with them in the page cache."""
    for path in folder.rglob("*.parquet"):
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def fastest(runs: list[dict]) -> dict:
    """The fastest run (the machine's noise only ever adds time); peak memory is the largest
    seen in any run."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        abs(a[m][c] - b[m][c]) <= 1e-6 * max(1.0, abs(a[m][c])) for m in a for c in a[m]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e6,1e7,5e7")
    parser.add_argument("--work", default="/tmp/ccua-bench")
    parser.add_argument(
        "--pandas-ingest-max",
        type=float,
        default=1e7,
        help="skip pandas ingest above this size (it loads the whole file)",
    )
    parser.add_argument("--spark-max", type=float, default=5e7)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each indicator variant; the fastest is shown"
    )
    parser.add_argument("--spark-repeat", type=int, default=1)
    parser.add_argument("--variant")
    for key in ("csv", "out", "records", "size"):
        parser.add_argument(f"--{key}")
    args = parser.parse_args()
    if args.variant:
        child(args)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        csv, gen = generate(n, work)
        print(
            f"# {n:,} calls: {csv.stat().st_size / 2**30:.2f} GiB CSV"
            + (f", generated in {gen:.0f} s" if gen else " (cached)"),
            flush=True,
        )
        records = work / f"records-{n}"
        found: dict[str, dict] = {}
        for variant in ("ingest/ccua", "ingest/sql", "ingest/pandas"):
            out = work / f"out-{variant.split('/')[1]}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            if variant == "ingest/pandas" and n > args.pandas_ingest_max:
                found[variant] = {"error": "skipped: loads the whole file (~2.4 kB a row)"}
            else:
                target = records if variant == "ingest/ccua" else out
                shutil.rmtree(target, ignore_errors=True)
                found[variant] = run_variant(variant, args.timeout, csv=csv, out=target)
            if variant != "ingest/ccua":
                shutil.rmtree(out, ignore_errors=True)
            print(f"  {variant}: {found[variant]}"[:200], flush=True)
        # Interleaved repeats: noise from other work on the machine falls on every variant
        # alike, and the fastest run of each is kept.
        variants = ["indicators/ccua", "indicators/sql", "indicators/pandas"]
        runs: dict[str, list[dict]] = {v: [] for v in variants}
        for _ in range(args.repeat):
            for variant in variants:
                if runs[variant] and "error" in runs[variant][-1]:
                    continue
                warm(records)
                runs[variant].append(run_variant(variant, args.timeout, records=records))
        if n > args.spark_max:
            runs["indicators/spark"] = [{"error": "skipped (--spark-max)"}]
        else:
            runs["indicators/spark"] = []
            for _ in range(args.spark_repeat):
                warm(records)
                runs["indicators/spark"].append(
                    run_variant("indicators/spark", args.timeout, records=records)
                )
        for variant, done in runs.items():
            found[variant] = fastest(done)
            r = found[variant]
            print(f"  {variant}: {r.get('seconds', r.get('error'))}", flush=True)
            if (
                "indicators" in r
                and variant != "indicators/ccua"
                and not same(found["indicators/ccua"]["indicators"], r["indicators"])
            ):
                raise SystemExit(f"{variant} disagrees with ccua at {n:,}: {r['indicators']}")
        rows.append((n, found))
    print()
    print(table(rows))


def table(rows: list[tuple[int, dict[str, dict]]]) -> str:
    head = (
        "| records | step | variant | seconds | peak memory | ccua vs hand-written SQL "
        "| pandas / ccua |"
    )
    lines = [head, "|---:|---|---|---:|---:|---:|---:|"]
    for n, found in rows:
        for step in ("ingest", "indicators"):
            ccua = found.get(f"{step}/ccua", {})
            for variant in ("ccua", "sql", "pandas", "spark"):
                r = found.get(f"{step}/{variant}")
                if r is None:
                    continue
                if "error" in r:
                    lines.append(f"| {n:,} | {step} | {variant} | {r['error']} | | | |")
                    continue
                secs = f"{r['seconds']:.2f}"
                if r.get("startup"):
                    secs += f" (of which {r['startup']:.1f} session start)"
                vs_sql = pandas = ""
                if variant == "ccua" and "seconds" in found.get(f"{step}/sql", {}):
                    vs_sql = f"{r['seconds'] / found[f'{step}/sql']['seconds']:.2f}×"
                if variant == "pandas" and "seconds" in ccua:
                    pandas = f"{r['seconds'] / ccua['seconds']:.1f}×"
                lines.append(
                    f"| {n:,} | {step} | {variant} | {secs} | {r['peak_mb']:,.0f} MB "
                    f"| {vs_sql} | {pandas} |"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
