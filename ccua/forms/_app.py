"""The browser app: the ratings form served by Voila on localhost, for assessors without Jupyter.

Voila serves a notebook as a page of its outputs (no code, no cells). The notebook is a tiny
launcher written into a temporary folder (one code cell: ``ccua.forms.show(<params file>)``),
so nothing is written into the client's folder except the ratings file and its history. The
server listens on 127.0.0.1 only and asks for a random token, which the printed address
carries, so another user of the same machine cannot open the form.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from ccua.errors import CcuaError
from ccua.forms._context import open_context

HOST = "127.0.0.1"
DEFAULT_PORT = 8866  # Voila's own default
START_TIMEOUT = 120  # a busy machine may take long to start the server


def launcher_notebook(params_file: Path, mode: str = "shared", assessor: str | None = None) -> str:
    """The notebook Voila serves: show the form of this client. The path and names are Python
    literals (``repr``), so no file name can break out of the string."""
    source = (
        "import ccua.forms\n"
        f"ccua.forms.show({str(params_file.resolve())!r}, mode={mode!r}, "
        f"assessor={assessor!r})"
    )
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "show-form",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, ensure_ascii=False, indent=1)


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(preferred: int = DEFAULT_PORT) -> int:
    if port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


# ``python -m voila``, after telling the process that the optional rfc3987_syntax package is
# absent: jupyter_server pulls in jsonschema, which would otherwise build its IRI parsers at
# import time, seconds before the form can be served (ccua._imports, docs/speed.md).
VOILA_MAIN = (
    "import sys; from ccua._imports import skip_slow_optional_imports; "
    "skip_slow_optional_imports(); sys.argv[0] = 'voila'; "
    "from voila.app import main; sys.exit(main())"
)


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        VOILA_MAIN,
        str(notebook),
        f"--port={port}",
        "--no-browser",
        f"--Voila.ip={HOST}",
        f"--token={token}",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def serve(
    params_file: str | Path,
    *,
    port: int | None = None,
    open_browser: bool = True,
    on_ready: Callable[[str], None] = print,
    mode: str = "shared",
    assessor: str | None = None,
) -> int:
    """Serve the form of one client until interrupted; return the server's exit status.

    The params file is checked first, so a wrong path is one clear error, not a broken page.
    ``on_ready`` receives the address once the server accepts connections.
    """
    params = Path(params_file)
    context = open_context(params)  # raises CcuaError on a bad params file or folder
    if port is None:
        port = free_port()
    elif not port_is_free(port):
        raise CcuaError(
            f"port {port} is in use on {HOST}; choose another with --port, or "
            "leave it out to pick a free one"
        )
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="ccua-form-") as tmp:
        folder = Path(tmp)
        notebook = folder / f"ratings-{context.client}.ipynb"
        notebook.write_text(launcher_notebook(params, mode, assessor), encoding="utf-8")
        log_path = folder / "voila.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                voila_command(notebook, port, token),
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        previous = _forward_sigterm(proc)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _listening(port):
                if proc.poll() is not None:
                    tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise CcuaError(f"the form server (Voila) stopped before it started:\n{tail}")
                if time.monotonic() > deadline:
                    raise CcuaError(
                        f"the form server did not start within {START_TIMEOUT} s; "
                        f"its log: {log_path}"
                    )
                time.sleep(0.2)
            url = f"http://{HOST}:{port}/?token={token}"
            on_ready(url)
            if open_browser:
                with contextlib.suppress(Exception):
                    webbrowser.open(url)
            return proc.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            _stop(proc)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _forward_sigterm(proc: subprocess.Popen[bytes]) -> Any:
    """Stopping ``ccua form`` (SIGTERM) stops the server it started, instead of orphaning it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, handler)
    return previous


__all__ = ["DEFAULT_PORT", "HOST", "free_port", "launcher_notebook", "serve", "voila_command"]
