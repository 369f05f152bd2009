"""Core commands: spec, kpi, score, errata.

Rich, the console and the JSON helpers are imported where they are used, so that a command
that prints a line (``ccua kpi calc``) never loads them (docs/speed.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ccua._num import fmt
from ccua.cli._app import FRAMEWORK_OPTION, JSON_OPTION, app, kpi_app, print_json, say, spec_app
from ccua.spec import available_frameworks, load_framework

if TYPE_CHECKING:
    from ccua.i18n import Tr
    from ccua.scoring import Assessment
    from ccua.spec import Framework, Item

DIRECTIONS = {
    "higher": "↑ higher is better",
    "lower": "↓ lower is better",
    "band": "↔ within a band",
    "none": "· reported (no direction)",
}


def _requirement_lines(item: Item) -> list[str]:
    lines = []
    heading = ""
    for req in item.requirements:
        if req.heading and req.heading != heading:
            # Items spanning several printed sub-clauses (guideline 7.3, 8.3, 8.4) show them.
            heading = req.heading
            lines.append(f"[{req.section.split(' ')[0]} {heading}]")
        tag = " [指标要求]" if req.kind == "indicator" else ""
        lines.append(f"{req.code}) {req.text}{tag}")
        lines += [f"    {s.code}) {s.text}" for s in req.subpoints]
    return lines


def _used_indicators(fw: Framework, item: Item) -> list[str]:
    """Framework-level indicators whose clauses name this item (used_by)."""
    return [i.code for i in fw.framework_indicators if item.code in i.used_by]


def _item_json(fw: Framework, item: Item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "group": item.group,
        "points": float(item.points) if item.points is not None else None,
        "description": item.description,
        "requirements": [
            {
                "code": r.code,
                "kind": r.kind,
                "text": r.text,
                **({"heading": r.heading, "section": r.section} if r.heading else {}),
                "subpoints": [{"code": s.code, "text": s.text} for s in r.subpoints],
            }
            for r in item.requirements
        ],
        "indicators": [i.code for i in item.indicators] + _used_indicators(fw, item),
        "thresholds": [t.id for t in fw.thresholds if t.item == item.code],
        "rules": [r.id for r in fw.rules if r.item == item.code],
    }


@spec_app.command("show")
def spec_show(
    item: str | None = typer.Option(None, "--item", "-i", help="Show one item in full."),
    framework: str = FRAMEWORK_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the model: domains, items, points and requirements."""
    fw = load_framework(framework)
    if item is not None and as_json:
        print_json(_item_json(fw, fw.item(item)))
    elif item is not None:
        _print_item(fw, fw.item(item))
    elif as_json:
        print_json(_framework_json(fw))
    else:
        _print_framework(fw)


def _print_item(fw: Framework, it: Item) -> None:
    from ccua.cli._app import console

    group = fw.group(it.group)
    pts = (
        f"{fmt(it.points)}分" if it.points is not None else f"({group.name}: {fmt(group.points)}分)"
    )
    console.print(
        f"[bold]{it.code} {it.name}[/] ({it.name_en}) — {group.code} {group.name} — {pts}"
    )
    if it.description:
        console.print(f"说明：{it.description}")
    console.print(f"[bold]{fw.levels.requirement.zh}[/]")
    say(*("  " + line for line in _requirement_lines(it)))
    if it.indicators:
        console.print("[bold]关键指标[/]")
        say(*(f"  {ind.code} {ind.name}: {ind.formula_text}" for ind in it.indicators))
    used = [fw.indicator(code) for code in _used_indicators(fw, it)]
    if used:
        console.print("[bold]相关指标[/] " + "、".join(f"{i.code} {i.name}" for i in used))
    thresholds = [t for t in fw.thresholds if t.item == it.code]
    if thresholds:
        console.print("[bold]测评阈值[/] (thresholds)")
    for t in thresholds:
        bound = f"{t.range[0]}~{t.range[1]}" if t.range else f"{t.value}"
        window = f", {t.window}" if t.window else ""
        what = f"  {t.requirement or '—'}: {t.quantity} {t.operator} {bound} {t.unit}{window}"
        say(what)
    for rule in (r for r in fw.rules if r.item == it.code):
        what = f"规则 {rule.id} ({rule.section}) 的结果是要求 {rule.evidence_for} 的评定依据"
        say(what + ": ccua.rules")


def _group_json(fw: Framework) -> list[dict[str, Any]]:
    return [
        {
            "code": g.code,
            "name": g.name,
            "name_en": g.name_en,
            "category": g.category,
            "points": float(
                g.points
                if g.points is not None
                else sum(i.points or 0 for i in fw.items_of(g.code))
            ),
            "items": [i.code for i in fw.items_of(g.code)],
        }
        for g in fw.groups
    ]


def _framework_json(fw: Framework) -> dict[str, Any]:
    out: dict[str, Any] = {
        "framework": fw.id,
        "name": fw.name,
        "name_en": fw.name_en,
        "designation": fw.designation,
        "version": fw.version,
        "points_at": fw.scoring.points_at,
        "total_points": float(fw.scoring.total_points),
        "categories": [
            {"code": c.code, "name": c.name, "name_en": c.name_en} for c in fw.categories
        ],
        fw.levels.group.en_plural: _group_json(fw),
        "items": [_item_json(fw, i) for i in fw.items],
        "grades": [
            {"code": g.code, "name": g.name, "min": float(g.min), "band": g.band} for g in fw.grades
        ],
    }
    if fw.comparison_grades:
        out["comparison_grades"] = fw.comparison_grades.model_dump()
    if fw.kpi_table:
        out["kpi_table"] = {
            "title": fw.kpi_table.title,
            "source": fw.kpi_table.source,
            "groups": [
                {"code": g.code, "name": g.name, "kpis": list(g.kpis)} for g in fw.kpi_table.groups
            ],
        }
    if fw.rules:
        out["rules"] = [
            {"id": r.id, "section": r.section, "evidence_for": r.evidence_for} for r in fw.rules
        ]
    return out


def _print_framework(fw: Framework) -> None:
    from rich.table import Table

    from ccua.cli._app import console

    console.print(f"[bold]{fw.name}[/] {fw.designation} — {fw.name_en} (data {fw.version})")
    table = Table(show_lines=False)
    cols = ["类别"] if fw.categories else []
    cols += [fw.levels.group.zh, "code", fw.levels.item.zh, "分值", fw.levels.requirement.zh]
    for col in cols:
        table.add_column(col, justify="right" if col == "分值" else "left")
    cats = {c.code: c.name for c in fw.categories}
    for g in fw.groups:
        for n, it in enumerate(fw.items_of(g.code)):
            points = it.points if fw.scoring.points_at == "item" else (g.points if n == 0 else None)
            row = [cats.get(g.category or "", "") if n == 0 else ""] if fw.categories else []
            row += [f"{g.code} {g.name}" if n == 0 else "", it.code, it.name]
            row += [fmt(points) if points is not None else "", str(len(it.requirements))]
            table.add_row(*row)
    console.print(table)
    console.print(
        f"{len(fw.groups)} {fw.levels.group.en_plural}, {len(fw.items)} items, "
        f"{len(fw.indicators)} indicator positions, points total {fmt(fw.scoring.total_points)}"
    )
    kpis = (len(fw.kpi_table.kpis), f"KPIs in {fw.kpi_table.source}") if fw.kpi_table else (0, "")
    counts = (kpis, (len(fw.terms), "terms"), (len(fw.thresholds), "thresholds"))
    extras = [f"{n} {what}" for n, what in (*counts, (len(fw.rules), "rules")) if n]
    if extras:
        console.print(", ".join(extras))
    if fw.grades:
        console.print("等级: " + "; ".join(f"{g.name} {g.band}" for g in fw.grades))
    else:
        cmp = f"; {fw.comparison_grades.label}" if fw.comparison_grades else ""
        console.print("未规定等级 (no grade bands)" + cmp)


@spec_app.command("check")
def spec_check(as_json: bool = JSON_OPTION) -> None:
    """Load and validate every bundled framework (for authors of the spec data)."""
    from ccua.cli._app import console

    report = []
    for fid in available_frameworks():
        fw = load_framework(fid)
        counts = {"items": fw.items, "indicators": fw.indicators, "errata": fw.errata}
        report.append(
            {"framework": fid, "version": fw.version} | {k: len(v) for k, v in counts.items()}
        )
    if as_json:
        print_json(report)
        return
    for r in report:
        console.print(
            f"{r['framework']} {r['version']}: ok ({r['items']} items, "
            f"{r['indicators']} indicators, {r['errata']} errata)"
        )


@kpi_app.command("list")
def kpi_list(
    item: str | None = typer.Option(None, "--item", "-i", help="Only this item's indicators."),
    framework: str = FRAMEWORK_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List every indicator position with its formula."""
    from rich.table import Table
    from rich.text import Text

    from ccua.cli._app import console
    from ccua.serialize import indicator_dict

    fw = load_framework(framework)
    inds = fw.item(item).indicators if item else fw.indicators
    if as_json:
        print_json([indicator_dict(i, fw) for i in inds])
        return
    table = Table(show_lines=False)
    for col in ("code", "指标名称", "unit", "dir", "计算公式"):
        table.add_column(col, overflow="fold")
    arrows = {"higher": "↑", "lower": "↓", "band": "↔", "none": "·"}
    for ind in inds:
        table.add_row(
            ind.code, ind.name, ind.unit or "—", arrows[ind.direction], Text(ind.formula_text)
        )
    console.print(table)
    console.print(f"{len(inds)} indicator positions")


@kpi_app.command("show")
def kpi_show(code: str, framework: str = FRAMEWORK_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show one indicator: definition, formula, inputs in order, unit, direction, errata."""
    from ccua.cli._app import console
    from ccua.serialize import indicator_dict

    fw = load_framework(framework)
    ind = fw.indicator(code)
    if as_json:
        print_json(indicator_dict(ind, fw))
        return
    if ind.item is not None:
        item = fw.item(ind.item)
        where = f"{item.code} {item.name}"
    else:
        group = fw.kpi_table.group_of(ind.code) if fw.kpi_table else None
        where = (
            f"{fw.kpi_table.source} {group.name}" if fw.kpi_table and group else "framework-level"
        ) + (f"; used by {', '.join(ind.used_by)}" if ind.used_by else "")
    console.print(f"[bold]{ind.code} {ind.name}[/] ({ind.name_en}) — {where}")
    say(f"定义：{ind.definition or '（未定义）'}")
    say(f"公式：{ind.formula_text or '（未印出）'}")
    if ind.term is not None:
        say(f"term §{ind.term}: {fw.term(ind.term).note}")
    if ind.formula_latex:
        say(f"LaTeX: {ind.formula_latex}")
    from ccua.formulas import shape

    console.print(f"shape: {ind.function} — {shape(ind.function).pattern}")
    if ind.inputs:
        console.print(
            "inputs, in this order (ccua kpi calc "
            f"{ind.code} {' '.join(m.upper() for m in ind.inputs)}):"
        )
        for n, m in enumerate(ind.inputs, start=1):
            measure = fw.measure(m)
            say(f"  {n}. {m} — {measure.name} ({measure.name_en}, {measure.unit})")
    console.print(f"unit: {ind.unit or '—'}; kind: {ind.kind}; {DIRECTIONS[ind.direction]}")
    if ind.same_as:
        console.print(f"same formula as {ind.same_as}")
    for e in fw.errata_for(ind.code):
        say(f"erratum {e.id} ({e.kind}): {e.issue} → {e.decision}")


@kpi_app.command("calc", context_settings={"ignore_unknown_options": True})
def kpi_calc(
    code: str,
    values: list[str] = typer.Argument(None, help="Inputs in formula order (see kpi show)."),
    framework: str = FRAMEWORK_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Calculate one indicator from its inputs, given in formula order."""
    from ccua.serialize import kpi_value_dict

    fw = load_framework(framework)
    ind = fw.indicator(code)
    from ccua.kpi import compute

    result = compute(fw, ind, values or [])
    if as_json:
        print_json(kpi_value_dict(result, ind))
        return
    unit = {"percent": "%", "seconds": " s", "count": "", None: ""}.get(ind.unit, f" {ind.unit}")
    typer.echo(f"{ind.code} {ind.name} = {result.value.normalize():f}{unit}")


def text_table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """A table as lines of plain text, columns padded by display width (CJK counts two).
    (Rich's table layout cost more than the rest of ``ccua score`` together: goal 2.)"""
    from ccua.fmt import display_width as cell_len

    widths = [max(cell_len(r[i]) for r in (headers, *rows)) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        out = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - cell_len(cell))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return [line(headers), rule, *(line(r) for r in rows)]


def _print_assessment(a: Assessment, fw: Framework, source: str, tr: Tr) -> None:
    """The E.6 table, its notes, the subtotals and the verdict, in one language."""
    lines = [tr("cli_score.title", source=source), ""]
    table, notes = _score_table(a, fw, tr)
    lines += table + notes + [""] + _subtotals(a, fw, tr) + [""] + _verdict(a, fw, tr)
    print("\n".join(lines))


def _score_table(a: Assessment, fw: Framework, tr: Tr) -> tuple[list[str], list[str]]:
    """The E.6 table, one row per item, and the notes its overrides point to."""
    per_item = fw.scoring.points_at == "item"
    cols = [tr("cli_score.category"), tr.level(fw.levels, "group"), tr.level(fw.levels, "item")]
    keys = ("points", "points_share", "percent", "score", "score_share", "remark")
    cols += [tr(f"cli_score.{k}") for k in (keys if per_item else ("mean", "percent", "remark"))]
    cats = {c.code: tr.name(c) for c in fw.categories}
    notes: list[str] = []
    rows: list[list[str]] = []
    prev_cat, prev_group = None, None
    for s in a.items:
        group = fw.group(s.group)
        cat = cats.get(group.category or "", "")
        row = [
            cat if cat != prev_cat else "",
            tr.name(group) if group.code != prev_group else "",
            f"{s.code} {tr.name(fw.item(s.code))}",
        ]
        prev_cat, prev_group = cat, group.code
        note = ""
        if s.source == "override":
            notes.append(f"[{len(notes) + 1}] {s.code}: {s.note}")
            note = tr("cli_score.override", n=len(notes))
        elif s.fulfilment is None:
            note = tr("cli_score.unrated" if s.source == "unrated" else "cli_score.na")
        if per_item:
            score = tr("cli_score.pts", v=fmt(s.score)) if s.score is not None else "—"
            share = f"{fmt(s.score_share)}%" if s.score_share is not None else "—"
            points = tr("cli_score.pts", v=fmt(s.points))
            row += [points, f"{fmt(s.points_share)}%", fmt(s.percent), score, share, note]
        else:
            row += [fmt(s.mean_rating), fmt(s.percent), note]
        rows.append(row)
    if per_item:
        total = [tr("cli_score.total"), tr("cli_score.pts", v=fmt(a.total_points)), "100.00%", ""]
        rows.append(["", "", *total, tr("cli_score.pts", v=fmt(a.total)), "", ""])
    right = set(range(3, len(cols) - 1))
    return text_table(cols, rows, right), notes


def _subtotals(a: Assessment, fw: Framework, tr: Tr) -> list[str]:
    def row(name: str, points: Any, score: Any, rate: str) -> list[str]:
        pts = "cli_score.pts"
        return [name, tr(pts, v=fmt(points)), tr(pts, v=fmt(score)), f"{rate}%"]

    rows = [
        row(f"{g.code} {tr.name(fw.group(g.code))}", g.points, g.score, fmt(g.percent))
        for g in a.groups
    ]
    cats = {c.code: tr.name(c) for c in fw.categories}
    for c in a.categories:
        rate = fmt(c.score / c.points * 100) if c.points else "—"
        rows.append(row(cats.get(c.code, c.name), c.points, c.score, rate))
    head = [tr(f"cli_score.{k}") for k in ("subtotals", "points", "score", "rate")]
    return text_table(head, rows, {1, 2, 3})


def _verdict(a: Assessment, fw: Framework, tr: Tr) -> list[str]:
    """The total, the grade (or the comparison grade), and what to beware of."""
    from ccua.fmt import grade_band
    from ccua.serialize import comparison_grade_dict

    lines = [tr("cli_score.total_line", total=fmt(a.total))]
    if a.grade is not None:
        band = grade_band(fw.grades, a.grade, tr.lang)
        lines.append(tr("cli_score.grade", grade=tr.name(a.grade), band=band))
    elif not fw.grades:
        lines.append(tr("cli_score.no_grades", framework=tr.name(fw)))
        cmp = comparison_grade_dict(fw, a.total) if a.complete else None
        if cmp is not None:
            label = cmp["label_en"] if tr.en else cmp["label"]
            name = cmp["name_en"] if tr.en else cmp["name"]
            other = load_framework(cmp["framework"])
            band = grade_band(other.grades, other.grade_for(a.total) or other.grades[0], tr.lang)
            lines.append(tr("cli_score.comparison", label=label, grade=name, band=band))
    if a.custom_weights:
        lines.append(tr("cli_score.custom_weights"))
    if not a.complete:
        lines.append(tr("cli_score.incomplete", n=len(a.missing)))
    return lines


@app.command("score")
def score_cmd(
    file: Path = typer.Argument(..., help="A ratings YAML file (framework: and items:)."),
    as_json: bool = JSON_OPTION,
    brief: bool = typer.Option(False, "--brief", help="With --json: items without requirements."),
    lang: str = typer.Option("zh", "--lang", help="Language of the printed table: zh or en."),
) -> None:
    """Score a ratings file: the E.6 table, subtotals and the grade."""
    from ccua.i18n import Tr

    tr = Tr(lang)
    from ccua.ratings import load_ratings
    from ccua.scoring import score
    from ccua.serialize import assessment_dict

    ratings = load_ratings(file)
    fw = load_framework(ratings.framework)
    assessment = score(fw, ratings)
    if as_json:
        print_json(assessment_dict(assessment, fw, detail=not brief))
        return
    _print_assessment(assessment, fw, str(file), tr)


@app.command("errata")
def errata_cmd(
    framework: str | None = typer.Option(
        None, "--framework", "-f", help="One framework (default: all)."
    ),
    markdown: bool = typer.Option(False, "--markdown", help="Print the errata document."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List every deviation from, and ambiguity in, the printed standards."""
    from rich.table import Table
    from rich.text import Text

    from ccua.cli._app import console
    from ccua.errata import errata_markdown

    ids = [framework] if framework else available_frameworks()
    fws = [load_framework(i) for i in ids]
    if markdown:
        typer.echo(errata_markdown(fws), nl=False)
        return
    if as_json:
        print_json(
            [{"framework": fw.id, **e.model_dump(mode="json")} for fw in fws for e in fw.errata]
        )
        return
    for fw in fws:
        table = Table(title=f"{fw.name} ({fw.id})", show_lines=True)
        for col in ("id", "concerns", "kind", "issue", "ccua"):
            table.add_column(col, overflow="fold")
        for e in fw.errata:
            table.add_row(e.id, ", ".join(e.subjects), e.kind, Text(e.issue), Text(e.decision))
        console.print(table)
