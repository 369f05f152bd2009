"""Synthetic operating records: a plausible contact centre, from a fixed seed, fast.

Everything is vectorised with numpy and written with pyarrow, month by month, so that tens of
millions of records generate in bounded memory (the benchmark needs 50 M). The model:

- **arrivals**: calls per day follow a weekly pattern (Monday busiest, Sunday quietest) and a
  monthly one (January peak, February's Spring Festival dip); within a day, a half-hourly
  profile with a morning and an afternoon peak and an evening tail;
- **staffing and waits**: each half hour is staffed from a forecast that is off by a few
  percent on some days; the chance of waiting and the mean wait come from Erlang C for the
  half hour's actual load, so waits and abandons rise together in busy intervals; each caller
  has an exponential patience and abandons when the wait exceeds it;
- **handling**: talk time log-normal, holds on a quarter of calls, after-call work gamma;
- **customers**: a share of each day's callers call again the same day (first-contact
  resolution, DO2.2);
- **agents**: the day's answered calls are shared among the agents present; each agent's day
  becomes state intervals (ready, ringing, talking, hold, wrap, not ready, break) whose totals
  are exactly that workload; the schedule has a few absent agents, who have no states.

Identifiers and names are invented (numbers outside any real numbering plan).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MS = 1000
DAY_MS = 86_400_000
SLOT_MS = 1_800_000  # half an hour
SLOTS = 48
WEEKDAY = np.array([1.12, 1.05, 1.0, 1.0, 0.97, 0.72, 0.62])  # Monday .. Sunday
SEASON = dict(enumerate((1.06, 0.93, 1.0, 0.98, 1.02, 1.04, 1.05, 1.03, 1.0, 0.95, 1.02, 1.08), 1))
MEAN_TALK_S = 240.0
PATIENCE_S = 300.0  # mean patience of a waiting caller
OCCUPANCY = 0.85  # agents present for the day's workload
SERVICE_TARGET = 0.70  # the half-hourly plan: 80 % within 20 s
SHIFT_MS = 8 * 3_600_000 + 1_800_000  # 8 h of work and a 30-minute break
NOT_READY_MS = 45 * 60_000
ABSENCE = 0.04
QUEUES = ("保全咨询", "理赔服务", "续期缴费", "投诉建议")
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明")


def _intraday() -> np.ndarray:
    hours = (np.arange(SLOTS) + 0.5) / 2
    shape = (
        np.exp(-(((hours - 10.5) / 1.6) ** 2))
        + 0.85 * np.exp(-(((hours - 15.0) / 1.8) ** 2))
        + 0.35 * np.exp(-(((hours - 20.0) / 1.5) ** 2))
    )
    open_hours = (hours >= 8) & (hours < 22)
    profile = np.where(open_hours, 0.06 + shape, 0.01)
    return profile / profile.sum()


INTRADAY = _intraday()


@dataclass(frozen=True)
class Plan:
    """What to generate: ``calls`` voice records over ``months`` months from ``start``."""

    calls: int
    start: str = "2026-01"
    months: int = 6
    seed: int = 7

    def month_list(self) -> list[str]:
        y, m = map(int, self.start.split("-"))
        out = []
        for _ in range(self.months):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def days(self) -> list[date]:
        out = []
        for month in self.month_list():
            y, m = map(int, month.split("-"))
            out += [date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        return out


def _rng(plan: Plan, *keys: int) -> np.random.Generator:
    return np.random.default_rng([plan.seed, *keys])


def calls_per_day(plan: Plan) -> np.ndarray:
    days = plan.days()
    weight = np.array([WEEKDAY[d.weekday()] * SEASON[d.month] for d in days])
    return _rng(plan, 0).multinomial(plan.calls, weight / weight.sum())


def _erlang_c(load: np.ndarray, staff: np.ndarray) -> np.ndarray:
    """Erlang C probability of waiting per interval (vectorised Erlang B recursion)."""
    b = np.ones_like(load)
    for k in range(1, int(staff.max()) + 1):
        b = np.where(staff >= k, load * b / (k + load * b), b)
    c = staff * b / np.maximum(staff - load * (1 - b), 1e-12)
    return np.where(staff > load, np.clip(c, 0, 1), 1.0)


def _staff_for(forecast: np.ndarray, aht_s: float, target: float, within_s: float) -> np.ndarray:
    """The fewest agents whose Erlang C service level for the forecast reaches the target."""
    staff = np.zeros_like(forecast)
    b = np.ones_like(forecast)
    k = 0
    while (staff == 0).any():
        k += 1
        b = forecast * b / (k + forecast * b)
        c = np.where(k > forecast, k * b / np.maximum(k - forecast * (1 - b), 1e-12), 1.0)
        level = 1 - np.clip(c, 0, 1) * np.exp(-(k - forecast) * within_s / aht_s)
        staff[(staff == 0) & (k > forecast) & (level >= target)] = k
    return staff


def _waiting(
    load: np.ndarray, staff: np.ndarray, aht_s: float, patience_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Chance of waiting and mean wait when callers abandon (a damped Erlang A stand-in).

    Erlang C alone lets waits explode when an interval is busier than planned; callers who
    abandon take their load with them. The carried load is found by a damped fixed point:
    load × (1 − abandon share at that load).
    """
    carried = load.copy()
    for _ in range(12):
        p_wait = _erlang_c(carried, staff)
        mean_wait = np.minimum(aht_s / np.maximum(staff - carried, 0.5), 900.0)
        abandon = p_wait * mean_wait / (mean_wait + patience_s)
        carried = 0.5 * carried + 0.5 * load * (1 - abandon)
    return p_wait, mean_wait


@dataclass
class MonthCalls:
    month: str
    arrived_ms: np.ndarray  # local wall-clock ms since 1970-01-01
    answered: np.ndarray  # bool
    wait_ms: np.ndarray  # to answer (incl. ring) or to abandon
    ring_ms: np.ndarray
    talk_ms: np.ndarray
    hold_ms: np.ndarray
    wrap_ms: np.ndarray
    transferred: np.ndarray
    resolved: np.ndarray
    customer: np.ndarray  # int64 customer numbers
    queue: np.ndarray  # index into QUEUES
    agent: np.ndarray  # int64 agent numbers, -1 when abandoned
    day_index: np.ndarray  # day of the month, 0-based
    first_id: int
    agents_per_day: np.ndarray
    scheduled_per_day: np.ndarray
    absent: list[np.ndarray]  # per day: agent numbers scheduled but absent


def voice_months(plan: Plan) -> Iterator[MonthCalls]:
    """Generate the voice calls month by month (bounded memory)."""
    per_day = calls_per_day(plan)
    days = plan.days()
    forecast_error = _rng(plan, 1).normal(0, 0.07, len(days))
    first_id = 0
    offset = 0
    for mi, month in enumerate(plan.month_list()):
        rng = _rng(plan, 100 + mi)
        y, m = map(int, month.split("-"))
        ndays = calendar.monthrange(y, m)[1]
        counts = per_day[offset : offset + ndays]
        errors = forecast_error[offset : offset + ndays]
        offset += ndays
        n = int(counts.sum())
        day_index = np.repeat(np.arange(ndays), counts)
        slot = rng.choice(SLOTS, size=n, p=INTRADAY)
        month_ms = _epoch_ms(y, m, 1)
        arrived = (
            month_ms
            + day_index.astype(np.int64) * DAY_MS
            + slot.astype(np.int64) * SLOT_MS
            + rng.integers(0, SLOT_MS, n)
        )
        # Load per (day, slot): actual counts against a plan made from a forecast.
        key = day_index * SLOTS + slot
        actual = np.bincount(key, minlength=ndays * SLOTS).astype(float)
        expected = (counts[:, None] * INTRADAY[None, :] * (1 + errors[:, None])).ravel()
        aht = MEAN_TALK_S * 1.05 + 50.0
        load = actual * aht / 1800
        staff = _staff_for(expected * aht / 1800, aht, SERVICE_TARGET, 20.0)
        p_wait, mean_wait = _waiting(load, staff, aht, PATIENCE_S)
        waits = np.where(
            rng.random(n) < p_wait[key], rng.exponential(1.0, n) * mean_wait[key] * MS, 0.0
        )
        patience = rng.exponential(PATIENCE_S * MS, n)
        answered = waits <= patience
        ring = np.where(answered, rng.integers(2 * MS, 7 * MS, n), 0)
        wait_ms = np.where(answered, waits + ring, patience).astype(np.int64)
        talk = np.where(answered, rng.lognormal(math.log(200), 0.6, n) * MS, 0)
        talk = np.maximum(talk, 5 * MS).astype(np.int64) * answered
        hold = np.where(answered & (rng.random(n) < 0.25), rng.exponential(45 * MS, n), 0)
        wrap = np.where(answered, rng.gamma(2.0, 25 * MS, n), 0)
        transferred = answered & (rng.random(n) < 0.07)
        resolved = answered & (rng.random(n) < np.where(transferred, 0.5, 0.82))
        customer = _customers(rng, counts, max(1_000, plan.calls // 3))
        queue = rng.choice(len(QUEUES), size=n, p=[0.45, 0.25, 0.2, 0.1])
        work = (ring + talk + hold + wrap).astype(np.int64)
        agent, present, scheduled, absent = _agents(rng, counts, day_index, work, answered)
        order = np.argsort(arrived, kind="stable")
        yield MonthCalls(
            month,
            arrived[order],
            answered[order],
            wait_ms[order],
            ring[order].astype(np.int64),
            talk[order],
            hold[order].astype(np.int64),
            wrap[order].astype(np.int64),
            transferred[order],
            resolved[order],
            customer[order],
            queue[order],
            agent[order],
            day_index[order],
            first_id,
            present,
            scheduled,
            absent,
        )
        first_id += n


def _customers(rng: np.random.Generator, counts: np.ndarray, pool: int) -> np.ndarray:
    """Customer numbers: within a day, 23 % of calls repeat the previous caller (in random
    order)."""
    n = int(counts.sum())
    new_customer = rng.random(n) >= 0.23
    new_customer[np.r_[0, np.cumsum(counts)[:-1]][counts > 0]] = True
    group = np.cumsum(new_customer) - 1
    return rng.integers(0, pool, int(group[-1]) + 1)[group] if n else np.zeros(0, np.int64)


def _agents(
    rng: np.random.Generator,
    counts: np.ndarray,
    day_index: np.ndarray,
    work: np.ndarray,
    answered: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The agent of each call (-1: abandoned) and, per day, the agents present, scheduled and
    absent: the day's workload decides how many are present; calls are shared out."""
    ndays = counts.size
    daily_work = np.bincount(day_index, weights=work, minlength=ndays)
    present = np.maximum(
        1, np.ceil(daily_work / ((8 * 3_600_000 - NOT_READY_MS) * OCCUPANCY))
    ).astype(np.int64)
    # Agents absent on the day (sick, personal leave) beyond those needed: 4 % expected.
    scheduled = present + rng.binomial(present, ABSENCE / (1 - ABSENCE))
    absent = [
        np.sort(rng.choice(scheduled[d], scheduled[d] - present[d], replace=False))
        for d in range(ndays)
    ]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    agent = np.full(work.size, -1, np.int64)
    for d in range(ndays):
        lo, hi = starts[d], starts[d] + counts[d]
        mask = answered[lo:hi]
        roster = np.setdiff1d(np.arange(scheduled[d]), absent[d])
        agent[lo:hi][mask] = roster[rng.integers(0, roster.size, int(mask.sum()))]
    return agent, present, scheduled, absent


def _epoch_ms(y: int, m: int, d: int) -> int:
    return (date(y, m, d) - date(1970, 1, 1)).days * DAY_MS


def _ts(ms: np.ndarray) -> pa.Array:
    return pa.array(ms.astype("datetime64[ms]"))


def _ts_or_null(ms: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(ms.astype("datetime64[ms]"), mask=~valid)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _seconds(ms: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Milliseconds as DECIMAL(18,3) seconds: the ms are the decimal's unscaled value."""
    ms = np.ascontiguousarray(ms, dtype=np.int64)
    words = np.empty((ms.size, 2), np.int64)
    words[:, 0] = ms
    words[:, 1] = np.where(ms < 0, -1, 0)
    mask = None
    if valid is not None:
        mask = pa.array(np.asarray(valid, bool)).buffers()[1]
    nulls = 0 if valid is None else int(ms.size - np.count_nonzero(valid))
    return pa.Array.from_buffers(
        pa.decimal128(18, 3),
        ms.size,
        [mask if nulls else None, pa.py_buffer(words.tobytes())],
        null_count=nulls,
    )


def _agent_ids(agent: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pc.if_else(
        pa.array(valid), _ids("A", np.maximum(agent, 0), 5), pa.scalar(None, pa.string())
    )


def _pick(labels: Sequence[str], index: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32)), pa.array(list(labels))
    ).cast(pa.string())


def voice_table(mc: MonthCalls) -> pa.Table:
    """Canonical voice records (column names and types of the voice schema)."""
    n = mc.arrived_ms.size
    answered_ms = mc.arrived_ms + mc.wait_ms
    ended = np.where(mc.answered, answered_ms + mc.talk_ms + mc.hold_ms, answered_ms)
    return pa.table(
        {
            "call_id": _ids("V", np.arange(mc.first_id, mc.first_id + n), 12),
            "channel": pa.array(np.full(n, "voice")),
            "queue": _pick(QUEUES, mc.queue),
            "arrived_at": _ts(mc.arrived_ms),
            "answered_at": _ts_or_null(answered_ms, mc.answered),
            "ended_at": _ts(ended),
            "agent_id": _agent_ids(mc.agent, mc.answered),
            "ring_s": _seconds(mc.ring_ms, mc.answered),
            "talk_s": _seconds(mc.talk_ms, mc.answered),
            "hold_s": _seconds(mc.hold_ms, mc.answered),
            "wrap_s": _seconds(mc.wrap_ms, mc.answered),
            "transferred": pa.array(mc.transferred),
            "resolved_first_contact": pa.array(mc.resolved, mask=~mc.answered),
            "customer_id": _ids("C", mc.customer, 9),
        }
    )


# --- the messy export: what a centre's ACD system actually hands over ----------------------

VOICE_EXPORT_HEADERS = {
    "call_id": "通话流水号",
    "channel": "渠道",
    "queue": "技能组",
    "arrived_at": "进入队列时间",
    "answered_at": "接通时间",
    "ended_at": "挂机时间",
    "agent_id": "坐席工号",
    "ring_s": "振铃时长(秒)",
    "talk_s": "通话时长",
    "hold_s": "保持时长(秒)",
    "wrap_s": "话后处理时长(秒)",
    "transferred": "是否转接",
    "resolved_first_contact": "首次解决",
    "customer_id": "客户编号",
    "caller_number": "来电号码",
    "customer_name": "客户姓名",
}

VOICE_MAPPING = """\
# Mapping of the demo centre's ACD export (通话记录) onto canonical voice records.
# ccua ingest CLIENT voice_calls.csv --mapping mapping/voice.yaml   (see docs/records.md)
kind: voice
files: ["voice_calls*.csv"]
timezone: Asia/Shanghai            # the export's times are Beijing time
datetime_formats: ["%Y/%m/%d %H:%M:%S"]
columns:                           # canonical column: the export's header
{columns}
values:
  channel: {{电话: voice}}
  transferred: {{是: true, 否: false}}
  resolved_first_contact: {{是: true, 否: false, 未知: ""}}
# 备注 (free-text notes) is not mapped: unmapped columns are never stored.
"""


def voice_mapping_yaml() -> str:
    cols = "\n".join(f"  {k}: {v}" for k, v in VOICE_EXPORT_HEADERS.items())
    return VOICE_MAPPING.format(columns=cols)


def _hms(ms: np.ndarray) -> pa.Array:
    s = (ms // 1000).astype(np.int64)
    parts = [
        pc.cast(pa.array(s // 3600), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array((s // 60) % 60), pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(pa.array(s % 60), pa.string()), 2, "0"),
    ]
    return pc.binary_join_element_wise(*parts, ":")


def _names(rng: np.random.Generator, customer: np.ndarray) -> pa.Array:
    surname = _pick(SURNAMES, customer % len(SURNAMES))
    given = _pick(GIVEN, (customer // len(SURNAMES)) % len(GIVEN))
    return pc.binary_join_element_wise(surname, pa.scalar("*"), given, "")


def voice_export_table(mc: MonthCalls, rng: np.random.Generator) -> pa.Table:
    """The same calls as the demo centre's export: Chinese headers, 是/否, H:MM:SS, slashes."""
    canon = voice_table(mc)
    fmt = "%Y/%m/%d %H:%M:%S"  # whole seconds, as ACD exports print them

    def when(column: str) -> pa.Array:
        return pc.strftime(
            pc.floor_temporal(canon[column], unit="second").cast(pa.timestamp("s")), format=fmt
        )

    yes_no = pa.array(["否", "是"])
    answered = pa.array(mc.answered)

    def flag(values: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int32)), yes_no).cast(
            pa.string()
        )

    resolved = pc.if_else(answered, flag(mc.resolved), pa.scalar("未知"))
    n = mc.arrived_ms.size
    return pa.table(
        {
            "通话流水号": canon["call_id"],
            "渠道": pa.array(np.full(n, "电话")),
            "技能组": canon["queue"],
            "进入队列时间": when("arrived_at"),
            "接通时间": when("answered_at"),
            "挂机时间": when("ended_at"),
            "坐席工号": canon["agent_id"],
            "振铃时长(秒)": pc.if_else(
                answered,
                pc.cast(pa.array(mc.ring_ms // 1000), pa.string()),
                pa.scalar(None, pa.string()),
            ),
            "通话时长": pc.if_else(answered, _hms(mc.talk_ms), pa.scalar("0:00:00")),
            "保持时长(秒)": pc.cast(pa.array(mc.hold_ms // 1000), pa.string()),
            "话后处理时长(秒)": pc.cast(pa.array(mc.wrap_ms // 1000), pa.string()),
            "是否转接": flag(mc.transferred),
            "首次解决": resolved,
            "客户编号": canon["customer_id"],
            "来电号码": _ids("100", mc.customer, 8),
            "客户姓名": _names(rng, mc.customer),
            "备注": pa.array(np.where(rng.random(n) < 0.01, "客户要求回电", "")),
        }
    )


# --- the other kinds, consistent with the calls ----------------------------------------------


def digital_table(plan: Plan, mc: MonthCalls, mi: int) -> pa.Table:
    rng = _rng(plan, 200 + mi)
    n = round(mc.arrived_ms.size * 0.3)
    pick = rng.integers(0, max(mc.arrived_ms.size, 1), n)
    arrived = (
        np.sort(mc.arrived_ms[pick] + rng.integers(-600_000, 600_000, n))
        if n
        else np.zeros(0, np.int64)
    )
    year, month = (int(part) for part in mc.month.split("-"))
    month_start = _epoch_ms(year, month, 1)
    arrived = np.clip(arrived, month_start, None)
    channel = rng.choice(4, size=n, p=[0.5, 0.3, 0.12, 0.08])  # chat messaging email video
    delay = (
        np.where(
            channel == 2,
            rng.lognormal(math.log(3 * 3600), 0.7, n),
            rng.lognormal(np.log(np.where(channel == 3, 8.0, 9.0)), 0.9, n),
        )
        * MS
    )
    responded = rng.random(n) >= np.where(channel == 3, 0.04, np.where(channel == 2, 0.005, 0.025))
    first = arrived + delay.astype(np.int64)
    handle = (rng.lognormal(math.log(420), 0.6, n) * MS).astype(np.int64)
    ended = np.where(responded, first + handle, arrived + 60_000)
    resolved = responded & (rng.random(n) < 0.8)
    customer = rng.integers(0, max(1_000, plan.calls // 3), n)
    return pa.table(
        {
            "contact_id": _ids("D", np.arange(n) + mi * 10**9, 12),
            "channel": _pick(("chat", "messaging", "email", "video"), channel),
            "queue": _pick(QUEUES, rng.choice(len(QUEUES), size=n)),
            "arrived_at": _ts(arrived),
            "first_response_at": _ts_or_null(first, responded),
            "ended_at": _ts(ended),
            "agent_id": _agent_ids(rng.integers(0, 50, n), responded),
            "handle_s": _seconds(handle, responded),
            "transferred": pa.array(responded & (rng.random(n) < 0.05)),
            "resolved_first_contact": pa.array(resolved, mask=~responded),
            "customer_id": _ids("C", customer, 9),
        }
    )


def bot_table(plan: Plan, mc: MonthCalls, mi: int) -> pa.Table:
    rng = _rng(plan, 300 + mi)
    calls = mc.arrived_ms.size
    counts = (round(calls / 0.62), round(calls * 0.5), round(calls * 0.01))
    channel = np.repeat(np.arange(3), counts)
    n = channel.size
    start = (
        mc.arrived_ms[rng.integers(0, max(calls, 1), n)] - rng.integers(0, 120_000, n)
        if calls
        else np.zeros(0, np.int64)
    )
    order = np.argsort(start, kind="stable")
    start, channel = start[order], channel[order]
    transferred = rng.random(n) < np.choose(channel, [0.62, 0.36, 0.5])
    questions = 1 + rng.poisson(np.choose(channel, [0.3, 1.2, 0.8]))
    recognised = rng.binomial(questions, 0.91)
    unresolved = rng.binomial(questions, 0.17)
    length = (rng.lognormal(math.log(90), 0.5, n) * MS).astype(np.int64)
    return pa.table(
        {
            "session_id": _ids("B", np.arange(n) + mi * 10**9, 12),
            "channel": _pick(("voice", "text", "video"), channel),
            "started_at": _ts(start),
            "ended_at": _ts(start + length),
            "transferred_to_agent": pa.array(transferred),
            "resolved": pa.array(~transferred & (rng.random(n) < 0.85)),
            "questions": pa.array(questions.astype(np.int64)),
            "recognised_questions": pa.array(recognised.astype(np.int64)),
            "unresolved_questions": pa.array(unresolved.astype(np.int64)),
            "error": pa.array(rng.random(n) < 0.004),
            "customer_id": _ids("C", rng.integers(0, max(1_000, plan.calls // 3), n), 9),
        }
    )


STATE_ORDER = ("ready", "ringing", "talking", "hold", "wrap", "not_ready")
BLOCKS = 8


def agent_tables(plan: Plan, mc: MonthCalls) -> tuple[pa.Table, pa.Table]:
    """State intervals of the agents present, and the schedule of every agent (absent too)."""
    y, m = map(int, mc.month.split("-"))
    month_start = _epoch_ms(y, m, 1)
    ndays = mc.agents_per_day.size
    width = int(mc.scheduled_per_day.max()) if ndays else 0
    answered = mc.answered
    key = mc.day_index[answered] * width + mc.agent[answered]
    busy = ("ringing", "talking", "hold", "wrap")
    totals = {
        name: np.bincount(key, weights=ms[answered], minlength=ndays * width)
        for name, ms in zip(busy, (mc.ring_ms, mc.talk_ms, mc.hold_ms, mc.wrap_ms), strict=True)
    }
    day = np.repeat(np.arange(ndays), width)
    agent = np.tile(np.arange(width), ndays)
    scheduled = agent < mc.scheduled_per_day[day]
    absent = np.zeros(ndays * width, bool)
    for d, who in enumerate(mc.absent):
        absent[d * width + who] = True
    shift_start = month_start + day * DAY_MS + (8 * 3_600_000 + (agent % 12) * 1_800_000)
    schedule = pa.table(
        {
            "agent_id": _ids("A", agent[scheduled], 5),
            "shift_start": _ts(shift_start[scheduled]),
            "shift_end": _ts(shift_start[scheduled] + SHIFT_MS),
            "queue": pa.array(np.full(int(scheduled.sum()), QUEUES[0])),
        }
    )
    present = scheduled & ~absent
    work = np.sum([totals[s] for s in busy], axis=0)
    per_state = {s: totals[s][present].astype(np.int64) for s in totals}
    per_state["not_ready"] = np.full(int(present.sum()), NOT_READY_MS, np.int64)
    per_state["ready"] = np.maximum(0, 8 * 3_600_000 - NOT_READY_MS - work[present]).astype(
        np.int64
    )
    a = int(present.sum())
    # Durations of every interval: 8 blocks of the six states, a break after the fourth.
    blocks = np.zeros((a, BLOCKS, len(STATE_ORDER)), np.int64)
    for j, state in enumerate(STATE_ORDER):
        total = per_state[state]
        share = total // BLOCKS
        blocks[:, :, j] = share[:, None]
        blocks[:, -1, j] += total - share * BLOCKS
    durations = np.concatenate(
        [blocks[:, :4].reshape(a, -1), np.full((a, 1), 1_800_000), blocks[:, 4:].reshape(a, -1)],
        axis=1,
    )
    labels = np.array([*(STATE_ORDER * 4), "break", *(STATE_ORDER * 4)])
    ends = shift_start[present][:, None] + np.cumsum(durations, axis=1)
    starts = ends - durations
    keep = durations > 0
    who = np.repeat(agent[present], durations.shape[1]).reshape(a, -1)
    states = pa.table(
        {
            "agent_id": _ids("A", who[keep], 5),
            "state": pa.array(np.broadcast_to(labels, durations.shape)[keep]),
            "started_at": _ts(starts[keep]),
            "ended_at": _ts(ends[keep]),
            "channel": pa.array(np.full(int(keep.sum()), "voice")),
        }
    )
    return states, schedule


def qa_table(plan: Plan, mc: MonthCalls, mi: int) -> pa.Table:
    rng = _rng(plan, 400 + mi)
    idx = np.flatnonzero(mc.answered & (rng.random(mc.arrived_ms.size) < 0.015))
    n = idx.size
    return pa.table(
        {
            "evaluation_id": _ids("Q", np.arange(n) + mi * 10**8, 10),
            "contact_id": _ids("V", idx + mc.first_id, 12),
            "channel": pa.array(np.full(n, "voice")),
            "agent_id": _ids("A", mc.agent[idx], 5),
            "evaluated_at": _ts(mc.arrived_ms[idx] + rng.integers(3_600_000, 2 * DAY_MS, n)),
            "score": pa.array(np.clip(np.round(rng.normal(88, 6, n)), 0, 100).astype(np.int64)),
            "business_critical_error": pa.array(rng.random(n) < 0.015),
            "customer_critical_error": pa.array(rng.random(n) < 0.02),
            "compliance_critical_error": pa.array(rng.random(n) < 0.003),
        }
    )


def survey_table(plan: Plan, mc: MonthCalls, mi: int) -> pa.Table:
    rng = _rng(plan, 500 + mi)
    u = rng.random(mc.arrived_ms.size)
    post = np.flatnonzero(mc.answered & (u < 0.2))
    quest = np.flatnonzero(mc.answered & (u >= 0.2) & (u < 0.215))
    idx = np.concatenate([post, quest])
    kind = np.repeat([0, 1], [post.size, quest.size])
    n = idx.size
    p_post = [0.015, 0.025, 0.11, 0.30, 0.55]
    p_quest = [0.022, 0.035, 0.083, 0.30, 0.56]
    sat = np.where(kind == 0, rng.choice(5, n, p=p_post), rng.choice(5, n, p=p_quest)) + 1
    asked = rng.random(n) < 0.7
    ended = mc.arrived_ms[idx] + mc.wait_ms[idx] + mc.talk_ms[idx] + mc.hold_ms[idx]
    return pa.table(
        {
            "response_id": _ids("S", np.arange(n) + mi * 10**8, 10),
            "survey": _pick(("post_service", "questionnaire"), kind),
            "contact_id": _ids("V", idx + mc.first_id, 12),
            "channel": pa.array(np.full(n, "voice")),
            "answered_at": _ts(ended + rng.integers(20_000, 600_000, n)),
            "satisfaction": pa.array(sat.astype(np.int64)),
            "effort": pa.array(np.clip(rng.poisson(2.2, n) + 1, 1, 7).astype(np.int64)),
            "nps": pa.array(np.clip(np.round(rng.normal(8, 2, n)), 0, 10).astype(np.int64)),
            "resolved": pa.array(rng.random(n) < 0.89, mask=~asked),
            "customer_id": _ids("C", mc.customer[idx], 9),
        }
    )


# --- writing -------------------------------------------------------------------------------


class _Out:
    """One output file written in monthly pieces (CSV or Parquet, optionally re-encoded)."""

    def __init__(self, path: Path, encoding: str = "utf-8", bom: bool = False) -> None:
        self.path = path
        self.encoding = encoding
        self.bom = bom
        self.writer: Any = None
        self.target = path if encoding == "utf-8" else path.with_name(path.name + ".utf8")

    def write(self, table: pa.Table) -> None:
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        if self.writer is None:
            if self.path.suffix == ".parquet":
                self.writer = pq.ParquetWriter(self.target, table.schema)
            else:
                sink = pa.OSFile(str(self.target), "wb")
                if self.bom:
                    sink.write(b"\xef\xbb\xbf")
                self.writer = pcsv.CSVWriter(sink, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.target != self.path:
            import codecs

            decoder = codecs.getincrementaldecoder("utf-8")()
            with self.target.open("rb") as fin, self.path.open("wb") as fout:
                while chunk := fin.read(1 << 22):
                    fout.write(decoder.decode(chunk).encode(self.encoding))
            self.target.unlink()


FILES = {
    "voice": "voice_calls.csv",
    "digital": "digital_contacts.csv",
    "bot": "bot_sessions.parquet",
    "agent_states": "agent_states.parquet",
    "schedule": "schedule.csv",
    "qa": "qa_evaluations.csv",
    "survey": "survey_answers.csv",
}


def write_records(
    out: Path,
    plan: Plan,
    *,
    kinds: Sequence[str] = tuple(FILES),
    messy_voice: bool = True,
    progress: Callable[[str, float], None] | None = None,
) -> list[Path]:
    """Write synthetic record files of several kinds into ``out`` (and the voice mapping).

    The voice calls are written as the centre's own export (Chinese headers, GBK, 是/否,
    H:MM:SS) with ``mapping/voice.yaml`` beside them, unless ``messy_voice`` is false; the
    other kinds use canonical headers, in CSV (UTF-8 with BOM, as Excel writes it) or Parquet.
    """
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, _Out] = {}
    for k in kinds:
        path = out / FILES[k]
        if k == "voice" and messy_voice:
            writers[k] = _Out(path, encoding="gb18030")
        else:
            writers[k] = _Out(path, bom=path.suffix == ".csv")
    n_months = plan.months
    try:
        for mi, mc in enumerate(voice_months(plan)):
            rng = _rng(plan, 600 + mi)
            if "voice" in writers:
                writers["voice"].write(
                    voice_export_table(mc, rng) if messy_voice else voice_table(mc)
                )
            if "digital" in writers:
                writers["digital"].write(digital_table(plan, mc, mi))
            if "bot" in writers:
                writers["bot"].write(bot_table(plan, mc, mi))
            if "agent_states" in writers or "schedule" in writers:
                states, schedule = agent_tables(plan, mc)
                if "agent_states" in writers:
                    writers["agent_states"].write(states)
                if "schedule" in writers:
                    writers["schedule"].write(schedule)
            if "qa" in writers:
                writers["qa"].write(qa_table(plan, mc, mi))
            if "survey" in writers:
                writers["survey"].write(survey_table(plan, mc, mi))
            if progress:
                progress(mc.month, (mi + 1) / n_months)
    finally:
        for w in writers.values():
            w.close()
    written = [w.path for w in writers.values()]
    if "voice" in writers and messy_voice:
        mapping = out / "mapping" / "voice.yaml"
        mapping.parent.mkdir(exist_ok=True)
        mapping.write_text(voice_mapping_yaml(), encoding="utf-8")
        written.append(mapping)
    return written
