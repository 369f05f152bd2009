"""The portfolio site in headless Chromium, opened from the file system: filter by segment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_form_app import ARGS, CHROMIUM, cjk_fonts
from tests.cli import run

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium; .ci/run installs it)",
)


def test_site_filters_by_segment_and_period(tmp_path: Path, capsys):
    from playwright.sync_api import expect, sync_playwright

    code, _, err = run(capsys, "portfolio", "demo", "--out", str(tmp_path / "pf"), "--clients", "6")
    assert code == 0, err
    index = tmp_path / "pf" / "site" / "index.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            env={**os.environ, **cjk_fonts(tmp_path)},
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1200})
            page.goto(index.as_uri())
            rows = page.locator("tr.client")
            expect(rows).to_have_count(6)
            expect(page.locator("#shown")).to_have_text("6")
            # pf-01 and pf-06 are the two clients of the first segment.
            page.select_option("#segment", "保险业（寿险）")
            expect(page.locator("#shown")).to_have_text("2")
            expect(page.locator("tr.client:visible")).to_have_count(2)
            expect(page.locator("tr.heat-row:visible")).to_have_count(2)
            page.select_option("#segment", "")
            page.select_option("#from", "2026-06")
            expect(page.locator("#shown")).to_have_text("6")
            page.screenshot(path=str(tmp_path / "site.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "site.png").stat().st_size > 10_000
