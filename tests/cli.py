"""Running the ``ccua`` command line inside a test."""

from __future__ import annotations

from ccua.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``ccua ARGS...`` in this process: (exit code, stdout, stderr).

    Typer ends every command with ``SystemExit`` (0 on success); the code is returned.
    """
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
