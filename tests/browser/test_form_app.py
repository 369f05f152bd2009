"""End to end in headless Chromium: ``ccua form`` serves the form, an assessor rates in it.

Starts ``ccua form params/acme.yaml --no-browser`` on a free port (a real Voila server and
kernel), opens the printed address in Chromium (Debian's, through Playwright), rates SP1 in
the page, and checks the client's ratings.yaml and its history. A full-page screenshot is
kept in the test's tmp folder (form.png). Skipped when /usr/bin/chromium is not installed
(.ci/run installs it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ccua.ratings import load_ratings
from tests.browser.support import launch, needs_chromium, serve_form
from tests.engagement_fixture import make_client

pytestmark = needs_chromium


@pytest.fixture
def served(tmp_path: Path):
    """``ccua form`` running for a fresh client; yields (params file, address)."""
    params = make_client(tmp_path, ratings={"framework": "t-ccua"})
    with serve_form(params, tmp_path) as url:
        yield params, url


def test_rate_an_item_in_the_browser_app(served, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    params, url = served
    started = time.perf_counter()
    with sync_playwright() as pw:
        browser = launch(pw, tmp_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1700})
            page.goto(url)
            status = page.locator(".ccua-status")
            expect(status).to_contain_text("every change is saved at once", timeout=90_000)
            expect(page.locator(".ccua-item-title")).to_contain_text("SP1 战略目标")

            page.fill(".ccua-assessor input", "浏览器测评员")
            page.press(".ccua-assessor input", "Enter")
            expect(status).to_contain_text("recorded as made by 浏览器测评员")

            page.locator(".ccua-entry-a button", has_text="4 部分超过遵循标准").click()
            expect(status).to_contain_text("Saved 1 change to ratings.yaml")

            page.locator(".ccua-entry-b button", has_text="不适用 N/A").click()
            expect(status).to_contain_text("Not saved yet")
            note = page.locator(".ccua-entry-b input[placeholder^='备注']")
            note.fill("不适用：该中心无此业务")
            note.press("Enter")
            expect(status).to_contain_text("Saved 1 change")
            expect(page.locator(".ccua-progress")).to_contain_text("/ 19")
            page.screenshot(path=str(tmp_path / "form.png"), full_page=True)

            # Next, the jump list (the last item), and Next again wraps round to SP1, which
            # shows what was saved. (tests/test_forms.py rates all 19 items through the widgets.)
            title = page.locator(".ccua-item-title")
            page.locator("button.ccua-next").click()
            expect(title).to_contain_text("SP2 规划重点")
            page.select_option(".ccua-jump select", label="○ MI3 实体服务一体化")
            expect(title).to_contain_text("MI3 实体服务一体化")
            page.locator("button.ccua-next").click()
            expect(title).to_contain_text("SP1 战略目标")
            expect(page.locator(".ccua-entry-a button.mod-active")).to_have_text(
                "4 部分超过遵循标准"
            )
            expect(page.locator(".ccua-jump select")).to_have_value("◐ SP1 战略目标")
        finally:
            browser.close()
    elapsed = time.perf_counter() - started
    print(f"browser part: {elapsed:.1f} s; screenshot: {tmp_path / 'form.png'}")

    folder = params.parent / "acme"
    sp1 = load_ratings(folder / "ratings.yaml").items["SP1"].ratings
    assert (sp1["a"].rating, sp1["a"].by) == (4, "浏览器测评员")
    assert (sp1["b"].na, sp1["b"].note) == (True, "不适用：该中心无此业务")
    history = [
        json.loads(line)
        for line in (folder / "ratings.history.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(h["item"], h["path"], h["by"]) for h in history] == [
        ("SP1", "a", "浏览器测评员"),
        ("SP1", "b", "浏览器测评员"),
    ]
    assert (tmp_path / "form.png").stat().st_size > 10_000
    # nothing but the ratings file and its history was written into the client's folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "engagement.yaml",
        "monthly.csv",
        "ratings.history.jsonl",
        "ratings.yaml",
        "targets.yaml",
    ]
