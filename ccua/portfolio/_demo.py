"""A demo portfolio: synthetic clients across segments, a third of them assessed twice.

``ccua portfolio demo`` writes N synthetic clients (the demo generator with other seeds) under
a folder of its own, spreads them over five segments, gives every third client an earlier
engagement a year before (other ratings, the same centre), runs them all (without notebooks
unless asked: a portfolio of 30 is then a minute's work) and records every run in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ccua.demo import demo_files, write_demo

SEGMENTS = ("保险业（寿险）", "银行业", "电信运营", "电子商务", "公用事业")
DEMO_INDUSTRY = "industry: 保险业（寿险）"


def portfolio_clients(count: int) -> list[tuple[str, str, int, bool]]:
    """(client, segment, seed, assessed twice) for ``count`` synthetic clients."""
    return [
        (f"pf-{i + 1:02d}", SEGMENTS[i % len(SEGMENTS)], 1000 + i, i % 3 == 2) for i in range(count)
    ]


def _files(client: str, segment: str, seed: int, year_before: bool) -> dict[str, str]:
    files = demo_files(seed=seed, client=client)
    out: dict[str, str] = {}
    stem = f"{client}-prev" if year_before else client
    for rel, text in files.items():
        text = text.replace(DEMO_INDUSTRY, f"industry: {segment}")
        if year_before:
            # The same centre a year earlier: every date moves back one year.
            text = text.replace("2026-", "2025-").replace("2026年", "2025年")
            text = text.replace(f"engagement: {client} ", f"engagement: {stem} ")
        rel = rel.replace(f"{client}.yaml", f"{stem}.yaml").replace(f"{client}/", f"{stem}/")
        out[rel] = text
    return out


def write_portfolio(params_dir: Path, count: int = 30) -> list[Path]:
    """Write the clients' params files (and engagement folders); return the params files."""
    params: list[Path] = []
    for client, segment, seed, twice in portfolio_clients(count):
        if twice:  # the earlier engagement first, as it happened
            write_demo(params_dir, force=True, files=_files(client, segment, seed + 500, True))
            params.append(params_dir / f"{client}-prev.yaml")
        write_demo(params_dir, force=True, files=_files(client, segment, seed, False))
        params.append(params_dir / f"{client}.yaml")
    return params


def run_portfolio(
    folder: Path,
    count: int = 30,
    *,
    notebooks: bool = False,
    store: Path | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> list[Path]:
    """Write, run and record the demo portfolio under ``folder``; return the run folders."""
    from ccua.runner import run_client

    params = write_portfolio(folder / "params", count)
    runs = []
    for i, p in enumerate(params, start=1):
        say(f"[{i}/{len(params)}] {p.stem}")
        summary = run_client(
            p,
            notebooks=notebooks,
            report=notebooks,
            output=folder / "runs" / p.stem,
            portfolio=store,
        )
        runs.append(Path(summary.output))
    return runs
