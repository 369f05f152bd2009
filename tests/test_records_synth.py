"""Synthetic records: deterministic, plausible, internally consistent, and ingestible."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ccua.cli import main
from ccua.records._synth import (
    FILES,
    INTRADAY,
    SLOTS,
    Plan,
    agent_tables,
    calls_per_day,
    voice_months,
    write_records,
)


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    plan = Plan(calls=3_000, months=2)
    write_records(tmp_path / "a", plan)
    write_records(tmp_path / "b", plan)
    write_records(tmp_path / "c", Plan(calls=3_000, months=2, seed=8))
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["voice_calls.csv"] != digest(tmp_path / "c")["voice_calls.csv"]
    assert sorted(digest(tmp_path / "a")) == sorted([*FILES.values(), "voice.yaml"])


def test_exactly_the_requested_calls_with_weekly_and_intraday_patterns():
    plan = Plan(calls=60_000, months=3)
    per_day = calls_per_day(plan)
    assert per_day.sum() == 60_000
    weekday = np.array([d.weekday() for d in plan.days()])
    assert per_day[weekday == 0].mean() > 1.4 * per_day[weekday == 6].mean()  # Monday, Sunday
    assert INTRADAY.size == SLOTS and abs(INTRADAY.sum() - 1) < 1e-12
    assert INTRADAY.argmax() in (20, 21)  # 10:00-11:00
    months = list(voice_months(plan))
    assert sum(m.arrived_ms.size for m in months) == 60_000
    assert [m.month for m in months] == ["2026-01", "2026-02", "2026-03"]


def test_waits_and_abandons_rise_together_in_congested_intervals():
    # Queueing consistency: an interval whose answered callers waited long (more load than
    # its agents were planned for) is one where more callers gave up.
    months = list(voice_months(Plan(calls=80_000, months=2)))
    arrived = np.concatenate([m.arrived_ms for m in months])
    answered = np.concatenate([m.answered for m in months])
    wait = np.concatenate([m.wait_ms for m in months])
    interval = arrived // 1_800_000
    _ids, index, size = np.unique(interval, return_inverse=True, return_counts=True)
    abandon = np.bincount(index, weights=~answered) / size
    waited = np.bincount(index, weights=np.where(answered, wait, 0)) / np.maximum(
        np.bincount(index, weights=answered), 1
    )
    busy = size >= 30  # enough calls for a rate
    assert np.corrcoef(abandon[busy], waited[busy])[0, 1] > 0.5
    assert 0.01 < (~answered).mean() < 0.2  # a plausible centre
    assert (wait >= 0).all()


def test_agent_states_add_up_to_the_calls_they_handled():
    plan = Plan(calls=20_000, months=1)
    [mc] = list(voice_months(plan))
    states, schedule = agent_tables(plan, mc)
    kinds = states["state"].to_numpy(zero_copy_only=False)
    length = states["ended_at"].to_numpy().astype("int64") - states["started_at"].to_numpy().astype(
        "int64"
    )
    talk_in_states = length[np.isin(kinds, ["talking", "hold"])].sum()
    talk_in_calls = (mc.talk_ms + mc.hold_ms)[mc.answered].sum()
    assert talk_in_states == talk_in_calls
    assert length[kinds == "wrap"].sum() == mc.wrap_ms[mc.answered].sum()
    assert (length > 0).all()
    assert schedule.num_rows == mc.scheduled_per_day.sum()
    absent = sum(len(a) for a in mc.absent)
    assert 0 < absent < 0.1 * schedule.num_rows
    assert date.fromisoformat(str(schedule["shift_start"][0])[:10]).month == 1


@pytest.mark.parametrize("canonical", [False, True])
def test_demo_data_command(tmp_path, capsys, canonical):
    args = ["demo-data", "--records", "2000", "--months", "2", "--out", str(tmp_path / "dd")]
    try:
        main(args + (["--canonical"] if canonical else []))
    except SystemExit as exc:
        assert exc.code in (0, None)
    out = capsys.readouterr().out
    assert (tmp_path / "dd" / "voice_calls.csv").exists()
    head = (tmp_path / "dd" / "voice_calls.csv").read_bytes()[:200]
    if canonical:
        assert head.startswith(b'\xef\xbb\xbf"call_id"') and "next: ccua ingest CLIENT" in out
    else:
        assert head.decode("gb18030").startswith('"通话流水号"')
        assert "--mapping" in out
