"""Erlang C and Erlang A (ccua/staffing.py) against a reference library, the textbook example,
limits, and a simulation; the monthly staffing check on the demo client."""

from __future__ import annotations

import heapq
import json
import math
import random
from pathlib import Path

import pytest
import yaml

from ccua.staffing import (
    StaffingError,
    agents_for_service_level,
    erlang_a,
    erlang_c,
    staffing_for_engagement,
)
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]

# (calls per interval, AHT s, interval s, answer within s, agents)
GRID = [
    (100, 180, 1800, 20, 11),
    (100, 180, 1800, 20, 14),
    (100, 180, 1800, 20, 15),
    (360, 240, 1800, 20, 52),
    (50, 300, 900, 30, 19),
    (1200, 320, 1800, 20, 230),
    (5344.6, 321.2, 1800, 20, 960),
    (12, 600, 3600, 60, 3),
]


@pytest.mark.parametrize(("calls", "aht", "interval", "within", "agents"), GRID)
def test_erlang_c_matches_pyworkforce_to_four_decimals(calls, aht, interval, within, agents):
    """pyworkforce (PyPI, MIT) ErlangC: times in minutes, ``asa`` is the answer-within time."""
    pytest.importorskip("pyworkforce")
    from pyworkforce.queuing import ErlangC

    ref = ErlangC(transactions=calls, aht=aht / 60, asa=within / 60, interval=interval / 60)
    ours = erlang_c(calls, aht, interval, within, agents)
    assert round(ours.service_level, 4) == round(ref.service_level(agents), 4)
    assert round(ours.wait_probability, 4) == round(ref.waiting_probability(agents), 4)
    assert round(ours.occupancy, 4) == round(ref.achieved_occupancy(agents), 4)
    target = 0.8
    assert (
        agents_for_service_level(calls, aht, interval, within, target)
        == ref.required_positions(target)["raw_positions"]
    )


def test_erlang_c_textbook_example():
    """100 calls in 30 min, AHT 3 min, 80/20: 14 agents, SL 88.8 %, P(wait) 17.4 %, occ. 71.4 %
    (the example of pyworkforce's documentation and of most Erlang C tutorials)."""
    figures = erlang_c(100, 180, 1800, 20, 14)
    assert (round(figures.service_level, 3), round(figures.wait_probability, 3)) == (0.888, 0.174)
    assert round(figures.occupancy, 3) == 0.714
    # ASA = P(wait)·AHT/(N − A): by hand 0.17412·180/4
    assert figures.asa == pytest.approx(figures.wait_probability * 180 / 4)
    assert agents_for_service_level(100, 180, 1800, 20, 0.8) == 14


def test_erlang_c_unstable_queue_and_bad_input():
    figures = erlang_c(100, 180, 1800, 20, 10)  # A = 10 Erlangs = N
    assert figures.service_level == 0 and figures.wait_probability == 1 and figures.asa is None
    with pytest.raises(StaffingError, match="aht"):
        erlang_c(100, -1, 1800, 20, 10)
    with pytest.raises(StaffingError, match="agents"):
        erlang_c(100, 180, 1800, 20, 0)


def test_erlang_a_tends_to_erlang_c_with_infinite_patience():
    c = erlang_c(100, 180, 1800, 20, 12)
    a = erlang_a(100, 180, 1800, 20, 12, patience=1e9)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-5)
    assert a.asa == pytest.approx(c.asa, rel=1e-4)
    assert a.abandon_probability < 1e-5


def _simulate(calls, aht, interval, within, agents, patience, n=60_000, seed=7):
    """M/M/N+M by discrete events (FCFS; abandonment at the end of an exponential patience)."""
    rnd = random.Random(seed)
    lam, mu, theta = calls / interval, 1 / aht, 1 / patience
    free_at = [0.0] * agents  # a heap of times at which agents become free
    heapq.heapify(free_at)
    t = 0.0
    queue_free: list[float] = []
    answered_within = abandoned = 0
    # FCFS with abandonment: a caller is served at the earliest free time of an agent, unless
    # his patience runs out first; callers who abandon do not occupy an agent.
    for _ in range(n):
        t += rnd.expovariate(lam)
        earliest = heapq.heappop(free_at)
        start = max(t, earliest)
        if start - t > rnd.expovariate(theta):
            abandoned += 1
            heapq.heappush(free_at, earliest)
            continue
        if start - t <= within:
            answered_within += 1
        heapq.heappush(free_at, start + rnd.expovariate(mu))
    del queue_free
    return answered_within / n, abandoned / n


def test_erlang_a_agrees_with_a_simulation():
    sl, ab = _simulate(100, 180, 1800, 20, 10, patience=120)
    figures = erlang_a(100, 180, 1800, 20, 10, patience=120)
    assert figures.service_level == pytest.approx(sl, abs=0.02)
    assert figures.abandon_probability == pytest.approx(ab, abs=0.01)
    assert math.isclose(
        figures.occupancy, 10 * (1 - figures.abandon_probability) / 10, rel_tol=1e-9
    )


def test_staffing_cli_json(capsys):
    code, out, _ = run(
        capsys,
        "staffing",
        "erlang-c",
        "--calls",
        "100",
        "--aht",
        "180",
        "--interval",
        "1800",
        "--answer-within",
        "20",
        "--agents",
        "14",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "service_level": 0.8884,
        "wait_probability": 0.1741,
        "asa": 7.8359,
        "occupancy": 0.7143,
    }
    code, out, _ = run(
        capsys,
        "staffing",
        "erlang-c",
        "--calls",
        "100",
        "--aht",
        "180",
        "--target-sl",
        "0.8",
        "--json",
    )
    assert json.loads(out) == {"agents": 14}
    code, _, err = run(capsys, "staffing", "erlang-c", "--calls", "100", "--aht", "180")
    assert code == 1 and "--agents" in err


def test_monthly_check_of_the_demo(tmp_path):
    from ccua.inputs import load_engagement

    params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    params["engagement"] = str(ROOT / "params" / "demo")
    params["staffing"] = {"open_hours_per_day": 12, "tolerance_points": 5}
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    rows = staffing_for_engagement(load_engagement(path))
    assert rows is not None and [r.month for r in rows] == [f"2026-0{m}" for m in range(1, 7)]
    jan = rows[0]
    # By hand from params/demo/monthly.csv, January: offered 3,976,362 voice calls over
    # 31 days × 12 h; agents = ceil((ready + ring + talk + ACW) / open seconds).
    sheet = {}
    for line in (
        (ROOT / "params" / "demo" / "monthly.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    ):
        cells = line.split(",")
        sheet[cells[1]] = float(cells[4])
    open_s = sheet["working_days"] * 12 * 3600
    busy = sheet["agent_ring_time"] + sheet["agent_talk_time"] + sheet["agent_after_call_work_time"]
    assert jan.agents == math.ceil((busy + sheet["agent_ready_time"]) / open_s)
    assert jan.calls_per_interval == pytest.approx(sheet["voice_agent_offered"] / (open_s / 1800))
    assert jan.aht == pytest.approx(busy / sheet["voice_agent_answered_total"])
    assert jan.reported_service_level == pytest.approx(
        sheet["voice_agent_answered_within_20s"] / sheet["voice_agent_offered"]
    )
    assert not jan.flagged  # the reported level is below what the staff could deliver
    # A centre claiming 99 % with a third of those agents is flagged.
    from ccua.spec import FRAMEWORKS_DIR
    from ccua.staffing import StaffingSettings, load_staffing_measures, staffing_row

    m = load_staffing_measures(FRAMEWORKS_DIR / "t-ccua")
    thin = dict(sheet)
    thin["agent_ready_time"] = 0.0
    thin["voice_agent_answered_within_20s"] = 0.99 * sheet["voice_agent_offered"]
    for key in ("agent_ring_time", "agent_talk_time", "agent_after_call_work_time"):
        thin[key] = sheet[key] * 0.9
    row = staffing_row("2026-01", thin, m, StaffingSettings(open_hours_per_day=12))
    assert row is not None and row.flagged and row.agents_needed > row.agents


def test_staffing_measures_file_is_checked_with_lines(tmp_path):
    from ccua.errors import ValidationFailed
    from ccua.spec import FRAMEWORKS_DIR
    from ccua.staffing import load_staffing_measures

    text = (FRAMEWORKS_DIR / "t-ccua" / "staffing.yaml").read_text(encoding="utf-8")
    (tmp_path / "staffing.yaml").write_text(
        text.replace("abandoned: ", "abandonned: "), encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as info:
        load_staffing_measures(tmp_path)
    found = {(p.field, p.message.split(";")[0]) for p in info.value.problems}
    assert found == {("abandoned", "required field is missing"), ("abandonned", "unknown key")}
    row = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("abandoned:"))
    assert {p.row for p in info.value.problems if p.field == "abandonned"} == {row}
