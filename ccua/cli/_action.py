"""From score to action: `ccua improve` (the path to a grade) and `ccua staffing` (Erlang)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ccua.cli._app import CLIENT_ARGUMENT, JSON_OPTION, app, console, print_json, say
from ccua.errors import CcuaError

if TYPE_CHECKING:
    from ccua.consensus import ConsensusResult

staffing_app = typer.Typer(
    help="Staffing against queueing theory: Erlang C and Erlang A.", no_args_is_help=True
)
app.add_typer(staffing_app, name="staffing")

LANG_OPTION = typer.Option("zh", "--lang", help="Language of the printed table: zh or en.")

HEADERS = {
    "zh": ("能力项", "评分项", "现评分", "目标评分", "得分"),
    "en": ("item", "leaf", "from", "to", "points"),
}
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "met": "已达到{target}（{before} 分 ≥ {min} 分），无需改进。",
        "unreachable": "无法仅通过提高要求评分达到{target}（≥{min} 分）：全部可评要求提到 5 分后"
        "最多 {best} 分。",
        "fixed": "以下能力项按整项评定或覆盖计分，路径不改变它们：{items}",
        "path": "达到{target}（≥{min} 分）的最短路径：{count} 步，{before} → {after} 分",
        "hints": "关键指标达标可提高指标要求评分（每项再达标一个指标的得分）：",
        "hint": "  {item} {indicator}：已达标 {met}/{evaluable}，+{points} 分",
    },
    "en": {
        "met": "{target} is already reached ({before} ≥ {min}); nothing to improve.",
        "unreachable": "{target} (≥ {min}) cannot be reached by raising ratings alone: with "
        "every ratable requirement at 5 the total is at most {best}.",
        "fixed": "Items rated as a whole or overridden, which the path does not move: {items}",
        "path": "Shortest path to {target} (≥ {min}): {count} steps, {before} → {after}",
        "hints": "Indicators whose attainment would raise an item's indicator requirement "
        "(points if one more met its target):",
        "hint": "  {item} {indicator}: {met}/{evaluable} met, +{points}",
    },
}


def resolve_client(client: str) -> Path:
    """A params file given as a path, or a client name under params/."""
    path = Path(client)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    candidate = Path("params") / f"{client}.yaml"
    if candidate.is_file():
        return candidate
    raise CcuaError(
        f"no client {client!r}: {candidate} does not exist (give a params file or "
        "the name of a client under params/)",
        file=str(candidate),
    )


def _effort_file(path: Path | None) -> dict[str, Fraction]:
    if path is None:
        return {}
    from ccua._num import NotANumber, to_fraction
    from ccua._yaml import line_of, load_with_lines, read_yaml_text

    data, lines = load_with_lines(read_yaml_text(path), str(path))
    if not isinstance(data, dict):
        raise CcuaError(
            "an effort file maps ITEM or ITEM.LEAF to the effort of one step, e.g. `DO5.c.2: 3`",
            file=str(path),
        )
    effort: dict[str, Fraction] = {}
    for key, value in data.items():
        try:
            cost = to_fraction(value)
        except NotANumber:
            cost = Fraction(-1)
        if cost <= 0:
            raise CcuaError(
                f"effort of {key} must be a positive number, got {value!r}",
                file=str(path),
                row=line_of(lines, (key,)),
                field=str(key),
            )
        effort[str(key)] = cost
    return effort


@app.command("improve")
def improve_cmd(
    client: str = CLIENT_ARGUMENT,
    to: str | None = typer.Option(
        None,
        "--to",
        help="Target grade: 优秀, 良好 or 合格 (default: the next grade above the current total).",
    ),
    effort: Path | None = typer.Option(
        None,
        "--effort",
        help="YAML file: effort of one step per ITEM or ITEM.LEAF (default 1 each).",
    ),
    lang: str = LANG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The fewest rating steps that lift the total to a grade (exact, rounding included)."""
    from ccua.improve import plan_for_engagement
    from ccua.inputs import load_engagement

    text = TEXT.get(lang)
    if text is None:
        raise CcuaError(f"--lang must be zh or en, got {lang!r}", field="--lang")
    data = load_engagement(resolve_client(client))
    path = plan_for_engagement(data, to, _effort_file(effort))
    if as_json:
        print_json(path.as_dict())
        return
    target = path.target.name if lang == "zh" else path.target.name_en
    fmt = {
        "target": target,
        "min": path.target.min,
        "before": path.total_before,
        "after": path.total_after,
        "best": path.best_possible,
        "count": path.step_count,
    }
    if path.already_met:
        say(text["met"].format(**fmt))
    elif not path.reachable:
        say(text["unreachable"].format(**fmt))
    else:
        say(text["path"].format(**fmt))
        from rich.table import Table

        table = Table(*HEADERS[lang], show_edge=False)
        for s in path.steps:
            table.add_row(s.item, s.leaf, str(s.from_rating), str(s.to_rating), f"+{s.points}")
        console.print(table)
    if path.fixed_items:
        say(text["fixed"].format(items=", ".join(path.fixed_items)))
    if path.indicator_hints:
        say(text["hints"], *(text["hint"].format(**h.as_dict()) for h in path.indicator_hints))
    if not path.reachable:
        raise typer.Exit(1)


def _one_of(agents: int | None, target_sl: float | None) -> None:
    if (agents is None) == (target_sl is None):
        raise CcuaError("give exactly one of --agents N or --target-sl P", field="--agents")


@staffing_app.command("erlang-c")
def erlang_c_cmd(
    calls: float = typer.Option(..., "--calls", help="Calls offered in one interval."),
    aht: float = typer.Option(..., "--aht", help="Average handle time, seconds."),
    interval: float = typer.Option(1800, "--interval", help="Interval length, seconds."),
    answer_within: float = typer.Option(
        20, "--answer-within", help="Service-level threshold, seconds."
    ),
    agents: int | None = typer.Option(None, "--agents", help="Agents staffed."),
    target_sl: float | None = typer.Option(
        None,
        "--target-sl",
        help="Target service level, 0-1 (or a percent above 1): the fewest agents.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Erlang C: the service level N agents deliver, or the agents a target needs."""
    from ccua.staffing import agents_for_service_level, erlang_c

    _one_of(agents, target_sl)
    if target_sl is not None:
        target = target_sl / 100 if target_sl > 1 else target_sl
        n = agents_for_service_level(calls, aht, interval, answer_within, target)
        out: dict[str, object] = {"agents": n}
    else:
        out = dict(erlang_c(calls, aht, interval, answer_within, int(agents or 0)).as_dict())
    _print_pairs(out, 18, as_json)


def _print_pairs(out: Mapping[str, object], width: int, as_json: bool) -> None:
    if as_json:
        print_json(out)
    else:
        say(*(f"{key:{width}} {value}" for key, value in out.items()))


@staffing_app.command("erlang-a")
def erlang_a_cmd(
    calls: float = typer.Option(..., "--calls", help="Calls offered in one interval."),
    aht: float = typer.Option(..., "--aht", help="Average handle time, seconds."),
    patience: float = typer.Option(..., "--patience", help="Callers' mean patience, seconds."),
    agents: int = typer.Option(..., "--agents", help="Agents staffed."),
    interval: float = typer.Option(1800, "--interval", help="Interval length, seconds."),
    answer_within: float = typer.Option(
        20, "--answer-within", help="Service-level threshold, seconds."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Erlang A (with abandonment): service level, abandonment, wait, occupancy."""
    from ccua.staffing import erlang_a

    _print_pairs(
        erlang_a(calls, aht, interval, answer_within, agents, patience).as_dict(), 20, as_json
    )


@staffing_app.command("check")
def staffing_check_cmd(
    client: str = CLIENT_ARGUMENT,
    as_json: bool = JSON_OPTION,
) -> None:
    """Each month: the service level the staff could deliver against the one reported."""
    from ccua.inputs import load_engagement
    from ccua.staffing import staffing_for_engagement

    params = resolve_client(client)
    rows = staffing_for_engagement(load_engagement(params))
    if rows is None:
        raise CcuaError(
            "no staffing check: set `staffing: {open_hours_per_day: H}` in the "
            "params file (the framework must have a staffing.yaml)",
            file=str(params),
            field="staffing.open_hours_per_day",
        )
    if as_json:
        print_json({"months": [r.as_dict() for r in rows]})
        return
    from rich.table import Table

    head = ("month", "calls/interval", "AHT s", "agents", "Erlangs", "model SL", "reported SL")
    table = Table(*head, "gap pp", "agents needed", "flag", show_edge=False)
    for r in rows:
        table.add_row(
            r.month,
            f"{r.calls_per_interval:.1f}",
            f"{r.aht:.0f}",
            str(r.agents),
            f"{r.load:.1f}",
            f"{r.modelled.service_level:.2%}",
            "" if r.reported_service_level is None else f"{r.reported_service_level:.2%}",
            "" if r.gap_points is None else f"{r.gap_points:+.2f}",
            "" if r.agents_needed is None else str(r.agents_needed),
            "!" if r.flagged else "",
        )
    console.print(table)


def _assessor_files(targets: list[str]) -> list[Path]:
    """Ratings files given directly, or a client's ``ratings/*.yaml`` (one per assessor)."""
    if len(targets) == 1 and not targets[0].endswith((".yaml", ".yml")):
        folder = _engagement_folder(targets[0]) / "ratings"
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if len(files) < 2:
            raise CcuaError(
                f"{folder} must hold one ratings file per assessor (at least two, "
                "e.g. ratings/wang.yaml and ratings/chen.yaml)",
                file=str(folder),
            )
        return files
    return [Path(t) for t in targets]


@app.command("agreement")
def agreement_cmd(
    targets: list[str] = typer.Argument(
        ...,
        help="A client (its ratings/*.yaml), or two or more ratings files of the same engagement.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """How far independent assessors agree: exact, within one, weighted kappa, alpha."""
    from ccua.agreement import agreement_report
    from ccua.consensus import load_assessors

    files = _assessor_files(targets)
    report = agreement_report(*load_assessors(files), [f.stem for f in files])
    if as_json:
        print_json(report.as_dict())
        return
    from rich.table import Table

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.3f}"

    table = Table("", "leaves", "exact", "within one", "weighted κ", "α (ordinal)", show_edge=False)
    for code, a in [("all", report.overall), *report.by_group.items()]:
        shares = pct(a.exact_agreement), pct(a.within_one)
        table.add_row(code, str(a.pairs), *shares, num(a.weighted_kappa), num(a.alpha_ordinal))
    say(f"assessors: {', '.join(report.assessors)}")
    console.print(table)
    if report.disagreements:
        say("ratings 2 or more apart (most points at stake first):")
        for lf in report.disagreements:
            given = ", ".join(f"{n} {v}" for n, v in zip(report.assessors, lf.ratings, strict=True))
            say(f"  {lf.code}: {given} (±{lf.stake} points)")


evidence_app = typer.Typer(
    help="The evidence register of an engagement (evidence.yaml).", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


def _engagement_folder(client: str) -> Path:
    from ccua.engagement import load_params

    params_file = resolve_client(client)
    return (params_file.parent / load_params(params_file).engagement).resolve()


@evidence_app.command("add")
def evidence_add_cmd(
    client: str = CLIENT_ARGUMENT,
    file: Path | None = typer.Argument(None, help="A file to attach (copied into evidence/)."),
    title: str = typer.Option(..., "--title", help="What the evidence is."),
    kind: str = typer.Option(
        "document", "--kind", help="document, interview, observation or data."
    ),
    owner: str = typer.Option("", "--owner", help="Who holds or gave it."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Register a document, interview, observation or data extract; ratings cite its id."""
    from ccua.evidence import add_evidence

    entry = add_evidence(_engagement_folder(client), title=title, kind=kind, file=file, owner=owner)
    if as_json:
        print_json(entry.model_dump(mode="json"))
        return
    attached = f" {entry.file} sha256 {entry.sha256[:12]}…" if entry.file else ""
    say(f"{entry.id} {entry.title} ({entry.kind}){attached}")
    say(f"Cite it in a rating: evidence: {entry.id}")


@evidence_app.command("list")
def evidence_list_cmd(
    client: str = CLIENT_ARGUMENT,
    as_json: bool = JSON_OPTION,
) -> None:
    """The register, and the ratings' citations it cannot resolve."""
    from ccua.evidence import load_register

    register = load_register(_engagement_folder(client))
    if as_json:
        print_json({"evidence": [e.model_dump(mode="json") for e in register.entries]})
        return
    for e in register.entries:
        say(f"{e.id}  {e.kind:11} {e.date or ''}  {e.title}" + (f"  [{e.file}]" if e.file else ""))


@app.command("trace")
def trace_cmd(
    client: str = CLIENT_ARGUMENT,
    code: str = typer.Argument(
        ..., help="An item (DO6), a requirement (DO6.c, DO6.c.2) or an indicator (DO6.9)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """From a score or value down to the ratings, evidence, sheet cells or records behind it."""
    from ccua.inputs import load_engagement
    from ccua.trace import trace

    chain = trace(load_engagement(resolve_client(client)), code)
    if as_json:
        print_json(chain)
        return
    say(*trace_lines(chain), soft_wrap=True)


def trace_lines(chain: dict) -> list[str]:
    """The trace as an indented tree."""
    lines: list[str] = []
    if chain["kind"] == "indicator":
        target = chain["target"] or {}
        bounds = [f"{s}{target[k]}" for s, k in (("≥", "min"), ("≤", "max")) if target.get(k)]
        bound = " ".join(bounds)
        met = {True: "met", False: "not met", None: "not evaluable"}[chain["met"]]
        lines.append(
            f"{chain['code']} {chain['name']}: {chain['value']} ({chain['unit']}), "
            f"target {bound or '—'} ({target.get('source', '—')}): {met}"
        )
        lines.append(f"  formula: {chain['formula']}")
        for month in chain["months"]:
            lines.append(f"  {month['month']}: {month['value']}")
            for i in month["inputs"]:
                where = i["source"] or i["origin"] or "—"
                lines.append(f"    {i['measure']} {i['name']} = {i['value']}  ← {where}")
        if chain["records"]:
            rec = chain["records"]
            lines.append(f"  records: {rec['folder']} ({len(rec['files'])} files)")
            for measure, q in rec["queries"].items():
                lines.append(
                    f"    {measure}: {q['aggregate']}({q['expression']}) FROM "
                    f"{q['table']} WHERE {q['where']}"
                )
        return lines
    lines.append(
        f"{chain['code']} {chain['name']}: score {chain['score']} of {chain['points']}"
        f" ({chain['percent']} %, {chain['source']})"
    )
    for req in chain["requirements"]:
        lines.append(f"  {req['code']} rating {req['rating']} ({req['source']}): {req['text']}")
        for r in req["ratings"]:
            cited = "; ".join(
                f"{e['id']} {e['title'] or '(not in the register)'}"
                + (f" sha256 {e['sha256'][:12]}…" if e["sha256"] else "")
                for e in r.get("evidence", [])
            )
            lines.append(
                f"    {r['leaf']}: {r['rating']} by {r.get('by') or '—'} at "
                f"{r.get('at') or '—'}" + (f", note {r['note']}" if r.get("note") else "")
            )
            if cited or r.get("evidence_text"):
                lines.append(f"      evidence: {cited or r['evidence_text'] + ' (free text)'}")
        for ind in req.get("indicators", []):
            met = {True: "met", False: "not met", None: "—"}[ind["met"]]
            lines.append(f"    {ind['code']} {ind['name']}: {ind['value']} {met}")
    return lines


@app.command("consensus")
def consensus_cmd(
    client: str = CLIENT_ARGUMENT,
    resolve: list[str] = typer.Option(
        [],
        "--resolve",
        help="Record a resolution first: ITEM.LEAF=RATING (0-5 or na); with --by and --why.",
    ),
    by: str = typer.Option("", "--by", help="Who resolved (with --resolve)."),
    why: str = typer.Option("", "--why", help="Why (with --resolve)."),
    force: bool = typer.Option(
        False, "--force", help="Replace a ratings.yaml that is not a consensus (a copy is kept)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Build ratings.yaml from the assessors' ratings/*.yaml and the recorded resolutions."""
    from ccua.consensus import (
        assessor_files,
        build_consensus,
        load_assessors,
        load_resolutions,
        write_consensus,
    )

    folder = _engagement_folder(client)
    for spec in resolve:
        _record_resolution(folder, spec, by.strip(), why.strip())
    files = assessor_files(folder)
    if len(files) < 2:
        raise CcuaError(
            "a consensus needs the ratings of at least two assessors in "
            f"{folder / 'ratings'} (one file each)",
            file=str(folder / "ratings"),
        )
    framework, ratings = load_assessors(files)
    names, title = [f.stem for f in files], ratings[0].title
    result = build_consensus(framework.id, ratings, names, load_resolutions(folder), title=title)
    kept = None
    target = folder / "ratings.yaml"
    if result.document is not None:
        sources = [f"ratings/{f.name}" for f in files]
        kept = write_consensus(target, result.document, sources, force=force)
    written = target if result.document is not None else None
    if as_json:
        print_json(
            {
                "written": str(written) if written else None,
                "kept": str(kept) if kept else None,
                "agreed": result.agreed,
                "resolved": list(result.resolved),
                "unresolved": [{"leaf": d.key, "given": dict(d.given)} for d in result.unresolved],
            }
        )
    else:
        _print_consensus(result, written, kept)
    if written is None:
        raise typer.Exit(1)


def _record_resolution(folder: Path, spec: str, by: str, why: str) -> None:
    """``--resolve ITEM.LEAF=RATING`` recorded in consensus.yaml, with who and why."""
    from ccua.consensus import Resolution, save_resolution

    key, sep, value = spec.partition("=")
    if not sep or not key or value.strip() not in {"na", "0", "1", "2", "3", "4", "5"}:
        raise CcuaError(
            f"--resolve takes ITEM.LEAF=RATING (0-5 or na), got {spec!r}", field="--resolve"
        )
    if not by or not why:
        raise CcuaError("--resolve needs --by NAME and --why TEXT", field="--resolve")
    na = value.strip() == "na"
    save_resolution(folder, Resolution(key.strip(), None if na else int(value), na, None, by, why))


def _print_consensus(result: ConsensusResult, written: Path | None, kept: Path | None) -> None:
    resolved, unresolved = len(result.resolved), len(result.unresolved)
    say(f"{result.agreed} leaves agreed, {resolved} resolved, {unresolved} to resolve")
    for d in result.unresolved:
        say(f"  {d.key}: {', '.join(f'{n} {v}' for n, v in d.given.items())}")
    if written is not None:
        say(f"wrote {written}" + (f" (the previous file kept as {kept})" if kept else ""))
    else:
        say(
            "Resolve each with `ccua consensus CLIENT --resolve ITEM.LEAF=R --by "
            "NAME --why TEXT` (or in the form's consensus mode)."
        )
