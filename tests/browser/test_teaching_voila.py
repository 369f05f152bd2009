"""The scoring simulator lesson served by Voila, driven in headless Chromium.

Serves a copy of notebooks/teaching/scoring_simulator.ipynb with Voila (a real kernel),
checks the worked example's total (85.56, 良好) in the page, chooses MI1 and switches it to
requirement ratings (each starts at 3: 60 % of 12.00 = 7.20), and checks the total moves to
85.56 − 10.80 + 7.20 = 81.96. A full-page screenshot is kept in the test's tmp folder
(simulator.png). Skipped when /usr/bin/chromium is not installed (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.support import free_port, launch, needs_chromium, stop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_chromium


@pytest.fixture
def served(tmp_path: Path):
    book = tmp_path / "scoring_simulator.ipynb"
    shutil.copy2(ROOT / "notebooks" / "teaching" / "scoring_simulator.ipynb", book)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            book.name,
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"voila exited with {proc.returncode}")
            if "running at" in line:
                break
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)


def test_scoring_simulator_in_the_browser(served, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw, tmp_path)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(served)
            total = page.locator(".ccua-total")
            expect(total).to_contain_text("85.56", timeout=90_000)
            expect(total).to_contain_text("良好")
            expect(page.locator(".ccua-item")).to_contain_text("3.115")  # DO3, half-up
            page.locator("select").first.select_option(label="MI1 流量预测")
            expect(page.locator(".ccua-item")).to_contain_text("MI1")
            page.locator("button", has_text="逐条要求评分").click()
            expect(total).to_contain_text("81.96")
            expect(page.locator("table.ccua-sim")).to_contain_text("7.20")
            page.screenshot(path=str(tmp_path / "simulator.png"), full_page=True)
        finally:
            browser.close()
    print(f"screenshot: {tmp_path / 'simulator.png'}")
