"""The CJK font that charts and PDFs draw Chinese with, in the form that renders fastest.

The ``noto-cjk-sans-otc`` wheel ships Noto Sans CJK as one collection of ten faces (JP, KR, SC,
TC, HK and their mono variants, 19 MB). Renderers that take a font folder (vl-convert for the
charts, Typst for the PDF) load and search every face of it for every label: measured on the
demo client's 33 charts, 15 s with the collection against 8 s with the SC face alone. So the
SC face is extracted once per machine into a cache folder, and that folder is what we register.

If the extraction cannot be done (fontTools missing, a read-only home), the collection's own
folder is used: slower, never wrong.

The charts go one step further: vl-convert's cost per chart grows with the size of the font
it measures text in (the demo's 38 charts: 4.0 s of CPU with the 16 MB SC face, 2.3 s with a
0.6 MB subset), so they use the SC face cut down to the characters a chart can hold: every
character of ccua's data (frameworks, message catalogs) plus Latin, punctuation, arrows and
mathematical signs (:func:`chart_font_folder`). The glyphs and their metrics are the face's
own, so a chart renders to the same bytes; one with a character outside the subset is drawn
with the whole face instead (ccua.charts checks every spec).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any

from ccua._io import atomic_write_bytes

FAMILY = "Noto Sans CJK SC"
SC_FACE = 2  # index of Noto Sans CJK SC in NotoSansCJK-Regular.ttc
FACE_FILE = "NotoSansCJKsc-Regular.otf"


def collection_folder() -> Path:
    """The folder of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``."""
    import noto_cjk_sans_otc

    return Path(noto_cjk_sans_otc.__file__).resolve().parent


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ccua" / "fonts"


def _save(face: Any, target: Path) -> None:
    buf = BytesIO()
    face.save(buf)
    atomic_write_bytes(target, buf.getvalue())


@cache
def cjk_font_folder() -> Path:
    """A folder holding only Noto Sans CJK SC; the collection's folder as a fallback."""
    source = collection_folder() / "NotoSansCJK-Regular.ttc"
    target = cache_folder() / FACE_FILE
    try:
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            return target.parent
        from fontTools.ttLib import TTFont

        face = TTFont(str(source), fontNumber=SC_FACE)
        if face["name"].getDebugName(1) != FAMILY:  # a different build of the wheel: no guess
            return collection_folder()
        _save(face, target)
        return target.parent
    except Exception:  # any failure only costs speed: fall back to the collection
        return collection_folder()


# Unicode blocks every chart may need beyond ccua's own texts: Latin-1 and Latin Extended-A,
# general punctuation, letter-like symbols and number forms (℃), arrows (↑ ↓), mathematical
# operators (≤ ≥ ±), geometric shapes, CJK symbols and punctuation, full-width forms.
CHART_BLOCKS = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2000, 0x206F),
    (0x2100, 0x21FF),
    (0x2200, 0x22FF),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)


@cache
def chart_chars() -> frozenset[str]:
    """Every character a chart of ccua can hold when it shows ccua's own data."""
    chars = {chr(c) for lo, hi in CHART_BLOCKS for c in range(lo, hi + 1)}
    root = resources.files("ccua")
    for folder in ("frameworks", "locales"):
        for path in sorted(Path(str(root.joinpath(folder))).rglob("*.yaml")):
            chars.update(path.read_text("utf-8"))
    return frozenset(c for c in chars if c.isprintable())


@cache
def chart_font_folder() -> tuple[Path, frozenset[str] | None]:
    """The folder of the chart font, and the characters it covers (None: every character,
    the whole face). The subset is made once per machine and per set of characters."""
    whole = cjk_font_folder()
    source = whole / FACE_FILE
    try:
        chars = chart_chars()
        text = "".join(sorted(chars))
        st = source.stat()
        key = hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}:{text}".encode()).hexdigest()[:16]
        target = cache_folder() / f"charts-{key}" / FACE_FILE
        if not target.exists():
            from fontTools import subset
            from fontTools.ttLib import TTFont

            options = subset.Options()
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.name_languages = ["*"]
            options.notdef_outline = True
            face = TTFont(str(source))
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(face)
            _save(face, target)
        return target.parent, chars
    except Exception:  # any failure only costs speed: the whole face draws every character
        return whole, None
