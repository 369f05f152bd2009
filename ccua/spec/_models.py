"""Typed, frozen models of a framework (the standard as data).

A framework is a tree: groups (T/CCUA 能力域 / guideline 评审范围) hold items (能力项 / 评审细项);
items hold requirements (lettered, 要求) which may hold numbered sub-points. Points sit on one
level, named by ``scoring.points_at``. Indicators belong to items and compute from named
measures. Nothing here knows a particular framework: every code, text and number comes from
the YAML files under ``ccua/frameworks/<id>/``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _to_decimal(value: object) -> object:
    # YAML reads 5.25 as a float; going through str keeps the decimal the author wrote.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


Dec = Annotated[Decimal, BeforeValidator(_to_decimal)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


Direction = Literal["higher", "lower", "band", "none"]
"""Which way is better: higher, lower, inside a band (min..max), or no direction (reported)."""

IndicatorKind = Literal["ratio", "duration", "count", "documentary"]
Unit = Literal["percent", "seconds", "minutes", "hours", "count", "currency"]
MeasureUnit = Literal["count", "seconds", "minutes", "hours", "days", "currency", "percent"]
Level = Literal["group", "item", "requirement", "subpoint"]


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
        for level in self.levels:
            if level.value == value:
                return level.label
        raise KeyError(value)


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

    @property
    def item(self) -> str:
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
        for req in self.requirements:
            if req.code == code:
                return req
        raise KeyError(code)

    @property
    def indicator_requirement(self) -> Requirement | None:
        for req in self.requirements:
            if req.kind == "indicator":
                return req
        return None


class Measure(_Frozen):
    code: str
    name: str
    name_en: str
    unit: MeasureUnit
    aggregation: Literal["sum", "mean", "first", "last"] = Field(
        "sum", description="how monthly values combine into the period's: flows sum; stocks "
        "such as headcount take the first, last or mean month")


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
    kind: Literal["deviation", "ambiguity", "omission", "inconsistency", "decision", "repair",
                  "typo"]
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

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """The report's domain chapters: as declared, else one per group."""
        if self.chapters_:
            return self.chapters_
        return tuple(Chapter(id=g.code, title=f"{g.code} {g.name}", groups=(g.code,))
                     for g in self.groups)

    # Lookups. Frameworks are small (tens of items), so linear scans keep the model plain.
    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        from ccua.errors import UnknownCodeError

        raise UnknownCodeError(
            f"no item {code!r} in {self.id}; items are {', '.join(i.code for i in self.items)}",
            field="item",
        )

    def group(self, code: str) -> Group:
        for group in self.groups:
            if group.code == code:
                return group
        from ccua.errors import UnknownCodeError

        raise UnknownCodeError(
            f"no {self.levels.group.en} {code!r} in {self.id}; "
            f"{self.levels.group.en_plural} are {', '.join(g.code for g in self.groups)}"
        )

    def items_of(self, group_code: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.group == group_code)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for item in self.items for ind in item.indicators)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        from ccua.errors import UnknownCodeError

        raise UnknownCodeError(
            f"no indicator {code!r} in {self.id} (see `ccua kpi list`)", indicator=code
        )

    def measure(self, code: str) -> Measure:
        for measure in self.measures:
            if measure.code == code:
                return measure
        from ccua.errors import UnknownCodeError

        raise UnknownCodeError(f"no measure {code!r} in {self.id}", field=code)

    def errata_for(self, subject: str) -> tuple[Erratum, ...]:
        return tuple(e for e in self.errata if subject in e.subjects)

    def category_of(self, item: Item) -> Category | None:
        code = self.group(item.group).category
        for category in self.categories:
            if category.code == code:
                return category
        return None

    def grade_for(self, total: Decimal) -> Grade | None:
        for grade in sorted(self.grades, key=lambda g: g.min, reverse=True):
            if total >= grade.min:
                return grade
        return None
