"""What the notebooks show: Markdown tables and prose, and charts, from ``results.json``.

The notebooks papermill executes per client (``notebooks/engagement.ipynb``, ``domain.ipynb``
once per chapter, ``scorecard.ipynb``) hold a parameters cell and one-line calls into this
module; everything they present is built here, by pure functions from the typed results
(:class:`ccua.results_model.Results`, which :func:`load_results` returns) to Markdown text
(``*_md``), and shown by thin ``show_*`` wrappers.

The output contract with the report, which stitches the executed notebooks into HTML (pandoc
or Quarto) and PDF (pandoc → Typst):

- tables and prose are one ``text/markdown`` output each (the same text as ``text/plain``, so
  that a plain-text view reads as well), with pipe tables whose cells escape ``|`` and every
  other character Markdown or pandoc would interpret; table captions use pandoc's
  ``Table:`` line; headings inside a notebook start at ``##`` (the chapter heading is the
  report's);
- each chart is one display output whose bundle carries the Vega-Lite 5 spec
  (``application/vnd.vegalite.v5+json``, interactive in HTML), its SVG rendered by vl-convert
  with the bundled CJK font (``image/svg+xml``, for the PDF) and a one-line description
  (``text/plain``);
- outputs are deterministic: no timestamps, no random ids, stable ordering.

Only the chart functions import Altair, so the engagement notebook starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec

from ccua import fmt, prose, tables
from ccua.errors import CcuaError
from ccua.i18n import Tr
from ccua.mdtext import Md, join_blocks, md_escape, md_list, md_paragraph
from ccua.results_model import (
    ImprovementOut,
    ImprovementStep,
    IndicatorHintOut,
    IndicatorOut,
    ItemOut,
    Results,
    RuleOut,
    StaffingMonth,
    StaffingOut,
)

# The language of what the notebooks show: set by load_results(path, lang) from the notebook's
# ``lang`` parameter (the runner passes the run's language). Texts come from ccua/locales.
_TR = Tr("zh")


def set_language(lang: str | None) -> Tr:
    """Present in ``lang`` (zh, en) from now on; returns the translator."""
    global _TR
    _TR = Tr(lang)
    return _TR


def tr(key: str, **values: Any) -> str:
    return _TR(key, **values)


P = ParamSpec("P")


# ---------------------------------------------------------------- loading


def load_results(path: str | Path = "results.json", lang: str | None = None) -> Results:
    """Read ``results.json`` through the one loader (:func:`ccua.results_model.load_run`: it
    checks the schema and upgrades runs of an older version); ``lang`` sets the language."""
    from ccua.results_model import load_run

    if lang is not None:
        set_language(lang)
    return load_run(path)


# ---------------------------------------------------------------- Markdown primitives
# Markdown primitives live in ccua.mdtext (shared with the table model); names kept here
# (md_escape, md_list, md_paragraph: tests and notebooks use them as nb.*).


def _table(
    columns: Sequence[tuple[str, int, str]], rows: Sequence[Sequence[Any]], caption: str = ""
) -> str:
    """A table of the notebook's own texts, a column each (header, relative width, alignment
    l, r or c), through the table model (:func:`tables.text_table` and its pipe writer)."""
    header, widths, align = zip(*columns, strict=True)
    return tables.pipe_markdown(tables.text_table(header, rows, caption, widths, "".join(align)))


# ---------------------------------------------------------------- number formatting
# One formatter for every output (ccua.fmt); these bind the notebook's language.


def points_text(value: Decimal | float | None) -> str:
    return fmt.points(value, _TR.lang)


def value_text(value: Decimal | float | None, unit: str | None) -> str:
    return fmt.value(value, unit, _TR.lang)


def scale_label(results: Results, rating: Decimal | float | None) -> str:
    """The scale's label for a rating; a mean between two levels names both (A～B)."""
    return tables.scale_label(results, rating, _TR.lang)


# ---------------------------------------------------------------- lookups


def level(results: Results, name: str, plural: bool = False) -> str:
    """The framework's name of a level in the language: 能力域 / domain, 能力项 / item …"""
    return _TR.level(results.framework.levels, name, plural)


def names(results: Results) -> tables.Names:
    return tables.names(results, _TR.lang)


def item_label(results: Results, code: str) -> str:
    """An item's code and name in the language (英文 from the framework data)."""
    return f"{code} {names(results).items.get(code, code)}"


def indicator_name(ind: IndicatorOut) -> str:
    return _TR.name(ind, ind.code)


def _months(months: Sequence[str]) -> str:
    """Months as a list in the language: 2026年1月、2026年3月 / Jan 2026, Mar 2026."""
    return _TR.join(fmt.month_text(m, _TR.lang) for m in months)


# ---------------------------------------------------------------- engagement (steps 1-3)


def overview_md(results: Results) -> str:
    """概况: the project background (7.2 a), the period of the data, the standard, the tools."""
    from ccua.report import standard_citation

    eng = results.engagement
    bg = eng.background
    months = results.period.months
    period = fmt.date_range(results.period.start, results.period.end, _TR.lang)
    facts = [
        (tr("nb.overview.subject"), bg.subject),
        (tr("nb.overview.organisation"), bg.organisation),
        (tr("nb.overview.industry"), bg.industry),
        (tr("nb.overview.seats"), tr("nb.overview.seats_value", n=bg.seats)),
        (tr("nb.overview.business"), _TR.join(bg.business_types)),
        (tr("nb.overview.period"), tr("nb.overview.period_value", period=period, n=len(months))),
        (
            tr("nb.overview.standard"),
            tr(
                "nb.overview.standard_value",
                standard=standard_citation(results, _TR.lang),
                version=results.framework.version,
            ),
        ),
    ]
    parts = ["## " + tr("nb.overview.h")]
    if bg.description:
        parts.append(
            f"**{tr('nb.overview.background')}**{tr('punct.colon')}" + md_escape(bg.description)
        )
    parts.append(
        _table(
            [(tr("sheet.item"), 8, "l"), (tr("sheet.value"), 40, "l")],
            facts,
            tr("nb.overview.caption"),
        )
    )
    if eng.tools:
        parts.append(f"**{tr('nb.overview.tools')}**{tr('punct.colon')}" + md_escape(eng.tools))
    return join_blocks(*parts)


def process_md(results: Results) -> str:
    """测评过程: the steps of §7.3 as the engagement planned and ran them."""
    steps = results.engagement.process
    if not steps:
        return join_blocks("## " + tr("nb.process.h"), tr("nb.process.none"))
    rows = [
        (
            n,
            s.name,
            fmt.date_text(s.start, _TR.lang),
            fmt.date_text(s.end, _TR.lang),
            s.deliverable or "—",
        )
        for n, s in enumerate(steps, 1)
    ]
    return join_blocks(
        "## " + tr("nb.process.h"),
        _table(
            [
                (tr("table.seq"), 4, "c"),
                (tr("nb.process.step"), 14, "l"),
                (tr("nb.process.start"), 10, "l"),
                (tr("nb.process.end"), 10, "l"),
                (tr("nb.process.deliverable"), 24, "l"),
            ],
            rows,
            tr("nb.process.caption"),
        ),
    )


def team_md(results: Results) -> str:
    """测评小组人员: both team lists (tables E.1 and E.2), the tables of the report."""
    t1, t2 = tables.team_tables(results, _TR.lang)
    return join_blocks("## " + tr("nb.team.h"), tables.pipe_markdown(t1), tables.pipe_markdown(t2))


def handover_md(results: Results) -> str:
    """测评范围: the hand-over sheet (table E.3), one row per item: the report's table 3."""
    t3, _ = tables.handover_tables(results, _TR.lang)
    return join_blocks("## " + tr("nb.handover.h"), tables.pipe_markdown(t3))


def feedback_md(results: Results) -> str:
    """测评资料反馈: the feedback sheet (table E.4) with 完整度 and 测评粒度 per item."""
    handover = results.engagement.handover
    gaps = [
        item_label(results, i.code)
        for i in results.assessment.items
        for h in [handover.get(i.code)]
        if h and (h.completeness == "不完整" or h.granularity == "不符合")
    ]
    summary = (
        tr(
            "nb.feedback.gaps",
            items=level(results, "item", plural=len(gaps) != 1),
            n=len(gaps),
            list=_TR.join(gaps),
        )
        if gaps
        else tr("nb.feedback.none", items=level(results, "item", plural=True))
    )
    _, t4 = tables.handover_tables(results, _TR.lang)
    return join_blocks("## " + tr("nb.feedback.h"), md_paragraph(summary), tables.pipe_markdown(t4))


def key_points_md(results: Results) -> str:
    """测评关键点问题 (7.3.4 a)) raised with the assessee, and their responses."""
    points = results.engagement.key_points
    if not points:
        return join_blocks("## " + tr("nb.kp.h"), tr("nb.kp.none"))
    rows = [
        (
            n,
            kp.topic,
            item_label(results, kp.item) if kp.item else "—",
            kp.issue,
            kp.response or "—",
            _TR.get(f"nb.kp.status.{kp.status}", kp.status),
        )
        for n, kp in enumerate(points, 1)
    ]
    table = _table(
        [
            (tr("table.seq"), 4, "c"),
            (tr("table.category"), 6, "l"),
            (level(results, "item").capitalize(), 10, "l"),
            (tr("nb.kp.issue"), 30, "l"),
            (tr("nb.kp.response"), 24, "l"),
            (tr("nb.kp.state"), 6, "l"),
        ],
        rows,
        tr("nb.kp.h"),
    )
    flagged = results.staffing.flagged if results.staffing else ()
    staffing = md_paragraph(tr("nb.staff.key_point", months=_months(flagged))) if flagged else None
    return join_blocks("## " + tr("nb.kp.h"), table, staffing)


def reconciliation_md(results: Results) -> str:
    """数据真实性核对: the centre's own reported values against the recomputed ones."""
    summary = results.reconciliation_summary
    h = "## " + tr("nb.recon.h")
    if not summary.checked:
        return join_blocks(h, tr("nb.recon.none"))
    text = tr(
        "nb.recon.summary",
        checked=summary.checked,
        ok=summary.ok,
        mismatch=summary.mismatch,
        unverifiable=summary.unverifiable,
    )
    rows = [
        (
            ind.code,
            indicator_name(ind),
            fmt.month_text(c.month, _TR.lang) if c.month else tr("finding.whole_period"),
            value_text(c.claimed, ind.unit),
            value_text(c.recomputed, ind.unit),
            _TR.get(f"nb.recon.status.{c.status}", c.status),
            c.document or "—",
        )
        for ind in results.indicators
        for c in ind.reconciliation
    ]
    return join_blocks(
        h,
        md_paragraph(text),
        _table(
            [
                (tr("sheet.indicator"), 6, "l"),
                (tr("sheet.name"), 14, "l"),
                (tr("nb.recon.when"), 6, "l"),
                (tr("nb.recon.claimed"), 8, "r"),
                (tr("nb.recon.recomputed"), 8, "r"),
                (tr("nb.recon.result"), 6, "c"),
                (tr("nb.recon.source"), 20, "l"),
            ],
            rows,
            tr("nb.recon.caption"),
        ),
    )


# ---------------------------------------------------------------- domain chapters


def chapter_summary_md(results: Results, chapter: str) -> str:
    """One sentence per group of the chapter: its items, points, score."""
    n = names(results)
    lines = []
    for code in results.chapter(chapter).groups:
        g = results.assessment.group(code)
        n_items = sum(1 for i in results.assessment.items if i.group == code)
        cat = _TR.paren(n.categories[g.category]) if g.category in n.categories else ""
        rating = (
            tr("nb.summary.rating", rating=fmt.fixed(g.mean_rating))
            if g.mean_rating is not None
            else ""
        )
        lines.append(
            tr(
                "nb.summary.line",
                level=level(results, "group").capitalize(),
                code=g.code,
                name=n.group(code),
                category=cat,
                n=n_items,
                items=level(results, "item", plural=n_items != 1),
                points=points_text(g.points),
                rating=rating,
                score=points_text(g.score),
                percent=fmt.percent(g.percent),
            )
        )
    return "\n\n".join(md_paragraph(line) for line in lines)


def _with_note(text: str, note: Any) -> str:
    return text + (tr("punct.colon") + str(note) if note else tr("punct.period"))


def _item_summary(results: Results, item: ItemOut) -> str:
    note = _item_note(results, item)
    return join_blocks(_item_figures(results, item), md_paragraph(note) if note else None)


def _item_figures(results: Results, item: ItemOut) -> str:
    """The item's row: points, percent, mean rating, score, share (points on items), or mean
    rating, its meaning, percent (points on groups); and how it was rated."""
    rating, percent = fmt.rating(item.mean_rating), fmt.percent(item.percent)
    if results.framework.points_at != "item":
        cells = [
            ("table.mean_rating", rating, 8, "r"),
            ("nb.item.meaning", scale_label(results, item.mean_rating), 16, "l"),
            ("table.percent", percent, 8, "r"),
        ]
    else:
        points = points_text(item.points)
        if item.standard_points is not None:
            points += tr("nb.item.custom_points", points=points_text(item.standard_points))
        cells = [
            ("table.points", points, 8, "r"),
            ("table.percent", percent, 8, "r"),
            ("table.mean_rating", rating, 8, "r"),
            ("table.score", points_text(item.score), 8, "r"),
            ("table.score_share", fmt.percent(item.share), 8, "r"),
        ]
    source = _TR.get(f"nb.item_source.{item.source}", item.source)
    cells.append(("nb.item.method", source, 12, "l"))
    return _table([(tr(k), w, a) for k, _, w, a in cells], [[v for _, v, _, _ in cells]])


def _item_note(results: Results, item: ItemOut) -> str:
    """How an item not scored from its requirements was rated, with the assessor's note."""
    word = level(results, "item")
    if item.source == "rating":
        rating = item.mean_rating
        text = tr(
            "nb.item.whole",
            level=word,
            rating=fmt.rating(rating),
            meaning=scale_label(results, rating),
        )
    elif item.source in ("override", "na"):
        text = tr("nb.item.override" if item.source == "override" else "nb.item.na", level=word)
    else:
        return tr("nb.item.general", note=item.note) if item.note else ""
    return _with_note(text, item.note)


def requirements_md(results: Results, item: ItemOut) -> str:
    """The item's requirements, verbatim, with their ratings, scale labels and what each
    rating rests on."""
    if not item.requirements:
        return ""
    return tables.pipe_markdown(tables.requirement_tables(results, _TR.lang, item.code)[1])


def indicators_md(results: Results, item: ItemOut) -> str:
    """The item's indicators: documentary checks; period values against targets with trend
    and reconciliation; monthly values; and the notes a reader needs to read them."""
    checks, periods, monthly, _ = tables.indicator_tables(results, item.code, _TR.lang)
    computed = [i for i in results.indicators_of(item.code) if i.kind != "documentary"]
    return join_blocks(
        *(tables.pipe_markdown(t) for t in (checks, periods, monthly) if t),
        _indicator_notes(computed) if computed else "",
    )


def _indicator_notes(computed: Sequence[IndicatorOut]) -> str:
    notes = []
    defaults: dict[str, list[str]] = {}
    for ind in computed:
        if ind.target and ind.target.source == "default":
            defaults.setdefault(ind.target.basis or tr("nb.notes.unnamed"), []).append(ind.code)
    for basis, codes in defaults.items():
        notes.append(tr("nb.notes.default", codes=_TR.join(codes), basis=basis))
    period_only = [i.code for i in computed if i.target and i.monthly and not i.months_comparable]
    if period_only:
        notes.append(tr("nb.notes.period_only", codes=_TR.join(period_only)))
    for ind in computed:
        if ind.missing_months and ind.value is not None:
            months = _months(ind.missing_months)
            notes.append(tr("nb.notes.missing_months", code=ind.code, months=months))
    no_data = [i.code for i in computed if i.value is None]
    if no_data:
        notes.append(tr("nb.notes.no_data", codes=_TR.join(no_data)))
    return md_list(notes) if notes else ""


def item_md(results: Results, code: str) -> str:
    """Everything about one item before its charts: heading, score, requirements, indicators,
    and the evidence the framework's rules and thresholds give its requirements."""
    item = results.assessment.item(code)
    return join_blocks(
        f"## {md_escape(item_label(results, code))}",
        _item_summary(results, item),
        requirements_md(results, item),
        indicators_md(results, item),
        evidence_md(results, item),
    )


def findings_md(results: Results, code: str) -> str:
    """The item's findings, each a sentence made from its fact in the language."""
    shown = [
        prose.finding_text(results, f, _TR.lang)
        for f in results.findings.get(code, ())
        if f.code != "rule_result"
    ]
    body = md_list(shown) if shown else tr("nb.findings.none")
    return join_blocks(
        f"**{md_escape(item_label(results, code))}{tr('punct.colon')}{tr('nb.findings.h')}**", body
    )


# ---------------------------------------------------------------- scorecard


def _item_remarks(item: ItemOut) -> str:
    """备注 of the score table: override, custom weight, requirements not applicable."""
    remarks = [tables.item_remark(item, _TR)]
    if item.source == "rating":
        remarks.append(_with_note(tr("source.rating"), item.note).rstrip("。."))
    elif item.source == "unrated":
        remarks.append(tr("table.unrated"))
    for r in item.requirements:
        if r.source == "na":
            remarks.append(tables.noted(tr("nb.req.na", code=r.code), r.note, _TR))
        for s in r.subpoints or ():
            if s.na:
                text = tr("nb.req.sub_na", code=r.code, sub=s.code)
                remarks.append(tables.noted(text, s.note, _TR))
    return tr("punct.semicolon").join(x for x in remarks if x)


def score_table_md(results: Results) -> str:
    """测评计分表 (table E.6): the report's table 6 itself; for frameworks with points on
    groups, also the item ratings."""
    a = results.assessment
    parts = [tables.pipe_markdown(tables.score_table(results, _TR.lang), tr("nb.score.h"))]
    if results.framework.points_at != "item":
        n = names(results)
        item_rows = [
            [
                n.group(item.group),
                item_label(results, item.code),
                fmt.rating(item.mean_rating),
                scale_label(results, item.mean_rating),
                fmt.percent(item.percent),
                _item_remarks(item),
            ]
            for item in a.items
        ]
        parts.append(
            _table(
                [
                    (level(results, "group").capitalize(), 10, "l"),
                    (level(results, "item").capitalize(), 20, "l"),
                    (tr("table.rating"), 5, "r"),
                    (tr("nb.item.meaning"), 14, "l"),
                    (tr("table.percent"), 7, "r"),
                    (tr("table.remark"), 20, "l"),
                ],
                item_rows,
                tr("nb.score.items_caption", items=level(results, "item", plural=True)),
            )
        )
    if a.custom_weights:
        parts.append(md_paragraph(tr("nb.score.custom")))
    return join_blocks("## " + tr("nb.score.h"), *parts)


def subtotals_md(results: Results) -> str:
    """Subtotals per category and per domain (group)."""
    a = results.assessment
    n = names(results)
    cats = n.categories
    group_word = level(results, "group")
    parts = ["## " + tr("nb.subtotals.h", level=group_word)]
    if a.categories:
        parts.append(
            _table(
                [
                    (tr("table.category"), 10, "l"),
                    (tr("table.points"), 8, "r"),
                    (tr("table.score"), 8, "r"),
                ],
                [
                    (cats.get(c.code, c.name), points_text(c.points), points_text(c.score))
                    for c in a.categories
                ],
                tr("nb.subtotals.categories"),
            )
        )
    columns = [
        (group_word.capitalize(), 16, "l"),
        *([(tr("table.category"), 8, "l")] if cats else []),
        *((tr(k), 8, "r") for k in ("table.points", "table.score", "table.percent")),
    ]
    rows = [
        [f"{g.code} {n.group(g.code)}"]
        + ([cats.get(g.category or "", "")] if cats else [])
        + [points_text(g.points), points_text(g.score), fmt.percent(g.percent)]
        for g in a.groups
    ]
    parts.append(_table(columns, rows, tr("nb.subtotals.groups", level=group_word)))
    return join_blocks(*parts)


def _comparison_grade_md(results: Results) -> str:
    """Another framework's grade for the same total, labelled as a comparison only."""
    from ccua.spec import load_framework

    cmp = results.assessment.comparison_grade
    if not cmp:
        return ""
    cmp_spec = load_framework(results.framework.id).comparison_grades
    label = cmp_spec.label_en if _TR.en and cmp_spec else cmp.label
    other = load_framework(cmp_spec.framework) if cmp_spec else None
    grade = next((g for g in (other.grades if other else ()) if g.name == cmp.name), None)
    band = tables.grade_band(other.grades, grade, _TR.lang) if grade and other else cmp.band
    grade_text = f"{_TR.name(grade, cmp.name)}{_TR.paren(band)}"
    return md_paragraph(f"{label}{tr('punct.colon')}{grade_text}{tr('punct.period')}")


def grade_md(results: Results) -> str:
    """测评等级 (table E.7): the verdict and the report's table 7, the verdict marked."""
    from ccua.spec import load_framework

    a = results.assessment
    fw = results.framework
    parts = ["## " + tr("nb.grade.h")]
    total = points_text(a.total)
    if not fw.has_grades:
        parts.append(md_paragraph(tr("nb.grade.none", framework=_TR.name(fw), total=total)))
        return join_blocks(*parts, _comparison_grade_md(results))
    spec = load_framework(fw.id)
    if not a.grade:
        parts.append(md_paragraph(tr("nb.grade.incomplete", total=total)))
        if a.missing:
            parts.append(md_list(a.missing))
    else:
        grade = next(g for g in spec.grades if g.name == a.grade)
        parts.append(
            Md(
                tr(
                    "nb.grade.verdict",
                    total=md_escape(total),
                    grade=md_escape(_TR.name(grade)),
                    band=md_escape(tables.grade_band(spec.grades, grade, _TR.lang)),
                )
            )
        )
    parts.append(
        tables.pipe_markdown(
            tables.grade_table(spec.grades, a.grade, _TR.lang), tr("nb.grade.caption")
        )
    )
    return join_blocks(*parts)


# ---------------------------------------------------------------- framework-level evidence
# A framework may declare more than items: a KPI table of framework-level indicators, rules
# over the monthly series (rules.yaml), printed thresholds (thresholds.yaml). results.json
# carries what the run computed from them (``kpi_table``, ``rules``, ``thresholds``, each
# item's ``evidence``); a framework without them shows none of what follows.


def kpi_table_md(results: Results) -> str:
    """The framework-level KPIs by the groups of the framework's KPI table (guideline: table
    A.1), what its columns are, and the notes a reader needs to read them."""
    table = tables.kpi_table(results, _TR.lang)
    kpis = results.kpi_table
    if table is None or kpis is None:
        return ""
    title = ("" if _TR.en else kpis.title) or tr("nb.kpi.h")  # no English title in the data
    period = results.period
    names = _TR.join(_TR.name(c) for c in kpis.columns)
    intro = (
        tr("nb.kpi.intro", level=level(results, "item"), title=title)
        + (tr("nb.kpi.columns", columns=names, n=len(kpis.columns)) if kpis.columns else "")
        + tr("nb.kpi.period", period=fmt.date_range(period.start, period.end, _TR.lang))
    )
    inds = {i.code: i for i in results.indicators}
    shown = [inds[k.code] for g in kpis.groups for k in g.kpis if k.code in inds]
    return join_blocks(
        "## " + tr("nb.kpi.h"),
        md_paragraph(intro),
        tables.pipe_markdown(table),
        _indicator_notes(shown),
        reference_values_md(results),
    )


def reference_values_md(results: Results) -> str:
    """Thresholds the framework prints for an indicator but no item (usual ranges, examples),
    with the period value: for reference only, never a target on their own."""
    table = tables.threshold_table(results, _TR.lang)
    return tables.pipe_markdown(table) if table else ""


def _rule_reading(rule: RuleOut) -> str:
    p = rule.parameters
    return tr(
        "nb.rule.reading",
        months=len(rule.months),
        share=prose.percent_of(p.required_share),
        missing=_TR.get(f"nb.rule.missing.{p.missing_months}", p.missing_months),
        run=p.improvement_run,
        where=_TR.get(f"nb.rule.anchor.{p.improvement_anchor}", p.improvement_anchor),
        held=tr("nb.rule.held_yes" if p.held_target_counts else "nb.rule.held_no"),
    )


def rule_table_md(results: Results, rule: RuleOut, statuses: Sequence[str] | None = None) -> str:
    """One row per indicator of a rule's scope (optionally only some statuses)."""
    table = tables.rule_table(results, rule, _TR.lang, statuses)
    return tables.pipe_markdown(table) if table else ""


def rules_md(results: Results) -> str:
    """Every rule the framework declares, applied to the run's monthly values."""
    blocks = []
    for rule in results.rules:
        blocks += [
            "## "
            + md_escape(
                tr(
                    "nb.rule.h",
                    section=rule.section,
                    level=level(results, "item"),
                    item=item_label(results, rule.item),
                )
            ),
            md_paragraph(tr("nb.quote", text=rule.text)),
            md_paragraph(prose.rule_summary(results, rule, _TR.lang)),
            md_paragraph(_rule_reading(rule)),
            rule_table_md(results, rule),
        ]
    return join_blocks(*blocks)


def evidence_md(results: Results, item: ItemOut) -> str:
    """The evidence an item's requirements get from the run: the framework's rules (their
    summary and the indicators that do not satisfy them) and its printed thresholds."""
    rules = {r.rule: r for r in results.rules}
    blocks = []
    for e in item.evidence:
        if e.kind != "rule" or e.id not in rules:
            continue
        rule = rules[e.id]
        blocks += [
            Md(
                "**"
                + md_escape(tr("nb.evidence.h", requirement=e.requirement, section=e.section))
                + "**"
            ),
            md_paragraph(prose.rule_summary(results, rule, _TR.lang)),
            md_paragraph(_rule_reading(rule)),
            rule_table_md(results, rule, statuses=("fail", "not measurable")),
            md_paragraph(tr("nb.evidence.see_all", section=rule.section)),
        ]
    thresholds = tables.threshold_table(results, _TR.lang, item.code)
    return join_blocks(*blocks, tables.pipe_markdown(thresholds) if thresholds else "")


# ---------------------------------------------------------------- display


def show_markdown(text: str) -> None:
    """One Markdown output (also as text/plain: the same text reads as plain text)."""
    from IPython.display import display

    display({"text/markdown": text, "text/plain": text}, raw=True)


def chart_bundle(chart: Any) -> dict[str, Any]:
    """The display bundle of a chart: Vega-Lite 5 spec, its SVG, a one-line description."""
    from ccua import charts

    spec = charts.vega_lite_spec(chart)
    return {
        charts.VEGA_LITE_MIMETYPE: spec,
        "image/svg+xml": charts.to_svg(spec),
        "text/plain": charts.description_of(spec),
    }


def show_chart(chart: Any) -> None:
    if chart is None:
        return
    from IPython.display import display

    display(chart_bundle(chart), raw=True)


def show_chapter_summary(results: Results, chapter: str) -> None:
    from ccua import charts

    show_markdown(chapter_summary_md(results, chapter))
    show_chart(charts.item_scores_chart(results, chapter, lang=_TR.lang))


def show_items(results: Results, chapter: str) -> None:
    """Each item of the chapter: tables, its two charts (where it has indicators), findings."""
    from ccua import charts

    for code in results.chapter(chapter).items:
        show_markdown(item_md(results, code))
        show_chart(charts.indicator_targets_chart(results, code, lang=_TR.lang))
        show_chart(charts.monthly_trends_chart(results, code, lang=_TR.lang))
        show_markdown(findings_md(results, code))


def show_framework_kpis(results: Results) -> None:
    """The framework-level KPI table and the rules over monthly values, where the framework
    declares them (each as its own output)."""
    for text in (kpi_table_md(results), rules_md(results)):
        if text:
            show_markdown(text)


def show_summary_charts(results: Results) -> None:
    from ccua import charts

    show_markdown("## " + tr("nb.charts_h"))
    show_chart(charts.item_scores_chart(results, lang=_TR.lang))
    show_chart(charts.subtotals_chart(results, lang=_TR.lang))


# ---------------------------------------------------------------- from score to action,
# the assessors, the portfolio (docs/improve.md, docs/assessors.md, docs/portfolio.md)


def _grade_label(results: Results, name: str) -> str:
    for g in results.framework.grades:
        if name in (g.name, g.code):
            return g.name if _TR.lang == "zh" else g.name_en
    return name


def _leaf_label(leaf: str) -> str:
    """``b.2`` as the report writes a sub-point: b) 2."""
    req, _, sub = leaf.partition(".")
    return f"{req}) {sub}." if sub else f"{req})"


def improvement_md(results: Results, chapter: str | None = None) -> str:
    """改进建议: the fewest rating steps to the next grade (results → improvement); with
    ``chapter``, only the steps of that chapter's items (the domain notebooks)."""
    imp = results.improvement
    if not imp:
        return ""
    steps, hints = imp.steps, imp.indicators
    if chapter is not None:
        items = set(results.chapter(chapter).items)
        steps = tuple(s for s in steps if s.item in items)
        hints = tuple(h for h in hints if h.item in items)
        if not steps and not hints:
            return ""
    return join_blocks(
        "## " + tr("nb.improve.h"),
        *_improvement_path(results, imp, steps),
        *(_improvement_hints(results, hints) if hints and not imp.already_met else ()),
    )


def _improvement_path(
    results: Results, imp: ImprovementOut, steps: Sequence[ImprovementStep]
) -> list[str]:
    """Whether the next grade is met or out of reach; else the steps that reach it."""
    target = _grade_label(results, imp.target)
    least, before = points_text(imp.target_min), points_text(imp.total_before)
    if imp.already_met:
        top = max(results.framework.grades, key=lambda g: g.min or 0, default=None)
        key = "nb.improve.top" if top is not None and top.name == imp.target else "nb.improve.met"
        return [md_paragraph(tr(key, target=target, total=before))]
    if not imp.reachable:
        best = points_text(imp.best_possible)
        return [md_paragraph(tr("nb.improve.unreachable", target=target, min=least, best=best))]
    if not steps:
        return []
    rows = [
        (
            item_label(results, s.item),
            _leaf_label(s.leaf),
            s.from_,
            s.to,
            "+" + points_text(s.points),
        )
        for s in steps
    ]
    return [
        md_paragraph(
            tr(
                "nb.improve.path",
                target=target,
                min=least,
                steps=imp.step_count,
                before=before,
                after=points_text(imp.total_after),
            )
        ),
        _table(
            [
                (tr("nb.improve.item"), 16, "l"),
                (tr("nb.improve.leaf"), 8, "l"),
                (tr("nb.improve.from"), 6, "c"),
                (tr("nb.improve.to"), 6, "c"),
                (tr("nb.improve.points"), 8, "r"),
            ],
            rows,
            tr("nb.improve.caption", target=target),
        ),
    ]


def _improvement_hints(results: Results, hints: Sequence[IndicatorHintOut]) -> list[str]:
    """The indicators whose targets, once met, would lift an item."""
    return [
        md_paragraph(tr("nb.improve.hints")),
        md_list(
            tr(
                "nb.improve.hint",
                indicator=h.indicator,
                name=indicator_name(results.indicator(h.indicator)),
                item=h.item,
                met=h.met,
                evaluable=h.evaluable,
                points=points_text(h.points),
            )
            for h in hints
        ),
    ]


def staffing_md(results: Results, chapter: str | None = None) -> str:
    """人员配置核对: each month's reported service level against Erlang C/A for the staff."""
    st = results.staffing
    if not st:
        return ""
    if chapter is not None and not set(results.chapter(chapter).items) & set(st.items):
        return ""
    intro = tr(
        "nb.staff.intro",
        model=tr(f"nb.staff.model.{st.model}"),
        hours=fmt.fixed(st.open_hours_per_day, 0),
        interval=st.interval_seconds // 60,
        within=st.answer_within,
        tolerance=fmt.fixed(st.tolerance_points, 0),
    )
    return join_blocks(
        "## " + tr("nb.staff.h"),
        md_paragraph(intro),
        _table(
            [
                (tr("nb.staff.month"), 10, "l"),
                (tr("nb.staff.calls"), 8, "r"),
                (tr("nb.staff.aht"), 7, "r"),
                (tr("nb.staff.agents"), 7, "r"),
                (tr("nb.staff.modelled"), 8, "r"),
                (tr("nb.staff.reported"), 8, "r"),
                (tr("nb.staff.gap"), 7, "r"),
                (tr("nb.staff.needed"), 9, "r"),
                (tr("nb.staff.flag"), 8, "c"),
            ],
            [_staffing_row(m) for m in st.months],
            tr("nb.staff.caption"),
        ),
        md_paragraph(_flagged_months(st)),
    )


def _staffing_row(m: StaffingMonth) -> tuple[Any, ...]:
    reported = m.reported_service_level
    return (
        fmt.month_text(m.month, _TR.lang),
        fmt.fixed(m.calls_per_interval, 1),
        fmt.fixed(m.aht, 0),
        m.agents,
        fmt.percent(100 * float(m.modelled.service_level)),
        fmt.percent(None if reported is None else 100 * float(reported)),
        _delta(m.gap_points),
        m.agents_needed if m.agents_needed is not None else "—",
        tr("nb.staff.flagged") if m.flagged else tr("nb.staff.ok"),
    )


def _flagged_months(st: StaffingOut) -> str:
    """Which months' service level the staff could not have delivered, as a sentence."""
    if not st.flagged:
        return tr("nb.staff.none_flagged")
    return tr("nb.staff.flagged_months", months=_months(st.flagged))


def agreement_md(results: Results) -> str:
    """测评员一致性 (测评过程): agreement of the independent assessors before the consensus."""
    table = tables.agreement_table(results, _TR.lang)
    if table is None:
        return ""
    return join_blocks(
        "## " + tr("nb.agree.h"),
        md_paragraph(tables.agreement_intro(results, _TR.lang)),
        tables.pipe_markdown(table),
    )


def evidence_annex_md(results: Results) -> str:
    """各能力项所依据的证据: the register's evidence each item's ratings cite (titles only)."""
    cited = results.evidence_cited
    if cited is None:
        return ""
    rows = [
        (
            item_label(results, item.code),
            tr("punct.semicolon").join(cited.get(item.code) or [tr("nb.evid.none")]),
        )
        for item in results.assessment.items
    ]
    return join_blocks(
        "## " + tr("nb.evid.h"),
        md_paragraph(tr("nb.evid.intro")),
        _table(
            [(tr("nb.evid.item"), 16, "l"), (tr("nb.evid.cited"), 40, "l")],
            rows,
            tr("nb.evid.caption"),
        ),
    )


def load_comparison(results_path: str | Path = "results.json") -> dict[str, Any] | None:
    """The run's portfolio.json (previous engagement, peers), if the store gave one."""
    path = Path(results_path).with_name("portfolio.json")
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CcuaError(f"not a valid portfolio file: {exc}", file=str(path)) from None
    return data if isinstance(data, dict) else None


def _delta(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):+.2f}"


def changes_md(results: Results, comparison: Mapping[str, Any] | None) -> str:
    """变化: each item's percent and each indicator since the client's previous engagement."""
    comparison = comparison or {}
    prev = comparison.get("previous")
    if not prev:
        return ""
    intro = tr(
        "nb.change.intro",
        start=fmt.month_text(prev["period_start"], _TR.lang),
        end=fmt.month_text(prev["period_end"], _TR.lang),
        before=points_text(prev["total"]),
        grade=_grade_label(results, prev["grade"]) if prev.get("grade") else "—",
        after=points_text(results.assessment.total),
        change=_delta(prev.get("total_change")),
    )
    return join_blocks(
        "## " + tr("nb.change.h"),
        md_paragraph(intro),
        _item_changes(results, comparison.get("items") or []),
        _indicator_changes(results, comparison.get("indicators") or []),
    )


def _item_changes(results: Results, changes: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        (
            item_label(results, c["code"]),
            fmt.percent(c["before"]),
            fmt.percent(c["after"]),
            _delta(c["change"]),
        )
        for c in changes
    ]
    return _table(
        [
            (tr("nb.change.item"), 16, "l"),
            (tr("nb.change.before"), 8, "r"),
            (tr("nb.change.after"), 8, "r"),
            (tr("nb.change.delta"), 8, "r"),
        ],
        rows,
        tr("nb.change.caption"),
    )


def _indicator_changes(results: Results, changes: Sequence[Mapping[str, Any]]) -> str:
    """The indicators that moved ("" when none did)."""
    rows = [
        (
            c["code"],
            indicator_name(ind),
            value_text(c["before"], ind.unit),
            value_text(c["after"], ind.unit),
            _delta(c["change"]),
        )
        for c in changes
        if c.get("change")
        for ind in [results.indicator(c["code"])]
    ]
    if not rows:
        return ""
    return _table(
        [
            (tr("nb.change.indicator"), 6, "l"),
            (tr("sheet.name"), 18, "l"),
            (tr("nb.change.before_value"), 8, "r"),
            (tr("nb.change.after_value"), 8, "r"),
            (tr("nb.change.delta"), 8, "r"),
        ],
        rows,
        tr("nb.change.ind_caption"),
    )


def peers_md(results: Results, comparison: Mapping[str, Any] | None) -> str:
    """同业对照: the client's percentile among anonymised peers (optional annex)."""
    bench = (comparison or {}).get("benchmark")
    if not bench:
        return ""
    if "refused" in bench:
        return join_blocks(
            "## " + tr("nb.peers.h"), md_paragraph(tr("nb.peers.refused", reason=bench["refused"]))
        )
    scope = (
        tr("nb.peers.scope_segment", segment=bench["segment"])
        if bench.get("segment")
        else tr("nb.peers.scope_all")
    )
    rows = [
        (
            tr("nb.peers.total"),
            points_text(bench["total"]["value"]),
            fmt.fixed(bench["total"]["percentile"], 1),
        )
    ]
    rows += [
        (item_label(results, i["code"]), fmt.percent(i["value"]), fmt.fixed(i["percentile"], 1))
        for i in bench["items"]
    ]
    rows += [
        (
            f"{i['code']} {indicator_name(ind)}",
            value_text(i["value"], ind.unit),
            fmt.fixed(i["percentile"], 1),
        )
        for i in bench["indicators"]
        for ind in [results.indicator(i["code"])]
    ]
    return join_blocks(
        "## " + tr("nb.peers.h"),
        md_paragraph(tr("nb.peers.intro", peers=bench["peers"], scope=scope)),
        _table(
            [("", 24, "l"), (tr("nb.peers.value"), 10, "r"), (tr("nb.peers.percentile"), 8, "r")],
            rows,
            tr("nb.peers.caption"),
        ),
    )


def show_portfolio(results: Results, results_path: str | Path = "results.json") -> None:
    """变化 since the previous engagement and 同业对照, when the portfolio store gave them."""
    comparison = load_comparison(results_path)
    for text in (changes_md(results, comparison), peers_md(results, comparison)):
        if text:
            show_markdown(text)


def staffing_check_md(results: Results) -> str:
    """The staffing check in 数据真实性核对: which months' service level the staff could not
    have delivered (the table itself is in the chapters of its items)."""
    if not results.staffing:
        return ""
    return join_blocks("### " + tr("nb.staff.h"), md_paragraph(_flagged_months(results.staffing)))


def _shown(md: Callable[P, str]) -> Callable[P, None]:
    """``show_x`` of ``x_md``: its Markdown as one output (none when it is empty)."""

    def show(*args: P.args, **kw: P.kwargs) -> None:
        text = md(*args, **kw)
        if text:
            show_markdown(text)

    show.__name__ = show.__qualname__ = "show_" + md.__name__.removesuffix("_md")
    show.__doc__ = md.__doc__
    return show


show_overview = _shown(overview_md)
show_process = _shown(process_md)
show_team = _shown(team_md)
show_handover = _shown(handover_md)
show_feedback = _shown(feedback_md)
show_key_points = _shown(key_points_md)
show_reconciliation = _shown(reconciliation_md)
show_score_table = _shown(score_table_md)
show_subtotals = _shown(subtotals_md)
show_grade = _shown(grade_md)
show_improvement = _shown(improvement_md)
show_staffing = _shown(staffing_md)
show_agreement = _shown(agreement_md)
show_evidence_annex = _shown(evidence_annex_md)
show_staffing_check = _shown(staffing_check_md)
