"""Record commands: ingest, records (indicators, status), demo-data."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ccua.cli._app import (
    FRAMEWORK_OPTION,
    JSON_OPTION,
    app,
    console,
    err_console,
    print_json,
    say,
)
from ccua.errors import CcuaError
from ccua.inputs import warm_records
from ccua.kpi import indicators_from_inputs
from ccua.records import (
    ENGINES,
    KINDS,
    IngestResult,
    RecordsStore,
    expand,
    ingest,
    load_mapping,
    monthly_inputs,
    resolve_client,
)
from ccua.serialize import num
from ccua.spec import load_framework

records_app = typer.Typer(
    help="Operating records: indicators recomputed from them, status.", no_args_is_help=True
)
app.add_typer(records_app, name="records")

KIND_OPTION = typer.Option(
    None,
    "--kind",
    "-k",
    help=f"The kind of records ({'|'.join(KINDS)}); default: from the "
    "mapping, else from the headers.",
)
MAPPING_OPTION = typer.Option(
    None,
    "--mapping",
    "-m",
    help="A mapping file (YAML); repeat for several. Default: the client's mappings/*.yaml.",
)


class _Bars:
    """One progress bar per file, on stderr (stdout stays clean for --json)."""

    def __init__(self, enabled: bool) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, file: str, stage: str, fraction: float | None) -> None:
        name = Path(file).name
        if file not in self.tasks:
            self.tasks[file] = self.progress.add_task(name, total=1.0)
        weights = {  # the stages of ccua.records._ingest.ingest_file
            "reading": (0.0, 0.05),
            "writing": (0.05, 0.85),  # every row checked and written, in one pass
            "counting": (0.9, 0.1),  # a file with problems: each counted
            "deduplicating": (0.9, 0.1),  # --dedupe: written again, one record per key
            "done": (1.0, 0.0),
        }
        start, span = weights.get(stage, (0.0, 0.0))
        done = start + span * (fraction or 0.0)
        self.progress.update(self.tasks[file], completed=done, description=f"{name}: {stage}")


def _mappings(paths: list[Path] | None, default_dir: Path | None) -> list:
    files = list(paths or [])
    if not files and default_dir is not None and default_dir.is_dir():
        files = sorted(default_dir.glob("*.yaml")) + sorted(default_dir.glob("*.yml"))
    return [load_mapping(p) for p in files]


def _result_dict(r: IngestResult) -> dict:
    return {
        "file": r.file,
        "kind": r.kind,
        "status": r.status,
        "rows": r.rows,
        "written": r.written,
        "skipped_rows": r.skipped,
        "duplicates_dropped": r.duplicates,
        "duplicates_within_file": r.duplicates_within,
        "duplicates_already_ingested": r.duplicates_earlier,
        "problems": r.problems,
        "months": r.months,
        "encoding": r.encoding,
        "ignored_columns": r.ignored_columns,
        "seconds": round(r.seconds, 3),
        "error": str(r.error) if r.error else None,
    }


@app.command("ingest")
def ingest_cmd(
    client: str = typer.Argument(..., help="A params file, or a client name (params/NAME.yaml)."),
    files: list[Path] = typer.Argument(
        ..., help="Export files (.csv, .xlsx, .parquet) or folders of them."
    ),
    kind: str | None = KIND_OPTION,
    mapping: list[Path] | None = MAPPING_OPTION,
    skip_bad_rows: bool = typer.Option(
        False,
        "--skip-bad-rows",
        help="Ingest the good rows of a file with problems "
        "(the manifest counts the rows left out).",
    ),
    dedupe: bool = typer.Option(
        False,
        "--dedupe",
        help="Keep one record per key (call id, session id, ...) when "
        "a key repeats in a file or was ingested before: the "
        "earlier one, else the first in the file; the others are "
        "left out and counted. Without it, repeated keys are "
        "refused.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read export files into the client's records folder: checked, pseudonymised, by month.

    Source files are never modified; re-running with the same files changes nothing; an
    interrupted ingest leaves the folder as it was.
    """
    folders = resolve_client(client)
    maps = _mappings(mapping, folders.mappings)
    started = time.perf_counter()
    with _Bars(enabled=not as_json) as bars:
        results = ingest(
            folders.records,
            files,
            kind=kind,
            mappings=maps,
            skip_bad_rows=skip_bad_rows,
            dedupe=dedupe,
            progress=bars,
        )
    failed = [r for r in results if r.status == "failed"]
    # The measures over all records, computed once now (cached by input hash), so that the
    # form, check and run that follow an ingest start without going over every record.
    changed = any(r.status in ("ingested", "replaced") for r in results)
    warmed = changed and warm_records(folders.params_file)
    if as_json:
        files_json = [_result_dict(r) for r in results]
        out = {"client": folders.params.client, "records": str(folders.records)}
        print_json({**out, "files": files_json, "measures_cached": warmed})
    else:
        _print_ingested(results, folders.records)
        console.print(
            f"{len(results) - len(failed)} of {len(results)} files ok in "
            f"{time.perf_counter() - started:.1f} s"
            + ("; monthly measures computed and cached for the form and the run" if warmed else "")
        )
    for r in failed:
        err_console.print(f"[bold red]error:[/] {r.error}", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _print_ingested(results: list[IngestResult], records: Path) -> None:
    """The table of files ingested, then what was left out or not stored, file by file."""
    table = Table(title=f"ingest → {records}")
    for col in ("file", "kind", "status", "rows", "written", "months", "problems"):
        table.add_column(col, justify="right" if col in ("rows", "written", "problems") else "left")
    for r in results:
        months = f"{min(r.months)}..{max(r.months)}" if r.months else ""
        counts = (f"{r.rows:,}", f"{r.written:,}", months, f"{r.problems:,}")
        table.add_row(Path(r.file).name, r.kind or "", r.status, *counts)
    console.print(table)
    for r in results:
        name = Path(r.file).name
        if r.skipped:
            console.print(f"[yellow]{name}: {r.skipped:,} bad rows left out (--skip-bad-rows)[/]")
        if r.duplicates:
            why = []
            if r.duplicates_within:
                why.append(f"{r.duplicates_within:,} repeated a key earlier in the file")
            if r.duplicates_earlier:
                why.append(f"{r.duplicates_earlier:,} had a key an earlier ingest holds")
            console.print(
                f"{name}: {r.duplicates:,} duplicate records left out (--dedupe): {'; '.join(why)}",
                markup=False,
                style="yellow",
            )
        if r.ignored_columns:
            say(f"{name}: not stored (no canonical column): {', '.join(r.ignored_columns)}")


def _records_folder(
    paths: list[Path],
    kind: str | None,
    mapping: list[Path] | None,
    scratch: Path,
    dedupe: bool = False,
) -> Path:
    """A records folder: the one given (it has a manifest), else the files ingested afresh."""
    if len(paths) == 1 and RecordsStore(paths[0]).exists():
        return paths[0]
    maps = _mappings(mapping, None)
    results = ingest(scratch, expand(paths), kind=kind, mappings=maps, dedupe=dedupe)
    for r in results:
        if r.error is not None and kind is None and "cannot tell which kind" in str(r.error):
            # Files are voice records unless they say otherwise: name what voice lacks.
            [r] = ingest(scratch, [Path(r.file)], kind="voice", mappings=maps, dedupe=dedupe)
        if r.error is not None:
            raise r.error
    return scratch


@records_app.command("indicators")
def records_indicators(
    paths: list[Path] = typer.Argument(
        ..., help="Canonical record files or folders, or an ingested records folder."
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        "-k",
        help="Kind of the files (default voice; ignored for a records folder).",
    ),
    mapping: list[Path] | None = MAPPING_OPTION,
    service_level_seconds: int = typer.Option(
        20, "--service-level-seconds", "-s", min=1, help="Target answer time of DO6.8, DO6.13-15."
    ),
    engine: str = typer.Option(
        "duckdb", "--engine", "-e", help=f"Where to compute: {' or '.join(ENGINES)}."
    ),
    dedupe: bool = typer.Option(
        False,
        "--dedupe",
        help="Count a record whose key repeats once (as ingest "
        "--dedupe) instead of refusing the files.",
    ),
    framework: str = FRAMEWORK_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute the monthly indicators that records give (files are checked as on ingest)."""
    fw = load_framework(framework)
    with tempfile.TemporaryDirectory(prefix="ccua-records-") as tmp:
        folder = _records_folder(paths, kind, mapping, Path(tmp) / "records", dedupe)
        months = RecordsStore(folder).months()
        if not months:
            raise CcuaError("the records hold no month with data", file=str(folder))
        inputs = monthly_inputs(
            folder, fw, months, service_level_seconds=service_level_seconds, engine=engine
        )
    values, problems = indicators_from_inputs(fw, inputs)
    if as_json:
        rows = [{"month": v.month, "code": v.code, "value": num(v.value)} for v in values]
        print_json({"indicators": rows})
        return
    codes = list(dict.fromkeys(v.code for v in values))
    table = Table(title=f"indicators from records (service level {service_level_seconds} s)")
    table.add_column("code")
    table.add_column("指标")
    for month in months:
        table.add_column(month, justify="right")
    by = {(v.month, v.code): v.value for v in values}
    for code in codes:
        cells = [f"{float(by[(m, code)]):,.2f}" if (m, code) in by else "—" for m in months]
        table.add_row(code, fw.indicator(code).name, *cells)
    console.print(table)
    for p in problems:
        console.print(f"[yellow]{p}[/]")


@records_app.command("status")
def records_status(
    client: str = typer.Argument(..., help="A params file, or a client name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """What a client's records folder holds: sources, kinds, months and rows."""
    folders = resolve_client(client)
    store = RecordsStore(folders.records)
    sources = store.sources()
    if as_json:
        keys = ("kind", "name", "sha256", "rows", "written", "skipped_rows", "problems")
        shown = [{k: s[k] for k in (*keys, "months", "ingested_at")} for s in sources]
        print_json({"records": str(folders.records), "sources": shown})
        return
    if not sources:
        console.print(f"no records ingested in {folders.records}")
        return
    table = Table(title=str(folders.records))
    for col in ("kind", "file", "rows", "months", "ingested"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    for s in sources:
        months = sorted(s["months"])
        span = f"{months[0]}..{months[-1]}" if months else ""
        table.add_row(s["kind"], s["name"], f"{s['written']:,}", span, s["ingested_at"])
    console.print(table)


@app.command("demo-data")
def demo_data(
    records: int = typer.Option(
        200_000,
        "--records",
        "-n",
        min=1,
        help="Voice calls to generate (the other kinds scale with it).",
    ),
    out: Path = typer.Option(Path("demo-data"), "--out", "-o", help="Folder to write into."),
    seed: int = typer.Option(7, "--seed", help="Random seed (same seed, same files)."),
    start: str = typer.Option("2026-01", "--start", help="First month (YYYY-MM)."),
    months: int = typer.Option(6, "--months", min=1, max=24, help="Number of months."),
    canonical: bool = typer.Option(
        False,
        "--canonical",
        help="Voice calls with canonical headers (UTF-8) instead of "
        "the centre's Chinese GBK export.",
    ),
) -> None:
    """Generate synthetic operating records of every kind, with a Chinese voice export."""
    from ccua.records import Plan, write_records

    if len(start) != 7 or start[4] != "-" or not (start[:4] + start[5:]).isdigit():
        raise CcuaError(f"--start must be a month like 2026-01, got {start!r}", field="start")
    plan = Plan(calls=records, start=start, months=months, seed=seed)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("generating", total=1.0)
        written = write_records(
            out,
            plan,
            messy_voice=not canonical,
            progress=lambda month, f: progress.update(
                task, completed=f, description=f"generating {month}"
            ),
        )
    say(*(f"  {path}  ({path.stat().st_size:,} bytes)" for path in written))
    mapping = out / "mapping" / "voice.yaml"
    hint = f" --mapping {mapping}" if mapping in written else ""
    say(f"next: ccua ingest CLIENT {out}{hint}")
