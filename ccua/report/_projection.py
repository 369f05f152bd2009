"""The report's appendix 与其他测评框架的对照（估算）, from ``results.json → projections``.

For every framework a crosswalk connects to the assessed one, the run estimated how the
centre would stand under it (:func:`ccua.crosswalk.project`): an estimated score over the
points the estimate reaches, that score rescaled to the full total, an indicative grade, the
items and KPIs that carry over, and the **missing evidence** a full assessment under that
framework would still need. Everything here is printed as results.json holds it and labelled
an estimate wherever it appears: it is never a score of this assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccua import fmt
from ccua.i18n import Tr
from ccua.report._front import Node, flatten
from ccua.report._markdown import Cell, Column, grid_table, md_escape
from ccua.spec import Framework, load_framework

# The crosswalk's notes and reasons are written in English (ccua/frameworks/crosswalk): an
# English report prints them, a Chinese one says what they stand for in its own words.


def projection_title(lang: str = "zh") -> str:
    return Tr(lang)("projection.title")


def _name(fw: Framework, tr: Tr) -> str:
    return fw.name_en if tr.en and fw.name_en else fw.name


def _cite(fw: Framework, tr: Tr) -> str:
    """A framework cited by title (its designation is a placeholder or none: see _front)."""
    return tr("standard.cite", name=_name(fw, tr))


def _estimate_sentence(p: dict[str, Any], target: Framework, tr: Tr) -> str:
    grade = p.get("indicative_grade")
    text = tr(
        "projection.estimate",
        covered=fmt.points(p["covered_points"], tr.lang),
        total=fmt.points(p["total_points"], tr.lang),
        score=fmt.points(p["estimated_score"], tr.lang),
    )
    if p.get("rescaled_total") is not None:
        text += tr("projection.rescaled", total=fmt.points(p["rescaled_total"], tr.lang))
    text += tr("punct.period")
    if grade:
        grading = load_framework(grade["framework"])
        own = grade["framework"] == target.id
        by_name = {g.name: g for g in grading.grades}
        text += tr(
            "projection.indicative_own" if own else "projection.indicative_other",
            grade=tr.name(by_name.get(grade["name"]), grade["name"]),
            framework=_cite(grading, tr),
        )
    return text


def summary_sentence(results: dict[str, Any], p: dict[str, Any], lang: str = "zh") -> str:
    """One sentence on where the estimate stands, and that it is one (the annex's summary)."""
    tr = Tr(lang)
    target = load_framework(p["to"])
    total = p.get("rescaled_total")
    where = (
        tr("projection.where_rescaled", total=fmt.points(total, tr.lang))
        if total is not None
        else tr("projection.where_score", score=fmt.points(p["estimated_score"], tr.lang))
    )
    return tr(
        "projection.summary",
        framework=_cite(target, tr),
        where=where,
        n=len(p["missing"]),
        items=tr.level(target.levels.model_dump(), "item", plural=True),
    )


def _groups_table(p: dict[str, Any], target: Framework, tr: Tr) -> str:
    groups = {g.code: g for g in target.groups}

    def pts(value: Any) -> str:  # 1.70分 / 1.70, as table 6 prints points
        return tr("unit.points_cell", value=fmt.fixed(value))

    rows = [
        [
            Cell.of(md_escape(f"{g['code']} {tr.name(groups.get(g['code']), g['name'])}")),
            Cell.of(pts(g["points"])),
            Cell.of(pts(g["covered_points"])),
            Cell.of(pts(g["score"])),
        ]
        for g in p["groups"]
    ]
    rows.append(
        [
            Cell.of(tr("sheet.sum")),
            Cell.of(pts(p["total_points"])),
            Cell.of(pts(p["covered_points"])),
            Cell.of(f"**{pts(p['estimated_score'])}**"),
        ]
    )
    group_level = tr.level(target.levels.model_dump(), "group")
    return grid_table(
        [
            Column(group_level, 16),
            Column(tr("table.points"), 6, "right"),
            Column(tr("projection.coverable"), 7, "right"),
            Column(tr("sheet.est_score"), 7, "right"),
        ],
        rows,
        caption=tr("projection.groups_caption", level=group_level),
        line_width=80,
    )


def _items_table(results: dict[str, Any], p: dict[str, Any], target: Framework, tr: Tr) -> str:
    from ccua.tables import names as own_names

    names = own_names(results, tr.lang)
    target_items = {i.code: i for i in target.items}
    target_groups = {g.code: g for g in target.groups}
    levels = target.levels.model_dump()
    source_level = names.item_level
    scored_items = target.scoring.points_at == "item"

    def row(item: dict[str, Any]) -> list[list[Cell]]:
        sources = [md_escape(names.item(c)) for c in item["sources"]]
        notes = []
        if item.get("partial"):
            notes.append(tr("projection.partial"))
        if item.get("unrated_sources"):
            notes.append(tr("projection.unrated", codes=tr.join(item["unrated_sources"])))
        if not item["sources"]:
            notes.append(tr("projection.no_evidence"))
        cells = [
            Cell.of(*(sources or [fmt.DASH])),
            Cell.of(fmt.rating(item.get("rating"))),
            Cell.of(fmt.percent(item.get("percent"))),
        ]
        if scored_items:
            cells.append(
                Cell.of(
                    tr("unit.points_cell", value=fmt.fixed(item.get("score")))
                    if item.get("score") is not None
                    else fmt.DASH
                )
            )
        return [[*cells, Cell.of(md_escape(tr("punct.semicolon").join(notes)))]]

    nodes = [
        Node(
            (md_escape(f"{g['code']} {tr.name(target_groups.get(g['code']), g['name'])}"),),
            children=[
                Node(
                    (md_escape(f"{i['code']} {tr.name(target_items.get(i['code']), i['name'])}"),),
                    rows=row(i),
                )
                for i in p["items"]
                if i["group"] == g["code"]
            ],
        )
        for g in p["groups"]
    ]
    columns = [
        Column(tr.level(levels, "group"), 7),
        Column(tr.level(levels, "item"), 9),
        Column(tr("projection.mapped", level=source_level), 12),
        Column(tr("sheet.est_rating"), 5, "right"),
        Column(tr("sheet.est_percent"), 6, "right"),
    ]
    if scored_items:
        columns.append(Column(tr("sheet.est_score"), 5, "right"))
    columns.append(Column(tr("table.remark"), 8))
    return grid_table(
        columns,
        flatten(nodes),
        caption=tr("projection.items_caption", level=tr.level(levels, "item", plural=True)),
    )


def missing_reason(m: dict[str, Any], target: Framework, source: dict[str, Any], tr: Tr) -> str:
    """Why an item has no evidence: the crosswalk's note in English; in Chinese, what it means
    (the assessed framework has no counterpart)."""
    if tr.en:
        return str(m.get("reason") or fmt.DASH)
    return tr("projection.no_counterpart", framework=tr("standard.cite", name=source["name"]))


def _missing_table(p: dict[str, Any], target: Framework, results: dict[str, Any], tr: Tr) -> str:
    items = {i.code: i for i in target.items}
    rows = [
        [
            Cell.of(md_escape(m["code"])),
            Cell.of(md_escape(tr.name(items.get(m["code"]), m["name"]))),
            Cell.of(md_escape(missing_reason(m, target, results["framework"], tr))),
        ]
        for m in p["missing"]
    ]
    item_level = tr.level(target.levels.model_dump(), "item")
    return grid_table(
        [Column(tr("sheet.code"), 4), Column(item_level, 10), Column(tr("projection.reason"), 24)],
        rows,
        caption=tr(
            "projection.missing_caption",
            level=tr.level(target.levels.model_dump(), "item", plural=True),
        ),
    )


def _kpi_table(p: dict[str, Any], target: Framework, tr: Tr) -> tuple[str, list[str]]:
    carried, missing = [], []
    for k in p.get("kpis") or []:
        if k.get("value") is None:
            missing.append(k["code"])
            continue
        ind = target.indicator(k["code"])
        cells = [
            Cell.of(md_escape(k["code"])),
            Cell.of(md_escape(tr.name(ind, k["name"]))),
            Cell.of(md_escape(k.get("from") or fmt.DASH)),
            Cell.of(fmt.value(k["value"], ind.unit, tr.lang)),
            Cell.of(tr.get(f"projection.match.{k.get('match')}", fmt.DASH)),
        ]
        if tr.en:
            cells.append(Cell.of(md_escape(k.get("reason") or "")))
        carried.append(cells)
    if not carried:
        return "", missing
    columns = [
        Column(tr("sheet.indicator"), 5),
        Column(tr("sheet.name"), 10),
        Column(tr("projection.from"), 5),
        Column(tr("sheet.period_value"), 6, "right"),
        Column(tr("projection.match_col"), 5),
    ]
    if tr.en:
        columns.append(Column(tr("table.remark"), 20))
    return grid_table(columns, carried, caption=tr("projection.kpi_caption")), missing


def projection_markdown(results: dict[str, Any], lang: str = "zh") -> str:
    """The appendix's body: one section per other framework; "" when there is none."""
    tr = Tr(lang)
    projections: Sequence[dict[str, Any]] = results.get("projections") or []
    if not projections:
        return ""
    source = results["framework"]
    blocks = [
        md_escape(tr("projection.intro", framework=tr("standard.cite", name=tr.name(source))))
    ]
    for p in projections:
        target = load_framework(p["to"])
        blocks.append("## " + md_escape(tr("projection.heading", framework=_cite(target, tr))))
        blocks.append(md_escape(summary_sentence(results, p, tr.lang)))
        blocks.append(md_escape(_estimate_sentence(p, target, tr)))
        blocks.append(_groups_table(p, target, tr))
        blocks.append(_items_table(results, p, target, tr))
        item_word = tr.level(target.levels.model_dump(), "item", plural=True)
        if p["missing"]:
            blocks.append(
                md_escape(tr("projection.missing_intro", n=len(p["missing"]), items=item_word))
            )
            blocks.append(_missing_table(p, target, results, tr))
        kpis, missing_kpis = _kpi_table(p, target, tr)
        if kpis:
            blocks.append(kpis)
        if missing_kpis:
            blocks.append(
                md_escape(
                    tr("projection.missing_kpis", n=len(missing_kpis), codes=tr.join(missing_kpis))
                )
            )
    return "\n\n".join(blocks) + "\n"
