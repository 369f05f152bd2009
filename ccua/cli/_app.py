"""The Typer application and the consoles shared by every command module.

``console`` and ``err_console`` are made on first use: importing Rich costs a command that
prints a line (``ccua kpi calc``) about a tenth of its time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console

app = typer.Typer(
    name="ccua",
    help="Contact-centre operational-capability assessments (T/CCUA 客户联络中心运营能力测评规范).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
spec_app = typer.Typer(
    help="The standard as data: domains, items, points, requirements.", no_args_is_help=True
)
kpi_app = typer.Typer(
    help="Key indicators (关键指标) of table A.1: list, show, calculate.", no_args_is_help=True
)
app.add_typer(spec_app, name="spec")
app.add_typer(kpi_app, name="kpi")


def _consoles() -> tuple[Console, Console]:
    from rich.console import Console
    from rich.errors import MarkupError

    class SafeConsole(Console):
        """A console that prints text as it is when it is not valid Rich markup.

        User text (paths, cell references such as ``[A1]``) is escaped where it is printed
        (:func:`esc`, ``markup=False``); this is the net under that: a message that still holds
        something like ``[/x]`` is printed without markup instead of raising MarkupError.
        """

        def render_str(self, text: str, **kwargs: Any) -> Any:
            try:
                return super().render_str(text, **kwargs)
            except MarkupError:
                kwargs["markup"] = False
                return super().render_str(text, **kwargs)

    # Piped output (CI logs, files) gets a generous width instead of Rich's 80 columns, so that
    # the score table keeps one line per item. No emoji codes: ":name:" in a path stays as it
    # is (and Rich's emoji table is never loaded).
    out = SafeConsole(highlight=False, soft_wrap=False, emoji=False)
    if not out.is_terminal:
        out = SafeConsole(highlight=False, soft_wrap=False, emoji=False, width=120)
    return out, SafeConsole(stderr=True, highlight=False, emoji=False)


def __getattr__(name: str) -> Any:
    if name in ("console", "err_console"):
        globals()["console"], globals()["err_console"] = _consoles()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def esc(text: str) -> str:
    """User text inside Rich markup: ``f"[bold]{esc(path)}[/]"``."""
    from rich.markup import escape

    return escape(text)


def progress_printer(as_json: bool) -> Callable[[str], None]:
    """Progress lines on stderr, ``· step`` (none with --json)."""

    def step(message: str) -> None:
        if not as_json:
            sys.modules[__name__].err_console.print(f"· {message}", markup=False)

    return step


def say(*lines: str, **kw: Any) -> None:
    """Print lines as they are (never read as Rich markup) on stdout."""
    out = sys.modules[__name__].console
    for line in lines:
        out.print(line, markup=False, **kw)


JSON_OPTION = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")
CLIENT_ARGUMENT = typer.Argument(..., help="Client name (params/NAME.yaml) or params file.")
FRAMEWORK_OPTION = typer.Option(
    "t-ccua", "--framework", "-f", help="Framework id (t-ccua or ccea-guideline)."
)


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
