"""The CJK font that charts and PDFs draw Chinese with, in the form that renders fastest.

The ``noto-cjk-sans-otc`` wheel ships Noto Sans CJK as one collection of ten faces (JP, KR, SC,
TC, HK and their mono variants, 19 MB). Renderers that take a font folder (vl-convert for the
charts, Typst for the PDF) load and search every face of it for every label: measured on the
demo client's 33 charts, 15 s with the collection against 8 s with the SC face alone. So the
SC face is extracted once per machine into a cache folder, and that folder is what we register.

If the extraction cannot be done (fontTools missing, a read-only home), the collection's own
folder is used: slower, never wrong.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

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


@cache
def cjk_font_folder() -> Path:
    """A folder holding only Noto Sans CJK SC; the collection's folder as a fallback."""
    source = collection_folder() / "NotoSansCJK-Regular.ttc"
    target = cache_folder() / FACE_FILE
    try:
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            return target.parent
        from io import BytesIO

        from fontTools.ttLib import TTFont

        face = TTFont(str(source), fontNumber=SC_FACE)
        family = face["name"].getDebugName(1)
        if family != FAMILY:  # a different build of the wheel: do not guess
            return collection_folder()
        buf = BytesIO()
        face.save(buf)
        atomic_write_bytes(target, buf.getvalue())
        return target.parent
    except Exception:  # any failure only costs speed: fall back to the collection
        return collection_folder()
