"""Finding a CJK font for the PDF.

Without a CJK font Typst draws every Chinese character as an empty box and warns about nothing
visible (quarto-cli #6507). The suite depends on the ``noto-cjk-sans-otc`` wheel, which ships
Noto Sans CJK (SC included), so a fresh machine needs no system package; failing that, a CJK
family installed on the system will do. With neither, rendering stops with a message that says
how to install one.

Bold is a real face, never a stroked outline: the ``noto-cjk-sans-jp-bold`` wheel ships Noto
Sans CJK Bold (the JP build holds every glyph of the collection; Typst's ``lang: zh`` selects
the simplified Chinese forms through the font's ``locl`` feature). With both wheels the PDF is
compiled from these two files alone (system fonts are ignored), so it prints the same on any
machine.

Typst itself lists the families it can see (``typst.Fonts``), so a found family is one that the
compiler will really use, not a guess from a file name.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import typst

from ccua.errors import CcuaError

# Families that cover Simplified Chinese, best first. The first ones are the ones we test with.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "SimSun",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
)
# Families of the bold wheel (its regions' names; the regular collection has the same ones).
BOLD_FAMILIES = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK KR")
ENV_FONT_PATHS = "CCUA_FONT_PATHS"  # extra folders with fonts, separated by os.pathsep

INSTALL_HINT = (
    "install one:  pip install noto-cjk-sans-otc  (it ships Noto Sans CJK SC), or "
    "on Debian/Ubuntu  apt-get install fonts-noto-cjk; a font folder elsewhere can "
    f"be named in {ENV_FONT_PATHS}"
)


class FontNotFound(CcuaError):
    """No CJK font is available: the PDF would print Chinese as empty boxes."""


@dataclass(frozen=True)
class CjkFont:
    """A CJK font family Typst can use, and the folders to pass it (empty: a system font)."""

    family: str
    folders: tuple[str, ...] = ()
    source: str = "bundled"  # bundled | environment | system
    bold: str | None = None  # the family with a bold face (None: no bold face)

    @property
    def system_fonts(self) -> bool:
        """Whether Typst must see the system's fonts (only when the font is a system one)."""
        return self.source == "system"


def bundled_font_folder() -> Path | None:
    """The folder of the noto-cjk-sans-otc wheel, if it is installed."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path.parent if path.exists() else None


def bundled_bold_folder() -> Path | None:
    """The folder of the noto-cjk-sans-jp-bold wheel (Noto Sans CJK Bold), if installed."""
    try:
        import noto_cjk_sans_jp_bold
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_jp_bold.FONT_PATH))
    return path.parent if path.exists() else None


def _bold_family(folders: list[str], system: bool, family: str) -> str | None:
    """A CJK family with a bold face: the regular family's own first, then any of ours."""
    bold = {
        name
        for name, weight, style in _faces(folders, system)
        if weight >= 600 and style == "normal"
    }
    for candidate in (family, *CJK_FAMILIES, *BOLD_FAMILIES):
        if candidate in bold:
            return candidate
    return None


def _families(folders: list[str], system: bool) -> list[str]:
    return list(dict.fromkeys(name for name, _, _ in _faces(folders, system)))


def _faces(folders: list[str], system: bool) -> tuple[tuple[str, int, str], ...]:
    """(family, weight, style) of every face Typst sees; read once per process while the
    folders are unchanged (a run asks three times, and reading the collections costs 0.1 s)."""
    stamps = []
    for folder in folders:
        try:
            st = os.stat(folder)
        except OSError:
            continue
        stamps.append((folder, st.st_mtime_ns))
    return _read_faces(tuple(folders), system, tuple(stamps))


@functools.lru_cache(maxsize=8)
def _read_faces(
    folders: tuple[str, ...], system: bool, _stamps: tuple[tuple[str, int], ...]
) -> tuple[tuple[str, int, str], ...]:
    fonts = typst.Fonts(font_paths=list(folders), include_system_fonts=system)
    infos = fonts.fonts() if callable(fonts.fonts) else fonts.fonts
    return tuple((f.family, int(f.weight), str(f.style)) for f in infos)


def _pick(families: list[str]) -> str | None:
    return next((f for f in CJK_FAMILIES if f in families), None)


def env_font_folders() -> list[str]:
    value = os.environ.get(ENV_FONT_PATHS, "")
    return [p for p in value.split(os.pathsep) if p and Path(p).is_dir()]


def find_cjk_font() -> CjkFont:
    """The CJK font for the PDF: the bundled wheel first, then named folders, then the system."""
    bundled = bundled_font_folder()
    bold_folder = bundled_bold_folder()
    if bundled is not None:
        folders = [str(bundled)] + ([str(bold_folder)] if bold_folder else [])
        family = _pick(_families(folders, system=False))
        if family:
            return CjkFont(family, tuple(folders), "bundled", _bold_family(folders, False, family))
    extra = env_font_folders()
    if extra:
        folders = extra + ([str(bold_folder)] if bold_folder else [])
        family = _pick(_families(folders, system=False))
        if family:
            return CjkFont(
                family, tuple(folders), "environment", _bold_family(folders, False, family)
            )
    family = _pick(system_families())
    if family:
        folders = [str(bold_folder)] if bold_folder else []
        return CjkFont(family, tuple(folders), "system", _bold_family(folders, True, family))
    raise FontNotFound(
        "no CJK font found for the PDF (Chinese text would print as empty boxes)", hint=INSTALL_HINT
    )


def system_families() -> list[str]:
    """Font families installed on the system, as Typst sees them."""
    return _families([], system=True)
