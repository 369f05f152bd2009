"""End to end in headless Chromium: two assessors rate independently, then reach a consensus.

``ccua form --independent`` serves the form; two browser pages enter their names, each rates
SP1 a) differently and submits. ``ccua form --consensus`` then shows the disagreement side by
side; the page records a resolution and builds the consensus ``ratings.yaml``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccua.ratings import load_ratings
from tests.browser.test_form_app import ARGS, CHROMIUM, ROOT, cjk_fonts, free_port
from tests.engagement_fixture import make_client

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium; .ci/run installs it)",
)


@contextlib.contextmanager
def serving(params: Path, tmp_path: Path, *args: str) -> Iterator[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(ROOT)}
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
        cwd=tmp_path,
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
        assert url, "ccua form did not print its address"
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_two_assessors_then_consensus(tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    params = make_client(tmp_path, ratings={"framework": "t-ccua"})
    folder = params.parent / "acme"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            env={**os.environ, **cjk_fonts(tmp_path)},
        )
        try:
            with serving(params, tmp_path, "--independent") as url:
                for name, rating in (("王立新", "4 部分超过遵循标准"), ("陈思远", "2 部分遵循")):
                    page = browser.new_page(viewport={"width": 1280, "height": 1400})
                    page.goto(url)
                    page.locator(".ccua-who input").fill(name, timeout=90_000)
                    page.locator("button.ccua-start").click()
                    status = page.locator(".ccua-status")
                    expect(status).to_contain_text("every change is saved at once", timeout=60_000)
                    # Only this assessor's (empty) ratings are shown.
                    expect(page.locator(".ccua-entry-a button.mod-active")).to_have_count(0)
                    page.locator(".ccua-entry-a button", has_text=rating).click()
                    expect(status).to_contain_text("Saved 1 change")
                    page.locator(".ccua-entry-b button", has_text="5 完全超过遵循标准").click()
                    expect(status).to_contain_text("Saved 1 change")
                    page.locator("button.ccua-submit").click()
                    expect(page.locator(".ccua-submit-status")).to_contain_text("Submitted")
                    page.screenshot(path=str(tmp_path / f"independent-{name}.png"))
                    page.close()
            assert sorted(p.name for p in (folder / "ratings").glob("*.yaml")) == [
                "王立新.yaml",
                "陈思远.yaml",
            ]
            with serving(params, tmp_path, "--consensus", "--assessor", "赵国华") as url:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                row = page.locator(".ccua-leaf-SP1-a")
                expect(row).to_contain_text("王立新: 4", timeout=90_000)
                expect(row).to_contain_text("陈思远: 2")
                row.locator("button", has_text="3").click()
                row.locator("input").fill("复核访谈纪要后取 3")
                row.locator("button", has_text="记录 Record").click()
                status = page.locator(".ccua-status")
                expect(status).to_contain_text("Recorded SP1.a")
                page.locator("button.ccua-build").click()
                expect(status).to_contain_text("Wrote ratings.yaml")
                page.screenshot(path=str(tmp_path / "consensus.png"))
        finally:
            browser.close()
    entry = load_ratings(folder / "ratings.yaml").items["SP1"].ratings["a"]
    assert (entry.rating, entry.by) == (3, "赵国华") and "复核访谈纪要" in entry.note
    assert load_ratings(folder / "ratings.yaml").items["SP1"].ratings["b"].rating == 5
