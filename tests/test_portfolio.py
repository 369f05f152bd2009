"""The portfolio store, benchmarks against peers, re-assessment changes and the site."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ccua.errors import CcuaError
from ccua.portfolio import (
    MIGRATIONS,
    build_site,
    connect,
    percentile_rank,
    record_of,
    schema_version,
)
from ccua.portfolio._store import insert, read_run_file
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]


def test_percentile_rank_by_hand():
    # 100 × (B + 0.5·E) / N; the client's own value counts in E.
    assert percentile_rank(75, [70, 75, 75, 80, 90]) == 100 * (1 + 0.5 * 2) / 5  # 40
    assert percentile_rank(90, [70, 75, 75, 80, 90]) == 100 * (4 + 0.5) / 5  # 90
    assert percentile_rank(70, [70, 70, 70, 70, 70]) == 50
    # Lower is better (放弃率): a higher value counts as lower.
    assert percentile_rank(3.0, [3.0, 4.0, 5.0, 2.0, 6.0], lower_is_better=True) == (
        100 * (3 + 0.5) / 5
    )  # 70


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory):
    """The demo's results (computed once, without notebooks)."""
    from ccua.inputs import load_engagement
    from ccua.results import build_results

    result = build_results(load_engagement(ROOT / "params" / "demo.yaml"))
    return result.results


def _peer(results, client: str, total: str, segment: str, do69: float, sp1: str):
    """The demo's record with another client name, total, DO6.9 value and SP1 percent."""
    rec = record_of(results, f"{client:0<64}"[:64].encode().hex()[:64], "")
    items = tuple((c, g, p, Decimal(sp1) if c == "SP1" else pc, s) for c, g, p, pc, s in rec.items)
    indicators = tuple(
        (c, u, d, do69 if c == "DO6.9" else v, e, m) for c, u, d, v, e, m in rec.indicators
    )
    return replace(
        rec,
        run_id=client,
        client=client,
        total=Decimal(total),
        segment=segment,
        items=items,
        indicators=indicators,
    )


@pytest.fixture()
def store(tmp_path, demo_results):
    path = tmp_path / "ccua.duckdb"
    peers = [
        ("a", "70.00", "银行业", 5.0, "80"),
        ("b", "75.00", "银行业", 4.0, "85"),
        ("c", "75.00", "银行业", 3.0, "85"),
        ("d", "80.00", "银行业", 6.0, "90"),
        ("e", "90.00", "保险业", 2.0, "95"),
    ]
    with connect(path, write=True) as con:
        for p in peers:
            insert(con, _peer(demo_results, *p))
    return path


def test_benchmark_matches_the_definition(store, capsys):
    code, out, err = run(capsys, "benchmark", "c", "--portfolio", str(store), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["peers"] == 5
    assert got["total"] == {"value": "75.00", "percentile": 40.0}
    sp1 = next(i for i in got["items"] if i["code"] == "SP1")
    assert sp1["percentile"] == percentile_rank(85, [80, 85, 85, 90, 95])  # 50
    do69 = next(i for i in got["indicators"] if i["code"] == "DO6.9")
    assert do69["direction"] == "lower"
    assert do69["percentile"] == percentile_rank(3.0, [5, 4, 3, 6, 2], lower_is_better=True)
    # No other client's name or value leaves the store: every value is the client's own.
    for name in ('"a"', '"b"', '"d"', '"e"'):
        assert name not in out
    with connect(store) as con:
        own = dict(
            con.execute(
                "SELECT code, CAST(percent AS VARCHAR) FROM run_items WHERE run_id = 'c'"
            ).fetchall()
        )
        own_ind = dict(
            con.execute("SELECT code, value FROM run_indicators WHERE run_id = 'c'").fetchall()
        )
    assert all(own[i["code"]] == i["value"] for i in got["items"])
    assert all(own_ind[i["code"]] == i["value"] for i in got["indicators"])
    assert set(got) == {"peers", "segment", "framework", "client", "total", "items", "indicators"}


def test_benchmark_refuses_small_groups(store, capsys):
    code, _, err = run(capsys, "benchmark", "c", "--segment", "银行业", "--portfolio", str(store))
    assert code == 1 and "4 clients" in err and "k-anonymity" in err
    code, _, err = run(capsys, "benchmark", "nobody", "--portfolio", str(store))
    assert code == 1 and "no run of client" in err


def test_store_is_versioned_and_append_only(tmp_path, demo_results):
    path = tmp_path / "s.duckdb"
    rec = record_of(demo_results, "f" * 64, "x")
    with connect(path, write=True) as con:
        assert schema_version(con) == len(MIGRATIONS)
        assert insert(con, rec) and not insert(con, rec)  # the same run once
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(CcuaError, match="schema version 99"), connect(path):
        pass


def _record(args):
    path, i = args
    from ccua.inputs import load_engagement
    from ccua.portfolio._store import connect as c
    from ccua.results import build_results

    results = build_results(load_engagement(ROOT / "params" / "demo.yaml")).results
    rec = replace(record_of(results, f"{i:064x}", ""), run_id=f"w{i}", client=f"w{i}")
    with c(Path(path), write=True) as con:
        return insert(con, rec)


def test_concurrent_writers_all_land(tmp_path):
    path = tmp_path / "c.duckdb"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        assert all(pool.map(_record, [(str(path), i) for i in range(6)]))
    with connect(path) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 6


def test_demo_portfolio_reassessment_and_site(tmp_path, capsys):
    code, out, err = run(
        capsys, "portfolio", "demo", "--out", str(tmp_path / "pf"), "--clients", "5"
    )
    assert code == 0, err
    store = tmp_path / "pf" / "ccua.duckdb"
    with connect(store) as con:
        rows = con.execute(
            "SELECT client, period_end FROM runs ORDER BY client, period_end"
        ).fetchall()
    assert len(rows) == 6 and ("pf-03", "2025-06") in rows and ("pf-03", "2026-06") in rows
    # The re-assessed client's run knows its previous engagement and what changed.
    compared = json.loads((tmp_path / "pf" / "runs" / "pf-03" / "portfolio.json").read_text())
    assert compared["previous"]["period_end"] == "2025-06"
    results = json.loads((tmp_path / "pf" / "runs" / "pf-03" / "results.json").read_text())
    before = Decimal(compared["previous"]["total"])
    assert Decimal(compared["previous"]["total_change"]) == (
        Decimal(str(results["assessment"]["total"])) - before
    )
    sp1 = next(i for i in compared["items"] if i["code"] == "SP1")
    assert Decimal(sp1["change"]) == Decimal(sp1["after"]) - Decimal(sp1["before"])
    assert not (
        tmp_path / "pf" / "runs" / "pf-01" / "portfolio.json"
    ).exists() or "previous" not in json.loads(
        (tmp_path / "pf" / "runs" / "pf-01" / "portfolio.json").read_text()
    )
    # Re-importing the same runs adds nothing.
    code, out, _ = run(
        capsys,
        "portfolio",
        "import",
        str(tmp_path / "pf" / "runs" / "*"),
        "--portfolio",
        str(store),
        "--json",
    )
    assert json.loads(out) == {"store": str(store), "added": 0, "already": 6}
    index = (tmp_path / "pf" / "site" / "index.html").read_text(encoding="utf-8")
    for client in ("pf-01", "pf-02", "pf-03", "pf-04", "pf-05"):
        assert f"<td>{client}</td>" in index
    assert index.count("class='spark'") == 5
    with connect(store) as con:
        english = build_site(con, tmp_path / "site-en", lang="en").read_text(encoding="utf-8")
    assert "Assessment portfolio" in english and "测评组合" not in english


def test_results_file_reading_names_a_bad_file(tmp_path):
    bad = tmp_path / "results.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CcuaError, match="results.json"):
        read_run_file(tmp_path)
