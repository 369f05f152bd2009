"""End to end in headless Chromium: two assessors rate independently, then reach a consensus.

``ccua form --independent`` serves the form; two browser pages enter their names, each rates
SP1 a) differently and submits. ``ccua form --consensus`` then shows the disagreement side by
side; the page records a resolution and builds the consensus ``ratings.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from ccua.ratings import load_ratings
from tests.browser.support import launch, needs_chromium, serve_form
from tests.engagement_fixture import make_client

pytestmark = needs_chromium


def test_two_assessors_then_consensus(tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    params = make_client(tmp_path, ratings={"framework": "t-ccua"})
    folder = params.parent / "acme"
    with sync_playwright() as pw:
        browser = launch(pw, tmp_path)
        try:
            with serve_form(params, tmp_path, "--independent") as url:
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
            with serve_form(params, tmp_path, "--consensus", "--assessor", "赵国华") as url:
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
