"""The typed contract of ``results.json``: one model, one loader, one JSON Schema.

:class:`Results` is what :func:`ccua.results.build_results` produces and what every reader
(notebooks, charts, report, workbook, forms, CLI) takes. ``results.json`` is its canonical
serialisation (:meth:`Results.dumps`); :func:`load_run` / :func:`read_results` read a run back,
upgrading files of an older schema version (:func:`migrate`). ``docs/results.schema.json`` is
generated from these models (``ccua schema results``; a test keeps it current).

Numbers are :class:`decimal.Decimal` in the model (exact: 85.56 stays 85.56) and JSON numbers
in the file. Findings, key points and rule evidence are *facts* — a ``code`` with values — never
sentences: the presentation layer makes the sentence in the reader's language
(docs/results.md lists the codes and their fields).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from ccua.engagement import Check, Engagement
from ccua.errors import CcuaError
from ccua.spec import Levels

SCHEMA = "ccua.results"
SCHEMA_VERSION = 2
#: versions :func:`migrate` upgrades to :data:`SCHEMA_VERSION`
READABLE_VERSIONS = (1, 2)
RESULTS_FILE = "results.json"


#: An exact number, written as a JSON number (the core rounds half-up before it gets here).
Num = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Aliased(_Frozen):
    """Fields written under another name (``from``, ``pass``), read under either."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


def _omit_none(v: object) -> bool:
    return v is None


def insert_after(data: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``data`` with ``key`` inserted right after ``after`` (the order results.json keeps)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


# ---------------------------------------------------------------- framework, period
class ScaleLevelOut(_Frozen):
    value: int
    label: str
    description: str


class ScaleOut(_Frozen):
    id: str
    name: str
    source: str
    levels: tuple[ScaleLevelOut, ...]


class GradeOut(_Frozen):
    code: str
    name: str
    name_en: str
    min: Num | None
    band: str
    process: tuple[str, ...]
    result: tuple[str, ...]


class FrameworkOut(_Frozen):
    id: str
    name: str
    name_en: str
    designation: str
    version: str
    points_at: str
    levels: Levels
    has_grades: bool
    scale: ScaleOut
    grades: tuple[GradeOut, ...]


class PeriodOut(_Frozen):
    start: str
    end: str
    months: tuple[str, ...]


class ToleranceOut(_Frozen):
    percent_points: Num | None
    relative: Num | None


class ChapterOut(_Frozen):
    id: str
    title: str
    groups: tuple[str, ...]
    items: tuple[str, ...]


# ---------------------------------------------------------------- the assessment
class SubpointOut(_Frozen):
    code: str
    text: str
    rating: int | None
    na: bool
    note: str
    evidence: str = Field(
        "", exclude_if=lambda v: not v, description="the evidence the sub-point's rating cites"
    )


class AttainmentOut(_Frozen):
    met: int
    evaluable: int
    share: Num | None


class RequirementOut(_Frozen):
    code: str
    kind: str
    text: str
    rating: Num | None
    source: str
    weight: Num | None
    note: str
    evidence: str
    subpoints: tuple[SubpointOut, ...] | None = Field(None, exclude_if=_omit_none)
    attainment: AttainmentOut | None = Field(None, exclude_if=_omit_none)


class RuleCounts(_Aliased):
    passed: int = Field(alias="pass")
    failed: int = Field(alias="fail")
    not_measurable: int = Field(alias="not measurable")


class RuleEvidenceRef(_Frozen):
    """A rule of the framework that gives evidence for one of the item's requirements."""

    kind: Literal["rule"]
    id: str
    requirement: str
    section: str
    counts: RuleCounts


class ThresholdEvidenceRef(_Frozen):
    """A printed threshold of the framework for one of the item's requirements."""

    kind: Literal["threshold"]
    id: str
    requirement: str | None
    section: str
    status: str


ItemEvidence = Annotated[RuleEvidenceRef | ThresholdEvidenceRef, Field(discriminator="kind")]


class ItemOut(_Frozen):
    code: str
    name: str
    group: str
    category: str | None
    points: Num | None
    points_share: Num | None
    percent: Num | None
    mean_rating: Num | None
    score: Num | None
    share: Num | None
    source: str
    note: str
    rated: int
    ratable: int
    standard_points: Num | None = Field(None, exclude_if=_omit_none)
    requirements: tuple[RequirementOut, ...] = ()
    evidence: tuple[ItemEvidence, ...] = ()


class GroupOut(_Frozen):
    code: str
    name: str
    category: str | None
    points: Num | None
    score: Num | None
    percent: Num | None
    mean_rating: Num | None = Field(None, exclude_if=_omit_none)


class CategoryOut(_Frozen):
    code: str
    name: str
    points: Num | None
    score: Num | None


class ComparisonGradeOut(_Frozen):
    framework: str
    name: str
    name_en: str
    band: str
    label: str
    label_en: str


class AssessmentOut(_Frozen):
    """The scores. ``groups`` is also written under the framework's plural name for its
    groups (``domains`` for T/CCUA, ``areas`` for the guideline): ``groups_key``."""

    model_config = ConfigDict(
        json_schema_extra={
            "additionalProperties": {
                "description": "the groups again, under the framework's "
                "plural name for them (domains, areas)",
                "type": "array",
            }
        },
    )

    framework: str
    framework_version: str
    total: Num | None
    total_points: Num | None
    grade: str | None
    grade_detail: GradeOut | None
    complete: bool
    custom_weights: bool
    items: tuple[ItemOut, ...]
    groups: tuple[GroupOut, ...]
    categories: tuple[CategoryOut, ...]
    grade_note: str | None = Field(None, exclude_if=_omit_none)
    comparison_grade: ComparisonGradeOut | None = None  # written only with a grade_note
    missing: tuple[str, ...] | None = Field(None, exclude_if=_omit_none)
    groups_key: str | None = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _take_groups_key(cls, data: Any) -> Any:
        if isinstance(data, dict):
            extra = [k for k in data if k not in cls.model_fields]
            if len(extra) == 1 and data[extra[0]] == data.get("groups"):
                data = {k: v for k, v in data.items() if k != extra[0]}
                data["groups_key"] = extra[0]
        return data

    @model_serializer(mode="wrap")
    def _write_groups_key(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if self.grade_note is None:  # comparison_grade is written (null too) with a grade_note
            out.pop("comparison_grade", None)
        if self.groups_key is None:
            return out
        return insert_after(out, "groups", self.groups_key, out["groups"])

    def item(self, code: str) -> ItemOut:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def group(self, code: str) -> GroupOut:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)


class ItemAttainment(AttainmentOut):
    rating: Num | None


# ---------------------------------------------------------------- indicators
class MonthValue(_Frozen):
    month: str
    value: Num | None


class Bounds(_Frozen):
    """A target's bounds: met when min <= value <= max (either may be absent)."""

    min: Num | None
    max: Num | None


class TargetOut(Bounds):
    source: str
    basis: str
    text: str = Field(
        description="the target as printed in Chinese (≥80%); legacy: sentences "
        "are made in the presentation layer from min and max"
    )


class TrendOut(_Frozen):
    slope: Num | None
    label: str
    improving_run: int


class ReconciliationOut(_Frozen):
    month: str | None
    claimed: Num | None
    recomputed: Num | None
    difference: Num | None
    tolerance: Num | None
    status: Literal["ok", "mismatch", "unverifiable"]
    document: str
    source: str


class IndicatorOut(_Frozen):
    code: str
    item: str | None
    name: str
    name_en: str
    unit: str | None
    direction: str
    kind: str
    formula: str
    monthly: tuple[MonthValue, ...]
    value: Num | None
    target: TargetOut | None
    check: Check | None
    evaluable: bool
    met: bool | None
    trend: TrendOut
    reconciliation: tuple[ReconciliationOut, ...]
    missing_months: tuple[str, ...]
    origin: str
    months_comparable: bool


class ReconciliationSummary(_Frozen):
    checked: int
    ok: int
    mismatch: int
    unverifiable: int


# ---------------------------------------------------------------- facts
class DocumentNotMet(_Frozen):
    """A documentary indicator whose evidence does not meet the requirement."""

    code: Literal["document_not_met"]
    indicator: str
    note: str = Field(description="the assessor's note (quoted as written)")


class IndicatorNotMet(_Frozen):
    """An indicator whose period value misses its target."""

    code: Literal["indicator_not_met"]
    indicator: str
    unit: str | None
    value: Num | None = Field(description="the period value, as indicators[].value")
    target: Bounds


class ClaimMismatch(_Frozen):
    """A value the assessee reported that differs from the recomputed one beyond tolerance."""

    code: Literal["claim_mismatch"]
    indicator: str
    unit: str | None
    month: str | None = Field(description="null: the whole period")
    claimed: Num | None
    recomputed: Num | None
    tolerance: Num | None


class ClaimUnverifiable(_Frozen):
    """A value the assessee reported with no operating data to recompute it from."""

    code: Literal["claim_unverifiable"]
    indicator: str
    month: str | None = Field(description="null: the whole period")


class TrendWorsening(_Frozen):
    """An evaluable indicator whose trend over the period is worsening."""

    code: Literal["trend_worsening"]
    indicator: str
    slope: Num | None


class HandoverGap(_Frozen):
    """E.4: the item's material was incomplete or not at the required granularity."""

    code: Literal["handover_gap"]
    item: str
    incomplete: bool
    granularity_mismatch: bool
    feedback: str = Field(description="the assessor's feedback (quoted as written)")


class RequirementBelowStandard(_Frozen):
    """A requirement rated below 3 (遵循标准)."""

    code: Literal["requirement_below_standard"]
    requirement: str
    rating: Num
    note: str = Field(description="the assessor's note (quoted as written)")


class KeyPointFact(_Frozen):
    """7.3.4 a) a key point raised with the assessee (engagement.key_points[index]); when it
    names an indicator, its figures were checked against the run's (they agree)."""

    code: Literal["key_point"]
    index: int
    topic: str
    issue: str = Field(description="the assessor's words (quoted as written)")
    indicator: str | None
    value: Num | None = Field(description="the indicator's period value (indicators[].value)")
    target: Bounds | None
    met: bool | None


class RuleResult(_Frozen):
    """A rule of the framework applied to its KPIs (e.g. guideline §6.5 k)."""

    code: Literal["rule_result"]
    rule: str
    section: str
    evidence_for: str
    kpis: int
    passed: int
    failed: int
    not_measurable: int
    required_share: Num
    improvement_run: int


class Text(_Frozen):
    """A finished sentence from a run of an older schema (migrated, Chinese): print as is."""

    code: Literal["text"]
    text: str


Finding = Annotated[
    DocumentNotMet
    | IndicatorNotMet
    | ClaimMismatch
    | ClaimUnverifiable
    | TrendWorsening
    | HandoverGap
    | RequirementBelowStandard
    | KeyPointFact
    | RuleResult
    | Text,
    Field(discriminator="code"),
]


# the reasons of one KPI's reading under a persistence rule
class ShareMet(_Frozen):
    """Months on target: ``met`` of ``counted`` (``share``), against the ``required`` share;
    ``missing_as_not_met`` months without data were counted as not met."""

    code: Literal["share_met"]
    met: int
    counted: int
    share: Num
    required: Num
    ok: bool
    missing_as_not_met: int


class ImprovementRun(_Frozen):
    """Consecutive month-on-month improvements (``anchor`` latest: ending with the last
    month) against the ``required`` run."""

    code: Literal["improvement_run"]
    run: int
    required: int
    anchor: Literal["anywhere", "latest"]


class OnTargetWithoutImprovement(_Frozen):
    """On target every month but without the run of improvements (erratum, assessor's call)."""

    code: Literal["on_target_without_improvement"]
    erratum: str


class NoTarget(_Frozen):
    """No target value set (the framework requires one: ``section``)."""

    code: Literal["no_target"]
    section: str


class NoData(_Frozen):
    """No value in the assessment window."""

    code: Literal["no_data"]


Reason = Annotated[
    ShareMet | ImprovementRun | OnTargetWithoutImprovement | NoTarget | NoData | Text,
    Field(discriminator="code"),
]


# ---------------------------------------------------------------- framework-level evidence
class RuleParameters(_Frozen):
    required_share: Num
    improvement_run: int
    improvement_anchor: Literal["anywhere", "latest"]
    missing_months: str
    held_target_counts: bool


class MonthCheckOut(MonthValue):
    met: bool | None


class RuleKpiOut(_Frozen):
    code: str
    name: str
    unit: str | None
    direction: str
    target: Bounds | None
    status: Literal["pass", "fail", "not measurable"]
    months_met: int
    months_counted: int
    share_met: Num | None
    share_ok: bool | None
    longest_run: int
    latest_run: int
    improvement_ok: bool | None
    reasons: tuple[Reason, ...]
    monthly: tuple[MonthCheckOut, ...]


class RuleOut(_Frozen):
    rule: str
    section: str
    text: str
    evidence_for: str
    item: str
    requirement: str
    parameters: RuleParameters
    months: tuple[str, ...]
    counts: RuleCounts
    kpis: tuple[RuleKpiOut, ...]


class ThresholdOut(_Frozen):
    id: str
    section: str
    kind: str
    item: str | None
    requirement: str | None
    text: str
    quantity: str
    operator: str | None
    value: Num | None
    range: tuple[Num | None, ...] | None
    unit: str | None
    window: str | None
    conditions: str | None
    term: str | None
    indicator: str | None
    rule: str | None
    measured: Num | None
    met: bool | None
    status: Literal["met", "not met", "not measured"]


class KpiColumn(_Frozen):
    name: str
    name_en: str
    role: str
    month: str | None


class KpiRow(_Frozen):
    code: str
    name: str
    unit: str | None
    values: tuple[Num | None, ...]


class KpiGroup(_Frozen):
    code: str | None
    name: str
    name_en: str
    kpis: tuple[KpiRow, ...]


class KpiTableOut(_Frozen):
    title: str
    source: str
    columns: tuple[KpiColumn, ...]
    groups: tuple[KpiGroup, ...]


class ProjectionGrade(_Frozen):
    name: str
    framework: str


class ProjectionItem(_Frozen):
    code: str
    name: str
    group: str
    sources: tuple[str, ...]
    unrated_sources: tuple[str, ...]
    partial: bool
    percent: Num | None
    rating: Num | None
    points: Num | None
    score: Num | None


class ProjectionGroup(_Frozen):
    code: str
    name: str
    points: Num | None
    covered_points: Num | None
    score: Num | None


class ProjectionMissing(_Frozen):
    """An item of the other framework without evidence: its mapped items are not rated
    (``unrated_sources``), or nothing maps to it (``reason``: the crosswalk's note, English)."""

    code: str
    name: str
    reason: str
    unrated_sources: tuple[str, ...] = ()


class ProjectionKpi(_Aliased):
    code: str
    name: str
    source: str | None = Field(alias="from")
    value: Num | None
    match: str | None
    reason: str


# ---------------------------------------------------------------- from score to action


class ImprovementStep(_Frozen):
    """One leaf raised: ``leaf`` is the key under ``ratings:`` (``a``, ``b.2``)."""

    item: str
    leaf: str
    from_: int = Field(alias="from")
    to: int
    points: Num = Field(
        description="what the raise is worth to its item, before the item's rounding"
    )


class IndicatorHintOut(_Frozen):
    item: str
    indicator: str
    met: int
    evaluable: int
    points: Num = Field(description="item score gained if one more indicator met its target")


class ImprovementOut(_Frozen):
    """The fewest rating steps to the next grade (ccua.improve; docs/improve.md)."""

    target: str
    target_min: Num
    reachable: bool
    already_met: bool
    total_before: Num
    total_after: Num
    best_possible: Num
    step_count: int
    effort: Num
    steps: tuple[ImprovementStep, ...]
    fixed_items: tuple[str, ...]
    indicators: tuple[IndicatorHintOut, ...]


class QueueFiguresOut(_Frozen):
    service_level: Num
    wait_probability: Num
    asa: Num | None
    occupancy: Num
    abandon_probability: Num | None = Field(None, exclude_if=_omit_none)


class StaffingMonth(_Frozen):
    month: str
    calls_per_interval: Num
    aht: Num
    agents: int
    load: Num
    model: Literal["erlang-c", "erlang-a"]
    modelled: QueueFiguresOut
    reported_service_level: Num | None
    reported_abandon_rate: Num | None
    gap_points: Num | None
    flagged: bool
    agents_needed: int | None


class StaffingOut(_Frozen):
    """Each month's reported service level against Erlang C/A for the staff (ccua.staffing)."""

    model: Literal["erlang-c", "erlang-a"]
    open_hours_per_day: Num
    interval_seconds: int
    answer_within: int
    tolerance_points: Num
    patience_seconds: Num | None
    items: tuple[str, ...]
    months: tuple[StaffingMonth, ...]
    flagged: tuple[str, ...]


# ---------------------------------------------------------------- the assessors


class AgreementStats(_Frozen):
    pairs: int
    exact_agreement: Num | None
    within_one: Num | None
    weighted_kappa: Num | None
    alpha_ordinal: Num | None


class PairKappa(_Frozen):
    a: str
    b: str
    weighted_kappa: Num | None


class Disagreement(_Frozen):
    leaf: str
    item: str
    ratings: dict[str, int]
    spread: int
    points_at_stake: Num


class AgreementOut(AgreementStats):
    """Agreement of the independent assessors (ratings/NAME.yaml; ccua.agreement)."""

    assessors: tuple[str, ...]
    by_domain: dict[str, AgreementStats]
    pairwise_weighted_kappa: tuple[PairKappa, ...]
    disagreements: tuple[Disagreement, ...]


class ProjectionOut(_Aliased):
    """The assessment estimated under another framework through a crosswalk (an estimate)."""

    kind: Literal["estimate"]
    note: str
    source: str = Field(alias="from")
    to: str
    total_points: Num | None
    covered_points: Num | None
    estimated_score: Num | None
    rescaled_total: Num | None
    indicative_grade: ProjectionGrade | None
    complete: bool
    items: tuple[ProjectionItem, ...]
    groups: tuple[ProjectionGroup, ...]
    missing: tuple[ProjectionMissing, ...]
    kpis: tuple[ProjectionKpi, ...]


# ---------------------------------------------------------------- the whole file
class Results(_Frozen):
    """Everything a report needs, computed once per run (``results.json``)."""

    model_config = ConfigDict(title="ccua results.json")

    schema_: Literal["ccua.results"] = Field("ccua.results", alias="schema")
    schema_version: Literal[2] = 2
    generator: str
    client: str
    framework: FrameworkOut
    period: PeriodOut
    engagement: Engagement
    tolerance: ToleranceOut
    chapters: tuple[ChapterOut, ...]
    assessment: AssessmentOut
    attainment: dict[str, ItemAttainment]
    indicators: tuple[IndicatorOut, ...]
    reconciliation_summary: ReconciliationSummary
    input_warnings: tuple[str, ...]
    findings: dict[str, tuple[Finding, ...]] = Field(
        description="per item code, the facts a report states about it, in order"
    )
    rules: tuple[RuleOut, ...]
    thresholds: tuple[ThresholdOut, ...]
    kpi_table: KpiTableOut | None
    projections: tuple[ProjectionOut, ...]
    improvement: ImprovementOut | None = Field(None, exclude_if=_omit_none)
    staffing: StaffingOut | None = Field(None, exclude_if=_omit_none)
    agreement: AgreementOut | None = Field(None, exclude_if=_omit_none)
    evidence_cited: dict[str, list[str]] | None = Field(
        None,
        exclude_if=_omit_none,
        description="per item, the register's evidence (id and title) its ratings cite",
    )
    provenance: dict[str, Any] | None = Field(
        None,
        exclude_if=_omit_none,
        description="what produced the run: code, framework, input files, "
        "environment (ccua.provenance; absent in results built in memory)",
    )

    # -- look-ups for readers
    def chapter(self, chapter: str) -> ChapterOut:
        """One chapter (a domain, or an area of the guideline); a clear error if unknown."""
        for ch in self.chapters:
            if ch.id == chapter:
                return ch
        known = ", ".join(ch.id for ch in self.chapters)
        raise CcuaError(f"chapter must be one of {known}, got {chapter!r}", field="chapter")

    def indicator(self, code: str) -> IndicatorOut:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def indicators_of(self, item: str) -> tuple[IndicatorOut, ...]:
        return tuple(ind for ind in self.indicators if ind.item == item)

    # -- serialisation
    def to_json_dict(self) -> dict[str, Any]:
        """The plain dict of results.json (what ``json.load`` of the file gives)."""
        return self.model_dump(mode="json", by_alias=True)

    def dumps(self) -> str:
        """The canonical text of results.json."""
        return dumps(self)


def dumps(data: Results | dict[str, Any]) -> str:
    """The canonical text of results.json (of typed results or their plain dict)."""
    if isinstance(data, Results):
        data = data.to_json_dict()
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of results.json (docs/results.schema.json)."""
    schema = Results.model_json_schema(mode="serialization", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://ccua.example/schema/results-v{SCHEMA_VERSION}.json"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- reading and migrating
def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """A results dict of an older schema version upgraded to :data:`SCHEMA_VERSION`.

    1 → 2: findings and KPI reasons were Chinese sentences; they become ``text`` facts
    (printed as they were). Rule summaries become ``rule_result`` facts rebuilt from each
    rule's counts and parameters (the v1 sentence is dropped).
    """
    if data.get("schema_version") != 1:
        return data
    rules = data.get("rules") or []

    def fact(line: str) -> dict[str, Any]:
        rule = next((r for r in rules if r.get("summary") == line), None)
        return {"code": "text", "text": line} if rule is None else _rule_fact(rule)

    def unsummarised(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k != "summary"}

    assessment = data["assessment"]
    return {
        **data,
        "findings": {
            i: [fact(line) for line in f] for i, f in (data.get("findings") or {}).items()
        },
        "rules": [
            {
                **unsummarised(r),
                "kpis": [
                    {**k, "reasons": [{"code": "text", "text": t} for t in k["reasons"]]}
                    for k in r["kpis"]
                ],
            }
            for r in rules
        ],
        "assessment": {
            **assessment,
            "items": [
                {**item, "evidence": [unsummarised(e) for e in item.get("evidence") or []]}
                for item in assessment["items"]
            ],
        },
        "schema_version": 2,
    }


def _rule_fact(rule: dict[str, Any]) -> dict[str, Any]:
    counts = rule["counts"]
    return {
        "code": "rule_result",
        "rule": rule["rule"],
        "section": rule["section"],
        "evidence_for": rule["evidence_for"],
        "kpis": len(rule["kpis"]),
        "passed": counts["pass"],
        "failed": counts["fail"],
        "not_measurable": counts["not measurable"],
        "required_share": rule["parameters"]["required_share"],
        "improvement_run": rule["parameters"]["improvement_run"],
    }


def read_results(text: str, *, file: str = RESULTS_FILE) -> Results:
    """Results from the text of a results.json (any readable version); a clear error if not."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CcuaError(f"is not valid JSON ({exc})", file=file) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise CcuaError(f"is not a ccua results file (schema {SCHEMA!r} expected)", file=file)
    if data.get("schema_version") not in READABLE_VERSIONS:
        raise CcuaError(
            f"has schema_version {data.get('schema_version')!r}; this ccua reads "
            f"{', '.join(map(str, READABLE_VERSIONS))}",
            file=file,
            hint="re-run the client with this version of ccua",
        )
    try:
        return Results.model_validate(migrate(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CcuaError(
            f"does not match the results schema ({exc.error_count()} problem(s); "
            f"first: {first['msg']})",
            file=file,
            field=where,
        ) from None


_TYPED: list[tuple[Mapping[str, Any], Results]] = []  # the last dicts typed, newest first


def typed(results: Results | Mapping[str, Any]) -> Results:
    """The typed results of a reader given either form (a dict as results.json holds it).
    The same dict object again gives the same Results without validating it again (the
    notebooks hand their one dict to every function): a reader never changes it in place."""
    if isinstance(results, Results):
        return results
    for seen, out in _TYPED:
        if seen is results:
            return out
    out = Results.model_validate(migrate(dict(results)))
    _TYPED[:] = [(results, out), *_TYPED[:3]]
    return out


def run_results_file(run_dir: str | Path) -> Path:
    """The results.json of a run folder; a clear error if the folder is not a run."""
    path = Path(run_dir)
    if not path.is_dir():
        raise CcuaError(
            "is not a run folder",
            file=str(run_dir),
            hint="give a folder written by  ccua run params/CLIENT.yaml",
        )
    file = path / RESULTS_FILE
    if not file.exists():
        raise CcuaError(
            "has no results.json", file=str(run_dir), hint="run  ccua run params/CLIENT.yaml  first"
        )
    return file


def load_run(run_dir: str | Path) -> Results:
    """The results of a run folder (or of a results.json file given directly)."""
    path = Path(run_dir)
    file = path if path.is_file() else run_results_file(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CcuaError(f"is not valid JSON ({exc})", file=str(file)) from None
    return read_results(text, file=str(file))
