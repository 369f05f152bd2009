"""Commands that run assessments: run, batch, demo-client."""

from __future__ import annotations

import glob
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ccua.cli._app import JSON_OPTION, app, console, err_console, esc, print_json, say
from ccua.engagement import Params
from ccua.errors import CcuaError
from ccua.runner import RunSummary, run_batch, run_client


@app.command("run")
def run_cmd(
    params: Path = typer.Argument(..., help="The client's params file, e.g. params/demo.yaml."),
    no_notebooks: bool = typer.Option(
        False, "--no-notebooks", help="Only validate and write results.json."
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the report."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Run folder (default runs/<client>)."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of notebooks, report and workbook: zh "
        "(default, or the params file's lang:) or en.",
    ),
    wait: float | None = typer.Option(
        None,
        "--wait",
        min=0,
        help="Seconds to wait for another run of the same client "
        "(default 30, or CCUA_LOCK_TIMEOUT); 0 refuses at "
        "once.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run one client's assessment: validate, compute, execute the notebooks, render the report."""
    from ccua.i18n import check_lang

    if lang is not None:
        lang = check_lang(lang)
    quiet = as_json or not err_console.is_terminal

    def step(message: str) -> None:
        if not quiet:
            err_console.print(f"[dim]·[/] {esc(message)}")
        elif not as_json:
            err_console.print(f"· {message}", markup=False)

    steps = _steps(no_notebooks, no_report)
    summary = run_client(
        params, progress=step, output=output, lang=lang, lock_timeout=wait, **steps
    )
    if as_json:
        print_json(asdict(summary))
        return
    console.print(
        f"[bold]{esc(summary.client)}[/]: 测评计分合计 {summary.total:.2f}分, "
        f"等级 {summary.grade or '—'} ({summary.seconds:.1f} s)"
    )
    say(f"→ {summary.output}: {', '.join(summary.files)}")


def _steps(no_notebooks: bool, no_report: bool) -> dict[str, Any]:
    return {"notebooks": not no_notebooks, "report": False if no_report else None}


def _expand(patterns: list[str]) -> list[str]:
    paths: list[str] = []
    for pattern in patterns:
        # A file that exists is itself, even when its name holds glob characters ("[A1]").
        literal = Path(pattern).is_file() or not any(c in pattern for c in "*?[")
        matches = [pattern] if literal else sorted(glob.glob(pattern))
        if not matches:
            raise CcuaError(f"no params file matches {pattern!r}")
        paths += [m for m in matches if m not in paths]
    return paths


@app.command("batch")
def batch_cmd(
    params: list[str] = typer.Argument(..., help="Params files or globs (params/*.yaml)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Clients run in parallel."),
    no_notebooks: bool = typer.Option(False, "--no-notebooks"),
    no_report: bool = typer.Option(False, "--no-report"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run many clients; one client's failure does not stop the others."""
    paths = _expand(params)
    done: list[RunSummary] = []
    progress = Progress(
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json,
    )
    with progress:
        task = progress.add_task("", total=len(paths))

        def on_done(s: RunSummary) -> None:
            done.append(s)
            mark = "ok" if s.status == "ok" else "[red]failed[/]"
            progress.update(task, advance=1, description=f"{esc(s.client)} {mark}")

        summaries = run_batch(paths, jobs=jobs, on_done=on_done, **_steps(no_notebooks, no_report))
    failed = [s for s in summaries if s.status != "ok"]
    if as_json:
        print_json([asdict(s) for s in summaries])
    else:
        table = Table(
            title=f"batch: {len(summaries)} clients, {len(failed)} failed", box=box.SIMPLE_HEAD
        )
        for col in ("client", "total", "grade", "status", "seconds"):
            table.add_column(col, justify="right" if col in ("total", "seconds") else "left")
        for s in summaries:
            table.add_row(
                Text(s.client),
                f"{s.total:.2f}" if s.total is not None else "—",
                s.grade or "—",
                "ok" if s.status == "ok" else "[red]failed[/]",
                f"{s.seconds:.1f}",
            )
        console.print(table)
        for s in failed:
            first = s.error.splitlines()[0] if s.error else "unknown error"
            err_console.print(f"[red]{esc(s.client)}[/]: {esc(first)}", soft_wrap=True)
    if failed:
        sys.exit(1)


@app.command("demo-client")
def demo_client_cmd(
    out: Path = typer.Option(
        Path("params"), "--out", help="Folder for the params file and the engagement folder."
    ),
    framework: str = typer.Option(
        "t-ccua",
        "--framework",
        "-f",
        help="The demo client of this framework: t-ccua (params/"
        "demo.yaml) or ccea-guideline (params/demo-guideline"
        ".yaml); all for both.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace edited demo files."),
    client: str | None = typer.Option(
        None,
        "--client",
        help="Another synthetic client under "
        "this name (params/NAME.yaml), e.g. for a batch; use "
        "with --seed.",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Random seed of the synthetic client (default: the bundled demo's)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """(Re)generate a bundled demo client from its fixed seed, or another synthetic client.

    `ccua demo-client --client acme --seed 2` writes params/acme.yaml and params/acme/:
    a different centre, generated the same way, for trying a batch.
    """
    from ccua.demo import demo_frameworks, write_demo

    frameworks = demo_frameworks()
    if framework != "all" and framework not in frameworks:
        raise CcuaError(
            f"`--framework` must be one of {', '.join([*frameworks, 'all'])}, got {framework!r}"
        )
    chosen = frameworks if framework == "all" else [framework]
    if client is not None and len(chosen) > 1:
        raise CcuaError("`--client` names one client: choose one `--framework`")
    if client is not None:
        try:
            Params(client=client, engagement=client)
        except ValidationError:
            raise CcuaError(
                f"`--client` {client!r} is not a client name: letters, digits, "
                "'_', '.' and '-', starting with a letter or digit"
            ) from None
    given = {"client": client, "seed": seed}
    options: dict[str, Any] = {"force": force, **{k: v for k, v in given.items() if v is not None}}
    written = [p for fw in chosen for p in write_demo(out, framework=fw, **options)]
    if as_json:
        print_json({"files": [str(p) for p in written]})
    else:
        say(f"demo client written: {', '.join(str(p) for p in written)}")
