"""The portfolio: `ccua portfolio import|list|site|demo` and `ccua benchmark`."""

from __future__ import annotations

import glob
from pathlib import Path

import typer

from ccua.cli._app import JSON_OPTION, app, print_json, say
from ccua.errors import CcuaError

portfolio_app = typer.Typer(
    help="Every run kept in a DuckDB store (runs/ccua.duckdb): import, "
    "list, publish as a site, a demo portfolio.",
    no_args_is_help=True,
)
app.add_typer(portfolio_app, name="portfolio")

STORE_OPTION = typer.Option(
    None, "--portfolio", help="The store (default: $CCUA_PORTFOLIO, else runs/ccua.duckdb)."
)


@portfolio_app.command("import")
def import_cmd(
    paths: list[str] = typer.Argument(
        ..., help="Run folders or results.json files (globs allowed: 'runs/*')."
    ),
    store: Path | None = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Back-fill the store from existing runs; runs already there are skipped."""
    from ccua.portfolio import record_runs, store_path

    found: list[Path] = []
    for pattern in paths:
        matches = sorted(glob.glob(pattern)) or [pattern]
        for m in matches:
            p = Path(m)
            if p.is_dir() and not (p / "results.json").is_file():
                continue  # not a run folder (e.g. runs/ itself)
            found.append(p)
    if not found:
        raise CcuaError("no run folder or results.json among the paths given", field="PATHS")
    added, skipped = record_runs(found, store)
    if as_json:
        print_json({"store": str(store_path(store)), "added": added, "already": skipped})
        return
    say(f"{store_path(store)}: {added} run(s) added, {skipped} already there")


@portfolio_app.command("list")
def list_cmd(store: Path | None = STORE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Every recorded run, newest engagement first."""
    from ccua.portfolio import connect, store_path

    with connect(store_path(store)) as con:
        rows = con.execute(
            "SELECT client, segment, period_start, period_end, framework, "
            "CAST(total AS VARCHAR), grade, run_id FROM runs "
            "ORDER BY client, period_end DESC"
        ).fetchall()
    keys = ("client", "segment", "period_start", "period_end", "framework", "total", "grade")
    if as_json:
        print_json({"runs": [dict(zip((*keys, "run_id"), r, strict=True)) for r in rows]})
        return
    for r in rows:
        say(f"{r[0]:12} {r[1]:10} {r[2]}..{r[3]} {r[4]:14} {r[5] or '—':>6} {r[6] or '—'}  {r[7]}")


@portfolio_app.command("site")
def site_cmd(
    out: Path = typer.Option(..., "--out", help="Folder of the site (index.html)."),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    store: Path | None = STORE_OPTION,
) -> None:
    """A static site of the portfolio: clients, trends, reports, portfolio charts, filters."""
    from ccua.portfolio import build_site, connect, store_path

    if lang not in ("zh", "en"):
        raise CcuaError(f"--lang must be zh or en, got {lang!r}", field="--lang")
    with connect(store_path(store)) as con:
        index = build_site(con, out, lang=lang)
    say(f"wrote {index}")


@portfolio_app.command("demo")
def demo_cmd(
    out: Path = typer.Option(
        Path("portfolio-demo"),
        "--out",
        help="Folder for the clients' params, their runs and the store.",
    ),
    clients: int = typer.Option(30, "--clients", min=5, max=500, help="How many clients."),
    notebooks: bool = typer.Option(
        False, "--notebooks", help="Also execute the notebooks and render the reports (slower)."
    ),
    site: bool = typer.Option(True, "--site/--no-site", help="Build the site in OUT/site."),
) -> None:
    """Generate synthetic clients across segments (a third assessed twice) and run them."""
    from ccua.portfolio import build_site, connect, run_portfolio

    store = out / "ccua.duckdb"
    runs = run_portfolio(out, clients, notebooks=notebooks, store=store, say=say)
    say(f"{len(runs)} runs recorded in {store}")
    if site:
        with connect(store) as con:
            index = build_site(con, out / "site")
        say(f"site: {index}")


@app.command("benchmark")
def benchmark_cmd(
    client: str = typer.Argument(..., help="The client's name in the portfolio."),
    segment: str | None = typer.Option(None, "--segment", help="Compare within one segment."),
    store: Path | None = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Percentile ranks among the latest run of every client (k ≥ 5; no peer is named)."""
    from ccua.portfolio import benchmark, connect, store_path

    with connect(store_path(store)) as con:
        result = benchmark(con, client, segment)
    if as_json:
        print_json(result)
        return
    total = result["total"]
    say(
        f"{client}: {result['peers']} clients" + (f" in {segment}" if segment else ""),
        f"  total {total['value']}: percentile {total['percentile']}",
        *(
            f"  {r['code']:5} {r['value']:>7} %  percentile {r['percentile']}"
            for r in result["items"]
        ),
        f"  {len(result['indicators'])} indicators ranked (--json lists them)",
    )
