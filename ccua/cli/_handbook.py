"""``ccua handbook``: the standard as a handbook (HTML site, PDF, Quarto book project)."""

from __future__ import annotations

from pathlib import Path

import typer

from ccua.cli._app import FRAMEWORK_OPTION, JSON_OPTION, app, print_json, progress_printer, say


@app.command("handbook")
def handbook_cmd(
    framework: str = FRAMEWORK_OPTION,
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en."),
    out: Path = typer.Option(..., "--out", "-o", help="The folder to write the handbook to."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write handbook.pdf."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Build the handbook of a framework: DIR/index.html, DIR/handbook.pdf, DIR/quarto/."""
    from ccua.handbook import build_handbook

    book = build_handbook(framework, lang, out, pdf=pdf, say=progress_printer(as_json))
    if as_json:
        print_json(
            {
                "out": str(book.out),
                "framework": book.framework,
                "lang": book.lang,
                "chapters": [c.slug for c in book.chapters],
                "files": [str(p) for p in book.files],
                "seconds": {k: round(v, 2) for k, v in book.seconds.items()},
            }
        )
        return
    say(f"{book.out / 'index.html'}  ({len(book.chapters)} chapters)")
    if pdf:
        say(str(book.out / "handbook.pdf"))
    say(
        f"{book.out / 'quarto' / '_quarto.yml'}  (Quarto book project)",
        f"{book.seconds['total']:.1f} s",
    )
