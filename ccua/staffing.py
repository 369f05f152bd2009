"""Staffing against queueing theory: Erlang C (M/M/N) and Erlang A (M/M/N+M, with abandonment).

Used to ask whether a centre's reported service level (DO6.13, DO6.8) and abandonment (DO6.9)
are believable for the agents it had. These are models, not scores: floats are fine here, and
every figure the report prints is rounded for display only.

Erlang C (Erlang 1917; as in every workforce-management text, e.g. Gans, Koole & Mandelbaum,
"Telephone call centers: tutorial, review and research prospects", 2003, §4.1):
  A = λ·AHT (offered load, Erlangs); P(wait) = C(N, A) computed from the Erlang B recursion
  B(0)=1, B(n) = A·B(n−1) / (n + A·B(n−1)), C = N·B / (N − A·(1 − B));
  service level SL(t) = 1 − C·exp(−(N − A)·t / AHT); ASA = C·AHT / (N − A); occupancy = A / N.
  With N ≤ A the queue grows without bound: SL 0, P(wait) 1, ASA infinite.

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman 2002): callers abandon after an exponential
patience of mean 1/θ. The number in system is a birth–death chain (birth λ, death
min(n, N)·μ + max(n − N, 0)·θ); arrivals see its stationary law (PASTA). A caller who finds k
others queued reaches an agent after k + 1 stages whose rates, tilted by his own patience, are
N·μ + j·θ (j = 1..k+1); he is served with probability N·μ / (N·μ + (k+1)·θ) and within t with
that probability times P(sum of the tilted stages ≤ t), computed by uniformisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from ccua._yaml import Schema, load_with_lines, validate
from ccua.engagement import EngagementData
from ccua.errors import CcuaError


class StaffingError(CcuaError):
    """Inputs of a queueing model that cannot be used (negative, zero interval, …)."""


@dataclass(frozen=True)
class QueueFigures:
    service_level: float  # share of offered calls answered within the threshold
    wait_probability: float  # share of offered calls that wait at all
    asa: float | None  # mean wait of answered calls, seconds (None: unbounded)
    occupancy: float  # share of agent time busy
    abandon_probability: float = 0.0

    def as_dict(self, places: int = 4) -> dict[str, float | None]:
        out: dict[str, float | None] = {
            "service_level": round(self.service_level, places),
            "wait_probability": round(self.wait_probability, places),
            "asa": _round(self.asa, places),
            "occupancy": round(self.occupancy, places),
        }
        if self.abandon_probability:
            out["abandon_probability"] = round(self.abandon_probability, places)
        return out


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value):
        raise StaffingError(f"{name} must be a finite number, got {value!r}", field=name)
    if value < 0 or (value == 0 and not allow_zero):
        raise StaffingError(
            f"{name} must be {'≥ 0' if allow_zero else '> 0'}, got {value}", field=name
        )
    return float(value)


def offered_load(calls: float, aht: float, interval: float) -> float:
    """Erlangs: calls per interval × handle time / interval length (both in seconds)."""
    return (
        _positive("calls", calls, allow_zero=True)
        * _positive("aht", aht)
        / _positive("interval", interval)
    )


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/N/N, by the stable recursion."""
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c_wait(agents: int, load: float) -> float:
    """P(wait) of M/M/N (Erlang C); 1 when the queue is unstable (N ≤ A)."""
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def _load(
    calls: float,
    aht: float,
    interval: float,
    answer_within: float,
    agents: int,
    patience: float | None = None,
) -> float:
    """The offered load of a queueing model, once every input is checked."""
    load = offered_load(calls, aht, interval)
    _positive("answer_within", answer_within, allow_zero=True)
    if patience is not None:
        _positive("patience", patience)
    if not isinstance(agents, int) or agents < 1:
        raise StaffingError(f"agents must be a whole number ≥ 1, got {agents!r}", field="agents")
    return load


def erlang_c(
    calls: float, aht: float, interval: float, answer_within: float, agents: int
) -> QueueFigures:
    """Erlang C figures for ``agents`` answering ``calls`` per ``interval`` (seconds)."""
    load = _load(calls, aht, interval, answer_within, agents)
    if load == 0:
        return QueueFigures(1.0, 0.0, 0.0, 0.0)
    if agents <= load:
        return QueueFigures(0.0, 1.0, None, 1.0)
    wait = erlang_c_wait(agents, load)
    sl = 1 - wait * math.exp(-(agents - load) * answer_within / aht)
    return QueueFigures(max(0.0, sl), wait, wait * aht / (agents - load), load / agents)


def agents_for_service_level(
    calls: float,
    aht: float,
    interval: float,
    answer_within: float,
    target: float,
    *,
    limit: int = 1_000_000,
) -> int:
    """The fewest agents whose Erlang C service level reaches ``target`` (0..1)."""
    if not 0 < target < 1:
        raise StaffingError(
            f"target service level must be between 0 and 1 (exclusive), got {target}",
            field="target_sl",
        )
    load = offered_load(calls, aht, interval)
    agents = max(1, math.floor(load) + 1)
    while erlang_c(calls, aht, interval, answer_within, agents).service_level < target:
        agents += 1
        if agents > limit:
            raise StaffingError(f"more than {limit} agents would be needed", field="target_sl")
    return agents


def _stationary(agents: int, lam: float, mu: float, theta: float) -> list[float]:
    """Stationary law of the Erlang A birth–death chain, truncated where mass < 1e-15."""
    logs = [0.0]
    peak = 0.0
    n = 0
    while True:
        n += 1
        death = min(n, agents) * mu + max(n - agents, 0) * theta
        logs.append(logs[-1] + math.log(lam) - math.log(death))
        peak = max(peak, logs[-1])
        if n > agents and logs[-1] < peak - 40:  # e^-40 ≈ 4e-18 relative
            break
        if n > agents + 1_000_000:
            raise StaffingError(
                "the queue is too long to model (patience too long?)", field="patience"
            )
    weights = [math.exp(v - peak) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


def _reach_within(agents: int, mu: float, theta: float, max_ahead: int, t: float) -> list[float]:
    """P(the tilted stages are done by t), for a caller with k = 0..max_ahead queued ahead."""
    rates = [agents * mu + (j + 1) * theta for j in range(max_ahead + 1)]
    big = rates[-1]
    if t == 0:
        return [0.0] * (max_ahead + 1)
    # Uniformisation: a discrete chain that leaves position j with probability rates[j]/big.
    mean = big * t
    steps = int(mean + 12 * math.sqrt(mean) + 30)
    done = [0.0] * (max_ahead + 1)  # P(absorbed within m jumps | start j)
    result = [0.0] * (max_ahead + 1)
    log_p = -mean  # log Poisson(m; mean), m = 0
    for m in range(steps + 1):
        if m > 0:
            log_p += math.log(mean) - math.log(m)
            prev = done
            done = [0.0] * (max_ahead + 1)
            for j in range(max_ahead + 1):
                q = rates[j] / big
                below = 1.0 if j == 0 else prev[j - 1]
                done[j] = q * below + (1 - q) * prev[j]
        weight = math.exp(log_p)
        for j in range(max_ahead + 1):
            result[j] += weight * done[j]
    return result


def erlang_a(
    calls: float, aht: float, interval: float, answer_within: float, agents: int, patience: float
) -> QueueFigures:
    """Erlang A figures: as Erlang C, with callers who abandon after a mean ``patience`` (s)."""
    load = _load(calls, aht, interval, answer_within, agents, patience)
    if load == 0:
        return QueueFigures(1.0, 0.0, 0.0, 0.0)
    lam = calls / interval
    mu = 1 / aht
    theta = 1 / patience
    pi = _stationary(agents, lam, mu, theta)
    queued = pi[agents:]
    wait = sum(queued)
    max_ahead = len(queued) - 1
    reach = _reach_within(agents, mu, theta, max_ahead, answer_within)
    served_after_wait = [
        agents * mu / (agents * mu + (k + 1) * theta) for k in range(max_ahead + 1)
    ]
    sl = sum(pi[:agents]) + sum(
        p * s * r for p, s, r in zip(queued, served_after_wait, reach, strict=True)
    )
    abandon = sum(p * (1 - s) for p, s in zip(queued, served_after_wait, strict=True))
    # Mean wait of the served: a caller with k ahead waits, if served, the tilted stages'
    # mean Σ 1/(Nμ + jθ), j = 1..k+1.
    stage_means = accumulate(1 / (agents * mu + j * theta) for j in range(1, max_ahead + 2))
    served = 1 - abandon
    waited = sum(p * s * m for p, s, m in zip(queued, served_after_wait, stage_means, strict=True))
    asa = waited / served if served > 0 else None
    occupancy = min(1.0, load * served / agents)
    return QueueFigures(min(1.0, max(0.0, sl)), wait, asa, occupancy, abandon)


# --- the monthly check: is the reported service level within reach of the staff? -----------


class StaffingMeasures(Schema):
    """The framework's measures that feed the check (``frameworks/<id>/staffing.yaml``)."""

    offered: str
    answered_within: str
    answered: str
    abandoned: str
    abandon_base: str
    working_days: str
    agent_busy: tuple[str, ...] = ()
    agent_idle: tuple[str, ...] = ()
    service_level_indicator: str
    abandon_indicator: str
    items: tuple[str, ...] = ()  # the items whose chapters show the check


@dataclass(frozen=True)
class StaffingSettings:
    """From the params file's ``staffing:`` block."""

    open_hours_per_day: float | None = None  # None: the check is not configured
    interval_seconds: int = 1800
    answer_within: float = 20.0
    tolerance_points: float = 5.0  # percentage points a claim may exceed the model
    patience_seconds: float | None = None  # Erlang A when given


@dataclass(frozen=True)
class StaffingRow:
    month: str
    calls_per_interval: float
    aht: float
    agents: int
    load: float
    model: str  # erlang-c | erlang-a
    modelled: QueueFigures
    reported_service_level: float | None
    reported_abandon_rate: float | None
    gap_points: float | None  # reported − modelled, percentage points
    flagged: bool
    agents_needed: int | None  # for the reported service level

    def as_dict(self) -> dict[str, object]:
        return {
            "month": self.month,
            "calls_per_interval": round(self.calls_per_interval, 2),
            "aht": round(self.aht, 1),
            "agents": self.agents,
            "load": round(self.load, 2),
            "model": self.model,
            "modelled": self.modelled.as_dict(),
            "reported_service_level": _round(self.reported_service_level, 4),
            "reported_abandon_rate": _round(self.reported_abandon_rate, 4),
            "gap_points": _round(self.gap_points, 2),
            "flagged": self.flagged,
            "agents_needed": self.agents_needed,
        }


def load_staffing_measures(framework_dir: object) -> StaffingMeasures | None:
    """The framework's staffing.yaml, or None when the framework has none."""
    path = Path(str(framework_dir)) / "staffing.yaml"
    if not path.is_file():
        return None
    file = f"{path.parent.name}/{path.name}"
    data, lines = load_with_lines(path.read_text(encoding="utf-8"), file)
    return validate(StaffingMeasures, data, file=file, lines=lines)


def staffing_row(
    month: str, values: dict[str, float], m: StaffingMeasures, s: StaffingSettings
) -> StaffingRow | None:
    """One month's check, or None when an input is missing or zero."""
    positive = [m.offered, m.answered, m.working_days]
    present = [*m.agent_busy, *m.agent_idle]
    if (
        s.open_hours_per_day is None
        or any(not values.get(k) for k in positive)
        or any(values.get(k) is None for k in present)
    ):
        return None
    open_seconds = values[m.working_days] * s.open_hours_per_day * 3600
    intervals = open_seconds / s.interval_seconds
    busy = sum(values[k] for k in m.agent_busy)
    logged_in = busy + sum(values[k] for k in m.agent_idle)
    aht = busy / values[m.answered]
    # Agents logged in on average, rounded up: the benefit of the doubt goes to the centre.
    agents = max(1, math.ceil(logged_in / open_seconds - 1e-9))
    calls = values[m.offered] / intervals
    model = "erlang-a" if s.patience_seconds else "erlang-c"
    figures = (
        erlang_a(calls, aht, s.interval_seconds, s.answer_within, agents, s.patience_seconds)
        if s.patience_seconds
        else erlang_c(calls, aht, s.interval_seconds, s.answer_within, agents)
    )
    reported = (
        values[m.answered_within] / values[m.offered]
        if values.get(m.answered_within) is not None
        else None
    )
    abandon = (
        values[m.abandoned] / values[m.abandon_base]
        if values.get(m.abandoned) is not None and values.get(m.abandon_base)
        else None
    )
    gap = None if reported is None else (reported - figures.service_level) * 100
    flagged = gap is not None and gap > s.tolerance_points
    needed = None
    if reported is not None and 0 < reported < 1:
        needed = agents_for_service_level(calls, aht, s.interval_seconds, s.answer_within, reported)
    load = calls * aht / s.interval_seconds
    return StaffingRow(
        month, calls, aht, agents, load, model, figures, reported, abandon, gap, flagged, needed
    )


def staffing_for_engagement(data: EngagementData) -> list[StaffingRow] | None:
    """Every month's staffing check for one client; None when not configured or not modelled."""
    from ccua.spec import FRAMEWORKS_DIR

    measures = load_staffing_measures(FRAMEWORKS_DIR / data.framework.id)
    cfg = data.params.staffing
    if measures is None or cfg.open_hours_per_day is None:
        return None
    settings = StaffingSettings(
        open_hours_per_day=float(cfg.open_hours_per_day),
        interval_seconds=cfg.interval_seconds,
        answer_within=float(data.params.service_level_seconds),
        tolerance_points=float(cfg.tolerance_points),
        patience_seconds=float(cfg.patience_seconds) if cfg.patience_seconds else None,
    )
    rows = []
    for month in data.months:
        values = {k: float(v) for k, v in data.inputs.values.get(month, {}).items()}
        row = staffing_row(month, values, measures, settings)
        if row is not None:
            rows.append(row)
    return rows


def staffing_dict(data: EngagementData) -> dict[str, object] | None:
    """For results.json: the monthly check with its settings, or None when not configured."""
    from ccua.spec import FRAMEWORKS_DIR

    rows = staffing_for_engagement(data)
    measures = load_staffing_measures(FRAMEWORKS_DIR / data.framework.id)
    if rows is None or measures is None:
        return None
    cfg = data.params.staffing
    return {
        "model": "erlang-a" if cfg.patience_seconds else "erlang-c",
        "open_hours_per_day": str(cfg.open_hours_per_day),
        "interval_seconds": cfg.interval_seconds,
        "answer_within": data.params.service_level_seconds,
        "tolerance_points": str(cfg.tolerance_points),
        "patience_seconds": str(cfg.patience_seconds) if cfg.patience_seconds else None,
        "items": list(measures.items),
        "months": [r.as_dict() for r in rows],
        "flagged": [r.month for r in rows if r.flagged],
    }
