"""Rules over indicators' monthly series, threshold checks, and the KPI table view.

A standard sometimes states a rule about indicators over time rather than a formula: the
guideline's §6.5 k) asks that every indicator meet its required level "至少在75%的时间里" and
show "连续三个月有持续改进". Such a rule is data (``rules.yaml``: its kind, numbers and reading);
this module holds the pure function of each kind. The result is *evidence* for the requirement
the rule belongs to (``rule.evidence_for``, e.g. ``3.4.k``), never a rating: the assessor rates
the requirement with it in view.

Everything here is pure: monthly values and targets in, frozen results out. The adapters at
the end take a :class:`ccua.period.PeriodResult`, so a run computes the rule from the same
monthly values it shows everywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ccua._num import num, to_fraction
from ccua.errors import CcuaError
from ccua.spec import Framework, Indicator, Rule, Threshold

if TYPE_CHECKING:  # imported for annotations only: keeps ccua.rules light and cycle-free
    from ccua.engagement import Target
    from ccua.period import PeriodResult

PASS, FAIL, NOT_MEASURABLE = "pass", "fail", "not measurable"
#: the guideline's requirement that every indicator has a target (cited by ``no_target``)
TARGET_REQUIRED_BY = "6.5 a）"
#: the erratum on indicators on target every month without a run of improvements
HELD_TARGET_ERRATUM = "E-G-043"

#: why a KPI reads as it does under a rule: ``{"code": ..., values}`` (docs/results.md)
Reason = dict[str, Any]


# ---------------------------------------------------------------- targets and improvement
def meets(value: Fraction, target: Target) -> bool:
    """A value meets its target when min ≤ value ≤ max (either bound optional)."""
    return distance_to(value, target) == 0


def distance_to(value: Fraction, target: Target) -> Fraction:
    """How far a value lies outside its target range (0 inside it)."""
    if target.min is not None and value < to_fraction(target.min):
        return to_fraction(target.min) - value
    if target.max is not None and value > to_fraction(target.max):
        return value - to_fraction(target.max)
    return Fraction(0)


def improved(direction: str, new: Fraction, old: Fraction, target: Target | None) -> bool:
    """Is ``new`` strictly better than ``old`` for an indicator of this direction?

    Higher and lower are plain; a band indicator (or one with no direction) improves only when
    it moves strictly closer to its target range, so that staying inside it is not improving.
    """
    if direction == "higher":
        return new > old
    if direction == "lower":
        return new < old
    if target is None:
        return False
    return distance_to(new, target) < distance_to(old, target)


# ---------------------------------------------------------------- the kpi_persistence rule
@dataclass(frozen=True)
class MonthCheck:
    month: str
    value: Fraction | None
    met: bool | None  # None without a value or without a target


@dataclass(frozen=True)
class KpiRuleResult:
    """One indicator under a persistence rule (guideline §6.5 k); the defaults are those of
    an indicator that cannot be read (no target or no data)."""

    code: str
    name: str
    unit: str | None
    direction: str
    target: Target | None
    months: tuple[MonthCheck, ...]
    months_counted: int = 0  # the denominator of the share
    months_met: int = 0
    share_met: Fraction | None = None
    share_ok: bool | None = None
    longest_run: int = 0  # consecutive month-on-month improvements, anywhere
    latest_run: int = 0  # … ending with the latest month
    improvement_ok: bool | None = None
    status: str = NOT_MEASURABLE  # pass | fail | not measurable
    reasons: tuple[Reason, ...] = ()  # facts: a code and values (docs/results.md)


@dataclass(frozen=True)
class RuleEvidence:
    """A rule applied to every indicator in its scope: evidence for one requirement."""

    rule: Rule
    months: tuple[str, ...]
    kpis: tuple[KpiRuleResult, ...]

    def by_status(self, status: str) -> tuple[KpiRuleResult, ...]:
        return tuple(k for k in self.kpis if k.status == status)

    @property
    def fact(self) -> dict[str, Any]:
        """The rule's result as a fact for the item's findings (``rule_result``)."""
        return {
            "code": "rule_result",
            "rule": self.rule.id,
            "section": self.rule.section,
            "evidence_for": self.rule.evidence_for,
            "kpis": len(self.kpis),
            "passed": len(self.by_status(PASS)),
            "failed": len(self.by_status(FAIL)),
            "not_measurable": len(self.by_status(NOT_MEASURABLE)),
            "required_share": float(self.rule.required_share),
            "improvement_run": self.rule.improvement_run,
        }


def _runs(steps: Sequence[bool]) -> tuple[int, int]:
    """Longest run of True, and the run that ends with the last step."""
    longest = current = 0
    for step in steps:
        current = current + 1 if step else 0
        longest = max(longest, current)
    return longest, current


def persistence_of(
    indicator: Indicator,
    rule: Rule,
    months: Sequence[str],
    values: Mapping[str, Fraction],
    target: Target | None,
) -> KpiRuleResult:
    """Apply a ``kpi_persistence`` rule to one indicator's monthly values.

    ``months`` is the assessment window in order; ``values`` maps a month to the indicator's
    value (months without data absent). Every parameter of the reading comes from ``rule``.
    """
    checks = tuple(
        MonthCheck(m, v, None if v is None or target is None else meets(v, target))
        for m, v in zip(months, map(values.get, months), strict=True)
    )
    head = (indicator.code, indicator.name, indicator.unit, indicator.direction, target, checks)
    with_value = [c for c in checks if c.value is not None]
    no_target = target is None or (target.min is None and target.max is None)
    if no_target or not with_value:  # it cannot be read
        why: list[Reason] = []
        if no_target:
            why.append({"code": "no_target", "section": TARGET_REQUIRED_BY})
        if not with_value:
            why.append({"code": "no_data"})
        return KpiRuleResult(*head, reasons=tuple(why))
    assert target is not None  # no_target ruled it out
    counted = len(checks) if rule.missing_months == "not_met" else len(with_value)
    met = sum(1 for c in checks if c.met)
    share = Fraction(met, counted)
    required = to_fraction(rule.required_share)
    share_ok = share >= required
    longest, latest = _runs(_improvement_steps(indicator.direction, rule, checks, target))
    run = longest if rule.improvement_anchor == "anywhere" else latest
    improvement_ok = run >= rule.improvement_run
    missing = len(checks) - len(with_value)
    reasons: list[Reason] = [
        {
            "code": "share_met",
            "met": met,
            "counted": counted,
            "share": num(share, 4),
            "required": float(required),
            "ok": share_ok,
            "missing_as_not_met": missing if rule.missing_months == "not_met" else 0,
        },
        {
            "code": "improvement_run",
            "run": run,
            "required": rule.improvement_run,
            "anchor": rule.improvement_anchor,
        },
    ]
    if not improvement_ok and all(c.met for c in checks):
        reasons.append({"code": "on_target_without_improvement", "erratum": HELD_TARGET_ERRATUM})
    return KpiRuleResult(
        *head,
        months_counted=counted,
        months_met=met,
        share_met=share,
        share_ok=share_ok,
        longest_run=longest,
        latest_run=latest,
        improvement_ok=improvement_ok,
        status=PASS if share_ok and improvement_ok else FAIL,
        reasons=tuple(reasons),
    )


def _improvement_steps(
    direction: str, rule: Rule, checks: Sequence[MonthCheck], target: Target
) -> list[bool]:
    """For each pair of consecutive months: did the value improve (or, where the rule lets a
    held target count, stay on target no worse)? A month without data breaks the run."""
    steps = []
    for before, after in pairwise(checks):
        if before.value is None or after.value is None:
            steps.append(False)
            continue
        step = improved(direction, after.value, before.value, target)
        if not step and rule.held_target_counts and before.met and after.met:
            step = not improved(direction, before.value, after.value, target)  # no worse
        steps.append(step)
    return steps


def rule_scope(framework: Framework, rule: Rule) -> tuple[Indicator, ...]:
    """The indicators a rule applies to, in the framework's order."""
    if rule.scope == "kpi_table":
        if framework.kpi_table is None:
            raise CcuaError(
                f"rule {rule.id} applies to the KPI table, but {framework.id} has none",
                field="rule",
            )
        return tuple(framework.indicator(code) for code in framework.kpi_table.kpis)
    return tuple(i for i in framework.indicators if not i.is_documentary)


def apply_rule(
    framework: Framework,
    rule: Rule,
    months: Sequence[str],
    series: Mapping[str, Mapping[str, Fraction]],
    targets: Mapping[str, Target],
) -> RuleEvidence:
    """Apply a rule to every indicator in its scope; ``series[code][month]`` = value."""
    if rule.kind != "kpi_persistence":  # pragma: no cover - the model allows no other kind
        raise CcuaError(f"rule kind {rule.kind!r} has no implementation", field="rule")
    results = tuple(
        persistence_of(ind, rule, months, series.get(ind.code, {}), targets.get(ind.code))
        for ind in rule_scope(framework, rule)
    )
    return RuleEvidence(rule, tuple(months), results)


def rules_from_period(framework: Framework, period: PeriodResult) -> tuple[RuleEvidence, ...]:
    """Every rule of the framework, from a run's monthly values and targets."""
    series = {code: r.monthly for code, r in period.indicators.items()}
    targets = {code: r.target for code, r in period.indicators.items() if r.target is not None}
    return tuple(
        apply_rule(framework, rule, period.months, series, targets) for rule in framework.rules
    )


# ---------------------------------------------------------------- thresholds
def threshold_met(threshold: Threshold, value: object) -> bool:
    """Does a measured value satisfy a printed threshold (operator, value or range)?"""
    v = to_fraction(value)
    if threshold.operator == "between":
        assert threshold.range is not None  # the model guarantees it
        low, high = (to_fraction(x) for x in threshold.range)
        return low <= v <= high
    bound = to_fraction(threshold.value)
    return {">=": v >= bound, ">": v > bound, "<=": v <= bound, "<": v < bound}[threshold.operator]


# ---------------------------------------------------------------- the KPI table (A.1) view
@dataclass(frozen=True)
class KpiRow:
    code: str
    name: str
    unit: str | None
    values: tuple[Fraction | None, ...]  # one per period column, oldest first


@dataclass(frozen=True)
class KpiTableView:
    title: str
    columns: tuple[str, ...]  # the printed value-column names
    periods: tuple[str | None, ...]  # the month shown in each column
    groups: tuple[tuple[str, str, tuple[KpiRow, ...]], ...]  # (code, name, rows)


def kpi_table_rows(
    framework: Framework, months: Sequence[str], series: Mapping[str, Mapping[str, Fraction]]
) -> KpiTableView:
    """Fill the KPI table with the latest months of the window (E-G-035).

    The value columns take the last months in order (for table A.1: three historical months and
    the current one); a window shorter than the table leaves the oldest columns empty.
    """
    table = framework.kpi_table
    if table is None:
        raise CcuaError(f"{framework.id} has no KPI table", field="framework")
    n = len(table.period_columns)
    latest = list(months[-n:]) if months else []
    shown = (None,) * (n - len(latest)) + tuple(latest)  # the oldest columns empty

    def row(code: str) -> KpiRow:
        ind, values = framework.indicator(code), series.get(code, {})
        return KpiRow(
            code, ind.name, ind.unit, tuple(None if m is None else values.get(m) for m in shown)
        )

    return KpiTableView(
        table.title,
        tuple(c.name for c in table.period_columns),
        shown,
        tuple((group.code, group.name, tuple(map(row, group.kpis))) for group in table.groups),
    )


# ---------------------------------------------------------------- plain data for JSON
def bounds(target: Target | None) -> dict[str, Any] | None:
    """A target's bounds for results.json: ``{"min": ..., "max": ...}``."""
    return None if target is None else {"min": num(target.min), "max": num(target.max)}


def rule_evidence_dict(evidence: RuleEvidence) -> dict[str, Any]:
    """A rule's result for results.json and ``--json`` output."""
    r = evidence.rule
    return {
        "rule": r.id,
        "section": r.section,
        "text": r.text,
        "evidence_for": r.evidence_for,
        "item": r.item,
        "requirement": r.requirement,
        "parameters": {
            "required_share": float(r.required_share),
            "improvement_run": r.improvement_run,
            "improvement_anchor": r.improvement_anchor,
            "missing_months": r.missing_months,
            "held_target_counts": r.held_target_counts,
        },
        "months": list(evidence.months),
        "counts": {s: len(evidence.by_status(s)) for s in (PASS, FAIL, NOT_MEASURABLE)},
        "kpis": [
            {
                "code": k.code,
                "name": k.name,
                "unit": k.unit,
                "direction": k.direction,
                "target": bounds(k.target),
                "status": k.status,
                "months_met": k.months_met,
                "months_counted": k.months_counted,
                "share_met": num(k.share_met, 4),
                "share_ok": k.share_ok,
                "longest_run": k.longest_run,
                "latest_run": k.latest_run,
                "improvement_ok": k.improvement_ok,
                "reasons": list(k.reasons),
                "monthly": [
                    {"month": m.month, "value": num(m.value, 4), "met": m.met} for m in k.months
                ],
            }
            for k in evidence.kpis
        ],
    }
