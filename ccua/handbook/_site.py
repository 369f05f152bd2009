"""The handbook as a multi-page HTML site: pandoc per chapter, one shared navigation, and a
client-side substring search over an index shipped as a script (so it works from file://,
where a browser refuses to fetch a JSON file)."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ccua._io import atomic_write_text
from ccua.errors import CcuaError
from ccua.handbook._assets import CSS, SEARCH_JS
from ccua.handbook._content import Chapter
from ccua.handbook._text import Catalog
from ccua.report import PANDOC_FROM

BODY_MARK = "<!--ccua-body-->"
TEMPLATE = "$if(toc)$$toc$$endif$\n" + BODY_MARK + "\n$body$\n"


def _pandoc_binary() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise CcuaError(
            f"pandoc is not available ({exc})", hint="pip install pypandoc-binary"
        ) from None


def _fragment(markdown: str, template: Path, pandoc: str) -> tuple[str, str]:
    """(table of contents, body) of one chapter, as HTML, via pandoc (math as MathML).

    pandoc runs as a subprocess of its own (pypandoc's ``cworkdir`` changes the process's
    working folder, which threads would restore out of order).
    """
    proc = subprocess.run(
        [
            pandoc,
            f"--from={PANDOC_FROM}",
            "--to=html5",
            "--standalone",
            f"--template={template}",
            "--toc",
            "--toc-depth=3",
            "--mathml",
            "--metadata=title:x",
        ],
        input=markdown,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise CcuaError(f"pandoc could not convert a handbook chapter to HTML: {last}")
    toc, _, body = proc.stdout.partition(BODY_MARK)
    return toc.strip(), body.strip()


def search_entries(chapters: Sequence[Chapter]) -> list[dict[str, str]]:
    entries = []
    for ch in chapters:
        page = f"{ch.slug}.html"
        entries.append({"p": page, "a": "", "t": ch.title, "x": ch.text[:2000]})
        for s in ch.sections:
            entries.append({"p": page, "a": s.id, "t": s.title, "x": s.text})
    return entries


def _page(
    ch: Chapter,
    chapters: Sequence[Chapter],
    k: int,
    toc: str,
    body: str,
    title: str,
    lang: str,
    pdf: bool,
) -> str:
    tr = Catalog(lang)
    e = html.escape
    items = []
    for j, other in enumerate(chapters):
        cls = ' class="current"' if j == k else ""
        items.append(f'<li{cls}><a href="{other.slug}.html">{e(other.title)}</a></li>')

    def link(j: int, rel: str, before: str, after: str = "") -> str:
        if not 0 <= j < len(chapters):
            return "<span></span>"
        to = chapters[j]
        return f'<a rel="{rel}" href="{to.slug}.html">{before}{e(to.title)}{after}</a>'

    prev = link(k - 1, "prev", f"← {e(tr('prev'))}: ")
    nxt = link(k + 1, "next", f"{e(tr('next'))}: ", " →")
    pdf_link = f'<a href="handbook.pdf">{e(tr("pdf"))}</a>' if pdf else ""
    words = json.dumps({"count": tr("search_count"), "none": tr("search_none")}, ensure_ascii=False)
    toc_html = f'<nav class="toc" id="TOC">{toc}</nav>' if toc and ch.sections else ""
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(ch.title)} · {e(title)}</title>
<link rel="stylesheet" href="assets/handbook.css">
</head>
<body>
<header class="top"><span class="book-title">{e(title)}</span>{pdf_link}</header>
<div class="layout">
<nav class="sidebar">
<input id="search" type="search" placeholder="{e(tr("search_placeholder"))}"
 aria-label="{e(tr("search"))}">
<div id="search-results"></div>
<h3>{e(tr("contents"))}</h3>
<ol class="chapters">
{chr(10).join(items)}
</ol>
</nav>
<main>
{toc_html}
{body}
<nav class="pager">{prev}{nxt}</nav>
</main>
</div>
<script>window.CCUA_WORDS = {words};</script>
<script src="assets/search-index.js"></script>
<script src="assets/search.js"></script>
</body>
</html>
"""


def write_site(
    out: Path,
    chapters: Sequence[Chapter],
    title: str,
    lang: str,
    pdf: bool = True,
    workdir: Path | None = None,
) -> list[Path]:
    """``out/index.html`` and one page per chapter, the assets and the search index."""
    work = workdir or out / "_build"
    work.mkdir(parents=True, exist_ok=True)
    template = work / "fragment.html"
    atomic_write_text(template, TEMPLATE)
    pandoc = _pandoc_binary()
    with ThreadPoolExecutor(max_workers=4) as pool:
        parts = list(pool.map(lambda ch: _fragment(ch.markdown(), template, pandoc), chapters))
    written = []
    for k, (ch, (toc, body)) in enumerate(zip(chapters, parts, strict=True)):
        # the chapter's own title heading is in the page body; drop pandoc's duplicate in the toc
        toc = re.sub(
            r"^<ul>\s*<li><a href=\"#[^\"]*\"[^>]*>.*?</a>\s*(<ul>.*</ul>)\s*</li>\s*"
            r"</ul>$",
            r"\1",
            toc,
            flags=re.S,
        )
        path = out / f"{ch.slug}.html"
        atomic_write_text(path, _page(ch, chapters, k, toc, body, title, lang, pdf))
        written.append(path)
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    entries = search_entries(chapters)
    atomic_write_text(assets / "handbook.css", CSS)
    atomic_write_text(assets / "search.js", SEARCH_JS)
    atomic_write_text(
        assets / "search-index.js",
        "window.CCUA_SEARCH = " + json.dumps(entries, ensure_ascii=False) + ";\n",
    )
    atomic_write_text(out / "search.json", json.dumps(entries, ensure_ascii=False) + "\n")
    return written
