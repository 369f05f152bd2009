"""The report command: re-render a run's report without re-running its notebooks."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ccua.cli._app import JSON_OPTION, app, console, esc, print_json, progress_printer


@app.command("report")
def report_cmd(
    run_dir: Path = typer.Argument(..., help="A run folder written by ccua run, e.g. runs/demo."),
    formats: str = typer.Option(
        "html,pdf,xlsx", "--format", help="Comma-separated: html, pdf, xlsx."
    ),
    engine: str = typer.Option(
        "auto", "--engine", help="auto (Quarto when on PATH), quarto, or pandoc (+ Typst)."
    ),
    lang: str = typer.Option(
        "zh", "--lang", help="zh (report.html …) or en (report.en.html … beside them)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the client report (HTML, PDF, workbook) from a run's results and notebooks."""
    from ccua.i18n import check_lang
    from ccua.report import render_report

    out = render_report(
        run_dir, formats, engine, say=progress_printer(as_json), lang=check_lang(lang)
    )
    if as_json:
        print_json(asdict(out))
        return
    table = Table(title=f"{esc(str(run_dir))}: report ({out.engine})", box=box.SIMPLE_HEAD)
    table.add_column("file")
    table.add_column("seconds", justify="right")
    from ccua.i18n import output_name

    names = {"html": "html", "pdf": "pdf", "xlsx": "xlsx", "qmd": "source"}
    step = {output_name(f"report.{ext}", lang): key for ext, key in names.items()}
    for name in out.files:
        seconds = out.seconds.get(step.get(name, ""), None)
        table.add_row(Text(str(Path(run_dir) / name)), "—" if seconds is None else f"{seconds:.2f}")
    console.print(table)
