"""The handbook as one PDF: all chapters → pandoc Typst → the ``typst`` package, with the CJK
font the report uses (its outline gives the PDF's bookmarks; ``--toc`` its contents page)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from ccua.handbook._content import Chapter

_PAGE_LINK = re.compile(r"\]\([A-Za-z0-9_-]+\.html#")
_CODE = re.compile(r"`[a-z0-9_]+`")
_PAGE_ONLY = re.compile(r"\]\(([A-Za-z0-9_-]+)\.html\)")


def book_markdown(chapters: Sequence[Chapter], title: str, lang: str) -> str:
    """One Markdown document: every chapter, links between pages turned into internal ones."""
    body = "\n".join(ch.markdown() for ch in chapters)
    body = _PAGE_LINK.sub("](#", body)
    body = _PAGE_ONLY.sub(r"](#\1)", body)
    # measure codes in table cells: a zero-width space after each underscore lets a long
    # code wrap in its column (Typst never breaks inside a word)
    return _CODE.sub(lambda m: m.group(0).replace("_", "_\u200b"), body)


def typst_header(family: str, bold: str | None, lang: str) -> str:
    fonts = f'("{family}",)'
    lines = [
        f'#set text(font: {fonts}, lang: "{lang}", size: 10pt)',
        "#set par(justify: false)",
        f'#show math.equation: set text(font: ("New Computer Modern Math", "{family}"))',
        "#set table(stroke: 0.4pt + gray)",
        "#show table: set text(size: 8.5pt)",
        "#show heading.where(level: 1): it => { pagebreak(weak: true); it }",
    ]
    if bold:
        lines += [
            f'#show strong: set text(font: ("{bold}", "{family}"))',
            f'#show heading: set text(font: ("{bold}", "{family}"))',
        ]
    return "\n".join(lines) + "\n"


def write_pdf(
    out: Path,
    chapters: Sequence[Chapter],
    title: str,
    subtitle: str,
    lang: str,
    when: datetime,
    say: Callable[[str], None],
    name: str = "handbook.pdf",
) -> Path:
    from ccua.report import find_cjk_font, pandoc, pdf_with_typst

    font = find_cjk_font()
    work = out / "_build"
    work.mkdir(parents=True, exist_ok=True)
    header = work / "header.typ"
    header.write_text(
        typst_header(font.family, getattr(font, "bold", None), lang), encoding="utf-8"
    )
    args = [
        "--standalone",
        "--toc",
        "--toc-depth=2",
        f"--include-in-header={header}",
        f"--metadata=title:{title}",
        f"--metadata=subtitle:{subtitle}",
        "-V",
        "papersize:a4",
        "-V",
        "fontsize:10pt",
        "-V",
        f"mainfont:{font.family}",
        # a variable, not metadata: typst names the contents 目录 / Contents by it, and
        # pandoc does not look for translations it does not have
        "-V",
        f"lang:{lang}",
    ]
    typ = pandoc(book_markdown(chapters, title, lang), "typst", args, work)
    pdf_with_typst(out, typ, font, when, say, name=name)
    return out / name
