"""The handbook: the standard taught from its own data.

``build_handbook("t-ccua", "zh", out)`` writes, from the framework data alone (plus the
worked example's ratings file, when the project has it):

- ``out/quarto/``: a Quarto book project (``_quarto.yml`` of type book and one ``.qmd`` per
  chapter) for those who render with Quarto;
- ``out/index.html`` and one page per chapter: the same chapters rendered here without Quarto
  (pandoc per page, a shared navigation, a substring search that works from file://);
- ``out/handbook.pdf``: every chapter in one PDF through pandoc → Typst, with a table of
  contents and bookmarks, in the report's CJK font.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ccua.errors import CcuaError
from ccua.handbook._content import Builder, Chapter, build_chapters
from ccua.handbook._pdf import write_pdf
from ccua.handbook._quarto import write_quarto
from ccua.handbook._site import write_site
from ccua.handbook._text import LANGS, Catalog
from ccua.spec import load_framework

MARKER = ".ccua-handbook"


@dataclass
class Handbook:
    out: Path
    framework: str
    lang: str
    chapters: list[Chapter]
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CcuaError("the handbook's output is not a folder", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise CcuaError(
            "the output folder holds files the handbook did not write; nothing "
            "was changed: choose an absent or empty folder",
            file=str(out),
        )


def build_handbook(
    framework: str = "t-ccua",
    lang: str = "zh",
    out: Path | str = "handbook",
    *,
    pdf: bool = True,
    example: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Handbook:
    if lang not in LANGS:
        raise CcuaError(f"--lang must be one of {', '.join(LANGS)}, got {lang!r}", field="lang")
    out = Path(out)
    _check_out(out)
    started = time.perf_counter()
    fw = load_framework(framework)
    tr = Catalog(lang)
    chapters = build_chapters(fw, lang, example)
    title = f"{fw.name if lang == 'zh' else fw.name_en} · {tr('handbook')}"
    book = Handbook(out, fw.id, lang, chapters)
    book.seconds["content"] = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(f"{fw.id} {lang}\n", encoding="utf-8")
    t = time.perf_counter()
    book.files += write_quarto(out / "quarto", chapters, title, tr("subtitle"), lang)
    book.files += write_site(out, chapters, title, lang, pdf=pdf)
    book.seconds["html"] = time.perf_counter() - t
    if pdf:
        t = time.perf_counter()
        when = datetime.now(UTC).replace(tzinfo=None)
        book.files.append(write_pdf(out, chapters, title, tr("subtitle"), lang, when, say))
        book.seconds["pdf"] = time.perf_counter() - t
    shutil.rmtree(out / "_build", ignore_errors=True)
    book.seconds["total"] = time.perf_counter() - started
    return book


__all__ = ["LANGS", "Builder", "Catalog", "Chapter", "Handbook", "build_chapters", "build_handbook"]
