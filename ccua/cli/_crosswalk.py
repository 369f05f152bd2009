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
    ESTIMATE_NOTE,
    Projection,
    Row,
    crosswalk_dict,
    find_crosswalk,
    project,
    projection_dict,
)
from ccua.errors import CcuaError
from ccua.ratings import load_ratings
from ccua.scoring import score
from ccua.spec import Framework

GRADES = {"full": "完全", "partial": "部分", "same": "相同", "similar": "相近"}


def _rows_table(title: str, rows: tuple[Row, ...], left: str, right: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_lines=False)
    for col in ("code", left, right, "对应", "note"):
        table.add_column(col, overflow="fold", no_wrap=col in ("code", "对应"))
    for r in rows:
        targets = "、".join(f"{c} {n}" for c, n in r.targets) if r.targets else "—"
        table.add_row(
            r.code,
            Text(r.name),
            Text(targets),
            GRADES.get(r.grade or "", "无"),
            Text(r.note or r.none),
        )
    return table


def _print_projection(p: Projection, target: Framework) -> None:
    console.print(f"[bold]按 {target.name}（{target.id}）推算[/] — {ESTIMATE_NOTE}")
    per_item = target.scoring.points_at == "item"
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    cols = [target.levels.item.zh, "来源", "估计百分比", "估计评分"]
    cols += ["估计计分"] if per_item else []
    for col in cols:
        table.add_column(col, overflow="fold")
    for i in p.items:
        row = [
            f"{i.code} {i.name}",
            ", ".join(i.sources) or "—",
            fmt(i.percent) + (" (部分)" if i.partial else ""),
            fmt(i.rating),
        ]
        if per_item:
            row.append(fmt(i.score))
        table.add_row(*row)
    console.print(table)
    sub = Table(title=target.levels.group.zh, box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("", "分值", "可推算分值", "估计计分"):
        sub.add_column(col, justify="left" if not col else "right")
    for g in p.groups:
        sub.add_row(f"{g.code} {g.name}", fmt(g.points), fmt(g.covered_points), fmt(g.score))
    console.print(sub)
    console.print(
        f"估计计分 {fmt(p.estimated_score)} / 可推算分值 {fmt(p.covered_points)}"
        f"（共 {fmt(p.total_points)}）；按比例折算 {fmt(p.rescaled_total)}"
    )
    if p.indicative_grade is not None:
        console.print(f"参考等级（{p.grade_source}，仅供参考）：{p.indicative_grade.name}")
    if p.missing:
        console.print(
            f"[yellow]缺少证据，需直接测评的{target.levels.item.zh}（{len(p.missing)}）：[/]"
        )
        for r in p.missing:
            console.print(Text(f"  {r.code} {r.name}: {r.none}"))


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
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the crosswalk between two frameworks, or project a centre's ratings onto it."""
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
        _print_projection(projection, cw.other(side))
        return
    cw, side = find_crosswalk(source, target)
    if as_json:
        print_json(crosswalk_dict(cw, side))
        return
    src, dst = cw.framework(side), cw.other(side)
    console.print(
        f"[bold]对照关系 {src.name} → {dst.name}[/] ({cw.data.id}, data {cw.data.version})"
    )
    items = cw.item_rows(side)
    console.print(
        _rows_table(
            f"{src.levels.item.zh} → {dst.levels.item.zh}", items, src.levels.item.zh, dst.id
        )
    )
    inds = cw.indicator_rows(side)
    console.print(_rows_table("关键指标 → 关键指标", inds, "指标", dst.id))
    unmatched_items = [r.code for r in items if not r.targets]
    unmatched_inds = [r.code for r in inds if not r.targets]
    console.print(
        f"{len(items)} {src.levels.item.en_plural}: {len(items) - len(unmatched_items)}"
        f" mapped, {len(unmatched_items)} without counterpart"
        + (f" ({', '.join(unmatched_items)})" if unmatched_items else "")
    )
    console.print(
        f"{len(inds)} indicators: {len(inds) - len(unmatched_inds)} matched, "
        f"{len(unmatched_inds)} without counterpart"
    )
