"""The report's tables as Typst, laid out for paper: what pandoc's Typst writer cannot do.

pandoc turns report.qmd into a document tree (JSON); every table in it is replaced here by a
raw Typst table before pandoc writes the Typst source. The tables then

* repeat their header on every page, under a line "表 5 测评要求计分表（续）" (English
  "(cont.)") that shows on continuation pages only (``ccua-cont`` in templates/ccua.typ);
* repeat the labels of their merged leading columns (类别, 能力域) at the top of a page: a
  merged cell is cut at the boundaries of the innermost merged column (the 能力项) and each
  piece shows its label where it starts a page (``ccua-repeat``); the rows of a 能力项 (with
  its label and score) are kept on one page, as is every row;
* size their columns from their content: a short cell ("100.00分", "≥95分", "达标", a header
  such as "结果类计分") never wraps, e-mails and codes are never cut, and long texts share
  what is left.

Pure functions: a pandoc JSON tree in, the same tree with raw Typst tables out.
"""

from __future__ import annotations

import functools
import itertools
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The text block of the page (A4, margins of templates/ccua.typ) and the tables' type size.
TEXT_WIDTH_PT = 595.28 - 2 * 65.2  # 2.3 cm margins
TEXT_HEIGHT_PT = 841.89 - 76.5 - 70.9  # 2.7 cm top, 2.5 cm bottom
FONT_PT = 8.5
MIN_FONT_PT = 6.5
SLACK_EM = 0.4
LONG_TEXT_EM = 25.0  # a column with texts this long ...
LONG_SHARE = 0.3  # ... keeps at least this share of the width
INSET_X_PT = 4.5
LINE_PT = FONT_PT * 1.55  # leading 0.55em
ROW_PAD_PT = 7.0
NO_WRAP_EM = 4.0  # a one-line cell up to this wide is never wrapped (labels, numbers)
NO_WRAP_LINES_EM = 9.0  # nor a line of a cell of several lines ("（3、4、5、3、4）")
TALL_UNIT = 0.8  # a merged cell taller than this share of a page may break
LONG_TABLE = 0.85  # a table longer than this share of a page has its merged cells cut
SHORT_TABLE = 0.3  # a table shorter than this share of a page is never split


@functools.cache  # a few thousand distinct characters; text_em asks for each many times
def char_em(ch: str) -> float:
    """Width of a character in em, as Noto Sans CJK sets it (wide 1, Latin about 0.6)."""
    if unicodedata.combining(ch):
        return 0.0
    # ambiguous characters (≥, ≤, °, ×, “) are full width in a CJK face
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.6


@functools.cache
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@functools.lru_cache(maxsize=1 << 16)  # balancing columns measures the same texts again
def text_em(text: str) -> float:
    """Width in em, with the quarter em Typst puts between Chinese and Latin characters."""
    width = sum(char_em(ch) for ch in text)
    for a, b in itertools.pairwise(text):
        if a.isalnum() and b.isalnum() and _wide(a) != _wide(b):
            width += 0.25
    return width


def typst_str(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{out}"'


# --- cell contents: pandoc inlines to Typst code ------------------------------------------------


@dataclass
class _Content:
    """A cell's contents as Typst code and as plain lines (for measuring)."""

    parts: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=lambda: [""])
    texts: dict[int, str] = field(default_factory=dict)  # part index -> its plain text
    _text: str = ""

    def text(self, s: str) -> None:
        self._text += s
        self.lines[-1] += s

    def flush(self) -> None:
        if self._text:
            self.texts[len(self.parts)] = self._text
            self.parts.append(typst_str(self._text))
            self._text = ""

    def code(self, c: str, newline: bool = False) -> None:
        self.flush()
        self.parts.append(c)
        if newline:
            self.lines.append("")

    def typst(self) -> str:
        self.flush()
        if not self.parts:
            return "[]"
        return "{ " + "; ".join(_glue_tails(self.parts, self.texts)) + " }"


_BREAKS = ("linebreak()", "parbreak()")
_TAIL = 3  # a paragraph's last line holds at least this many characters


def _glue_tails(parts: list[str], texts: dict[int, str]) -> list[str]:
    """The last three characters of each paragraph of text in one unbreakable box: a wrapped
    paragraph never ends in a line of one or two characters ("接入/设备" stays "接/入设备").
    ``texts`` holds the plain text of the parts that are text."""
    out: list[str] = []
    for n, part in enumerate(parts):
        raw = texts.get(n)
        ends_line = n == len(parts) - 1 or parts[n + 1] in _BREAKS
        if (
            ends_line
            and raw is not None
            and len(raw.strip()) >= 2 * _TAIL
            and " " not in raw.rstrip()[-_TAIL:]
        ):
            raw = raw.rstrip()
            out += [typst_str(raw[:-_TAIL]), f"box({typst_str(raw[-_TAIL:])})"]
            continue
        if ends_line and raw is not None and raw.strip().count(" ") >= 2:
            # a short last word ("20 s)") goes with the word before it
            head, before, last = raw.rstrip().rsplit(" ", 2)
            if len(last) < _TAIL and len(before) + len(last) < 4 * _TAIL:
                out += [typst_str(head + " "), f"box({typst_str(before + ' ' + last)})"]
                continue
        out.append(part)
    return out


def _inlines(items: list[dict[str, Any]], out: _Content) -> None:
    for node in items:
        t: Any = node.get("t")
        c: Any = node.get("c")
        if t == "Str":
            out.text(c)
        elif t in ("Space", "SoftBreak"):
            out.text(" ")
        elif t == "LineBreak":
            out.code("linebreak()", newline=True)
        elif t in (
            "Strong",
            "Emph",
            "Underline",
            "Strikeout",
            "SmallCaps",
            "Superscript",
            "Subscript",
        ):
            inner = _Content()
            _inlines(c, inner)
            fn = {
                "Strong": "strong",
                "Emph": "emph",
                "Underline": "underline",
                "Strikeout": "strike",
                "SmallCaps": "smallcaps",
                "Superscript": "super",
                "Subscript": "sub",
            }[t]
            out.code(f"{fn}({inner.typst()})")
            out.lines[-1] += "".join(inner.lines)
        elif t == "Code":
            out.code(f"raw({typst_str(c[1])})")
            out.lines[-1] += c[1]
        elif t in ("Link", "Span"):
            _inlines(c[1], out)
        elif t == "Quoted":
            zh = "“", "”"
            q = zh if c[0]["t"] == "DoubleQuote" else ("‘", "’")
            out.text(q[0])
            _inlines(c[1], out)
            out.text(q[1])
        elif t == "Math":
            out.text(c[1])
        elif t == "RawInline" and c[0] == "typst":
            out.code(f"[{c[1]}]")
        elif t == "Note" or t == "RawInline":
            continue
        else:  # Cite, Image: their text, if any
            if isinstance(c, list) and c and isinstance(c[-1], list):
                _inlines([x for x in c[-1] if isinstance(x, dict)], out)


def _blocks(blocks: list[dict[str, Any]], out: _Content) -> None:
    for n, block in enumerate(blocks):
        if n:
            out.code("parbreak()", newline=True)
        t: Any = block.get("t")
        c: Any = block.get("c")
        if t in ("Plain", "Para"):
            _inlines(c, out)
        elif t == "LineBlock":
            for k, line in enumerate(c):
                if k:
                    out.code("linebreak()", newline=True)
                _inlines(line, out)
        elif t in ("BulletList", "OrderedList"):
            entries = c if t == "BulletList" else c[1]
            for k, entry in enumerate(entries):
                if k:
                    out.code("linebreak()", newline=True)
                out.text("• " if t == "BulletList" else f"{k + 1}. ")
                _blocks(entry, out)
        elif t == "Div":
            _blocks(c[1], out)
        elif t == "RawBlock" and c[0] == "typst":
            out.code(f"[{c[1]}]")


def cell_content(blocks: list[dict[str, Any]]) -> _Content:
    out = _Content()
    _blocks(blocks, out)
    return out


# --- the table -----------------------------------------------------------------------------------


@dataclass
class _Cell:
    content: _Content
    row: int
    col: int
    rowspan: int
    colspan: int
    align: str
    header: bool
    label: str = ""  # a leading label repeated at the top of a page
    prev: str = ""  # the metadata label of the piece before it (a repeated label)
    mark: str = ""  # this piece's metadata label
    breakable: bool = False


_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}


def _rows(section: list[Any]) -> list[list[Any]]:
    return [row[1] for row in section]


def _place(
    rows: list[list[Any]], ncols: int, first_row: int, header: bool, aligns: list[str]
) -> list[_Cell]:
    """Cells with their grid positions (covered positions skipped, as HTML and Typst do)."""
    taken: set[tuple[int, int]] = set()
    cells: list[_Cell] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            _attr, align, rowspan, colspan, blocks = cell
            a = _ALIGN.get(align.get("t", ""), "") or (aligns[c] if c < ncols else "left")
            cells.append(_Cell(cell_content(blocks), first_row + r, c, rowspan, colspan, a, header))
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    taken.add((rr, cc))
            c += colspan
    return cells


def _need(cell: _Cell, lines_allowed: int = 2) -> float:
    """The narrowest a cell's column may be (em): short texts whole, others in two (or
    ``lines_allowed``) lines."""
    lines = [line.strip() for line in cell.content.lines]
    tokens = [
        text_em(tok)
        for line in lines
        for tok in line.split()
        if not any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in tok)
    ]
    unbreakable = max(tokens, default=0.0)
    widths = [text_em(line) for line in lines]
    natural = max(widths, default=0.0)
    if len(lines) > 1:  # lines of their own: short ones stay whole
        return max([unbreakable, *(w for w in widths if w <= NO_WRAP_LINES_EM)], default=0.0)
    if natural <= NO_WRAP_EM:
        return natural
    if natural <= 2 * lines_allowed * NO_WRAP_EM:  # two balanced lines (see balance())
        return max(unbreakable, natural / lines_allowed + 0.6)
    return max(unbreakable, 2.5)


def table_font_size(cells: list[_Cell], ncols: int) -> float:
    """The table's type size: 8.5 pt, smaller (down to 6.5 pt) for a table of many columns
    whose short cells would not fit unwrapped at 8.5 pt."""
    avail = TEXT_WIDTH_PT - 2 * INSET_X_PT * ncols
    need = sum(_needs(cells, ncols, FONT_PT, 3))
    if need <= avail:
        return FONT_PT
    return max(MIN_FONT_PT, FONT_PT * avail / need)


def _needs(cells: list[_Cell], ncols: int, em: float, lines_allowed: int) -> list[float]:
    """Each column's narrowest width (pt): its cells' needs, and a long text's fair share."""
    avail = TEXT_WIDTH_PT - 2 * INSET_X_PT * ncols
    need = [1.5 * em] * ncols
    want = _wants(cells, ncols, em)
    for cell in cells:
        if cell.colspan == 1:
            # (a little slack: bold headers and rounding must not push a character over)
            need[cell.col] = max(need[cell.col], (_need(cell, lines_allowed) + SLACK_EM) * em)
    for col in range(ncols):  # a column of long texts is never squeezed to a sliver
        if want[col] >= LONG_TEXT_EM * em:
            need[col] = max(need[col], min(want[col], LONG_SHARE * avail))
    return need


def _wants(cells: list[_Cell], ncols: int, em: float) -> list[float]:
    want = [1.5 * em] * ncols
    for cell in cells:
        if cell.colspan == 1:
            natural = max((text_em(line.strip()) for line in cell.content.lines), default=0.0)
            want[cell.col] = max(want[cell.col], (natural + SLACK_EM) * em)
    return want


def column_widths(
    cells: list[_Cell], ncols: int, hints: list[float], em: float = FONT_PT
) -> list[float]:
    """Column text widths (pt) from content, for type of ``em`` pt: short cells unwrapped,
    labels in two lines (three if need be), long texts share the rest (the widths given to
    Typst add the cells' insets)."""
    avail = TEXT_WIDTH_PT - 2 * INSET_X_PT * ncols
    want = _wants(cells, ncols, em)
    need = _needs(cells, ncols, em, 2)
    if sum(need) > avail:
        need = _needs(cells, ncols, em, 3)
    if sum(need) > avail:  # even the short cells do not fit: see table_font_size
        scale = avail / sum(need)
        return [n * scale for n in need]
    if sum(want) <= avail:  # everything fits on one line: spread the slack
        slack = avail - sum(want)
        total = sum(want)
        return [w + slack * w / total for w in want]
    # Long texts share the rest by how much they want beyond their minimum (pandoc's
    # relative widths, from the source, weigh in so that a table keeps its proportions).
    extra = [max(w - n, 0.0) * (0.5 + h) for w, n, h in zip(want, need, hints, strict=True)]
    rest = avail - sum(need)
    total = sum(extra) or 1.0
    return [n + rest * e / total for n, e in zip(need, extra, strict=True)]


def balance(cell: _Cell, width_pt: float, size: float = FONT_PT) -> None:
    """A one-line text a little too wide for its column breaks in the middle, not before its
    last character or two ("结果类计/分" becomes "结果类/计分")."""
    content = cell.content
    content.flush()
    if len(content.parts) != 1 or not content.parts[0].startswith('"'):
        return
    text = content.lines[0].strip()
    natural = text_em(text)
    width = width_pt / size - SLACK_EM + 0.01
    if natural <= width or natural > 2 * width or len(text) < 3:
        return
    best, best_cost = 0, float("inf")
    for i in range(1, len(text)):
        left, right = text[:i].rstrip(), text[i:].lstrip()
        if not left or not right or text_em(left) > width or text_em(right) > width:
            continue
        before, after = text[i - 1], text[i]
        latin_run = (
            before.isascii()
            and after.isascii()
            and before.isalnum()
            and (after.isalnum() or after in ".%")
        )
        ok_here = (
            not latin_run
            and after not in "，。、；：）」』%分）)"
            and before not in "（(“‘≥≤＜＞<>~～"
        )
        if not ok_here:
            continue
        cost = abs(text_em(left) - text_em(right)) - (1.5 if " " in text[i - 1 : i + 1] else 0)
        if cost < best_cost:
            best, best_cost = i, cost
    if best:
        left, right = text[:best].rstrip(), text[best:].lstrip()
        content.parts = [typst_str(left), "linebreak()", typst_str(right)]
        content.texts = {0: left, 2: right}
        content.lines = [left, right]


def _height(cells: list[_Cell], widths: list[float]) -> dict[int, float]:
    """An estimate of each row's height (pt), from the wrapped lines of its cells."""
    rows: dict[int, float] = {}
    for cell in cells:
        if cell.rowspan != 1:
            continue
        width = sum(widths[cell.col : cell.col + cell.colspan]) / FONT_PT
        lines = sum(max(1, -(-text_em(line) // max(width, 1.0))) for line in cell.content.lines)
        rows[cell.row] = max(rows.get(cell.row, 0.0), lines * LINE_PT + ROW_PAD_PT)
    return rows


def _split_rows(body: list[_Cell], widths: list[float], key: str) -> list[_Cell]:
    """Rows never break across pages. In a table longer than a page, merged cells are cut
    into one piece per row, and a piece that starts a page repeats the merged cell's text
    (类别, 能力域, 能力项, its score); the lines between pieces are not drawn."""
    heights = _height(body, widths)
    if _total_height(body, widths) <= LONG_TABLE * TEXT_HEIGHT_PT:
        for cell in body:
            span = sum(
                heights.get(r, LINE_PT + ROW_PAD_PT)
                for r in range(cell.row, cell.row + cell.rowspan)
            )
            cell.breakable = span > TALL_UNIT * TEXT_HEIGHT_PT
        return body
    out: list[_Cell] = []
    serial = 0
    for cell in body:
        if cell.rowspan == 1:
            cell.breakable = heights.get(cell.row, 0.0) > TALL_UNIT * TEXT_HEIGHT_PT
            out.append(cell)
            continue
        prev = ""
        for n, row in enumerate(range(cell.row, cell.row + cell.rowspan)):
            serial += 1
            mark = f"ccua-{key}-p{serial}"
            out.append(
                _Cell(
                    cell.content if n == 0 else _Content(),
                    row,
                    cell.col,
                    1,
                    cell.colspan,
                    cell.align,
                    False,
                    label=cell.content.typst() if n else "",
                    prev=prev,
                    mark=mark,
                )
            )
            out[-1].breakable = heights.get(row, 0.0) > TALL_UNIT * TEXT_HEIGHT_PT
            prev = mark
    return out


def _cell_code(cell: _Cell, y: int, start: str = "") -> str:
    args = [f"x: {cell.col}", f"y: {y}"]
    if cell.rowspan > 1:
        args.append(f"rowspan: {cell.rowspan}")
    if cell.colspan > 1:
        args.append(f"colspan: {cell.colspan}")
    args.append(f"align: {cell.align} + horizon" if not cell.header else "align: center + horizon")
    if not cell.breakable:
        args.append("breakable: false")
    if cell.header:
        args.append("fill: ccua-header-fill")
        body = f"strong({cell.content.typst()})"
    elif cell.mark:
        if cell.prev:
            args.append("stroke: (top: none)")
            body = (
                f"{{ [#metadata(none) <{cell.mark}>]; ccua-repeat(<{cell.prev}>, {cell.label}) }}"
            )
        else:
            body = f"{{ [#metadata(none) <{cell.mark}>]; {cell.content.typst()} }}"
    else:
        body = cell.content.typst()
    if start:
        body = f"{{ [#metadata(none) <{start}>]; {body} }}"
    return f"table.cell({', '.join(args)}, {body})"


def table_typst(table: list[Any], key: str) -> str:
    """One pandoc Table node as a Typst figure (caption on top) holding a ccua table."""
    _attr, caption, colspecs, head, bodies, foot = table
    ncols = len(colspecs)
    aligns = [_ALIGN.get(spec[0].get("t", ""), "left") for spec in colspecs]
    hints = [spec[1].get("c", 0.0) if spec[1].get("t") == "ColWidth" else 0.0 for spec in colspecs]
    head_rows = _rows(head[1])
    body_rows: list[list[Any]] = []
    for body in bodies:
        head_rows += _rows(body[2])
        body_rows += _rows(body[3])
    body_rows += _rows(foot[1])
    header = _place(head_rows, ncols, 1, True, aligns)
    nhead = len(head_rows)
    body = _place(body_rows, ncols, 1 + nhead, False, aligns)
    size = table_font_size(header + body, ncols)
    widths = column_widths(header + body, ncols, hints, size)
    for cell in header + body:
        balance(cell, sum(widths[cell.col : cell.col + cell.colspan]), size)
    body = _split_rows(body, widths, key)
    cap = _Content()
    _blocks(caption[1], cap)
    caption_code = cap.typst() if cap.parts or cap._text else ""
    start = f"ccua-{key}-start"
    # the first body cell carries the table's start (its page is the table's first page)
    first = min(body, key=lambda c: (c.row, c.col)) if body else None
    lines = [
        f"columns: ({', '.join(f'{w + 2 * INSET_X_PT:.1f}pt' for w in widths)},),",
        f"inset: (x: {INSET_X_PT}pt, y: 3.5pt),",
    ]
    cont = (
        f"table.cell(x: 0, y: 0, colspan: {ncols}, stroke: none, fill: none, inset: 0pt, "
        f"breakable: false, ccua-cont(<{start}>, {caption_code or 'none'}))"
    )
    head_cells = [cont] + [_cell_code(c, c.row) for c in header]
    lines.append(
        f"table.header(repeat: true, {', '.join(head_cells)}, table.hline(y: {1 + nhead})),"
    )
    for cell in sorted(body, key=lambda c: (c.row, c.col)):
        lines.append(_cell_code(cell, cell.row, start if cell is first else "") + ",")
    table_code = "table(\n  " + "\n  ".join(lines) + "\n)"
    # The caption is the table's first line (it cannot be left alone at the foot of a page);
    # a short table is never split.
    short = _total_height(body, widths) < SHORT_TABLE * TEXT_HEIGHT_PT
    small = "" if size == FONT_PT else f"show table: set text(size: {size:.2f}pt); "
    return (
        f"#block(width: 100%, above: 1.2em, below: 1.2em, "
        f"breakable: {'false' if short else 'true'}, {{ {small}{table_code} }})"
    )


def _total_height(body: list[_Cell], widths: list[float]) -> float:
    heights = _height(body, widths)
    return sum(heights.values()) + sum(
        LINE_PT + ROW_PAD_PT for r in {c.row for c in body} if r not in heights
    )


# Tables laid out before, by their pandoc node and key: the runner lays out the report's front
# part (most of its tables) while the notebooks run, and the report's Typst source then finds
# them here (ccua.report._engines.parse_front_ahead).
_LAID_OUT: dict[tuple[str, str], str] = {}
_LAID_OUT_KEPT = 512
_LAID_OUT_LOCK = threading.Lock()


def laid_out(table: list[Any], key: str) -> str:
    import json

    memo = (key, json.dumps(table, ensure_ascii=False))
    with _LAID_OUT_LOCK:
        typ = _LAID_OUT.get(memo)
    if typ is None:
        typ = table_typst(table, key)
        with _LAID_OUT_LOCK:
            _LAID_OUT[memo] = typ
            while len(_LAID_OUT) > _LAID_OUT_KEPT:
                del _LAID_OUT[next(iter(_LAID_OUT))]
    return typ


def replace_tables(
    tree: dict[str, Any], lay_out: Callable[[list[Any], str], str] | None = None
) -> int:
    """Replace every Table of a pandoc JSON tree by a raw Typst block (the table laid out by
    ``lay_out(table, key)``, by default here); returns how many."""
    lay_out = lay_out or laid_out
    count = 0

    def walk(blocks: list[Any]) -> list[Any]:
        nonlocal count
        out = []
        for block in blocks:
            if not isinstance(block, dict):
                out.append(block)
                continue
            t = block.get("t")
            if t == "Table":
                count += 1
                typ = lay_out(block["c"], f"t{count}")
                out.append({"t": "RawBlock", "c": ["typst", typ]})
                continue
            if t == "Div":
                block["c"][1] = walk(block["c"][1])
            elif t in ("BlockQuote",):
                block["c"] = walk(block["c"])
            elif t == "Figure":
                block["c"][2] = walk(block["c"][2])
            out.append(block)
        return out

    tree["blocks"] = walk(tree["blocks"])
    return count
