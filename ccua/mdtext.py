"""Markdown text for the notebooks' outputs: literal escaping, paragraphs, lists.

Shared by ccua.notebook (prose) and ccua.tables (the table model's pipe writer), so that
neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class Md(str):
    """Markdown that is already escaped (or deliberately formatted): used as is in tables."""


_ESCAPED = set("\\`*_{}[]<>|$~^@#&")


def md_escape(text: object) -> str:
    """Text as literal Markdown: every character Markdown or pandoc could read as syntax is
    backslash-escaped (CommonMark and pandoc both accept these escapes), and line breaks
    become spaces so that a value never breaks a table row."""
    if text is None:
        return ""
    return "".join("\\" + ch if ch in _ESCAPED else ch for ch in " ".join(str(text).splitlines()))


_LIST_START = re.compile(r"^(\d+)([.)])")


def md_paragraph(text: object) -> str:
    """Like :func:`md_escape`, and a paragraph that starts like a list item stays prose."""
    body = md_escape(text).strip()
    if body[:1] in ("-", "+"):
        return "\\" + body
    return _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", body, count=1)


def md_list(lines: Iterable[object]) -> str:
    return "\n".join(f"- {md_escape(line)}" for line in lines)


def join_blocks(*blocks: str | None) -> str:
    return "\n\n".join(b for b in blocks if b)
