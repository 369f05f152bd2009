"""The Typer application and the consoles shared by every command module."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape as esc  # noqa: F401  user text inside markup: esc(path)

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


# Piped output (CI logs, files) gets a generous width instead of Rich's 80 columns, so that the
# score table keeps one line per item.
console = SafeConsole(highlight=False, soft_wrap=False)
if not console.is_terminal:
    console = SafeConsole(highlight=False, soft_wrap=False, width=120)
err_console = SafeConsole(stderr=True, highlight=False)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")
FRAMEWORK_OPTION = typer.Option(
    "t-ccua", "--framework", "-f", help="Framework id (t-ccua or ccea-guideline)."
)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
