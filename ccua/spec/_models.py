"""Typed, frozen models of a framework (the standard as data).

A framework is a tree: groups (T/CCUA 能力域 / guideline 评审范围) hold items (能力项 / 评审细项);
items hold requirements (lettered, 要求) which may hold numbered sub-points. Points sit on one
level, named by ``scoring.points_at``. Indicators belong to items and compute from named
measures. Nothing here knows a particular framework: every code, text and number comes from
the YAML files under ``ccua/frameworks/<id>/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ccua.errors import UnknownCodeError

T = TypeVar("T")


def _one(
    entries: Iterable[T], code: object, missing: Callable[[], Exception], key: str = "code"
) -> T:
    """The entry whose ``key`` is ``code``, or ``missing()`` raised. Frameworks are small (tens
    of items), so linear scans keep the model plain."""
    found = next((e for e in entries if getattr(e, key) == code), None)
    if found is None:
        raise missing()
    return found


def _to_decimal(value: object) -> object:
    # YAML reads 5.25 as a float; going through str keeps the decimal the author wrote.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


Dec = Annotated[Decimal, BeforeValidator(_to_decimal)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


Direction = Literal["higher", "lower", "band", "none"]
"""Which way is better: higher, lower, inside a band (min..max), or no direction (reported)."""

IndicatorKind = Literal["ratio", "duration", "count", "amount", "documentary"]
Unit = Literal["percent", "seconds", "minutes", "hours", "count", "currency"]
MeasureUnit = Literal["count", "seconds", "minutes", "hours", "days", "currency", "percent"]


class LevelName(_Frozen):
    zh: str
    en: str
    en_plural: str


class Levels(_Frozen):
    group: LevelName
    item: LevelName
    requirement: LevelName
    subpoint: LevelName


class ScaleLevel(_Frozen):
    value: int
    label: str
    label_en: str
    description: str
    description_en: str


class Scale(_Frozen):
    id: str
    name: str
    source: str
    levels: tuple[ScaleLevel, ...]

    @property
    def minimum(self) -> int:
        return min(level.value for level in self.levels)

    @property
    def maximum(self) -> int:
        return max(level.value for level in self.levels)

    def label(self, value: int) -> str:
        return _one(self.levels, value, lambda: KeyError(value), "value").label


class Category(_Frozen):
    code: str
    name: str
    name_en: str


class Group(_Frozen):
    code: str
    name: str
    name_en: str
    category: str | None = None
    points: Dec | None = None


class SubPoint(_Frozen):
    code: str
    text: str


class Requirement(_Frozen):
    code: str
    text: str
    kind: Literal["qualitative", "indicator"] = "qualitative"
    subpoints: tuple[SubPoint, ...] = ()
    heading: str = Field(
        "",
        description="the printed title of the sub-clause the requirement "
        "sits in, where an item spans several (guideline 7.3, 8.3, 8.4); "
        "nested titles joined by ' / '",
    )
    section: str = Field(
        "", description="the clause that prints it, where it differs from the item's"
    )


class Indicator(_Frozen):
    code: str
    name: str
    name_en: str
    definition: str
    formula_text: str
    formula_latex: str
    function: str
    inputs: tuple[str, ...] = ()
    unit: Unit | None = None
    direction: Direction
    kind: IndicatorKind
    same_as: str | None = None
    scope: Literal["item", "framework"] = Field(
        "item",
        description="item: listed under an item, coded <item>.<n>; framework: listed in "
        "the framework's indicators.yaml (set by the loader, not written in the files)",
    )
    term: str | None = Field(None, description="the clause of the terms (§3) that defines it")
    used_by: tuple[str, ...] = Field(
        default=(),
        description="framework-level indicators: the items whose clauses use the indicator",
    )

    @property
    def item(self) -> str | None:
        """The item the indicator belongs to; None for framework-level indicators."""
        if self.scope == "framework":
            return None
        return self.code.rsplit(".", 1)[0]

    @property
    def position(self) -> int:
        return int(self.code.rsplit(".", 1)[1])

    @property
    def is_documentary(self) -> bool:
        return self.kind == "documentary"


class Item(_Frozen):
    code: str
    name: str
    name_en: str
    group: str
    points: Dec | None = None
    section: str = Field("", description="the clause of the standard that states the item")
    description: str = ""
    requirements: tuple[Requirement, ...]
    key_indicators_listed: tuple[str, ...] = Field(
        default=(), description="the 关键指标 column of the §6 table, as printed"
    )
    indicators: tuple[Indicator, ...] = ()

    def requirement(self, code: str) -> Requirement:
        return _one(self.requirements, code, lambda: KeyError(code))

    @property
    def indicator_requirement(self) -> Requirement | None:
        return next((req for req in self.requirements if req.kind == "indicator"), None)


class Term(_Frozen):
    """A defined term of the standard (guideline §3.1) that names a measurable quantity."""

    clause: str
    name: str
    name_en: str
    definition: str = Field(description="verbatim")
    formula_text: str = Field("", description="the formula as printed, if any")
    note: str = Field("", description="how ccua reads and computes it")
    unit: Unit | None = None
    direction: Direction | None = None
    indicator: str | None = Field(None, description="the indicator that computes it")


class Abbreviation(_Frozen):
    abbr: str
    zh: str
    en: str
    note: str = ""


class KpiColumn(_Frozen):
    name: str
    name_en: str
    role: Literal["kpi", "history", "current"]


class KpiGroup(_Frozen):
    code: str
    name: str
    name_en: str
    kpis: tuple[str, ...] = Field(description="indicator codes, in the printed order")


class KpiTable(_Frozen):
    """A table of key performance indicators to be filled per period (guideline table A.1)."""

    title: str
    source: str
    columns: tuple[KpiColumn, ...]
    groups: tuple[KpiGroup, ...]

    @property
    def kpis(self) -> tuple[str, ...]:
        return tuple(code for group in self.groups for code in group.kpis)

    @property
    def period_columns(self) -> tuple[KpiColumn, ...]:
        """The value columns, oldest first: the historical periods, then the current one."""
        return tuple(c for c in self.columns if c.role != "kpi")

    def group_of(self, code: str) -> KpiGroup | None:
        return next((group for group in self.groups if code in group.kpis), None)


Operator = Literal[">=", "<=", ">", "<", "between"]


class Threshold(_Frozen):
    """A measurable requirement printed in the text: quantity, operator, value, unit, window.

    ``kind`` separates what is required (``requirement``) from typical ranges (``guidance``)
    and examples in definitions (``example``), which are never targets on their own.
    """

    id: str
    section: str
    text: str = Field(description="the verbatim sentence that carries the threshold")
    name_en: str
    quantity: str
    operator: Operator
    value: Dec | None = None
    range: tuple[Dec, Dec] | None = Field(
        None, description="operator between: [low, high], inclusive"
    )
    unit: str
    window: str | None = None
    conditions: str = ""
    kind: Literal["requirement", "guidance", "example"] = "requirement"
    item: str | None = None
    requirement: str | None = Field(None, description="the requirement code within the item")
    term: str | None = None
    indicator: str | None = None
    table: str = ""
    column: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Threshold:
        if self.operator == "between":
            if self.range is None or self.value is not None:
                raise ValueError("operator between takes range: [low, high] and no value")
            if self.range[0] > self.range[1]:
                raise ValueError(f"range {list(self.range)} is not ordered low, high")
        elif self.value is None or self.range is not None:
            raise ValueError(f"operator {self.operator} takes value: and no range")
        return self

    @property
    def direction(self) -> Direction:
        return {">=": "higher", ">": "higher", "<=": "lower", "<": "lower"}.get(
            self.operator, "band"
        )  # type: ignore[return-value]


class Rule(_Frozen):
    """A rule over indicators' monthly series, as the standard states it (guideline §6.5 k).

    ``kind`` names the pure function in :mod:`ccua.rules` that applies it; every number and
    every reading of the text is a parameter here, so that the data, not the code, holds them.
    """

    id: str
    kind: Literal["kpi_persistence"]
    section: str
    item: str = Field(description="the item whose requirement the result is evidence for")
    requirement: str
    text: str = Field(description="verbatim")
    scope: Literal["kpi_table", "indicators"] = Field(
        "kpi_table", description="which indicators it applies to"
    )
    required_share: Dec = Field(description="share of the months that must meet the target")
    improvement_run: int = Field(ge=1, description="consecutive month-on-month improvements")
    improvement_anchor: Literal["anywhere", "latest"] = Field(
        "anywhere",
        description="the run may lie anywhere in the window, or must end with the latest month",
    )
    missing_months: Literal["not_met", "excluded"] = Field(
        "not_met",
        description="a month without a value counts as not meeting the target, or "
        "is left out of the share",
    )
    held_target_counts: bool = Field(
        False,
        description="a month that meets the target and is no worse than the month "
        "before counts as an improvement",
    )
    note: str = ""

    @property
    def evidence_for(self) -> str:
        return f"{self.item}.{self.requirement}"


class ComparisonGrades(_Frozen):
    """Another framework's grade bands, shown beside a total for comparison only."""

    framework: str
    label: str
    label_en: str


class Measure(_Frozen):
    code: str
    name: str
    name_en: str
    unit: MeasureUnit
    aggregation: Literal["sum", "mean", "first", "last"] = Field(
        "sum",
        description="how monthly values combine into the period's: flows sum; stocks "
        "such as headcount take the first, last or mean month",
    )


class Grade(_Frozen):
    code: str
    name: str
    name_en: str
    min: Dec
    band: str = Field(description="the 分值区分 cell as printed, e.g. ≥75分")
    process: tuple[str, ...] = ()
    result: tuple[str, ...] = ()


class Erratum(_Frozen):
    id: str
    subjects: tuple[str, ...]
    kind: Literal[
        "deviation", "ambiguity", "omission", "inconsistency", "decision", "repair", "typo"
    ]
    issue: str
    decision: str
    source: str = ""


class Scoring(_Frozen):
    points_at: Literal["item", "group"]
    total_points: Dec = Decimal(100)
    rating_levels: tuple[Literal["item", "requirement", "subpoint"], ...]
    indicator_requirement: bool = False
    attainment_threshold: Dec = Decimal("0.7")
    rating_at_threshold: Dec = Decimal(3)
    decimals: int = 2


class Chapter(_Frozen):
    """A chapter of the report and an executed notebook: one or more groups."""

    id: str
    title: str
    groups: tuple[str, ...]


class Framework(_Frozen):
    id: str
    name: str
    name_en: str
    designation: str
    version: str
    source: str
    levels: Levels
    scale: Scale
    scoring: Scoring
    categories: tuple[Category, ...] = ()
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    measures: tuple[Measure, ...] = ()
    grades: tuple[Grade, ...] = ()
    errata: tuple[Erratum, ...] = ()
    chapters_: tuple[Chapter, ...] = Field(default=(), alias="chapters")
    framework_indicators: tuple[Indicator, ...] = Field(default=(), alias="indicators")
    terms: tuple[Term, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    kpi_table: KpiTable | None = None
    thresholds: tuple[Threshold, ...] = ()
    rules: tuple[Rule, ...] = ()
    comparison_grades: ComparisonGrades | None = None

    @model_validator(mode="before")
    @classmethod
    def _mark_framework_indicators(cls, data: object) -> object:
        # Indicators listed at framework level (not under an item) carry scope "framework";
        # the files need not say so.
        if isinstance(data, dict) and isinstance(data.get("indicators"), list | tuple):
            data = {
                **data,
                "indicators": [
                    {**entry, "scope": "framework"} if isinstance(entry, dict) else entry
                    for entry in data["indicators"]
                ],
            }
        return data

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """The report's domain chapters: as declared, else one per group."""
        if self.chapters_:
            return self.chapters_
        return tuple(
            Chapter(id=g.code, title=f"{g.code} {g.name}", groups=(g.code,)) for g in self.groups
        )

    def item(self, code: str) -> Item:
        def missing() -> Exception:
            items = ", ".join(i.code for i in self.items)
            return UnknownCodeError(
                f"no item {code!r} in {self.id}; items are {items}", field="item"
            )

        return _one(self.items, code, missing)

    def group(self, code: str) -> Group:
        def missing() -> Exception:
            groups, level = ", ".join(g.code for g in self.groups), self.levels.group
            return UnknownCodeError(
                f"no {level.en} {code!r} in {self.id}; {level.en_plural} are {groups}"
            )

        return _one(self.groups, code, missing)

    def items_of(self, group_code: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.group == group_code)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator: the items' (in item order), then the framework-level ones."""
        return (
            *(ind for item in self.items for ind in item.indicators),
            *self.framework_indicators,
        )

    def indicator(self, code: str) -> Indicator:
        missing = f"no indicator {code!r} in {self.id} (see `ccua kpi list`)"
        return _one(self.indicators, code, lambda: UnknownCodeError(missing, indicator=code))

    def measure(self, code: str) -> Measure:
        missing = f"no measure {code!r} in {self.id}"
        return _one(self.measures, code, lambda: UnknownCodeError(missing, field=code))

    def term(self, clause: str) -> Term:
        missing = f"no term {clause!r} in {self.id}"
        return _one(self.terms, clause, lambda: UnknownCodeError(missing, field="term"), "clause")

    def rule(self, rule_id: str) -> Rule:
        def missing() -> Exception:
            known = ", ".join(r.id for r in self.rules) or "none"
            return UnknownCodeError(
                f"no rule {rule_id!r} in {self.id}; rules: {known}", field="rule"
            )

        return _one(self.rules, rule_id, missing, "id")

    def errata_for(self, subject: str) -> tuple[Erratum, ...]:
        return tuple(e for e in self.errata if subject in e.subjects)

    def category_of(self, item: Item) -> Category | None:
        code = self.group(item.group).category
        return next((c for c in self.categories if c.code == code), None)

    def grade_for(self, total: Decimal) -> Grade | None:
        for grade in sorted(self.grades, key=lambda g: g.min, reverse=True):
            if total >= grade.min:
                return grade
        return None
