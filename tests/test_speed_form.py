"""`ccua form` starts Voila without the rfc3987_syntax import tax and serves the form."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ccua.forms._app import VOILA_MAIN, voila_command

ROOT = Path(__file__).resolve().parents[1]


def test_the_voila_launcher_runs_voila_with_the_optional_package_marked_absent() -> None:
    code = VOILA_MAIN.replace(
        "from voila.app import main; sys.exit(main())",
        "import voila.app, jsonschema; print(sys.modules['rfc3987_syntax'], sys.argv)",
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "x.ipynb", "--port=1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "None ['voila', 'x.ipynb', '--port=1']"
    cmd = voila_command(Path("n.ipynb"), 8866, "t")
    assert cmd[:3] == [sys.executable, "-c", VOILA_MAIN] and "n.ipynb" in cmd


@pytest.mark.timeout(300)
def test_ccua_form_serves_the_form(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "ccua"), "form", "params/demo.yaml", "--no-browser"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 240
        assert proc.stdout is not None
        for line in proc.stdout:
            m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
            if m:
                url = m.group(1)
                break
            assert time.monotonic() < deadline
        assert url, "no address printed"
        with urllib.request.urlopen(url, timeout=240) as response:
            page = response.read().decode("utf-8")
        assert "application/vnd.jupyter.widget-view+json" in page
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
