"""``ccua schema results``: the JSON Schema of results.json (docs/results.schema.json)."""

from __future__ import annotations

from pathlib import Path

import typer

from ccua._io import atomic_write_text
from ccua.cli._app import app, console
from ccua.errors import CcuaError

SCHEMAS = ("results",)


@app.command("schema")
def schema_cmd(
    name: str = typer.Argument("results", help="Which file's schema: results (results.json)."),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write it to this file (e.g. docs/results.schema.json) instead of printing.",
    ),
) -> None:
    """Print or write the JSON Schema of a file ccua writes, for other tools to read runs."""
    if name not in SCHEMAS:
        raise CcuaError(f"no schema {name!r}; known: {', '.join(SCHEMAS)}", field="name")
    from ccua.results_model import json_schema_text

    text = json_schema_text()
    if output is None:
        print(text, end="")
        return
    atomic_write_text(output, text)
    console.print(f"→ {output}", markup=False)
