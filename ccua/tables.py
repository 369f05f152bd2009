"""One model for the tables of Appendix E, built once and written three ways.

A table is built by a pure function from the results (and the framework) into a
:class:`Table`: columns (label, format, relative width, alignment), flat rows of typed values,
how many leading columns merge down (类别 | 能力域 | 能力项), footer rows (合计) and a caption.
Writers render the same object

* to a pandoc grid table with merged cells (the report: :func:`grid_markdown`),
* to a pipe table with repeated leading values left blank (the notebooks: :func:`pipe_markdown`),
* to a worksheet, one value per cell, numbers as numbers (the workbook: :func:`sheet_rows`).

A cell other than a leading one may cover its neighbours: :data:`UP` below a cell extends it
down a row, :data:`LEFT` beside it extends it a column (the report merges them; the notebook
and the workbook leave them empty). Every printed number goes through :mod:`ccua.fmt`; every
fixed word through the catalogs (:mod:`ccua.i18n`), names through the framework data. Here:
tables E.1-E.7, the requirement list, the indicators, the KPI table, rules and thresholds, the
crosswalk estimates, the assessors' agreement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ccua import fmt, prose
from ccua.fmt import grade_band
from ccua.i18n import Tr, catalog
from ccua.results_model import (
    AgreementStats,
    CategoryOut,
    FrameworkOut,
    IndicatorOut,
    ItemOut,
    ProjectionItem,
    ProjectionMissing,
    ProjectionOut,
    RequirementOut,
    Results,
    RuleKpiOut,
    RuleOut,
    SubpointOut,
    ThresholdOut,
)

if TYPE_CHECKING:
    from ccua.spec import Framework, Grade

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def month_labels(months: Sequence[str], lang: str = "zh") -> dict[str, str]:
    """``2026-01`` → ``1月`` / ``Jan`` when the period lies in one year, else the month as
    written (``Jan 2026`` in English): the tables' and the charts' month labels."""
    if len({m[:4] for m in months}) == 1:
        return {m: fmt.month_short(m, lang) for m in months}
    return {m: fmt.month_text(m, lang) for m in months}


# Cell formats: how a value prints and which Excel number format it gets (a rating as it is:
# 4, 3.5, 2.8571; Excel's "0.##" would print a whole one as "4.").
EXCEL_FORMATS = {"points": "0.00", "number": "0.00", "percent": '0.00"%"', "rating": "General"}


@dataclass(frozen=True)
class Col:
    """A column: its header, how values print (text | lines | points | number | percent |
    rating | int), relative width (report) and alignment."""

    label: str
    format: str = "text"
    width: int = 8
    align: str = "left"
    sheet_width: int | None = None
    split: str = ""  # a worksheet splits "SP1 战略目标" into a column of this label + the name
    blank: str = ""  # how a missing value prints (a worksheet leaves its cell empty)


@dataclass(frozen=True)
class Footer:
    """A footer row: a label over the first ``span`` columns, then one value per column left;
    ``strong`` marks values printed bold (the total)."""

    label: str
    span: int
    values: tuple[Any, ...]
    strong: tuple[int, ...] = ()


@dataclass(frozen=True)
class Covered:
    """A cell covered by the one above (``up``: it spans rows) or to its left (columns)."""

    by: str


UP, LEFT = Covered("up"), Covered("left")


@dataclass(frozen=True)
class Table:
    key: str  # E.6, E.7 …: the table of Appendix E it renders
    caption: str
    columns: tuple[Col, ...]
    rows: tuple[tuple[Any, ...], ...]
    merge: int = 0  # leading columns merged down while equal
    footers: tuple[Footer, ...] = ()
    strong: frozenset[tuple[int, int]] = frozenset()  # (row, col) printed bold
    notes: tuple[str, ...] = ()
    sheet: str = ""  # the worksheet's name
    lang: str = "zh"
    line_width: int = 100  # the report's grid table: characters wide

    def extent(self, row: int, col: int) -> tuple[int, int]:
        """Rows and columns a body cell spans (:data:`UP` and :data:`LEFT` after it)."""
        down, right, values = row + 1, col + 1, self.rows[row]
        while down < len(self.rows) and self.rows[down][col] == UP:
            down += 1
        while right < len(values) and values[right] == LEFT:
            right += 1
        return down - row, right - col

    def text(self, row: int, col: int) -> list[str]:
        """The printed lines of one body cell."""
        c = self.columns[col]
        return cell_lines(self.rows[row][col], c.format, self.lang, c.blank)

    def footer_text(self, f: Footer, k: int) -> list[str]:
        """The printed lines of a footer's ``k``-th value."""
        c = self.columns[f.span + k]
        return cell_lines(f.values[k], c.format, self.lang, c.blank)


def cell_lines(value: Any, form: str, lang: str, blank: str = "") -> list[str]:
    """A value as printed lines (a list value is one line per entry)."""
    if value is None:
        return [blank]
    if value == "" or isinstance(value, Covered):
        return [""]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or [""]
    if isinstance(value, str):
        return [value]
    if form == "points":  # 1.70分 as the standard prints table E.6; 1.70 under "Points"
        return [Tr(lang)("unit.points_cell", value=fmt.fixed(value))]
    if form == "number":
        return [fmt.fixed(value)]
    if form == "percent":
        return [fmt.percent(value)]
    if form == "rating":
        return [fmt.rating(value)]
    return [str(value)]


def _runs(values: Sequence[Any], bounds: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of equal values inside each of ``bounds`` ((start, end) row ranges)."""
    out = []
    for start, end in bounds:
        r = start
        while r < end:
            e = r + 1
            while e < end and values[e] == values[r]:
                e += 1
            out.append((r, e))
            r = e
    return out


def spans(table: Table) -> list[list[int]]:
    """Row spans of the merged leading columns: spans[col][row] (0 inside a merged run)."""
    n = len(table.rows)
    out = []
    bounds = [(0, n)]
    for col in range(table.merge):
        runs = _runs([r[col] for r in table.rows], bounds)
        col_spans = [0] * n
        for start, end in runs:
            col_spans[start] = end - start
        out.append(col_spans)
        bounds = runs
    return out


# ---------------------------------------------------------------- writers


def grid_markdown(table: Table) -> str:
    """The table as a pandoc grid table with merged cells (the report's front part)."""
    from ccua.report import Cell, Column, grid_table, md_escape

    def markup(texts: list[str], strong: bool) -> list[str]:
        lines = [md_escape(x) for x in texts]
        return [f"**{x}**" for x in lines] if strong and lines[0] else lines

    columns = [Column(c.label, c.width, c.align) for c in table.columns]
    merged = spans(table)
    rows: list[list[Any]] = []
    for r, values in enumerate(table.rows):
        cells = []
        for c in range(len(values)):
            if c < table.merge:
                if merged[c][r] == 0:
                    continue
                down, right = merged[c][r], 1
            elif isinstance(values[c], Covered):
                continue
            else:
                down, right = table.extent(r, c)
            lines = markup(table.text(r, c), (r, c) in table.strong)
            cells.append(Cell.of(*lines, rowspan=down, colspan=right))
        rows.append(cells)
    for f in table.footers:
        cells = [Cell.of(md_escape(f.label), colspan=f.span)]
        for k in range(len(f.values)):
            cells.append(Cell.of(*markup(table.footer_text(f, k), k in f.strong)))
        rows.append(cells)
    return grid_table(columns, rows, caption=table.caption, line_width=table.line_width)


def pipe_markdown(table: Table, caption: str | None = None) -> str:
    """The table as a pipe table; merged leading values print on their first row only. The
    relative widths become the dashes of the separator line (pandoc reads them there when a
    row is long); the ``Table:`` caption line follows the table (pandoc captions the table
    just before it). ``caption`` replaces the table's (an annex repeats 表 6 without
    numbering it again)."""
    from ccua.mdtext import md_escape

    def cell(text: str, strong: bool = False) -> str:
        body = md_escape(text)
        return f"**{body}**" if strong else body if body.strip() else " "

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    seps = [
        {"right": d[:-1] + ":", "center": ":" + d[1:-1] + ":"}.get(col.align, d)
        for col in table.columns
        for d in ["-" * max(3, col.width)]
    ]
    lines = [line([cell(col.label) for col in table.columns]), "|" + "|".join(seps) + "|"]
    merged = spans(table)
    for r, values in enumerate(table.rows):
        row = []
        for c in range(len(values)):
            first = c >= table.merge or merged[c][r] != 0
            text = " ".join(x for x in table.text(r, c) if x) if first else ""
            row.append(cell(text, (r, c) in table.strong and text != ""))
        lines.append(line(row))
    for f in table.footers:
        row = [cell(f.label, True), *[" "] * (f.span - 1)]
        for k in range(len(f.values)):
            text = " ".join(table.footer_text(f, k))
            row.append(cell(text, k in f.strong and text.strip() != ""))
        lines.append(line(row))
    text = "\n".join(lines)
    caption = table.caption if caption is None else caption
    return f"{text}\n\nTable: {md_escape(caption)}" if caption else text


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str = "",
    widths: Sequence[int] = (),
    align: str = "",
) -> Table:
    """A table of printed texts (the notebooks' own): its header, rows, relative widths and
    one alignment letter per column (l, r, c)."""
    n = len(header)
    for row in rows:
        if len(row) != n:
            raise ValueError(f"table row has {len(row)} cells, header has {n}")
    side = {"l": "left", "r": "right", "c": "center"}
    cols = zip(header, widths or [3] * n, align or "l" * n, strict=True)
    columns = tuple(Col(label, width=w, align=side[a]) for label, w, a in cols)
    return Table("", caption, columns, tuple(tuple(r) for r in rows))


def sheet_value(value: Any, form: str) -> Any:
    """A value as a worksheet cell: numbers as Decimal, lines joined by newlines."""
    if value is None or isinstance(value, Covered):
        return None
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if form in EXCEL_FORMATS:
        return fmt.dec(value) if not isinstance(value, str) else value
    return value


def sheet_rows(table: Table) -> list[list[Any]]:
    """Header, body (every leading value repeated: a workbook is sorted and filtered), footers.
    A column with ``split`` becomes two: the code (to sort and filter on) and the name."""
    header: list[Any] = []
    for c in table.columns:
        header += [c.split, c.label] if c.split else [c.label]
    rows: list[list[Any]] = [header]
    for values in table.rows:
        row: list[Any] = []
        for v, c in zip(values, table.columns, strict=True):
            if c.split:
                code, _, name = str(v).partition(" ")
                row += [code, name]
            else:
                row.append(sheet_value(v, c.format))
        rows.append(row)
    for f in table.footers:
        extra = sum(1 for c in table.columns[: f.span] if c.split)
        rows.append(
            [
                f.label,
                *[None] * (f.span + extra - 1),
                *[sheet_value(v, table.columns[f.span + k].format) for k, v in enumerate(f.values)],
            ]
        )
    return rows


def sheet_formats(table: Table) -> dict[int, str]:
    """Excel number formats by worksheet column (1-based, after splits)."""
    out, col = {}, 0
    for c in table.columns:
        col += 2 if c.split else 1
        if c.format in EXCEL_FORMATS:
            out[col] = EXCEL_FORMATS[c.format]
    return out


def sheet_widths(table: Table) -> list[int]:
    out: list[int] = []
    for c in table.columns:
        out += ([8] if c.split else []) + [c.sheet_width or c.width + 4]
    return out


# ---------------------------------------------------------------- names


@dataclass
class Names:
    """Names of the assessed framework's categories, groups and items in one language."""

    tr: Tr
    categories: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    group_level: str = ""
    item_level: str = ""

    def item(self, code: str) -> str:
        return f"{code} {self.items.get(code, '')}".strip()

    def group(self, code: str) -> str:
        return self.groups.get(code, code)


def names(r: Results, lang: str = "zh") -> Names:
    """Names from results.json, in English from the framework data (``name_en``)."""
    tr = Tr(lang)
    a = r.assessment
    en: dict[str, str] = {}
    if tr.en:
        from ccua.spec import load_framework

        fw = load_framework(r.framework.id)
        en = {c.code: c.name_en for c in fw.categories if getattr(c, "name_en", None)}
        en |= {g.code: g.name_en for g in fw.groups if getattr(g, "name_en", None)}
        en |= {i.code: i.name_en for i in fw.items if getattr(i, "name_en", None)}

    def header(word: str) -> str:  # a column header: Domain, Item (能力域, 能力项)
        return word[:1].upper() + word[1:]

    return Names(
        tr,
        {c.code: en.get(c.code) or c.name for c in a.categories},
        {g.code: en.get(g.code) or g.name for g in a.groups},
        {i.code: en.get(i.code) or i.name for i in a.items},
        header(tr.level(r.framework.levels, "group")),
        header(tr.level(r.framework.levels, "item")),
    )


def _lead(
    results: Results, n: Names, narrow: bool = False
) -> tuple[list[Col], Callable[[ItemOut], list[Any]]]:
    """Leading columns 类别 | group | item and their values for one item (narrow beside long
    texts)."""
    cats = bool(results.assessment.categories)
    groups = {g.code: g for g in results.assessment.groups}
    w = (4, 5, 6) if narrow else (5, 8, 10)
    cols = ([Col(n.tr("table.category"), width=w[0], sheet_width=8)] if cats else []) + [
        Col(n.group_level, width=w[1], sheet_width=12),
        Col(n.item_level, width=w[2], sheet_width=24, split=n.tr("sheet.code")),
    ]

    def values(item: ItemOut) -> list[Any]:
        group = groups.get(item.group)
        cat = [n.categories.get(item.category or (group.category if group else None) or "", "")]
        return [*(cat if cats else []), n.group(item.group), n.item(item.code)]

    return cols, values


# ---------------------------------------------------------------- E.1, E.2: the team


def team_tables(results: Results, lang: str = "zh") -> tuple[Table, Table]:
    """测评方人员名单 (E.1) and 被测评方人员名单 (E.2): the same columns, E.2 with the
    department and position."""
    tr = Tr(lang)
    team = results.engagement.team

    def table(key: str, members: Sequence[BaseModel], extra: Sequence[Col]) -> Table:
        fields = ("name", "phone", "email", *(("department", "position") if extra else ()))
        cols = (
            Col(tr("table.seq"), "text", 3, "center", 6),
            Col(tr("table.name"), width=5, sheet_width=12),
            Col(tr("table.phone"), width=8, sheet_width=16),
            Col(tr("table.email"), width=11, sheet_width=28),
            *extra,
            Col(tr("table.team_role"), width=9 if extra else 11, sheet_width=24),
            Col(tr("table.remark"), width=4 if extra else 5, sheet_width=16),
        )
        rows = tuple(
            (str(k), *(getattr(m, f) for f in (*fields, "role", "note")))
            for k, m in enumerate(members, 1)
        )
        caption, sheet = tr(f"table.{key}.caption"), tr(f"sheet.{key}")
        return Table(f"E.{key[1:]}", caption, cols, rows, sheet=sheet, lang=tr.lang)

    return table("e1", team.assessors, ()), table(
        "e2",
        team.assessee,
        (
            Col(tr("table.department"), width=7, sheet_width=16),
            Col(tr("table.position"), width=7, sheet_width=16),
        ),
    )


# ---------------------------------------------------------------- E.3, E.4: hand-over, feedback


def handover_tables(results: Results, lang: str = "zh") -> tuple[Table, Table]:
    """测评资料交接确认单 (E.3) and 测评资料反馈表 (E.4), one row per item."""
    n = names(results, lang)
    tr = n.tr
    handover = results.engagement.handover
    lead, values = _lead(results, n)
    rows3, rows4 = [], []
    for item in results.assessment.items:
        h = handover.get(item.code)
        if h is None:
            missing = tr("table.no_documents")
            rows3.append((*values(item), fmt.DASH, fmt.DASH, fmt.DASH, missing))
            rows4.append((*values(item), fmt.DASH, fmt.DASH, fmt.DASH, fmt.DASH, fmt.DASH, missing))
            continue
        base = (*values(item), tr.get(f"value.{h.nature}", h.nature), h.copies, h.pages)
        rows3.append((*base, h.note))
        # 完整/不完整, 符合/不符合: the engagement's fixed choices, printed in the language
        checks = [tr.get(f"value.{v}", fmt.DASH) for v in (h.completeness, h.granularity)]
        rows4.append((*base, *checks, h.feedback))
    docs = (
        Col(tr("table.nature"), width=6, sheet_width=16),
        Col(tr("table.copies"), "int", 4, "right", 7),
        Col(tr("table.pages"), "int", 4, "right", 7),
    )

    def table(key: str, rows: Sequence[tuple[Any, ...]], *cols: Col) -> Table:
        t = Table(f"E.{key[1:]}", tr(f"table.{key}.caption"), (*lead, *docs, *cols), tuple(rows))
        return replace(t, merge=len(lead) - 1, sheet=tr(f"sheet.{key}"), lang=tr.lang)

    return table("e3", rows3, Col(tr("table.remark"), width=12, sheet_width=30)), table(
        "e4",
        rows4,
        Col(tr("table.completeness"), width=5, sheet_width=9),
        Col(tr("table.granularity"), width=5, sheet_width=9),
        Col(tr("table.remark"), width=10, sheet_width=36),
    )


# ---------------------------------------------------------------- E.5: the requirements


def requirement_rating(req: RequirementOut, tr: Tr) -> list[str]:
    """The 评分 cell: the rating, how it was reached (sub-points, indicators), or 不适用."""
    if req.source == "na":
        return [tr("table.na")]
    if req.rating is None:
        return [tr("table.unrated")]
    lines = [fmt.rating(req.rating)]
    subs = [sp for sp in req.subpoints or () if sp.rating is not None]
    if req.source == "subpoints" and subs:
        lines.append(tr.paren(tr.join(fmt.rating(sp.rating) for sp in subs)).strip())
    att = req.attainment
    if req.kind == "indicator" and req.source == "indicators" and att:
        lines.append(tr("table.attained", met=att.met, evaluable=att.evaluable))
    if req.source == "override":
        lines.append(tr("table.team_decided"))
    return lines


def _whole_rating(item: ItemOut, tr: Tr, word: str) -> list[str] | None:
    """The 评分 cell of an item rated as a whole (override, item rating, n/a), else None: its
    requirements carry no rating of their own (source ``item``, or none are listed)."""
    if any(r.source != "item" for r in item.requirements):
        return None
    if item.source == "na":
        return [tr("table.na")]
    if item.source == "override":
        percent = tr("table.percent_value", percent=fmt.percent(item.percent))
        return [percent, tr("table.team_decided")]
    if item.mean_rating is None:
        return [tr("table.unrated")]
    return [fmt.rating(item.mean_rating), tr("table.whole_rating", level=word)]


def requirement_tables(results: Results, lang: str = "zh", code: str = "") -> tuple[Table, Table]:
    """测评要求计分表 (E.5) of every item, or of one (``code``), in its two forms.

    As the standard prints it (the report): each requirement (its sub-points beneath) with its
    rating; an item rated as a whole has one rating beside all of them; the score per item (in
    its category's column) or per group spans its rows.

    As a list (the notebooks, the workbook's E.5): each requirement and sub-point on a row of
    its own, its rating, what the rating means and rests on; of every item with the item's
    percent and score, and one row for an item rated as a whole."""
    n = names(results, lang)
    tr = n.tr
    items = [i for i in results.assessment.items if i.code == code or not code]
    caption = tr("nb.req.caption", item=n.item(code)) if code else tr("table.e5.caption")
    e5 = Table("E.5", caption, (), (), sheet=tr("sheet.e5"), lang=tr.lang)
    return _printed(results, n, items, e5), _listed(results, n, items, code, e5)


def _printed(results: Results, n: Names, items: Sequence[ItemOut], e5: Table) -> Table:
    """E.5 as the standard prints it (``e5``: its caption and sheet)."""
    tr = n.tr
    a = results.assessment
    cats: Sequence[CategoryOut | None] = a.categories or (None,)
    by_item = results.framework.points_at == "item"
    lead, values = _lead(results, n, narrow=True)
    word = n.item_level.lower() if tr.en else n.item_level
    scores = (
        [
            tr("table.category_score", category=n.categories.get(c.code, c.name))
            for c in a.categories
        ]
        if a.categories and by_item
        else [tr("table.score")]
    )
    rows: list[tuple[Any, ...]] = []
    for cat in cats:
        for g in a.groups:
            if cat is not None and g.category != cat.code:
                continue
            start = len(rows)
            for item in (i for i in items if i.group == g.code):
                body = _printed_body(item, tr, word)
                for k, row in enumerate(body):
                    for c in cats if by_item else ():
                        mine = c is None or item.category == c.code
                        row.append(UP if k else fmt.fixed(item.score) if mine else "")
                    rows.append((*values(item), *row, *([] if by_item else [UP])))
            if not by_item and len(rows) > start:  # the group's score spans its rows
                rows[start] = (*rows[start][:-1], fmt.fixed(g.score))
    cols = (
        *lead,
        Col(tr("table.requirement"), "lines", 36),
        Col(tr("table.rating"), "lines", 6, "center"),
        *(Col(c, width=5 if len(scores) > 1 else 6, align="right", sheet_width=10) for c in scores),
    )
    return replace(e5, columns=cols, rows=tuple(rows), merge=len(lead))


def _printed_body(item: ItemOut, tr: Tr, word: str) -> list[list[Any]]:
    """An item's rows of E.5 as printed: each requirement (its sub-points beneath) and its
    rating, or one rating (the item rated as a whole) beside all of them; a note below."""
    reqs = item.requirements
    texts = [
        [f"{r.code}){r.text}"] + [f"{sp.code}){sp.text}" for sp in r.subpoints or ()] for r in reqs
    ]
    whole = _whole_rating(item, tr, word)
    body: list[list[Any]] = (
        [[t, requirement_rating(r, tr)] for t, r in zip(texts, reqs, strict=True)]
        if whole is None
        else [[t, whole if k == 0 else UP] for k, t in enumerate(texts)]
        or [[tr("table.whole_rating", level=word), whole]]
    )
    remark = item_remark(item, tr)
    return [*body, [tr("table.note", note=remark), LEFT]] if remark else body


def scale_label(results: Results, rating: Any, lang: str = "zh") -> str:
    """The scale's label for a rating; a mean between two levels names both (A～B)."""
    if rating is None:
        return fmt.DASH
    labels = {lv.value: lv.label for lv in results.framework.scale.levels}
    if lang == "en":  # English labels from the framework
        from ccua.spec import load_framework

        scale = load_framework(results.framework.id).scale
        labels = {lv.value: lv.label_en for lv in scale.levels}
    exact = Fraction(str(rating))
    lo, hi = math.floor(exact), math.ceil(exact)
    if lo == hi:
        return str(labels.get(lo, fmt.DASH))
    return f"{labels.get(lo, lo)}～{labels.get(hi, hi)}"


def rating_basis(r: RequirementOut, tr: Tr) -> str:
    """What a requirement's rating rests on: the assessor's evidence, sub-points, indicators."""
    if r.source == "assessor":
        return (
            tr("nb.basis.evidence", evidence=r.evidence) if r.evidence else tr("nb.basis.assessor")
        )
    text = tr.get(f"nb.req_source.{r.source}", r.source)
    if r.source == "subpoints":
        rated = [s for s in r.subpoints or () if s.rating is not None]
        text += tr("nb.basis.n_subpoints", n=len(rated))
    att = r.attainment
    if r.source == "indicators" and att:
        share = None if att.share is None else 100 * att.share
        text += tr(
            "nb.basis.attained", met=att.met, evaluable=att.evaluable, percent=fmt.percent(share)
        )
    return text


def _listed(results: Results, n: Names, items: Sequence[ItemOut], code: str, e5: Table) -> Table:
    """E.5 as a list (``e5``: its caption and sheet); for one item without the leading
    columns."""
    weighted = any(r.weight not in (None, 1) for i in items for r in i.requirements)
    lead, values = _lead(results, n) if not code else ([], lambda item: [])
    rows: list[tuple[Any, ...]] = []
    for item in items:
        for cells, weight in _item_lines(results, item, n.tr, whole=not code):
            first = not rows or rows[-1][: len(lead)] != tuple(values(item))
            score = [item.percent, item.score] if first else [None, None]
            rows.append(
                (
                    *values(item),
                    *cells[:4],
                    *([weight] if weighted else []),
                    *cells[4:],
                    *(score if not code else []),
                )
            )
    columns = _listed_columns(lead, n.tr, weighted, scored=not code)
    return replace(e5, columns=columns, rows=tuple(rows))


def _item_lines(
    results: Results, item: ItemOut, tr: Tr, whole: bool
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """An item's lines of E.5 listed (their cells after the leading columns, and the weight):
    the item rated as a whole (if ``whole``), each requirement and each of its sub-points."""
    na = tr("table.na")

    def label(rating: Any) -> str:
        return scale_label(results, rating, tr.lang)

    if not item.requirements and whole:
        source = tr.get(f"nb.item_source.{item.source}", item.source)
        mean = item.mean_rating
        yield ("", tr("sheet.whole"), mean, label(mean), source, item.note), None
    for r in item.requirements:
        rated: Any = na if r.source == "na" else r.rating
        yield (f"{r.code})", r.text, rated, label(r.rating), rating_basis(r, tr), r.note), r.weight
        for sp in r.subpoints or ():
            rated = na if sp.na else sp.rating
            basis = _subpoint_basis(r, sp, tr)
            yield (f"{r.code}) {sp.code})", sp.text, rated, label(sp.rating), basis, sp.note), ""


def _subpoint_basis(r: RequirementOut, sp: SubpointOut, tr: Tr) -> str:
    """What a sub-point's rating rests on: the assessor's evidence or word, else its
    requirement's source."""
    if sp.na:
        return tr("table.na")
    if sp.rating is None:
        return tr.get(f"nb.req_source.{r.source}", fmt.DASH)
    return tr("nb.basis.evidence", evidence=sp.evidence) if sp.evidence else tr("nb.basis.assessor")


def _listed_columns(lead: Sequence[Col], tr: Tr, weighted: bool, scored: bool) -> tuple[Col, ...]:
    return (
        *lead,
        Col(tr("table.requirement"), width=5, sheet_width=9),
        Col(tr("nb.req.text"), width=40, sheet_width=60),
        Col(tr("table.rating"), "rating", 5, "right", 7, blank=fmt.DASH),
        Col(tr("nb.item.meaning"), width=12, sheet_width=14),
        *([Col(tr("nb.req.weight"), "number", 4, "right", 7, blank=fmt.DASH)] if weighted else []),
        Col(tr("sheet.rating_basis"), width=14, sheet_width=30),
        Col(tr("table.remark"), width=14, sheet_width=36),
        *(
            (
                Col(tr("sheet.item_percent"), "number", sheet_width=10),
                Col(tr("sheet.item_score"), "number", sheet_width=10),
            )
            if scored
            else ()
        ),
    )


# ---------------------------------------------------------------- E.6: the score table


def item_remark(item: ItemOut, tr: Tr) -> str:
    """Why an item's score is what it is, when not simply from its requirement ratings."""
    parts = []
    if item.standard_points is not None:
        parts.append(tr("table.standard_points", points=fmt.points(item.standard_points, tr.lang)))
    note = item.note
    if item.source == "override":
        parts.append(noted(tr("table.override_note", percent=fmt.percent(item.percent)), note, tr))
    elif item.source == "na":
        parts.append(noted(tr("table.na"), note, tr))
    elif item.source == "rating" and note:
        parts.append(note)
    return tr("punct.semicolon").join(parts)


def noted(text: str, note: str | None, tr: Tr) -> str:
    """``text：note``; the text alone without a note."""
    return text + (tr("punct.colon") + note if note else "")


def score_table(results: Results, lang: str = "zh") -> Table:
    """测评计分表 (E.6): per item where points sit on items, else per group."""
    n = names(results, lang)
    tr = n.tr
    a = results.assessment
    if results.framework.points_at == "item":
        lead, values = _lead(results, n)
        rows = tuple(
            (*values(i), i.points, i.points_share, i.score, i.share, item_remark(i, tr))
            for i in a.items
        )
        cols = (
            *lead,
            Col(tr("table.points"), "points", 6, "right", 9),
            Col(tr("table.points_share"), "percent", 6, "right", 10),
            Col(tr("table.score"), "points", 6, "right", 9),
            Col(tr("table.score_share"), "percent", 6, "right", 10),
            Col(tr("table.remark"), width=9, sheet_width=30),
        )
        # 测评计分合计 over the leading columns, 分值 and 分值占比, as table E.6 prints it
        footer = Footer(tr("table.total"), len(lead) + 2, (a.total, None, ""), strong=(0,))
        merge = len(lead) - 1
    else:
        rows = tuple(
            (f"{g.code} {n.group(g.code)}", g.points, g.mean_rating, g.percent, g.score)
            for g in a.groups
        )
        cols = (
            Col(n.group_level, width=14, sheet_width=28, split=tr("sheet.code")),
            Col(tr("table.points"), "points", 6, "right", 9),
            Col(tr("table.mean_rating"), "rating", 6, "right", 9),
            Col(tr("table.percent"), "percent", 6, "right", 9),
            Col(tr("table.score"), "points", 6, "right", 9),
        )
        footer, merge = Footer(tr("table.total"), 4, (a.total,), strong=(0,)), 0
    caption, sheet = tr("table.e6.caption"), tr("sheet.e6")
    return Table("E.6", caption, cols, rows, merge, (footer,), sheet=sheet, lang=tr.lang)


# ---------------------------------------------------------------- E.7: the grades


def lettered(lines: Sequence[str]) -> list[str]:
    return [f"{LETTERS[k]}) {text}" for k, text in enumerate(lines)]


def grade_table(grades: Sequence[Grade], awarded: str | None, lang: str = "zh") -> Table:
    """测评等级评定 (E.7): every grade, its band as applied, its descriptions (the standard's
    text), and the verdict marked 符合 (bold) in the last column."""
    tr = Tr(lang)
    cols = (
        Col(tr("table.grade"), width=4, align="center", sheet_width=8),
        Col(tr("table.band"), width=5, align="center", sheet_width=12),
        Col(tr("table.process_desc"), "lines", 20, sheet_width=55),
        Col(tr("table.result_desc"), "lines", 20, sheet_width=55),
        Col(tr("table.verdict"), width=5, align="center", sheet_width=10),
    )
    rows = tuple(
        (
            tr.name(g),
            grade_band(grades, g, lang),
            lettered(g.process),
            lettered(g.result),
            tr("table.conforms") if g.name == awarded else "",
        )
        for g in sorted(grades, key=lambda g: g.min, reverse=True)
    )
    strong = frozenset((k, len(cols) - 1) for k in range(len(rows)))
    caption, sheet = tr("table.e7.caption"), tr("sheet.e7")
    return Table("E.7", caption, cols, rows, strong=strong, sheet=sheet, lang=tr.lang)


# ---------------------------------------------------------------- the assessors


def agreement_table(results: Results, lang: str = "zh") -> Table | None:
    """测评员评分一致性: the independent assessors' agreement, overall and per group
    (results → agreement; docs/assessors.md). None without independent ratings."""
    ag = results.agreement
    if ag is None:
        return None
    n = names(results, lang)
    tr = n.tr

    def row(label: str, a: AgreementStats) -> tuple[Any, ...]:
        shares = [None if v is None else 100 * v for v in (a.exact_agreement, a.within_one)]
        kappa_alpha = (a.weighted_kappa, a.alpha_ordinal)
        stats = [fmt.DASH if v is None else f"{float(v):.3f}" for v in kappa_alpha]
        return (label, a.pairs, *shares, *stats)

    rows = [row(tr("nb.agree.all"), ag)]
    rows += [row(f"{code} {n.group(code)}", a) for code, a in ag.by_domain.items()]
    cols = (
        Col(tr("nb.agree.scope"), width=14, sheet_width=20),
        Col(tr("nb.agree.pairs"), "int", width=6, align="right"),
        Col(tr("nb.agree.exact"), "percent", width=8, align="right"),
        Col(tr("nb.agree.within_one"), "percent", width=9, align="right"),
        Col(tr("nb.agree.kappa"), width=7, align="right"),
        Col(tr("nb.agree.alpha"), width=8, align="right"),
    )
    return Table(
        "agreement", tr("nb.agree.caption"), cols, tuple(rows), sheet=tr("nb.agree.h"), lang=tr.lang
    )


def agreement_intro(results: Results, lang: str = "zh") -> str:
    ag = results.agreement
    assert ag is not None
    tr = Tr(lang)
    text = tr("nb.agree.intro", n=len(ag.assessors), names=tr.join(ag.assessors), pairs=ag.pairs)
    if ag.disagreements:
        text += tr("nb.agree.apart", n=len(ag.disagreements))
    return text


# ---------------------------------------------------------------- crosswalk estimates


def projection_tables(
    results: Results, p: ProjectionOut, lang: str = "zh"
) -> tuple[Table, Table, Table, Table | None, Table]:
    """The estimate under another framework (results → projections, one entry ``p``), for the
    report by its groups (with the sum), by its items (what each rests on), the items without
    evidence and why, and the KPIs that carry over (None when none does); and for the workbook
    on one sheet: per item what it rests on, the estimate, why it has no evidence; the sum."""
    from ccua.spec import load_framework

    n = names(results, lang)
    target = load_framework(p.to)
    why = {m.code: missing_reason(m, results.framework, n.tr) for m in p.missing}
    carried = _projected_kpis(p, target, n.tr)
    return (
        _projected_groups(p, target, n.tr),
        _projected_items(p, target, n),
        _projected_missing(p, target, why, n.tr),
        carried if carried.rows else None,
        _estimate_sheet(p, n, target, why),
    )


def _in_target(code: str, things: Mapping[str, object], name: str, tr: Tr) -> str:
    """A group's or item's code and name as the target framework gives them."""
    return f"{code} {tr.name(things.get(code), name)}"


def _projected_groups(p: ProjectionOut, target: Framework, tr: Tr) -> Table:
    """The estimate by the target's groups, with the sum."""
    group_level = tr.level(target.levels, "group")
    t_groups = {g.code: g for g in target.groups}
    return Table(
        "projection.groups",
        tr("projection.groups_caption", level=group_level),
        (
            Col(group_level, width=16),
            Col(tr("table.points"), "points", 6, "right"),
            Col(tr("projection.coverable"), "points", 7, "right"),
            Col(tr("sheet.est_score"), "points", 7, "right", blank=fmt.DASH),
        ),
        tuple(
            (_in_target(g.code, t_groups, g.name, tr), g.points, g.covered_points, g.score)
            for g in p.groups
        ),
        footers=(
            Footer(
                tr("sheet.sum"),
                1,
                (p.total_points, p.covered_points, p.estimated_score),
                strong=(2,),
            ),
        ),
        lang=tr.lang,
        line_width=80,
    )


def _projected_remark(item: ProjectionItem, tr: Tr) -> str:
    notes = [tr("projection.partial")] if item.partial else []
    if item.unrated_sources:
        notes.append(tr("projection.unrated", codes=tr.join(item.unrated_sources)))
    if not item.sources:
        notes.append(tr("projection.no_evidence"))
    return tr("punct.semicolon").join(notes)


def _projected_items(p: ProjectionOut, target: Framework, n: Names) -> Table:
    """The estimate by the target's items: the assessed items it rests on, rating, percent
    (and score where points sit on items)."""
    tr, levels = n.tr, target.levels
    t_groups = {g.code: g for g in target.groups}
    t_items = {i.code: i for i in target.items}
    scored = target.scoring.points_at == "item"
    return Table(
        "projection.items",
        tr("projection.items_caption", level=tr.level(levels, "item", plural=True)),
        (
            Col(tr.level(levels, "group"), width=7),
            Col(tr.level(levels, "item"), width=9),
            Col(tr("projection.mapped", level=n.item_level), "lines", 12),
            Col(tr("sheet.est_rating"), "rating", 5, "right", blank=fmt.DASH),
            Col(tr("sheet.est_percent"), "percent", 6, "right", blank=fmt.DASH),
            *([Col(tr("sheet.est_score"), "points", 5, "right", blank=fmt.DASH)] if scored else []),
            Col(tr("table.remark"), width=8),
        ),
        tuple(
            (
                _in_target(g.code, t_groups, g.name, tr),
                _in_target(i.code, t_items, i.name, tr),
                [n.item(c) for c in i.sources] or [fmt.DASH],
                i.rating,
                i.percent,
                *([i.score] if scored else []),
                _projected_remark(i, tr),
            )
            for g in p.groups
            for i in p.items
            if i.group == g.code
        ),
        merge=2,
        lang=tr.lang,
    )


def _projected_missing(
    p: ProjectionOut, target: Framework, why: Mapping[str, str], tr: Tr
) -> Table:
    """The target's items without evidence, and why."""
    t_items = {i.code: i for i in target.items}
    return Table(
        "projection.missing",
        tr("projection.missing_caption", level=tr.level(target.levels, "item", plural=True)),
        (
            Col(tr("sheet.code"), width=4),
            Col(tr.level(target.levels, "item"), width=10),
            Col(tr("projection.reason"), width=24),
        ),
        tuple((m.code, tr.name(t_items.get(m.code), m.name), why[m.code]) for m in p.missing),
        lang=tr.lang,
    )


def _projected_kpis(p: ProjectionOut, target: Framework, tr: Tr) -> Table:
    """The target's KPIs that carry over (the ones with a value), from which indicator."""
    rows = [
        (
            k.code,
            tr.name(ind, k.name),
            k.source or fmt.DASH,
            fmt.value(k.value, ind.unit, tr.lang),
            tr.get(f"projection.match.{k.match}", fmt.DASH),
            *([k.reason] if tr.en else []),
        )
        for k in p.kpis
        if k.value is not None
        for ind in [target.indicator(k.code)]
    ]
    return Table(
        "projection.kpis",
        tr("projection.kpi_caption"),
        (
            Col(tr("sheet.indicator"), width=5),
            Col(tr("sheet.name"), width=10),
            Col(tr("projection.from"), width=5),
            Col(tr("sheet.period_value"), width=6, align="right"),
            Col(tr("projection.match_col"), width=5),
            *([Col(tr("table.remark"), width=20)] if tr.en else []),
        ),
        tuple(rows),
        lang=tr.lang,
    )


def _estimate_sheet(p: ProjectionOut, n: Names, target: Framework, why: Mapping[str, str]) -> Table:
    """The estimate on one worksheet (``why``: the reason of each item without evidence)."""
    tr = n.tr
    t_items = {i.code: i for i in target.items}
    total = tr(
        "sheet.projection_total",
        covered=fmt.fixed(p.covered_points),
        total=fmt.fixed(p.total_points),
        rescaled=fmt.fixed(p.rescaled_total),
    )
    return Table(
        "projection",
        tr("sheet.projection_caption", name=target.name_en if tr.en else target.name),
        (
            Col(tr("sheet.group"), sheet_width=8),
            Col(tr("sheet.code"), sheet_width=8),
            Col(tr("sheet.name"), sheet_width=24),
            Col(tr("sheet.mapped"), sheet_width=30),
            Col(tr("sheet.est_rating"), "number", sheet_width=9),
            Col(tr("sheet.est_percent"), "percent", sheet_width=10),
            Col(tr("sheet.est_score"), "number", sheet_width=9),
            Col(tr("table.remark"), sheet_width=20),
            Col(tr("sheet.missing_reason"), sheet_width=40),
        ),
        tuple(
            (
                i.group,
                i.code,
                tr.name(t_items.get(i.code), i.name),
                tr.join(n.item(c) for c in i.sources),
                i.rating,
                i.percent,
                i.score,
                tr("sheet.partial") if i.partial else "",
                why.get(i.code, ""),
            )
            for i in p.items
        ),
        footers=(Footer(tr("sheet.sum"), 6, (p.estimated_score, total, "")),),
        lang=tr.lang,
    )


def missing_reason(m: ProjectionMissing, source: FrameworkOut, tr: Tr) -> str:
    """Why an item has no evidence: the crosswalk's note in English; in Chinese, what it means
    (the assessed framework has no counterpart)."""
    if tr.en:
        return m.reason or fmt.DASH
    return tr("projection.no_counterpart", framework=tr("standard.cite", name=source.name))


# ---------------------------------------------------------------- indicators and KPIs


def target_text(ind: IndicatorOut | None, tr: Tr, say_default: bool = True) -> str:
    """An indicator's target as the framework prints it (its bounds in English), and whether
    it is the documented default."""
    target = ind.target if ind else None
    if target is None:
        return tr("nb.target.none")
    text = target.text
    if tr.en and (target.min is not None or target.max is not None):
        text = prose.bounds_text(target, ind.unit if ind else None, tr.lang)  # unit in English
    default = say_default and target.source == "default"
    return text + (tr("nb.target.default") if default else "")


def met_text(met: Any, tr: Tr) -> str:
    return fmt.DASH if met is None else tr("nb.yes") if met else tr("nb.no")


def name_with_unit(name: str, unit: str | None, tr: Tr) -> str:
    label = fmt.unit_label(unit, tr.lang)
    return name + tr.paren(label).rstrip() if label else name


def _trend_text(ind: IndicatorOut, tr: Tr) -> str:
    label = ind.trend.label
    text = fmt.DASH if label == "n/a" else tr.get(f"nb.trend.{label}", fmt.DASH)
    if text != fmt.DASH and ind.trend.improving_run >= 2:
        text += tr("nb.trend.run", n=ind.trend.improving_run)
    return text


def _reconciliation_text(ind: IndicatorOut, tr: Tr) -> str:
    parts = []
    for c in ind.reconciliation:
        when = fmt.month_text(c.month, tr.lang) if c.month else tr("finding.whole_period")
        status = tr.get(f"nb.recon.status.{c.status}", c.status)
        if c.status != "unverifiable":
            when = tr(
                "nb.recon.pair",
                when=when,
                claimed=fmt.value(c.claimed, ind.unit, tr.lang),
                recomputed=fmt.value(c.recomputed, ind.unit, tr.lang),
            )
        parts.append(status + tr.paren(when))
    return tr("punct.semicolon").join(parts) or fmt.DASH


def indicator_tables(
    results: Results, code: str = "", lang: str = "zh"
) -> tuple[Table | None, Table | None, Table | None, Table]:
    """An item's indicators (``code``), or all: for the notebooks the documentary checks, the
    period values against their targets with trend and reconciliation, the values by month
    (None for a table without rows); for the workbook one sheet of the monthly values, the
    period value, the target and whether it is met."""
    n = names(results, lang)
    label = n.item(code)
    inds = results.indicators_of(code) if code else results.indicators
    documentary = [i for i in inds if i.kind == "documentary"]
    computed = [i for i in inds if i.kind != "documentary"]
    with_months = [i for i in computed if i.monthly]
    by_month = {i.code: {v.month: v.value for v in i.monthly} for i in inds}
    months = results.period.months
    return (
        _check_table(documentary, label, n.tr) if documentary else None,
        _period_table(computed, label, n.tr) if computed else None,
        _monthly_table(with_months, by_month, months, label, n.tr) if with_months else None,
        _indicator_sheet(inds, by_month, months, n.tr),
    )


def _check_row(ind: IndicatorOut, tr: Tr) -> tuple[Any, ...]:
    check = ind.check
    result = "nb.doc.unchecked" if not check else "nb.doc.met" if check.met else "nb.doc.not_met"
    texts = {"nb.doc.basis": check.note, "nb.doc.evidence": check.evidence} if check else {}
    notes = [noted(tr(k), t, tr) for k, t in texts.items() if t]
    return (
        ind.code,
        tr.name(ind, ind.code),
        tr(result),
        tr("punct.semicolon").join(notes) or fmt.DASH,
    )


def _check_table(inds: Sequence[IndicatorOut], label: str, tr: Tr) -> Table:
    """The documentary checks: met or not, on what basis, with what evidence."""
    return Table(
        "indicators.documentary",
        tr("nb.doc.caption", item=label),
        (
            Col(tr("sheet.indicator"), width=6),
            Col(tr("sheet.name"), width=14),
            Col(tr("nb.doc.result"), width=6, align="center"),
            Col(tr("nb.doc.note"), width=40),
        ),
        tuple(_check_row(i, tr) for i in inds),
        lang=tr.lang,
    )


def _period_table(inds: Sequence[IndicatorOut], label: str, tr: Tr) -> Table:
    """The period values against their targets, with trend and reconciliation."""
    return Table(
        "indicators.period",
        tr("nb.period.caption", item=label),
        (
            Col(tr("sheet.indicator"), width=6),
            Col(tr("sheet.name"), width=14),
            Col(tr("sheet.unit"), width=4, align="center"),
            Col(tr("sheet.period_value"), width=8, align="right"),
            Col(tr("sheet.target"), width=10),
            Col(tr("nb.met"), width=4, align="center"),
            Col(tr("nb.trend.h"), width=12),
            Col(tr("nb.recon.col"), width=20),
        ),
        tuple(
            (
                i.code,
                tr.name(i, i.code),
                fmt.unit_label(i.unit, tr.lang) or fmt.DASH,
                fmt.fixed(i.value),
                target_text(i, tr),
                met_text(i.met, tr),
                _trend_text(i, tr),
                _reconciliation_text(i, tr),
            )
            for i in inds
        ),
        lang=tr.lang,
    )


def _monthly_table(
    inds: Sequence[IndicatorOut],
    by_month: Mapping[str, Mapping[str, Any]],
    months: Sequence[str],
    label: str,
    tr: Tr,
) -> Table:
    """The values by month, a column per month."""
    labels = month_labels(months, tr.lang)
    return Table(
        "indicators.monthly",
        tr("nb.monthly.caption", item=label),
        (
            Col(tr("sheet.indicator"), width=6),
            Col(tr("sheet.name"), width=16),
            *(Col(labels[m], width=6, align="right") for m in months),
        ),
        tuple(
            (
                i.code,
                name_with_unit(tr.name(i, i.code), i.unit, tr),
                *(fmt.fixed(by_month[i.code].get(m)) for m in months),
            )
            for i in inds
        ),
        lang=tr.lang,
    )


def _indicator_sheet(
    inds: Sequence[IndicatorOut],
    by_month: Mapping[str, Mapping[str, Any]],
    months: Sequence[str],
    tr: Tr,
) -> Table:
    """Indicators on one worksheet: monthly values, the period value, the target, whether met."""

    def row(ind: IndicatorOut) -> tuple[Any, ...]:
        status = "not_evaluable" if not ind.evaluable else "met" if ind.met else "not_met"
        return (
            ind.code,
            tr.name(ind, ind.code),
            fmt.unit_label(ind.unit, tr.lang),
            *(by_month[ind.code].get(m) for m in months),
            ind.value,
            target_text(ind, tr, say_default=False) if ind.target else "",
            tr(f"sheet.{status}"),
        )

    return Table(
        "indicators",
        tr("sheet.indicators"),
        (
            Col(tr("sheet.indicator"), sheet_width=9),
            Col(tr("sheet.indicator_name"), sheet_width=30),
            Col(tr("sheet.unit"), sheet_width=7),
            *(Col(fmt.month_text(m, tr.lang), "number", sheet_width=10) for m in months),
            Col(tr("sheet.period_value"), "number", sheet_width=11),
            Col(tr("sheet.target"), sheet_width=12),
            Col(tr("sheet.attainment"), sheet_width=10),
        ),
        tuple(row(i) for i in inds),
        sheet=tr("sheet.indicators"),
        lang=tr.lang,
    )


def kpi_table(results: Results, lang: str = "zh") -> Table | None:
    """The framework-level KPIs by the groups of the framework's KPI table (guideline: table
    A.1): the table's period columns, the period value, the target and whether it is met."""
    table = results.kpi_table
    if table is None or not table.groups:
        return None
    tr = Tr(lang)
    inds = {i.code: i for i in results.indicators}
    labels = month_labels(results.period.months, tr.lang)
    heads = [
        tr.name(c) + (tr.paren(labels.get(c.month, c.month)) if c.month else "")
        for c in table.columns
    ]
    rows = []
    for group in table.groups:
        name = (tr.name(group) if group.name else "") or tr("nb.kpi.outside")
        for kpi in group.kpis:
            ind = inds.get(kpi.code)
            rows.append(
                (
                    name,
                    kpi.code,
                    name_with_unit(tr.name(ind or kpi, kpi.name), kpi.unit, tr),
                    *(fmt.fixed(v) for v in kpi.values),
                    fmt.fixed(ind.value if ind else None),
                    target_text(ind, tr),
                    met_text(ind.met if ind else None, tr),
                )
            )
    title = ("" if tr.en else table.title) or tr("nb.kpi.h")  # no English title in the data
    return Table(
        "A.1",
        title + (tr.paren(table.source) if table.source and not tr.en else ""),
        (
            Col(tr("sheet.group"), width=8),
            Col(tr("sheet.indicator"), width=5),
            Col(tr("sheet.name"), width=16),
            *(Col(h, width=6, align="right") for h in heads),
            Col(tr("sheet.period_value"), width=7, align="right"),
            Col(tr("sheet.target"), width=10),
            Col(tr("nb.met"), width=4, align="center"),
        ),
        tuple(rows),
        merge=1,
        lang=tr.lang,
    )


# ---------------------------------------------------------------- rules and thresholds

OPERATOR = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜"}


def _threshold_unit(th: ThresholdOut, tr: Tr) -> str:
    """The unit after a threshold's number: the catalog's word (nb.th_unit), else as written."""
    unit = str(th.unit)
    key = f"nb.th_unit.{unit.replace(' ', '_')}"
    if "_" in unit or key not in catalog(tr.lang):
        return f" {unit}"
    label = tr(key)
    return label if (label == "%" or not tr.en) else " " + label


def threshold_text(th: ThresholdOut, tr: Tr) -> str:
    """A threshold's level as printed: ≥99.99%, 80～90%, ≤4秒, ≥1次/季度."""
    unit = _threshold_unit(th, tr)
    if th.operator == "between":
        low, high = th.range or (None, None)
        return f"{fmt.plain(low)}～{fmt.plain(high)}{unit}"
    return f"{OPERATOR.get(th.operator or '', th.operator)}{fmt.plain(th.value)}{unit}"


def _threshold_cells(results: Results, th: ThresholdOut, tr: Tr) -> list[str]:
    """The threshold's level, the value measured and what it says."""
    measured = th.measured
    result = tr.get(f"nb.th.status.{th.status.replace(' ', '_')}", th.status)
    if th.kind != "requirement" and th.status != "not measured":
        result += tr("nb.th.reference_only")
    if th.rule and th.status == "not measured":
        rule = next((r for r in results.rules if r.rule == th.rule), None)
        if rule is not None:
            result = tr("nb.th.by_rule", section=rule.section)
    return [
        threshold_text(th, tr),
        fmt.DASH if measured is None else fmt.fixed(measured) + _threshold_unit(th, tr),
        result,
    ]


def threshold_table(results: Results, lang: str = "zh", code: str = "") -> Table | None:
    """The thresholds the framework prints: those an item's requirements cite (``code``), else
    those for an indicator but no item (usual ranges, examples: for reference only)."""
    n = names(results, lang)
    tr = n.tr
    by_id = {t.id: t for t in results.thresholds}
    if code:
        item = results.assessment.item(code)
        cited = [e.id for e in item.evidence if e.kind == "threshold"]
        rows = [
            (
                f"{t.requirement})" if t.requirement else fmt.DASH,
                t.section,
                t.text,
                *_threshold_cells(results, t, tr),
            )
            for t in (by_id[i] for i in cited if i in by_id)
        ]
        cols: tuple[Col, ...] = (
            Col(tr("table.requirement"), width=5),
            Col(tr("nb.th.clause"), width=8),
            Col(tr("nb.th.text"), width=34),
            Col(tr("nb.th.threshold"), width=9, align="right"),
            Col(tr("nb.th.measured"), width=7, align="right"),
            Col(tr("nb.recon.result"), width=12),
        )
        caption = tr("nb.th.caption", item=n.item(code))
    else:
        rows = [
            (t.section, t.text, t.indicator or fmt.DASH, level, measured, kind, result)
            for t in by_id.values()
            if t.item is None
            for level, measured, result in [_threshold_cells(results, t, tr)]
            for kind in [tr.get(f"nb.th.kind.{t.kind}", t.kind)]
        ]
        cols = (
            Col(tr("nb.th.clause"), width=6),
            Col(tr("nb.th.text"), width=30),
            Col(tr("sheet.indicator"), width=6),
            Col(tr("nb.th.reference"), width=8, align="right"),
            Col(tr("sheet.period_value"), width=7, align="right"),
            Col(tr("nb.th.kind_col"), width=12),
            Col(tr("nb.recon.result"), width=10),
        )
        caption = tr("nb.th.reference_caption")
    return Table("thresholds", caption, cols, tuple(rows), lang=tr.lang) if rows else None


def _rule_note(kpi: RuleKpiOut, tr: Tr) -> str:
    reasons = [prose.reason_text(r, tr.lang) for r in kpi.reasons]
    if kpi.status == "not measurable":
        return tr("punct.semicolon").join(reasons)
    missing = sum(1 for m in kpi.monthly if m.value is None)
    notes = [tr("nb.rule.months_without_data", n=missing)] if missing else []
    return tr("punct.semicolon").join(notes + reasons[2:])


def rule_table(
    results: Results,
    rule: RuleOut,
    lang: str = "zh",
    statuses: Sequence[str] | None = None,
) -> Table | None:
    """A rule over the monthly series (rules.yaml) applied: one row per indicator of its scope
    (only those of some statuses: the ones that do not satisfy it)."""
    tr = Tr(lang)
    inds = {i.code: i for i in results.indicators}
    rows = []
    for kpi in rule.kpis:
        if statuses is not None and kpi.status not in statuses:
            continue
        measured = kpi.status != "not measurable"
        ind = inds.get(kpi.code)
        share = kpi.share_met
        rows.append(
            (
                kpi.code,
                name_with_unit(tr.name(ind or kpi, kpi.name), kpi.unit, tr),
                target_text(ind, tr),
                f"{kpi.months_met}/{kpi.months_counted}" if measured else fmt.DASH,
                fmt.percent(None if share is None else 100 * share),
                tr("nb.rule.months", n=kpi.longest_run) if measured else fmt.DASH,
                tr.get(f"nb.rule.status.{kpi.status.replace(' ', '_')}", kpi.status),
                _rule_note(kpi, tr),
            )
        )
    caption = tr("nb.rule.caption", section=rule.section) + (
        "" if statuses is None else tr("nb.rule.caption_failed")
    )
    cols = (
        Col(tr("sheet.indicator"), width=5),
        Col(tr("sheet.name"), width=14),
        Col(tr("sheet.target"), width=9),
        Col(tr("nb.rule.months_met"), width=6, align="right"),
        Col(tr("nb.rule.share"), width=7, align="right"),
        Col(tr("nb.rule.longest"), width=7, align="right"),
        Col(tr("nb.recon.result"), width=6, align="center"),
        Col(tr("nb.doc.note"), width=24),
    )
    return Table("rule", caption, cols, tuple(rows), lang=tr.lang) if rows else None
