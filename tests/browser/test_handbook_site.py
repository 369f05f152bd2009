"""The handbook site in headless Chromium, from file:// (no server): navigate, search.

Builds the T/CCUA handbook (HTML only) into a tmp folder, opens index.html from the file
system, follows the navigation to the DO chapter, and searches in Chinese (a substring,
放弃率) and by code; screenshots are kept in the test's tmp folder. Skipped when
/usr/bin/chromium is not installed (.ci/run installs it).
"""

from __future__ import annotations

from pathlib import Path

from ccua.handbook import build_handbook
from tests.browser.support import launch, needs_chromium

pytestmark = needs_chromium


def test_navigation_and_chinese_search_from_the_file_system(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    out = tmp_path / "handbook"
    build_handbook("t-ccua", "zh", out, pdf=False)
    with sync_playwright() as pw:
        browser = launch(pw, tmp_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((out / "index.html").as_uri())
            expect(page.locator("main h1")).to_contain_text("客户联络中心运营能力测评规范")
            # navigation: the sidebar lists every chapter; follow it to the DO chapter
            page.locator("nav.sidebar a", has_text="DO 多元化运营").click()
            expect(page).to_have_url((out / "group-DO.html").as_uri())
            expect(page.locator("li.current")).to_contain_text("多元化运营")
            expect(page.locator("#ind-DO6-9")).to_contain_text("放弃率")
            # pager back to the previous chapter
            page.locator("a[rel=prev]").click()
            expect(page).to_have_url((out / "group-CB.html").as_uri())
            # search: a Chinese substring (no word tokenising), from file://
            page.fill("#search", "放弃率")
            hits = page.locator("#search-results .hit a")
            expect(hits.first).to_be_visible()
            titles = hits.all_inner_texts()
            assert any("DO6.9" in t and "放弃率" in t for t in titles), titles
            page.screenshot(path=str(tmp_path / "search.png"))
            page.locator("#search-results .hit a", has_text="DO6.9").first.click()
            expect(page).to_have_url((out / "group-DO.html").as_uri() + "#ind-DO6-9")
            # a part of a word matches too, and nonsense matches nothing
            page.fill("#search", "弃率")
            expect(page.locator("#search-results .hit").first).to_be_visible()
            page.fill("#search", "不存在的词语xyz")
            expect(page.locator("#search-results .count")).to_have_text("没有找到匹配的内容。")
            page.fill("#search", "")
            page.screenshot(path=str(tmp_path / "do6.png"))
        finally:
            browser.close()
    print(f"screenshots: {tmp_path / 'search.png'}, {tmp_path / 'do6.png'}")
