"""The ``ccua`` command line: a thin layer over the package's public API.

Every command takes ``--json`` for machines. Bad input never shows a traceback: a
:class:`ccua.errors.CcuaError` is printed as one line (plus the list of problems, for
validations that found several) and the command exits with status 1.
"""

from __future__ import annotations

import os
import sys

import typer

from ccua.cli._app import app, err_console, esc, print_json
from ccua.errors import CcuaError, error_dict

# Importing the command modules registers their commands on ``app``, in the order `ccua --help`
# lists them: an engagement's workflow first (new, check, form, run, batch, report), then the
# standard itself (score, errata, crosswalk, spec, kpi), then raw records.
from ccua.cli import _engagement  # noqa: F401  isort: skip
from ccua.cli import _forms  # noqa: F401  isort: skip
from ccua.cli import _run  # noqa: F401  isort: skip
from ccua.cli import _report  # noqa: F401  isort: skip
from ccua.cli import _core  # noqa: F401  isort: skip
from ccua.cli import _crosswalk  # noqa: F401  isort: skip
from ccua.cli import _records  # noqa: F401  isort: skip
from ccua.cli import _schema  # noqa: F401  isort: skip
from ccua.cli import _verify  # noqa: F401  isort: skip


def _click_errors() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Usage-error and abort classes: Typer >= 0.2x carries its own copy of Click."""
    import click

    errors: list[type[Exception]] = [click.ClickException]
    aborts: list[type[BaseException]] = [click.exceptions.Abort, typer.Abort]
    try:
        from typer._click import exceptions as vendored
    except ImportError:  # pragma: no cover - Typer without a vendored Click
        pass
    else:
        errors.append(vendored.ClickException)
    return tuple(errors), tuple(aborts)


_CLICK_ERRORS, _ABORTS = _click_errors()


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
    err_console.print(f"[bold red]error:[/] {esc(first)}", highlight=False, markup=True,
                      soft_wrap=True)
    if rest:
        err_console.print(rest, highlight=False, markup=False, soft_wrap=True)


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
    except _CLICK_ERRORS as exc:  # usage errors: unknown option, missing argument ...
        if not as_json:
            exc.show()
        else:
            print_json({"error": exc.format_message(), "problems": [], "problem_count": 0})
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, *_ABORTS):
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:
        # A bug, not the user's input: with --json a machine still gets JSON (and the status
        # 1); otherwise the traceback is shown for the bug report.
        if not as_json or os.environ.get("CCUA_DEBUG"):
            raise
        print_json({"error": f"internal error: {type(exc).__name__}: {exc}", "problems": [],
                    "problem_count": 0})
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)


__all__ = ["app", "main", "typer"]
