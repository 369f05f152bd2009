"""One model for the tables of Appendix E, built once and written three ways.

A table is built by a pure function from the results (and the framework) into a
:class:`Table`: columns (label, format, relative width, alignment), flat rows of typed values,
how many leading columns merge down (类别 | 能力域 | 能力项), footer rows (合计) and a caption.
Writers render the same object

* to a pandoc grid table with merged cells (the report: :func:`grid_markdown`),
* to a pipe table with repeated leading values left blank (the notebooks: :func:`pipe_markdown`),
* to a worksheet, one value per cell, numbers as numbers (the workbook: :func:`write_sheet`).

Every printed number goes through :mod:`ccua.fmt`; every fixed word through the catalogs
(:mod:`ccua.i18n`), names through the framework data. Tables E.1-E.4, E.6 and E.7 are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ccua import fmt
from ccua.i18n import Tr

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Cell formats: how a value prints and which Excel number format it gets.
EXCEL_FORMATS = {"points": "0.00", "number": "0.00", "percent": '0.00"%"', "rating": "0.##"}


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


@dataclass(frozen=True)
class Footer:
    """A footer row: a label over the first ``span`` columns, then one value per column left;
    ``strong`` marks values printed bold (the total)."""

    label: str
    span: int
    values: tuple[Any, ...]
    strong: tuple[int, ...] = ()


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

    def text(self, row: int, col: int) -> list[str]:
        """The printed lines of one body cell."""
        return cell_lines(self.rows[row][col], self.columns[col].format, self.lang)


def cell_lines(value: Any, form: str, lang: str) -> list[str]:
    """A value as printed lines (a list value is one line per entry)."""
    if value is None or value == "":
        return [""]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or [""]
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

    columns = [Column(c.label, c.width, c.align) for c in table.columns]
    merged = spans(table)
    rows: list[list[Any]] = []
    for r, values in enumerate(table.rows):
        cells = []
        for c in range(len(values)):
            if c < table.merge:
                if merged[c][r] == 0:
                    continue
                span = merged[c][r]
            else:
                span = 1
            lines = [md_escape(x) for x in table.text(r, c)]
            if (r, c) in table.strong and lines[0]:
                lines = [f"**{x}**" for x in lines]
            cells.append(Cell.of(*lines, rowspan=span))
        rows.append(cells)
    for f in table.footers:
        cells = [Cell.of(md_escape(f.label), colspan=f.span)]
        for k, v in enumerate(f.values):
            text = cell_lines(v, table.columns[f.span + k].format, table.lang)
            lines = [md_escape(x) for x in text]
            if k in f.strong and lines[0]:
                lines = [f"**{x}**" for x in lines]
            cells.append(Cell.of(*lines))
        rows.append(cells)
    return grid_table(columns, rows, caption=table.caption)


def pipe_markdown(table: Table, caption: str | None = None) -> str:
    """The table as a pipe table; merged leading values print on their first row only.
    ``caption`` replaces the table's (an annex repeats 表 6 without numbering it again)."""
    from ccua.mdtext import Md, md_escape, md_table

    merged = spans(table)
    body: list[list[object]] = []
    for r, values in enumerate(table.rows):
        row: list[object] = []
        for c in range(len(values)):
            if c < table.merge and merged[c][r] == 0:
                row.append("")
                continue
            lines = table.text(r, c)
            text = " ".join(x for x in lines if x)
            row.append(Md(f"**{md_escape(text)}**") if (r, c) in table.strong and text else text)
        body.append(row)
    for f in table.footers:
        label: object = Md(f"**{md_escape(f.label)}**")
        row = [label, *[""] * (f.span - 1)]
        for k, v in enumerate(f.values):
            text = " ".join(cell_lines(v, table.columns[f.span + k].format, table.lang))
            row.append(Md(f"**{md_escape(text)}**") if k in f.strong and text.strip() else text)
        body.append(row)
    align = "".join({"left": "l", "right": "r", "center": "c"}[c.align] for c in table.columns)
    return md_table(
        [c.label for c in table.columns],
        body,
        caption=table.caption if caption is None else caption,
        widths=[c.width for c in table.columns],
        align=align,
    )


def sheet_value(value: Any, form: str) -> Any:
    """A value as a worksheet cell: numbers as Decimal, lines joined by newlines."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if form in EXCEL_FORMATS:
        return fmt.dec(value) if not isinstance(value, str) else value
    if isinstance(value, Decimal):
        return value
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


def names(results: Mapping[str, Any], lang: str = "zh") -> Names:
    """Names from results.json, in English from the framework data (``name_en``)."""
    tr = Tr(lang)
    a = results["assessment"]
    levels = results["framework"]["levels"]
    en: dict[str, str] = {}
    if tr.en:
        from ccua.spec import load_framework

        fw = load_framework(results["framework"]["id"])
        en = {c.code: c.name_en for c in fw.categories if getattr(c, "name_en", None)}
        en |= {g.code: g.name_en for g in fw.groups if getattr(g, "name_en", None)}
        en |= {i.code: i.name_en for i in fw.items if getattr(i, "name_en", None)}

    def name(thing: Mapping[str, Any]) -> str:
        return en.get(thing["code"]) or str(thing["name"])

    def header(word: str) -> str:  # a column header: Domain, Item (能力域, 能力项)
        return word[:1].upper() + word[1:]

    return Names(
        tr,
        {c["code"]: name(c) for c in a.get("categories") or []},
        {g["code"]: name(g) for g in a["groups"]},
        {i["code"]: name(i) for i in a["items"]},
        header(tr.level(levels, "group")),
        header(tr.level(levels, "item")),
    )


def _lead(results: Mapping[str, Any], n: Names) -> tuple[list[Col], Any]:
    """Leading columns 类别 | group | item and their values for one item."""
    cats = bool(results["assessment"].get("categories"))
    groups = {g["code"]: g for g in results["assessment"]["groups"]}
    cols = ([Col(n.tr("table.category"), width=5, sheet_width=8)] if cats else []) + [
        Col(n.group_level, width=8, sheet_width=12),
        Col(n.item_level, width=10, sheet_width=24, split=n.tr("sheet.code")),
    ]

    def values(item: Mapping[str, Any]) -> list[Any]:
        group = groups.get(item["group"], {})
        cat = [n.categories.get(item.get("category") or group.get("category") or "", "")]
        return [*(cat if cats else []), n.group(item["group"]), n.item(item["code"])]

    return cols, values


# ---------------------------------------------------------------- E.1, E.2: the team


def team_tables(results: Mapping[str, Any], lang: str = "zh") -> tuple[Table, Table]:
    tr = Tr(lang)
    team = results["engagement"]["team"]
    c = tr
    t1 = Table(
        "E.1",
        tr("table.e1.caption"),
        (
            Col(c("table.seq"), "text", 3, "center", 6),
            Col(c("table.name"), width=5, sheet_width=12),
            Col(c("table.phone"), width=8, sheet_width=16),
            Col(c("table.email"), width=11, sheet_width=28),
            Col(c("table.team_role"), width=11, sheet_width=24),
            Col(c("table.remark"), width=5, sheet_width=16),
        ),
        tuple(
            (str(k), *(m.get(f, "") or "" for f in ("name", "phone", "email", "role", "note")))
            for k, m in enumerate(team["assessors"], 1)
        ),
        sheet=tr("sheet.e1"),
        lang=tr.lang,
    )
    t2 = Table(
        "E.2",
        tr("table.e2.caption"),
        (
            Col(c("table.seq"), "text", 3, "center", 6),
            Col(c("table.name"), width=5, sheet_width=12),
            Col(c("table.phone"), width=8, sheet_width=16),
            Col(c("table.email"), width=11, sheet_width=28),
            Col(c("table.department"), width=7, sheet_width=16),
            Col(c("table.position"), width=7, sheet_width=16),
            Col(c("table.team_role"), width=9, sheet_width=24),
            Col(c("table.remark"), width=4, sheet_width=16),
        ),
        tuple(
            (
                str(k),
                *(
                    m.get(f, "") or ""
                    for f in ("name", "phone", "email", "department", "position", "role", "note")
                ),
            )
            for k, m in enumerate(team["assessee"], 1)
        ),
        sheet=tr("sheet.e2"),
        lang=tr.lang,
    )
    return t1, t2


# ---------------------------------------------------------------- E.3, E.4: hand-over, feedback


def handover_tables(results: Mapping[str, Any], lang: str = "zh") -> tuple[Table, Table]:
    """测评资料交接确认单 (E.3) and 测评资料反馈表 (E.4), one row per item."""
    n = names(results, lang)
    tr = n.tr
    handover = results["engagement"].get("handover") or {}
    lead, values = _lead(results, n)
    rows3, rows4 = [], []
    for item in results["assessment"]["items"]:
        h = handover.get(item["code"])
        if h is None:
            missing = tr("table.no_documents")
            rows3.append((*values(item), fmt.DASH, fmt.DASH, fmt.DASH, missing))
            rows4.append((*values(item), fmt.DASH, fmt.DASH, fmt.DASH, fmt.DASH, fmt.DASH, missing))
            continue
        nature = h.get("nature", "") or ""
        base = (*values(item), tr.get(f"value.{nature}", nature), h.get("copies"), h.get("pages"))
        rows3.append((*base, h.get("note", "") or ""))
        # 完整/不完整, 符合/不符合: the engagement's fixed choices, printed in the language
        rows4.append(
            (
                *base,
                tr.get(f"value.{h.get('completeness')}", fmt.DASH),
                tr.get(f"value.{h.get('granularity')}", fmt.DASH),
                h.get("feedback", "") or "",
            )
        )
    docs = [
        Col(tr("table.nature"), width=6, sheet_width=16),
        Col(tr("table.copies"), "int", 4, "right", 7),
        Col(tr("table.pages"), "int", 4, "right", 7),
    ]
    t3 = Table(
        "E.3",
        tr("table.e3.caption"),
        (*lead, *docs, Col(tr("table.remark"), width=12, sheet_width=30)),
        tuple(rows3),
        merge=len(lead) - 1,
        sheet=tr("sheet.e3"),
        lang=tr.lang,
    )
    t4 = Table(
        "E.4",
        tr("table.e4.caption"),
        (
            *lead,
            *docs,
            Col(tr("table.completeness"), width=5, sheet_width=9),
            Col(tr("table.granularity"), width=5, sheet_width=9),
            Col(tr("table.remark"), width=10, sheet_width=36),
        ),
        tuple(rows4),
        merge=len(lead) - 1,
        sheet=tr("sheet.e4"),
        lang=tr.lang,
    )
    return t3, t4


# ---------------------------------------------------------------- E.6: the score table


def item_remark(item: Mapping[str, Any], tr: Tr) -> str:
    """Why an item's score is what it is, when not simply from its requirement ratings."""
    parts = []
    if item.get("standard_points") is not None:
        parts.append(
            tr("table.standard_points", points=fmt.points(item["standard_points"], tr.lang))
        )
    note = item.get("note") or ""
    source = item.get("source")
    if source == "override":
        parts.append(
            tr("table.override_note", percent=fmt.percent(item.get("percent")))
            + (tr("punct.colon") + note if note else "")
        )
    elif source == "na":
        parts.append(tr("table.na") + (tr("punct.colon") + note if note else ""))
    elif source == "rating" and note:
        parts.append(note)
    return tr("punct.semicolon").join(parts)


def score_table(results: Mapping[str, Any], lang: str = "zh") -> Table:
    """测评计分表 (E.6): per item where points sit on items, else per group."""
    n = names(results, lang)
    tr = n.tr
    a = results["assessment"]
    if results["framework"]["points_at"] == "item":
        lead, values = _lead(results, n)
        rows = tuple(
            (
                *values(i),
                i.get("points"),
                i.get("points_share"),
                i.get("score"),
                i.get("share"),
                item_remark(i, tr),
            )
            for i in a["items"]
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
        footer = Footer(tr("table.total"), len(lead) + 2, (a["total"], None, ""), strong=(0,))
        return Table(
            "E.6",
            tr("table.e6.caption"),
            cols,
            rows,
            merge=len(lead) - 1,
            footers=(footer,),
            sheet=tr("sheet.e6"),
            lang=tr.lang,
        )
    rows = tuple(
        (
            f"{g['code']} {n.group(g['code'])}",
            g.get("points"),
            g.get("mean_rating"),
            g.get("percent"),
            g.get("score"),
        )
        for g in a["groups"]
    )
    cols = (
        Col(n.group_level, width=14, sheet_width=28, split=tr("sheet.code")),
        Col(tr("table.points"), "points", 6, "right", 9),
        Col(tr("table.mean_rating"), "rating", 6, "right", 9),
        Col(tr("table.percent"), "percent", 6, "right", 9),
        Col(tr("table.score"), "points", 6, "right", 9),
    )
    footer = Footer(tr("table.total"), 4, (a["total"],), strong=(0,))
    return Table(
        "E.6",
        tr("table.e6.caption"),
        cols,
        rows,
        footers=(footer,),
        sheet=tr("sheet.e6"),
        lang=tr.lang,
    )


# ---------------------------------------------------------------- E.7: the grades


def grade_band(grades: Sequence[Any], grade: Any, lang: str = "zh") -> str:
    """The band the engine applies: ≥ its minimum, and for the lowest grade below the next
    one's minimum (D.1 prints "改进 ≤60分", which overlaps 合格 ≥60: erratum E-M-grade-60)."""
    ordered = sorted(grades, key=lambda g: _get(g, "min"))
    if ordered and _get(grade, "code") == _get(ordered[0], "code") and len(ordered) > 1:
        return Tr(lang)("table.band_below", min=fmt.plain(_get(ordered[1], "min")))
    return Tr(lang)("table.band_at_least", min=fmt.plain(_get(grade, "min")))


def _get(thing: Any, key: str) -> Any:
    return thing.get(key) if isinstance(thing, Mapping) else getattr(thing, key, None)


def lettered(lines: Sequence[str]) -> list[str]:
    return [f"{LETTERS[k]}) {text}" for k, text in enumerate(lines)]


def grade_table(
    grades: Sequence[Any],
    awarded: str | None,
    lang: str = "zh",
    verdict: bool = True,
    caption: str | None = None,
) -> Table:
    """测评等级评定 (E.7): every grade, its band as applied, its descriptions (the standard's
    text), and the verdict marked 符合 in the last column."""
    tr = Tr(lang)
    cols = [
        Col(tr("table.grade"), width=4, align="center", sheet_width=8),
        Col(tr("table.band"), width=5, align="center", sheet_width=12),
        Col(tr("table.process_desc"), "lines", 20, sheet_width=55),
        Col(tr("table.result_desc"), "lines", 20, sheet_width=55),
    ]
    if verdict:
        cols.append(Col(tr("table.verdict"), width=5, align="center", sheet_width=10))
    rows, strong = [], set()
    for k, g in enumerate(sorted(grades, key=lambda g: _get(g, "min"), reverse=True)):
        row: list[Any] = [
            tr.name(g),
            grade_band(grades, g, lang),
            lettered(_get(g, "process") or ()),
            lettered(_get(g, "result") or ()),
        ]
        if verdict:
            row.append(tr("table.conforms") if _get(g, "name") == awarded else "")
            strong.add((k, len(cols) - 1))
        rows.append(tuple(row))
    return Table(
        "E.7",
        caption or tr("table.e7.caption"),
        tuple(cols),
        tuple(rows),
        strong=frozenset(strong),
        sheet=tr("sheet.e7"),
        lang=tr.lang,
    )


# ---------------------------------------------------------------- the assessors


def agreement_table(results: Mapping[str, Any], lang: str = "zh") -> Table | None:
    """测评员评分一致性: the independent assessors' agreement, overall and per group
    (results → agreement; docs/assessors.md). None without independent ratings."""
    ag = results.get("agreement")
    if not ag:
        return None
    n = names(results, lang)
    tr = n.tr

    def share(v: Any) -> Any:
        return None if v is None else 100 * Decimal(str(v))

    def stat(v: Any) -> str:
        return "—" if v is None else f"{float(v):.3f}"

    def row(label: str, a: Mapping[str, Any]) -> tuple[Any, ...]:
        return (
            label,
            a["pairs"],
            share(a["exact_agreement"]),
            share(a["within_one"]),
            stat(a["weighted_kappa"]),
            stat(a["alpha_ordinal"]),
        )

    rows = [row(tr("nb.agree.all"), ag)]
    rows += [row(f"{code} {n.group(code)}", a) for code, a in ag["by_domain"].items()]
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


def agreement_intro(results: Mapping[str, Any], lang: str = "zh") -> str:
    ag = results["agreement"]
    tr = Tr(lang)
    text = tr(
        "nb.agree.intro", n=len(ag["assessors"]), names=tr.join(ag["assessors"]), pairs=ag["pairs"]
    )
    if ag.get("disagreements"):
        text += tr("nb.agree.apart", n=len(ag["disagreements"]))
    return text
