"""Commands for a client's engagement files: new (from templates) and check (validate)."""

from __future__ import annotations

from pathlib import Path

import typer

from ccua.cli._app import JSON_OPTION, app, console, esc, print_json, say
from ccua.errors import MAX_PROBLEMS, Problem, count_problems
from ccua.scaffold import DEFAULT_MONTHS, check_client, new_client


@app.command("new")
def new_cmd(
    name: str = typer.Argument(..., help="Client name: letters, digits and -_. (e.g. acme-2026)."),
    framework: str = typer.Option(
        "t-ccua", "--framework", "-f", help="Framework id (t-ccua or ccea-guideline)."
    ),
    directory: Path = typer.Option(Path("params"), "--dir", help="Where params files live."),
    start: str | None = typer.Option(
        None,
        "--start",
        help="First month of the period, e.g. 2026-01 (default: the last complete months).",
    ),
    months: int = typer.Option(DEFAULT_MONTHS, "--months", help="Months in the period (7.2 c)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a client from templates: params/NAME.yaml and the folder params/NAME/."""
    created = new_client(name, framework=framework, directory=directory, start=start, months=months)
    if as_json:
        print_json(
            {
                "client": created.name,
                "framework": created.framework,
                "params": str(created.params_file),
                "folder": str(created.folder),
                "months": list(created.months),
                "files": [str(f) for f in created.files],
                "default_targets": created.defaults,
                "inputs": created.inputs,
            }
        )
        return
    period = f"{created.months[0]}..{created.months[-1]}"
    console.print(f"[bold]{created.name}[/] ({created.framework}, {period}): created")
    say(*(f"  {f}" for f in created.files))
    targets = (
        f"replace the {created.defaults} default targets in targets.yaml with the "
        "centre's own where it has them"
        if created.defaults
        else "give the centre's targets in targets.yaml"
    )
    say(
        f"Next: fill in engagement.yaml (×××) and monthly.xlsx ({created.inputs} inputs × "
        f"{len(created.months)} months), {targets}, check the documentary indicators "
        f"(checks.yaml) and rate every item (ratings.yaml); then "
        f"`ccua check {created.params_file}`.",
        soft_wrap=True,
    )


def _print_problems(title: str, problems: list[Problem], limit: int = MAX_PROBLEMS) -> None:
    console.print(f"[bold]{esc(title)}[/]:", soft_wrap=True)
    # soft_wrap keeps each problem on one line, so that editors can jump to file:row.
    say(*(f"  - {p}" for p in problems[:limit]), soft_wrap=True)
    if len(problems) > limit:
        say(f"  ... and {count_problems(problems[limit:])} more")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


@app.command("check")
def check_cmd(
    params: Path = typer.Argument(..., help="The client's params file, e.g. params/acme.yaml."),
    strict: bool = typer.Option(
        False,
        "--strict",
        hidden=True,
        help="Kept for scripts: check now always fails when ccua run "
        "would stop, unrated requirements included.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Validate a client's inputs exactly as ccua run does, without running anything.

    Every problem is listed at once (the first 200 of each kind, and the count); the exit
    status is 1 whenever ccua run would stop, 0 otherwise (warnings do not stop a run).
    """
    report = check_client(params)
    if as_json:
        print_json(report.as_dict())
        if report.stops_run:
            raise typer.Exit(1)
        return
    if report.problems:
        _print_problems(
            f"{params}: {_count(count_problems(report.problems), 'problem')}", report.problems
        )
    s = report.summary
    if s and not report.problems:
        period, inputs, indicators = s["period"], s["inputs"], s["indicators"]
        targets, checks, rated = s["targets"], s["checks"], s["items_rated"]
        say(
            f"{'ok' if not report.todo else 'not ready'}: {s['client']} — "
            f"{s['framework']} {s['framework_name']}",
            f"  period      {period['start']}..{period['end']} ({period['months']} "
            f"months, {period['months_with_data']} with data)",
            f"  inputs      {inputs['found']} of {inputs['of']} found; "
            f"{indicators['with_value']} indicators computed, {indicators['evaluable']} evaluable",
            f"  targets     {targets['centre']} centre, {targets['default']} default; "
            f"checks {checks['done']} of {checks['of']}; claims {s['claims']}",
            f"  items rated {rated['rated']} of {rated['of']}",
        )
    if report.todo:
        _print_problems(f"before ccua run ({len(report.todo)})", report.todo)
    if report.warnings:
        _print_problems(f"warnings ({len(report.warnings)})", report.warnings)
    if report.stops_run:
        raise typer.Exit(1)
