"""Indicators over the half-year: monthly values, period values, attainment, trend, reconciliation.

Pure functions over :class:`ccua.engagement.MonthlyInputs`. The period value of an indicator
is computed from its inputs aggregated over the period (a ratio of sums, not a mean of monthly
ratios; stock quantities such as headcount at the start of the period aggregate as the measure
declares: first, last or mean). An indicator is *evaluable* when it has a period value and a
target (documentary indicators: when the assessor has checked them); the share of an item's
evaluable indicators that meet their targets rates its indicator requirement (GUIDE §3.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from ccua._num import to_fraction
from ccua.attainment import Attainment
from ccua.engagement import Check, Claim, EngagementData, MonthlyInputs, Target, Tolerance
from ccua.errors import InputError, Problem
from ccua.kpi import compute
from ccua.spec import Framework, Indicator


@dataclass(frozen=True)
class Trend:
    """Direction-aware trend of the monthly values."""

    slope: Fraction | None  # change per month (least squares), in the indicator's unit
    label: str  # improving | worsening | stable | n/a
    improving_run: int  # consecutive month-on-month improvements at the end


@dataclass(frozen=True)
class Reconciliation:
    month: str | None
    claimed: Fraction
    recomputed: Fraction | None
    difference: Fraction | None
    tolerance: Fraction
    status: str  # ok | mismatch | unverifiable
    source: str
    document: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    monthly: Mapping[str, Fraction]  # month -> value, months with data only
    period: Fraction | None
    target: Target | None
    check: Check | None
    evaluable: bool
    met: bool | None
    trend: Trend
    reconciliation: tuple[Reconciliation, ...] = ()
    missing_months: tuple[str, ...] = ()
    origin: str = "sheet"  # sheet | records | mixed | none

    @property
    def flagged(self) -> bool:
        return any(r.status != "ok" for r in self.reconciliation)


@dataclass(frozen=True)
class PeriodResult:
    months: tuple[str, ...]
    indicators: Mapping[str, IndicatorResult]
    attainment: Mapping[str, Attainment]
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def aggregate(framework: Framework, measure: str, values: Sequence[Fraction]) -> Fraction:
    how = framework.measure(measure).aggregation
    if how == "sum":
        return sum(values, Fraction(0))
    if how == "mean":
        return sum(values, Fraction(0)) / len(values)
    if how == "first":
        return values[0]
    return values[-1]


def is_met(value: Fraction, target: Target) -> bool:
    if target.min is not None and value < to_fraction(target.min):
        return False
    return not (target.max is not None and value > to_fraction(target.max))


def better(direction: str, new: Fraction, old: Fraction) -> bool:
    return new > old if direction == "higher" else new < old if direction == "lower" else False


def trend_of(
    indicator: Indicator, series: Sequence[Fraction], target: Target | None = None
) -> Trend:
    """Least-squares slope, labelled by the indicator's direction.

    A band indicator (or one with no direction) improves when it moves towards its target
    band. Changes smaller than 1 % of the mean level over the period count as stable.
    """
    n = len(series)
    if n < 2:
        return Trend(None, "n/a", 0)
    xs = range(n)
    mean_x = Fraction(n - 1, 2)
    mean_y = sum(series, Fraction(0)) / n
    sxx = sum(((x - mean_x) ** 2 for x in xs), Fraction(0))
    # (the deviations of x sum to 0: Σ(x − x̄)(y − ȳ) = Σ(x − x̄)·y)
    slope = sum(((x - mean_x) * y for x, y in zip(xs, series, strict=True)), Fraction(0)) / sxx
    direction: str = indicator.direction
    if direction in ("band", "none"):
        direction = _band_direction(series[-1], target)
    run = 0
    for i in range(n - 1, 0, -1):
        if better(direction, series[i], series[i - 1]):
            run += 1
        else:
            break
    scale = abs(mean_y) if mean_y else Fraction(1)
    if abs(slope) * (n - 1) < scale / 100 or direction == "none":
        label = "stable"
    elif (slope > 0) == (direction == "higher"):
        label = "improving"
    else:
        label = "worsening"
    return Trend(slope, label, run)


def _band_direction(last: Fraction, target: Target | None) -> str:
    if target is None:
        return "none"
    if target.min is not None and last < to_fraction(target.min):
        return "higher"
    if target.max is not None and last > to_fraction(target.max):
        return "lower"
    return "none"


def _tolerance(indicator: Indicator, recomputed: Fraction | None, tol: Tolerance) -> Fraction:
    if indicator.unit == "percent":
        return to_fraction(tol.percent_points)
    base = abs(recomputed) if recomputed is not None else Fraction(0)
    return to_fraction(tol.relative) * base


def period_of(data: EngagementData) -> PeriodResult:
    """Every indicator of an engagement over its period (:func:`indicators_over_period`)."""
    return indicators_over_period(
        data.framework,
        data.months,
        data.inputs,
        data.targets,
        data.checks,
        data.claims,
        data.params.tolerance,
    )


def indicators_over_period(
    framework: Framework,
    months: Sequence[str],
    inputs: MonthlyInputs,
    targets: Mapping[str, Target],
    checks: Mapping[str, Check],
    claims: Sequence[Claim] = (),
    tolerance: Tolerance | None = None,
) -> PeriodResult:
    """Compute every indicator with data; collect problems instead of stopping at the first."""
    tolerance = tolerance or Tolerance()
    problems: list[Problem] = []
    claims_by_code: dict[str, list[Claim]] = {}
    for claim in claims:
        claims_by_code.setdefault(claim.code, []).append(claim)
    results = {
        ind.code: _documentary(ind, checks.get(ind.code), claims_by_code.get(ind.code, []))
        if ind.is_documentary
        else _computed(
            framework,
            ind,
            months,
            inputs,
            targets.get(ind.code),
            claims_by_code.get(ind.code, []),
            tolerance,
            problems,
        )
        for ind in framework.indicators
    }
    for code in sorted(set(targets) - {i.code for i in framework.indicators}):
        problems.append(Problem(f"target for unknown indicator {code!r}", field=code))
    attainment = {}
    for item in framework.items:
        rs = [results[i.code] for i in item.indicators]
        attainment[item.code] = Attainment(
            sum(1 for r in rs if r.met), sum(1 for r in rs if r.evaluable)
        )
    return PeriodResult(tuple(months), results, attainment, tuple(problems))


def _documentary(ind: Indicator, check: Check | None, claims: Sequence[Claim]) -> IndicatorResult:
    """A documentary indicator (formula "－"): met as the assessor's check says; a value the
    assessee reported for it cannot be recomputed."""
    return IndicatorResult(
        ind.code,
        {},
        None,
        None,
        check,
        evaluable=check is not None,
        met=check.met if check else None,
        trend=Trend(None, "n/a", 0),
        reconciliation=tuple(_reconciled(c, None, Fraction(0)) for c in claims),
        origin="none",
    )


def _computed(
    framework: Framework,
    ind: Indicator,
    months: Sequence[str],
    inputs: MonthlyInputs,
    target: Target | None,
    claims: Sequence[Claim],
    tolerance: Tolerance,
    problems: list[Problem],
) -> IndicatorResult:
    """An indicator computed from its inputs: per month, over the period (the inputs
    aggregated, not the monthly values averaged), against its target, with its trend and the
    assessee's reported values reconciled."""
    monthly, used, missing_months = _monthly(framework, ind, months, inputs, problems)
    period: Fraction | None = None
    if monthly:
        try:
            period = compute(
                framework, ind, {m: aggregate(framework, m, vs) for m, vs in used.items()}
            ).exact
        except InputError as exc:  # pragma: no cover - monthly checks make this rare
            problems.append(Problem(f"period: {exc.problem.message}", indicator=ind.code))
    series = [monthly[m] for m in months if m in monthly]
    met = None
    if (
        period is not None
        and target is not None
        and (target.min is not None or target.max is not None)
    ):
        met = is_met(period, target)
    origins = {inputs.origin.get(m, "sheet") for m in ind.inputs}
    origin = "none" if not monthly else origins.pop() if len(origins) == 1 else "mixed"
    return IndicatorResult(
        ind.code,
        monthly,
        period,
        target,
        None,
        met is not None,
        met,
        trend_of(ind, series, target),
        _reconcile(ind, claims, monthly, period, tolerance),
        tuple(missing_months),
        origin,
    )


def _monthly(
    framework: Framework,
    ind: Indicator,
    months: Sequence[str],
    inputs: MonthlyInputs,
    problems: list[Problem],
) -> tuple[dict[str, Fraction], dict[str, list[Fraction]], list[str]]:
    """The indicator's value in each month with all of its inputs; the inputs used (for the
    period value); the months without any."""
    monthly: dict[str, Fraction] = {}
    used: dict[str, list[Fraction]] = {m: [] for m in ind.inputs}
    missing_months: list[str] = []
    for month in months:
        present = {m: inputs.get(month, m) for m in ind.inputs}
        given = {m: v for m, v in present.items() if v is not None}
        if not given:
            missing_months.append(month)
            continue
        if len(given) < len(present):
            absent = [m for m, v in present.items() if v is None]
            problems.append(
                Problem(
                    f"{ind.code} {ind.name}: {month} has {', '.join(sorted(given))} but not "
                    f"{', '.join(absent)}; give all of its inputs or none",
                    indicator=ind.code,
                    field=month,
                )
            )
            missing_months.append(month)
            continue
        try:
            monthly[month] = compute(framework, ind, present).exact
        except InputError as exc:
            cells = ", ".join(
                str(inputs.sources[(month, m)]) for m in ind.inputs if (month, m) in inputs.sources
            )
            problems.append(
                Problem(
                    f"{month}: {exc.problem.message}" + (f" [{cells}]" if cells else ""),
                    indicator=ind.code,
                )
            )
            continue
        for m, v in given.items():
            used[m].append(v)
    return monthly, used, missing_months


def _reconcile(
    ind: Indicator,
    claims: Sequence[Claim],
    monthly: Mapping[str, Fraction],
    period: Fraction | None,
    tolerance: Tolerance,
) -> tuple[Reconciliation, ...]:
    """Each value the assessee reported against the one recomputed from the inputs."""
    out = []
    for c in claims:
        recomputed = period if c.month is None else monthly.get(c.month)
        out.append(_reconciled(c, recomputed, _tolerance(ind, recomputed, tolerance)))
    return tuple(out)


def _reconciled(c: Claim, recomputed: Fraction | None, tol: Fraction) -> Reconciliation:
    diff = None if recomputed is None else c.value - recomputed
    status = "unverifiable" if diff is None else "ok" if abs(diff) <= tol else "mismatch"
    return Reconciliation(
        c.month, c.value, recomputed, diff, tol, status, str(c.source), c.document
    )
