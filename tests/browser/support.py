"""What the browser tests share: Debian's Chromium through Playwright, the CJK font for it,
and `ccua form` served on a free port of the loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium; .ci/run installs it)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cjk_fonts(tmp: Path) -> dict[str, str]:
    """A fontconfig file adding the Noto CJK font the project installs, so that the
    screenshot shows Chinese text on machines without system CJK fonts."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return {}
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(noto_cjk_sans_otc.__file__).parent}</dir>"
        f"<cachedir>{tmp / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


def launch(pw: Any, tmp: Path) -> Any:
    """Headless Debian Chromium, with the project's CJK font."""
    return pw.chromium.launch(
        executable_path=str(CHROMIUM),
        args=ARGS,
        headless=True,
        env={**os.environ, **cjk_fonts(tmp)},
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """Stop a server started in a session of its own (SIGTERM, then SIGKILL)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # our own session only
        proc.wait()


@contextlib.contextmanager
def serve_form(params: Path, tmp: Path, *args: str) -> Iterator[str]:
    """``ccua form PARAMS --no-browser ARGS`` on a free port; yields its address."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ccua",
            "form",
            str(params),
            "--port",
            str(free_port()),
            "--no-browser",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp,
        start_new_session=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"ccua form exited with {proc.returncode}")
            if "http://127.0.0.1:" in line:
                url = line[line.index("http://") :].split()[0]
        assert url and "token=" in url, "ccua form did not print its address"
        yield url
    finally:
        stop(proc)
