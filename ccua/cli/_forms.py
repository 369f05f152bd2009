"""``ccua form``: the assessor forms in the browser, for assessors who do not use Jupyter."""

from __future__ import annotations

from pathlib import Path

import typer

from ccua.cli._app import app, console, say


@app.command("form")
def form(
    params: Path = typer.Argument(..., help="The client's params file, e.g. params/demo.yaml."),
    port: int | None = typer.Option(
        None, "--port", "-p", help="Port on 127.0.0.1 (default 8866, or a free one)."
    ),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="Print the address only; do not open a browser."
    ),
    independent: bool = typer.Option(
        False,
        "--independent",
        help="Each assessor rates in a "
        "file of their own (ratings/NAME.yaml); the form asks "
        "who you are.",
    ),
    consensus: bool = typer.Option(
        False,
        "--consensus",
        help="The assessors' ratings side by side: record resolutions, build ratings.yaml.",
    ),
    assessor: str | None = typer.Option(
        None, "--assessor", help="Who you are (independent and consensus modes)."
    ),
) -> None:
    """Rate the requirements in the browser: serve the ratings form on localhost (Voila).

    Every change is saved at once to the client's ratings.yaml (who and when on each entry,
    every change also in ratings.history.jsonl). Stop the server with Ctrl+C.
    """
    from ccua.forms import serve

    def ready(url: str) -> None:
        say(f"Ratings form for {params}: {url}", soft_wrap=True)
        say("Every change is saved to the client's ratings.yaml. Press Ctrl+C to stop.")
        console.file.flush()

    if independent and consensus:
        from ccua.errors import CcuaError

        raise CcuaError("choose one of --independent and --consensus", field="--consensus")
    mode = "independent" if independent else "consensus" if consensus else "shared"
    raise typer.Exit(
        serve(
            params,
            port=port,
            open_browser=not no_browser,
            on_ready=ready,
            mode=mode,
            assessor=assessor,
        )
    )
