"""The ``ccua`` command line: a thin layer over the package's public API.

Every command takes ``--json`` for machines. Bad input never shows a traceback: a
:class:`ccua.errors.CcuaError` is printed as one line (plus the list of problems, for
validations that found several) and the command exits with status 1.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from ccua.cli import _app
from ccua.cli._app import app, esc, print_json
from ccua.errors import CcuaError, error_dict

# The command modules. Importing one registers its commands on ``app``, and `ccua --help` lists
# them in this order: an engagement's workflow first (new, check, form, run, batch, report), then
# the standard itself (score, errata, crosswalk, spec, kpi), then raw records.
#
# A `ccua COMMAND ...` process imports only the module that registers COMMAND (a pure command
# such as `ccua score` then never imports the runner, the records engine or Jupyter: it starts
# in a fraction of a second, docs/speed.md); `ccua --help`, an unknown command, tests and
# library use import them all. To add a command module, add one line: its name and the
# top-level commands (or sub-command groups) it registers. tests/test_speed_cli.py checks that
# this table says where every command lives. (A plain `from ccua.cli import _x` line below the
# table works too: that module is then always imported.)
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "_engagement": ("new", "check"),
    "_forms": ("form",),
    "_run": ("run", "batch", "demo-client"),
    "_report": ("report",),
    "_core": ("score", "errata", "spec", "kpi"),
    "_crosswalk": ("crosswalk",),
    "_records": ("ingest", "records", "demo-data"),
    "_handbook": ("handbook",),
    "_verify": ("verify", "archive"),
    "_schema": ("schema",),
    "_action": ("improve", "staffing", "agreement", "consensus", "evidence", "trace"),
    "_portfolio": ("portfolio", "benchmark"),
}


def _command_of(argv: list[str]) -> str | None:
    """The command a `ccua` process was started for (None: any other process, or no command)."""
    if not argv:
        return None
    script = Path(argv[0])
    if script.name != "ccua" and not (
        script.name == "__main__.py" and script.parent.name == "ccua"
    ):
        return None
    args = argv[1:]
    if not args or args[0].startswith("-"):
        return None
    return args[0]


def load_commands(command: str | None = None) -> None:
    """Import the module that registers ``command``, or every command module (None, unknown)."""
    wanted = [mod for mod, names in COMMAND_MODULES.items() if command in names]
    for mod in wanted or COMMAND_MODULES:
        importlib.import_module(f"ccua.cli.{mod}")


def _start_kernels_ahead(command: str | None, args: list[str]) -> None:
    """``ccua run`` with notebooks: start the notebook kernels before the runner and the
    inputs' models are imported (≈ 0.2 s sooner); run_client then finds them starting."""
    if command != "run" or {"--no-notebooks", "--help", "-h"} & set(args):
        return
    from ccua._kernel import start_early

    start_early()


_start_kernels_ahead(_command_of(sys.argv), sys.argv)
load_commands(_command_of(sys.argv))


def _click_errors() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Usage-error and abort classes of the Click copies loaded so far.

    Typer >= 0.2x carries its own copy of Click; older Typer uses Click itself. A copy that was
    never imported raised nothing, so Click is not imported just to name its classes.
    """
    loaded = [sys.modules.get(m) for m in ("typer._click.exceptions", "click.exceptions")]
    copies = [m for m in loaded if m is not None]
    return (
        tuple(m.ClickException for m in copies),
        (typer.Abort, *(getattr(m, "Abort", typer.Abort) for m in copies)),
    )


def _wants_json(argv: list[str] | None) -> bool:
    """``--json`` given (before any ``--``): errors are printed as JSON too."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" in args:
        args = args[: args.index("--")]
    return "--json" in args


def _print_error(exc: CcuaError, as_json: bool) -> None:
    if as_json:
        print_json(error_dict(exc))
        return
    first, _, rest = str(exc).partition("\n")
    # Paths and cell references ("[A1]") are text, never Rich markup.
    _app.err_console.print(f"[bold red]error:[/] {esc(first)}", soft_wrap=True)
    if rest:
        _app.err_console.print(rest, markup=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.

    Errors exit with status 1 (usage errors 2, Ctrl+C 130). With ``--json`` every error is
    printed on stdout as ``{"error": ..., "problems": [{"file", "row", "column", "field",
    "message"}], "problem_count": N}`` instead of a line on stderr (docs/safety.md).
    """
    as_json = _wants_json(argv)
    try:
        code = app(args=argv, prog_name="ccua", standalone_mode=False)
    except CcuaError as exc:
        if os.environ.get("CCUA_DEBUG"):
            raise
        _print_error(exc, as_json)
        sys.exit(1)
    except (KeyboardInterrupt, Exception) as exc:
        usage_errors, aborts = _click_errors()
        if isinstance(exc, (KeyboardInterrupt, *aborts)):
            _app.err_console.print("interrupted", markup=False)
            sys.exit(130)
        if isinstance(exc, usage_errors):  # unknown option, missing argument ...
            usage: Any = exc
            if not as_json:
                usage.show()
            else:
                print_json({"error": usage.format_message(), "problems": [], "problem_count": 0})
            sys.exit(usage.exit_code)
        # A bug, not the user's input: with --json a machine still gets JSON (and the status
        # 1); otherwise the traceback is shown for the bug report.
        if not as_json or os.environ.get("CCUA_DEBUG"):
            raise
        print_json(
            {
                "error": f"internal error: {type(exc).__name__}: {exc}",
                "problems": [],
                "problem_count": 0,
            }
        )
        sys.exit(1)
    if argv is None and _command_of(sys.argv) in LEAVE_AT_ONCE:
        _leave_now(code if isinstance(code, int) else 0)
    if isinstance(code, int) and code:
        sys.exit(code)


# `ccua run` and `ccua batch` hold notebook kernels and a Typst compiler with its fonts: the
# kernels' polite shutdown and the interpreter's teardown (freeing all of it) took 0.3-0.4 s
# after the last line was printed. Once their work is written, they leave at once.
LEAVE_AT_ONCE = ("run", "batch")


def _leave_now(code: int) -> NoReturn:
    import logging

    kernels = sys.modules.get("ccua._kernels")
    if kernels is not None:
        kernels.stop_now()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = ["app", "main", "typer"]
