"""Typed models of an engagement: what §7 of T/CCUA asks an assessment to hold.

One engagement folder per client (``params/<client>/``)::

    engagement.yaml   project background (7.2 a), report cover and contacts, both team lists
                      (E.1, E.2), the hand-over and feedback sheet per item (E.3, E.4), and the
                      key-point issues raised in step three (7.3.4)
    targets.yaml      a target per indicator: the centre's own, else a documented default
    monthly.csv|xlsx  monthly indicator inputs over the half-year (7.2 c), as clients send them
    claimed.csv|xlsx  the values the centre claims in its own reports (真实性 check)
    checks.yaml       the assessor's check of documentary indicators (met or not, with a note)
    ratings.yaml      the assessor's ratings (ccua.ratings)

A params file (``params/<client>.yaml``) names the folder and the run's settings.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator

from ccua._num import NotANumber, to_fraction
from ccua._yaml import Schema, worded
from ccua.spec import Dec

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A client name is a file name on every system (ccua.scaffold.validate_name says it in words).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def month_text(value: object) -> object:
    # YAML and spreadsheets turn 2026-01 into dates or numbers; accept them and normalise.
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-").replace("年", "-")
        text = text.replace("月", "")
        m = re.match(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$", text)
        if m:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    return value


Month = Annotated[
    str, BeforeValidator(month_text), worded(MONTH_RE.pattern, "expected a month such as 2026-01")
]
ClientName = Annotated[
    str,
    worded(
        NAME_PATTERN,
        "not allowed as a client name: use letters, digits and - _ . (starting with a letter "
        "or digit), e.g. acme-2026",
    ),
]


def month_range(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    ey, em = map(int, end.split("-"))
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class _Model(Schema):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Contact(_Model):
    organisation: str = Field("", description="受评方 / 测评方")
    name: str = Field("", description="联系人")
    phone: str = Field("", description="联络电话")
    email: str = Field("", description="电子邮件")
    address: str = Field("", description="公司地址")


class ReportMeta(_Model):
    """The cover page of the sample report (E.5 测评报告示例)."""

    title: str = Field("", description="报告标题; default: <受评机构>运营能力测评报告")
    commissioned_by: str = Field(description="委托单位")
    assessee: str = Field(description="受评机构")
    project: str = Field(description="项目名称")
    assessor_org: str = Field(description="测评机构")
    prepared_by: list[str] = Field(default_factory=list, description="编制")
    approved_by: str = Field("", description="审批")
    date: str = Field(description="编制日期, e.g. 2026年11月")
    prepared_unit: str = Field("", description="编制单位")
    standard: str = Field("", description="how the report cites the standard")


class Period(_Model):
    start: Month
    end: Month

    @property
    def months(self) -> list[str]:
        return month_range(self.start, self.end)


class Background(_Model):
    """7.2 a) 项目背景."""

    subject: str = Field(description="受评主体: department and its organisation")
    organisation: str = Field(description="受评方组织背景")
    industry: str = Field(description="行业背景")
    seats: int = Field(gt=0, description="坐席数")
    business_types: list[str] = Field(min_length=1, description="业务类型")
    period: Period
    description: str = Field("", description="测评背景 paragraph of the report")


class Assessor(_Model):
    """E.1 测评小组测评方成员."""

    name: str
    phone: str = ""
    email: str = ""
    role: str = Field(description="测评小组职责")
    note: str = ""


class AssesseeMember(_Model):
    """E.2 测评小组受评方成员."""

    name: str
    phone: str = ""
    email: str = ""
    department: str = Field("", description="所属部门")
    position: str = Field("", description="岗位名称")
    role: str = Field("", description="测评小组职责")
    note: str = ""


class Team(_Model):
    assessors: list[Assessor] = Field(min_length=1)
    assessee: list[AssesseeMember] = Field(min_length=1)


class Handover(_Model):
    """One row of E.3 (资料交接确认单) and E.4 (测评资料反馈表)."""

    nature: str = Field("电子版", description="文档性质")
    copies: int = Field(ge=0, description="份数")
    pages: int = Field(ge=0, description="页数")
    note: str = Field("", description="备注")
    completeness: Literal["完整", "不完整"] | None = Field(None, description="完整度 (E.4)")
    granularity: Literal["符合", "不符合"] | None = Field(None, description="测评粒度 (E.4)")
    feedback: str = Field("", description="反馈说明 (E.4 备注)")


_Figure = Annotated[Dec, PlainSerializer(float, return_type=float, when_used="json")]


def _none(value: object) -> bool:
    return value is None


class KeyPoint(_Model):
    """7.3.4 a) 测评关键点问题 raised with the assessee."""

    topic: str = Field(description="组织框架、系统、流程、绩效、运营工具、实施效果、测评结果…")
    item: str | None = Field(None, description="item code it concerns, if any")
    issue: str
    response: str = Field("", description="受评方反馈 / agreed action")
    status: Literal["open", "confirmed", "resolved"] = "confirmed"
    # Figures the point states about an indicator: ccua run and ccua check stop when they
    # contradict the run's own (a key point never disagrees with the indicator tables).
    indicator: str | None = Field(
        None, exclude_if=_none, description="indicator code the point's figures are of"
    )
    target: _Figure | None = Field(
        None,
        exclude_if=_none,
        description="the target it quotes (a bound of the indicator's target)",
    )
    value: _Figure | None = Field(
        None, exclude_if=_none, description="the period value it quotes, to the decimals given"
    )
    met: bool | None = Field(
        None, exclude_if=_none, description="whether it says the target is met"
    )


class Step(_Model):
    """One step of the assessment process (7.3: 启动, 范围确认, 资料反馈与确认, 项目测评)."""

    name: str
    start: str = ""
    end: str = ""
    deliverable: str = ""


class Engagement(_Model):
    client: ClientName
    framework: str
    report: ReportMeta
    contacts: dict[Literal["assessee", "assessor"], Contact] = Field(default_factory=dict)
    background: Background
    process: list[Step] = Field(default_factory=list)
    tools: str = Field("", description="测评工具 paragraph")
    team: Team
    handover: dict[str, Handover] = Field(default_factory=dict)
    key_points: list[KeyPoint] = Field(default_factory=list)
    opinion: str = Field("", description="测评组意见; default generated from the grade")


def _computable(value: Decimal | None) -> Decimal | None:
    """A number ccua can compute with (not 1e400: decimal.InvalidOperation later)."""
    if value is not None:
        try:
            to_fraction(value)
        except NotANumber as exc:
            raise ValueError(str(exc)) from None
    return value


class Target(_Model):
    """A target for one indicator: met when min <= value <= max (either bound optional)."""

    min: Dec | None = None
    max: Dec | None = None
    source: Literal["centre", "default"] = "centre"
    basis: str = Field("", description="where a default comes from, or the centre's document")

    _bounded = field_validator("min", "max")(_computable)

    @field_validator("max")
    @classmethod
    def _ordered(cls, v: Decimal | None, info):
        lo = info.data.get("min")
        if v is not None and lo is not None and v < lo:
            raise ValueError(f"max {v} is below min {lo}")
        return v


class Check(_Model):
    """The assessor's check of a documentary indicator (formula "－")."""

    met: bool
    note: str = Field(min_length=1, description="which document shows it")
    evidence: str = ""


class Tolerance(_Model):
    """How far a claimed value may be from the recomputed one before it is flagged."""

    percent_points: Dec = Field(
        Decimal("0.5"), ge=0, description="for percent indicators, in percentage points"
    )
    relative: Dec = Field(
        Decimal("0.02"), ge=0, description="for other units, as a share of the recomputed value"
    )

    _bounded = field_validator("percent_points", "relative")(_computable)


class Staffing(_Model):
    """The staffing check against Erlang C / Erlang A (ccua/staffing.py; docs/improve.md)."""

    open_hours_per_day: Dec | None = Field(
        None,
        gt=0,
        le=24,
        description="hours a day the voice queue is open; without it no check is made",
    )
    interval_seconds: int = Field(1800, gt=0, description="length of a planning interval")
    tolerance_points: Dec = Field(
        Decimal(5),
        ge=0,
        description="percentage points a reported "
        "service level may exceed what the staff could deliver",
    )
    patience_seconds: Dec | None = Field(
        None,
        gt=0,
        description="callers' mean patience: Erlang A (with abandonment) instead of Erlang C",
    )


class Params(_Model):
    """A client's params file: what papermill and the runner need."""

    client: ClientName
    engagement: str = Field(description="engagement folder, relative to the params file")
    output: str = Field("", description="run folder; default runs/<client>")
    framework: str | None = Field(None, description="must agree with engagement.yaml")
    tolerance: Tolerance = Tolerance()
    records: str = Field("", description="folder of ingested records (ccua ingest), optional")
    service_level_seconds: int = Field(20, gt=0)
    staffing: Staffing = Staffing()
    benchmark: bool = Field(
        False,
        description="compare the client with its anonymised peers "
        "in the portfolio store (the report's 同业对照 annex)",
    )
    report: bool = Field(True, description="render the report after the notebooks")
    lang: Literal["zh", "en"] = Field(
        "zh", description="language of the notebooks, report and workbook: zh (中文, default) or en"
    )
