"""Markdown building blocks for the report source: escaping and grid tables with spans.

The report source (``report.qmd``) is pandoc Markdown that both pandoc and Quarto read. Tables
are pandoc *grid tables* because they are the only Markdown tables with merged cells (the
sample report merges 类别 and 能力域 down their rows). A grid table is laid out on a character
grid, so every line must be measured as pandoc measures it: East Asian wide and full-width
characters count two columns, everything else one (pandoc's doclayout does the same; a table
measured any other way silently stops being a table).

Long cell texts are wrapped to their column. Line breaks are put only between two wide
characters or at a space: the source is read with ``east_asian_line_breaks``, which drops a
newline between two wide characters but would turn any other newline into a space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ccua.fmt import display_width

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>$@^~|#])")
# Line starts that pandoc would read as a list item, heading, quote, rule or definition.
_BLOCK_START = re.compile(
    r"^(\d+|[A-Za-z]|[ivxlcIVXLC]+|#)([.)])(\s|$)|^([-+*:]|#+)(\s|$)|^(>)"
    r"|^([-=*_][-=*_ ]*)$|^(\()(\d+|[A-Za-z]|[ivxlcIVXLC]+|#)\)(\s|$)"
)


text_width = display_width  # as pandoc counts a grid table's columns


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def md_escape(text: object) -> str:
    """Plain text as pandoc Markdown inline text: it prints exactly as given.

    Newlines become spaces (a value from an engagement file is one paragraph at most); a line
    start that would open a list, heading or quote is escaped too.
    """
    value = " ".join(str(text).split()) if text is not None else ""
    value = _INLINE_SPECIALS.sub(r"\\\1", value)
    return protect_line_start(value)


def protect_line_start(line: str) -> str:
    """Escape a line start that pandoc would read as block syntax (``a) text`` is a list)."""
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if m.group(1) is None:
        return "\\" + line
    return line[: m.end(1)] + "\\" + line[m.end(1) :]


def _tokens(text: str) -> list[str]:
    """Split text where a line may break: between two wide characters, or at spaces.

    Spaces come out as their own tokens (" "), so that the wrapper can drop them at a break.
    """
    tokens: list[str] = []
    current = ""
    for ch in text:
        if ch == " ":
            if current:
                tokens.append(current)
            tokens.append(" ")
            current = ""
            continue
        if current and _is_wide(ch) and _is_wide(current[-1]):
            tokens.append(current)
            current = ""
        current += ch
    if current:
        tokens.append(current)
    return tokens


def wrap(text: str, width: int) -> list[str]:
    """Wrap one paragraph of Markdown to ``width`` columns without changing what it says."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if token == " ":
            if line and not line.endswith(" "):
                line += " "
            continue
        candidate = line + token
        if line and text_width(candidate) > width:
            lines.append(line.rstrip(" "))
            line = token
        else:
            line = candidate
    if line.strip() or not lines:
        lines.append(line.rstrip(" "))
    return lines


def longest_token(text: str) -> int:
    return max((text_width(t) for t in _tokens(text) if t != " "), default=0)


@dataclass(frozen=True)
class Column:
    """A table column: its title, relative width, and alignment."""

    title: str
    width: int
    align: str = "left"  # left | center | right


@dataclass(frozen=True)
class Cell:
    """One table cell. ``lines`` are Markdown; each starts a new line (a hard line break)."""

    lines: tuple[str, ...] = ()
    rowspan: int = 1
    colspan: int = 1

    @classmethod
    def of(cls, *lines: str, rowspan: int = 1, colspan: int = 1) -> Cell:
        return cls(tuple(line for line in lines), rowspan, colspan)


@dataclass
class _Placed:
    cell: Cell
    row: int
    col: int
    body: list[str] = field(default_factory=list)  # physical lines, already wrapped


def _place(rows: Sequence[Sequence[Cell]], ncols: int) -> tuple[list[_Placed], list[list[int]]]:
    """Lay cells onto the grid as HTML does (covered positions are skipped)."""
    owner: list[list[int]] = [[-1] * ncols for _ in rows]
    placed: list[_Placed] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while c < ncols and owner[r][c] != -1:
                c += 1
            if c + cell.colspan > ncols or r + cell.rowspan > len(rows):
                raise ValueError(f"table row {r + 1}: cell {cell.lines!r} does not fit the grid")
            index = len(placed)
            placed.append(_Placed(cell, r, c))
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    if owner[rr][cc] != -1:
                        raise ValueError(f"table row {rr + 1}: overlapping cells")
                    owner[rr][cc] = index
            c += cell.colspan
        if -1 in owner[r]:
            raise ValueError(f"table row {r + 1}: {owner[r].count(-1)} positions have no cell")
    return placed, owner


def _cell_lines(lines: Sequence[str], width: int) -> list[str]:
    out: list[str] = []
    for n, logical in enumerate(lines):
        last = n == len(lines) - 1
        wrapped = wrap(logical, width - (0 if last else 1)) if logical else [""]
        wrapped = [protect_line_start(w) for w in wrapped]
        if not last and wrapped[-1]:
            wrapped[-1] += "\\"  # a hard line break before the next logical line
        out += wrapped
    return out


def _widths(columns: Sequence[Column], placed: Sequence[_Placed], line_width: int) -> list[int]:
    """Columns' widths in characters: their share of the line, widened where a single
    unbreakable token (a number, a code) would overflow them."""
    ncols = len(columns)
    available = max(line_width - 3 * ncols - 1, ncols * 4)
    weight = sum(c.width for c in columns)
    widths = [max(4, round(available * c.width / weight)) for c in columns]
    for p in placed:
        if p.cell.colspan == 1:
            need = max((longest_token(t) + 1 for t in p.cell.lines), default=1)
            widths[p.col] = max(widths[p.col], need)
    return widths


def _heights(placed: Sequence[_Placed], nrows: int) -> list[int]:
    """Rows' heights in lines: their tallest cell; a cell spanning rows grows its last one."""
    heights = [1] * nrows
    for p in placed:
        if p.cell.rowspan == 1:
            heights[p.row] = max(heights[p.row], len(p.body))
    for p in sorted(placed, key=lambda q: q.row + q.cell.rowspan):
        if p.cell.rowspan > 1:
            last = p.row + p.cell.rowspan - 1
            have = sum(heights[p.row : last + 1]) + p.cell.rowspan - 1
            if len(p.body) > have:
                heights[last] += len(p.body) - have
    return heights


def grid_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    caption: str | None = None,
    line_width: int = 100,
) -> str:
    """A pandoc grid table with row and column spans, measured the way pandoc measures it.

    Column widths are relative; the table is laid out ``line_width`` characters wide. Tables
    wider than pandoc's 72 columns get relative widths that fill the page (narrower ones would
    be drawn at a fraction of it).
    """
    ncols = len(columns)
    all_rows = [[Cell.of(c.title) for c in columns], *rows]
    placed, owner = _place(all_rows, ncols)
    widths = _widths(columns, placed, line_width)

    def span_width(col: int, colspan: int) -> int:
        return sum(widths[col : col + colspan]) + 3 * (colspan - 1)

    for p in placed:
        p.body = _cell_lines(p.cell.lines, span_width(p.col, p.cell.colspan))
    nrows = len(all_rows)
    heights = _heights(placed, nrows)

    # Where each physical line of a cell sits: the first line of row r of a cell spanning from
    # row p.row is at offset sum(heights[p.row:r]) + (r - p.row) (one per separator crossed).
    def offset(p: _Placed, r: int) -> int:
        return sum(heights[p.row : r]) + (r - p.row)

    def content(p: _Placed, line_no: int) -> str:
        text = p.body[line_no] if line_no < len(p.body) else ""
        width = span_width(p.col, p.cell.colspan)
        return " " + text + " " * (width - text_width(text)) + " "

    def separator(r: int) -> str:
        """The line above row r (r == nrows: the bottom border)."""
        fill = "=" if r == 1 else "-"  # the header rule
        border = [r in (0, nrows) or owner[r][c] != owner[r - 1][c] for c in range(ncols)]
        out, c = "", 0
        while c <= ncols:
            if (c > 0 and border[c - 1]) or (c < ncols and border[c]):
                out += "+"
            elif c in (0, ncols) or owner[r][c - 1] != owner[r][c]:
                out += "|"
            # else: inside a continuing cell that spans columns: its text covers the junction
            if c == ncols:
                break
            if border[c]:
                align = columns[c].align if r == 1 else "left"
                seg = fill * (widths[c] + 2)
                if align in ("center", "right"):
                    seg = (":" if align == "center" else fill) + seg[1:-1] + ":"
                out += seg
                c += 1
            else:
                p = placed[owner[r][c]]
                if p.col == c:
                    out += content(p, offset(p, r) - 1)
                    c += p.cell.colspan - 1
                c += 1
        return out

    lines: list[str] = []
    for r in range(nrows):
        lines.append(separator(r))
        row = [placed[i] for i in dict.fromkeys(owner[r])]  # its cells, left to right
        for k in range(heights[r]):
            lines.append("|" + "".join(content(p, offset(p, r) + k) + "|" for p in row))
    lines.append(separator(nrows))
    return "\n".join(lines) + (f"\n\n: {caption}" if caption else "") + "\n"
