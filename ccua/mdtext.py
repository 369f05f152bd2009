"""Markdown text for the notebooks' outputs: literal escaping and pipe tables.

Shared by ccua.notebook (prose and tables) and ccua.tables (the table model's pipe writer), so
that neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


class Md(str):
    """Markdown that is already escaped (or deliberately formatted): used as is in tables."""


_ESCAPED = set("\\`*_{}[]<>|$~^@#&")


def md_escape(text: object) -> str:
    """Text as literal Markdown: every character Markdown or pandoc could read as syntax is
    backslash-escaped (CommonMark and pandoc both accept these escapes), and line breaks
    become spaces so that a value never breaks a table row."""
    if text is None:
        return ""
    out = []
    for ch in " ".join(str(text).splitlines()):
        out.append("\\" + ch if ch in _ESCAPED else ch)
    return "".join(out)


_LIST_START = re.compile(r"^(\d+)([.)])")


def md_paragraph(text: object) -> str:
    """Like :func:`md_escape`, and a paragraph that starts like a list item stays prose."""
    body = md_escape(text).strip()
    if body[:1] in ("-", "+"):
        return "\\" + body
    return _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", body, count=1)


def _cell(value: object) -> str:
    if isinstance(value, Md):
        return " ".join(str(value).splitlines())
    text = md_escape(value)
    return text if text.strip() else " "


def md_table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    widths: Sequence[int] | None = None,
    align: str | None = None,
) -> str:
    """A pipe table. ``widths`` are relative column widths (pandoc reads them from the dashes
    of the separator line when a row is long); ``align`` is one letter per column (l, r, c).
    The ``Table:`` caption line follows the table."""
    n = len(header)
    widths = list(widths) if widths else [3] * n
    align = align or "l" * n
    seps = []
    for w, a in zip(widths, align, strict=True):
        dashes = "-" * max(3, w)
        seps.append(
            dashes[:-1] + ":" if a == "r" else ":" + dashes[1:-1] + ":" if a == "c" else dashes
        )
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join(seps) + "|"]
    for row in rows:
        cells = list(row)
        if len(cells) != n:
            raise ValueError(f"table row has {len(cells)} cells, header has {n}")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    table = "\n".join(lines)
    if caption:
        # After the table: pandoc gives a caption line to the table just before it when there
        # is one, so a caption written first would caption an uncaptioned table above it.
        table = f"{table}\n\nTable: {md_escape(caption)}"
    return table


def md_list(lines: Iterable[object]) -> str:
    return "\n".join(f"- {md_escape(line)}" for line in lines)


def join_blocks(*blocks: str | None) -> str:
    return "\n\n".join(b for b in blocks if b)
