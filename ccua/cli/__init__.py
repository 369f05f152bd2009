"""The ``ccua`` command line: a thin layer over the package's public API.

Every command takes ``--json`` for machines. Bad input never shows a traceback: a
:class:`ccua.errors.CcuaError` is printed as one line (plus the list of problems, for
validations that found several) and the command exits with status 1.
"""

from __future__ import annotations

import os
import sys

import typer

from ccua.cli._app import app, err_console
from ccua.errors import CcuaError

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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="ccua")
    except CcuaError as exc:
        if os.environ.get("CCUA_DEBUG"):
            raise
        text = str(exc)
        first, _, rest = text.partition("\n")
        err_console.print(f"[bold red]error:[/] {first}", highlight=False, markup=True,
                          soft_wrap=True)
        if rest:
            err_console.print(rest, highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main", "typer"]
