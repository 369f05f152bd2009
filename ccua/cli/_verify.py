"""``ccua verify`` and ``ccua archive``: check a run against the inputs it recorded; pack it."""

from __future__ import annotations

from pathlib import Path

import typer

from ccua.cli._app import JSON_OPTION, app, print_json, say


@app.command("verify")
def verify_cmd(
    run: Path = typer.Argument(
        ..., help="A run folder (runs/demo) or an archive from ccua archive (runs/demo.ccua.zip)."
    ),
    ignore_environment: bool = typer.Option(
        False,
        "--ignore-environment",
        help="Pass when the inputs and values are the same though the code or environment "
        "(commit, package versions, Python) differs; the differences are still listed.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute a run from the inputs it recorded and compare results.json byte for byte.

    Exits 1 on any difference, naming the input files that changed, the code or package
    versions that differ and the values that moved.
    """
    from ccua.verify import describe, verify_run

    result = verify_run(run)
    ok = result.passed(ignore_environment)
    if as_json:
        print_json({**result.to_dict(), "passed": ok})
    else:
        say(*describe(result, ignore_environment), soft_wrap=True)
    if not ok:
        raise typer.Exit(1)


@app.command("archive")
def archive_cmd(
    run: Path = typer.Argument(..., help="A run folder written by ccua run, e.g. runs/demo."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="The archive to write (default RUN.ccua.zip beside the run folder).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing archive."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write one zip file with the run, the input files it recorded and its provenance.

    `ccua verify ARCHIVE` recomputes the run from the archived inputs, on any machine.
    """
    from ccua.archive import archive_run

    path, inputs = archive_run(run, output, force=force)
    if as_json:
        print_json({"archive": str(path), "inputs": inputs, "bytes": path.stat().st_size})
        return
    say(
        f"{path}: the run, its {inputs} input files and its provenance "
        f"({path.stat().st_size:,} bytes); check it with  ccua verify {path}",
        soft_wrap=True,
    )
