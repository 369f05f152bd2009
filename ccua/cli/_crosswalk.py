"""``ccua crosswalk``: the mapping between two frameworks, and a centre's projection."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ccua._num import fmt
from ccua.cli._app import JSON_OPTION, app, console, print_json
from ccua.crosswalk import (
    Crosswalk,
    Projection,
    Row,
    crosswalk_dict,
    find_crosswalk,
    project,
    projection_dict,
)
from ccua.errors import CcuaError
from ccua.i18n import Tr
from ccua.ratings import load_ratings
from ccua.scoring import score
from ccua.spec import Framework


def _names(tr: Tr, *frameworks: Framework) -> dict[str, str]:
    """Code → name in the output's language, for the items, groups and indicators of both sides
    (the crosswalk's rows carry the Chinese names only)."""
    names: dict[str, str] = {}
    for fw in frameworks:
        names.update({g.code: tr.name(g) for g in fw.groups})
        names.update({i.code: tr.name(i) for i in fw.items})
        names.update({k.code: tr.name(k) for k in fw.indicators})
    return names


def _rows_table(
    tr: Tr, title: str, rows: tuple[Row, ...], left: str, right: str, names: dict[str, str]
) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_lines=False)
    match = tr("cli_crosswalk.match")
    for col in (tr("cli_crosswalk.code"), left, right, match, tr("cli_crosswalk.note")):
        table.add_column(col, overflow="fold", no_wrap=col in (tr("cli_crosswalk.code"), match))
    for r in rows:
        targets = tr.join(f"{c} {names.get(c, n)}" for c, n in r.targets) if r.targets else "—"
        table.add_row(
            r.code,
            Text(names.get(r.code, r.name)),
            Text(targets),
            tr(f"cli_crosswalk.grade.{r.grade or 'none'}"),
            Text(r.note or r.none),
        )
    return table


def _print_projection(tr: Tr, p: Projection, target: Framework) -> None:
    names = _names(tr, target)
    item_level, group_level = tr.level(target.levels, "item"), tr.level(target.levels, "group")
    console.print(
        Text(tr("cli_crosswalk.projection", name=tr.name(target), id=target.id), style="bold")
    )
    per_item = target.scoring.points_at == "item"
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    cols = [item_level, tr("cli_crosswalk.sources"), tr("cli_crosswalk.est_percent")]
    cols += [tr("cli_crosswalk.est_rating")] + ([tr("cli_crosswalk.est_score")] if per_item else [])
    for col in cols:
        table.add_column(col, overflow="fold")
    for i in p.items:
        partial = tr("cli_crosswalk.partial") if i.partial else ""
        row = [
            f"{i.code} {names.get(i.code, i.name)}",
            ", ".join(i.sources) or "—",
            fmt(i.percent) + partial,
        ]
        row += [fmt(i.rating)] + ([fmt(i.score)] if per_item else [])
        table.add_row(*row)
    console.print(table)
    sub = Table(title=group_level, box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("", "points", "coverable", "est_score"):
        sub.add_column(
            tr(f"cli_crosswalk.{col}") if col else "", justify="right" if col else "left"
        )
    for g in p.groups:
        sub.add_row(
            f"{g.code} {names.get(g.code, g.name)}",
            fmt(g.points),
            fmt(g.covered_points),
            fmt(g.score),
        )
    console.print(sub)
    console.print(
        tr(
            "cli_crosswalk.total",
            score=fmt(p.estimated_score),
            covered=fmt(p.covered_points),
            total=fmt(p.total_points),
            rescaled=fmt(p.rescaled_total),
        ),
        markup=False,
    )
    if p.indicative_grade is not None:
        grade = tr.name(p.indicative_grade)
        console.print(
            tr("cli_crosswalk.indicative", source=p.grade_source, grade=grade), markup=False
        )
    if p.missing:
        console.print(
            Text(
                tr(
                    "cli_crosswalk.missing",
                    level=tr.level(target.levels, "item", plural=True),
                    n=len(p.missing),
                ),
                style="yellow",
            )
        )
        for r in p.missing:
            console.print(Text(f"  {r.code} {names.get(r.code, r.name)}: {r.none}"))


@app.command("crosswalk")
def crosswalk_cmd(
    source: str | None = typer.Option(
        None,
        "--from",
        help="Read the crosswalk from this framework's side (default: the side "
        "its file is written from).",
    ),
    target: str | None = typer.Option(
        None, "--to", help="The other framework, where several crosswalks exist."
    ),
    ratings: Path | None = typer.Option(
        None,
        "--ratings",
        "-r",
        help="A ratings file: show how that centre would stand under the other framework "
        "(an estimate, never a score).",
    ),
    lang: str = typer.Option("zh", "--lang", help="Language of the printed tables: zh or en."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the crosswalk between two frameworks, or project a centre's ratings onto it."""
    tr = Tr(lang)
    if ratings is not None:
        parsed = load_ratings(ratings)
        if source is not None and source != parsed.framework:
            raise CcuaError(
                f"--from {source} but the ratings file is for {parsed.framework}",
                file=str(ratings),
                field="framework",
            )
        cw, side = find_crosswalk(parsed.framework, target)
        projection = project(score(cw.framework(side), parsed, partial=True), cw)
        if as_json:
            print_json(projection_dict(projection))
            return
        _print_projection(tr, projection, cw.other(side))
        return
    cw, side = find_crosswalk(source, target)
    if as_json:
        print_json(crosswalk_dict(cw, side))
        return
    _print_crosswalk(tr, cw, side)


def _print_crosswalk(tr: Tr, cw: Crosswalk, side: str) -> None:
    """The crosswalk as two tables (items, indicators) and how many of each are matched."""
    src, dst = cw.framework(side), cw.other(side)
    console.print(
        Text(
            tr(
                "cli_crosswalk.title",
                source=tr.name(src),
                target=tr.name(dst),
                id=cw.data.id,
                version=cw.data.version,
            ),
            style="bold",
        )
    )
    src_item, dst_item = tr.level(src.levels, "item"), tr.level(dst.levels, "item")
    names = _names(tr, src, dst)
    items = cw.item_rows(side)
    console.print(_rows_table(tr, f"{src_item} → {dst_item}", items, src_item, dst.id, names))
    inds = cw.indicator_rows(side)
    indicator = tr("cli_crosswalk.indicator")
    console.print(_rows_table(tr, f"{indicator} → {indicator}", inds, indicator, dst.id, names))
    unmatched = [r.code for r in items if not r.targets]
    console.print(
        tr(
            "cli_crosswalk.count",
            n=len(items),
            level=tr.level(src.levels, "item", plural=True),
            mapped=len(items) - len(unmatched),
            unmatched=len(unmatched),
            codes=tr.paren(tr.join(unmatched)) if unmatched else "",
        ),
        markup=False,
    )
    unmatched = [r.code for r in inds if not r.targets]
    console.print(
        tr(
            "cli_crosswalk.count_indicators",
            n=len(inds),
            mapped=len(inds) - len(unmatched),
            unmatched=len(unmatched),
        ),
        markup=False,
    )
