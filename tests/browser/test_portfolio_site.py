"""The portfolio site in headless Chromium, opened from the file system: filter by segment."""

from __future__ import annotations

from pathlib import Path

from tests.browser.support import launch, needs_chromium
from tests.cli import run

pytestmark = needs_chromium


def test_site_filters_by_segment_and_period(tmp_path: Path, capsys):
    from playwright.sync_api import expect, sync_playwright

    code, _, err = run(capsys, "portfolio", "demo", "--out", str(tmp_path / "pf"), "--clients", "6")
    assert code == 0, err
    index = tmp_path / "pf" / "site" / "index.html"
    with sync_playwright() as pw:
        browser = launch(pw, tmp_path)
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
