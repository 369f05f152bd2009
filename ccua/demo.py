"""The bundled demo client: a realistic synthetic contact centre, generated from a fixed seed.

华安人寿保险股份有限公司 客户联络中心 (a fictional insurer): 2,400 seats, voice, text, video
and bot channels, half a year of monthly operating data (2026-01 to 2026-06). Every indicator
of the framework has data; a few targets are missed on purpose; one hand-over document is
incomplete (E.4); one value the centre claims in its own report does not reconcile with the
recomputed one. All 19 items are rated requirement by requirement, with notes.

The generator is deterministic: ``write_demo(folder)`` always writes the same bytes (a test
regenerates the committed files and compares). Names, phone numbers and addresses are
invented; there are no customer records at all.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml

from ccua._io import atomic_write_text
from ccua.errors import CcuaError
from ccua.formulas import shape
from ccua.spec import Framework, Indicator, load_framework

FRAMEWORK = "t-ccua"
SEED = 2026
CLIENT = "demo"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
SEATS = 2400

# The centre's monthly indicator values, as (January, June) with a straight line between and
# a little seeded noise. Chosen to be plausible for a large insurer's centre, with some
# targets missed: abandon rate, voice service level, attrition and intent accuracy; a few
# indicators worsen over the half-year (absence, complaint satisfaction, service timeliness).
PROFILE: dict[str, tuple[float, float]] = {
    "CB1.1": (46, 31),
    "CB1.2": (3.1, 3.8),
    "CB1.3": (26, 22),
    "CB2.1": (91.5, 93.5),
    "CB2.2": (93.8, 94.6),
    "CB2.3": (86.5, 88.0),
    "CB3.1": (99.95, 99.97),
    "CB3.2": (99.7, 99.85),
    "CB3.3": (93, 96),
    "CB4.1": (90, 95),
    "CB4.2": (96, 97.5),
    "DO1.1": (62, 55),
    "DO1.2": (91, 93),
    "DO2.1": (88, 90),
    "DO2.2": (76, 79),
    "DO2.3": (95.5, 96.5),
    "DO2.4": (86, 88),
    "DO2.5": (2.6, 2.1),
    "DO2.6": (96, 98.5),
    "DO2.7": (85, 82),
    "DO3.1": (88, 94),
    "DO3.2": (104, 101.5),
    "DO3.3": (83, 87),
    "DO3.4": (90, 93),
    "DO3.5": (85, 92),
    "DO4.1": (91, 95),
    "DO4.2": (80, 88),
    "DO4.3": (93, 94.5),
    "DO5.2": (87, 89),
    "DO5.3": (97, 98),
    "DO5.4": (98.2, 98.8),
    "DO5.5": (97.5, 98.4),
    "DO5.6": (99.6, 99.8),
    "DO6.1": (84, 86),
    "DO6.2": (94, 96),
    "DO6.3": (95.5, 97.0),
    "DO6.4": (3.3, 4.3),
    "DO6.5": (318, 296),
    "DO6.6": (246, 232),
    "DO6.7": (78, 82),
    "DO6.8": (79, 82),
    "DO6.9": (6.8, 5.6),
    "DO6.10": (93.2, 94.4),
    "DO6.11": (97.5, 98.3),
    "DO6.12": (95, 96.5),
    "DO6.13": (74, 78.5),
    "DO6.14": (88, 91),
    "DO6.15": (83, 86),
    "DO7.1": (3.2, 2.9),
    "DO7.2": (88, 92),
    "DO7.3": (78, 81),
    "DO8.1": (6.5, 7.4),
    "DO8.2": (3.1, 3.6),
    "DO8.3": (8.5, 9.6),
    "MI1.2": (55, 59),
    "MI1.4": (0.45, 0.32),
    "MI2.2": (99.6, 99.8),
    "MI2.3": (52, 57),
    "MI2.4": (38, 42),
    "MI2.5": (0.9, 0.7),
    "MI2.6": (89, 92),
    "MI2.7": (81, 84),
    "MI2.9": (36, 40),
    "MI2.10": (61, 66),
    "MI3.1": (90, 91.5),
    "MI3.2": (95.5, 92.5),
}

# Monthly sizes of the "whole" quantities, per day of the month (the centre works every day)
# or as constants. Everything else is derived from these and the profile.
DAILY_BASE: dict[str, float] = {
    "offered_calls": 128_000,
    "voice_agent_offered": 121_000,
    "calls_answered": 112_000,
    "answered_contacts": 160_000,
    "voice_agent_answered_total": 112_000,
    "voice_agent_answered_per_day": 112_000,
    "text_agent_offered": 38_000,
    "video_agent_offered": 2_400,
    "total_service_contacts": 260_000,
    "customer_questions": 95_000,
    "asr_transcribed_characters": 41_000_000,
    "labelled_asr_correct_interactions": 1_800,
    "multimedia_tickets": 14,
    "kb_updates": 55,
    "kb_content_checks": 160,
    "skill_schedules": 2_150,
    "ratable_customer_questions": 21_000,
    "customers_per_day": 104_000,
    "post_service_ratings": 24_000,
    "completed_questionnaires": 3_300,
    "complaints": 420,
    "complainants_reached_on_follow_up": 300,
    "plan_milestones_due": 1.1,
    "self_service_tickets": 9,
    "new_solution_milestones_due": 0.9,
    "labelled_valid_interactions": 2_200,
    "total_answered_volume": 150_000,
    "quality_content_checks": 480,
    "monitored_transactions": 2_600,
    "handled_total": 150_000,
    "staff_scheduled": 2_060,
    "scheduled_hours": 16_480,
    "handled_volume": 150_000,
    "customers_contacted": 26_000,
    "organisation_revenue": 310_000_000,
    "inbound_sessions": 265_000,
    "multimodal_system_sessions": 140_000,
    "multimedia_service_minutes": 1_440,
    "multimedia_service_sessions": 140_000,
    "all_channels_inbound_volume": 265_000,
    "multimedia_system_sessions": 140_000,
    "bot_customer_questions": 88_000,
    "voice_inbound": 190_000,
    "text_inbound": 96_000,
    "branch_integration_ratable_questions": 1_900,
    "service_requests": 5_200,
    "service_open_minutes": 1_440,
    "social_followers": 1_850_000 / 30,
    "trainees_in_month": 2.4,
    "employees_total": 2_650 / 30,
    "agents_required": 2.5,
    "actual_required_staff": 2_060,
    "agent_on_duty_time": 1_900 * 8 * 3600,
    "agent_work_hours_per_day": 1_450 * 8,
}
# Calendar quantities: exactly so many per day, whatever the season.
PER_CALENDAR_DAY: dict[str, int] = {
    "working_days": 1,
    "service_open_minutes": 1_440,
    "multimedia_service_minutes": 1_440,
}
CONSTANTS: dict[str, float] = {"standard_agent_workday_hours": 8}
# Counts reported as they are (formula "－"), per day.
DAILY_COUNTS: dict[str, float] = {"CB1.1": 1.3, "MI1.1": 265_000, "MI2.1": 76_000, "MI3.3": 310}
# The monthly figures of DO7.1 staff turnover: hires per month (leavers follow the profile).
HIRES_PER_MONTH = 70
# A share of DO6.1's numerator for each agent state (ready, ring, talk, after-call work).
UTILISATION_SPLIT = (0.22, 0.03, 0.60, 0.15)


@dataclass(frozen=True)
class _Month:
    month: str
    days: int
    index: int


def _months() -> list[_Month]:
    out = []
    for i, m in enumerate(MONTHS):
        y, mm = map(int, m.split("-"))
        out.append(_Month(m, calendar.monthrange(y, mm)[1], i))
    return out


def _rate(code: str, m: _Month, rng: random.Random) -> float:
    start, end = PROFILE[code]
    value = start + (end - start) * m.index / (len(MONTHS) - 1)
    spread = abs(end - start) * 0.15 + abs(start) * 0.003
    return value + rng.uniform(-spread, spread)


def monthly_inputs(framework: Framework, seed: int = SEED) -> dict[str, dict[str, int]]:
    """values[month][measure] for every input of every computed indicator (integers)."""
    rng = random.Random(seed)
    out: dict[str, dict[str, int]] = {}
    seasonal = [1.06, 0.93, 1.0, 0.98, 1.02, 1.04]  # January peak, Spring Festival dip
    for m in _months():
        values: dict[str, int] = {}
        scale = m.days * seasonal[m.index]
        base = _Bases(values, rng, scale, m.days)
        for ind in framework.indicators:
            if ind.is_documentary or all(i in values for i in ind.inputs):
                continue
            _generate(ind, m, rng, values, base, scale)
        out[m.month] = values
    return out


@dataclass
class _Bases:
    """The month's "whole" quantities, drawn once and then shared by every indicator."""

    values: dict[str, int]
    rng: random.Random
    scale: float
    days: int

    def __call__(self, code: str) -> int:
        if code in CONSTANTS:
            return self.values.setdefault(code, round(CONSTANTS[code]))
        if code in PER_CALENDAR_DAY:
            return self.values.setdefault(code, PER_CALENDAR_DAY[code] * self.days)
        if code not in self.values:
            noise = self.rng.uniform(0.98, 1.02)
            self.values[code] = max(1, round(DAILY_BASE[code] * self.scale * noise))
        return self.values[code]


def _generate(
    ind: Indicator,
    m: _Month,
    rng: random.Random,
    values: dict[str, int],
    base: Callable[[str], int],
    scale: float,
) -> None:
    fn, inputs = ind.function, ind.inputs
    if fn == "value":
        values[inputs[0]] = round(DAILY_COUNTS[ind.code] * scale * rng.uniform(0.9, 1.1))
        return
    rate = _rate(ind.code, m, rng)
    if ind.code == "DO7.1":
        leavers_code, start_code, hires_code = inputs
        start = values.setdefault(start_code, 2_620 + 14 * m.index)
        hires = values.setdefault(hires_code, HIRES_PER_MONTH + rng.randint(-8, 8))
        values[leavers_code] = round((start + hires) * rate / 100)
        return
    if fn == "share":
        part, whole = inputs
        w = base(whole)
        values[part] = min(w, round(w * rate / 100))
    elif fn == "complement_share":
        part, whole = inputs
        w = base(whole)
        values[part] = min(w, round(w * (1 - rate / 100)))
    elif fn == "remainder_share":
        whole, *parts = inputs
        w = base(whole)
        missing = round(w * (1 - rate / 100))
        weights = [0.6, 0.3, 0.1][: len(parts)] if len(parts) > 1 else [1.0]
        for p, share_ in zip(parts, weights, strict=True):
            values[p] = round(missing * share_)
    elif fn == "ratio_percent":
        numerator, denominator = inputs
        d = base(denominator)
        values[numerator] = round(d * rate / 100)
    elif fn == "sum_share":
        *parts, whole = inputs
        w = base(whole)
        for p, share_ in zip(parts, UTILISATION_SPLIT, strict=True):
            values[p] = round(w * rate / 100 * share_)
    elif fn == "mean":
        total, count = inputs
        c = base(count)
        values[total] = round(c * rate)
    elif fn == "sum_mean":
        *totals, count = inputs
        c = base(count)
        values[totals[0]] = round(c * rate * 0.8)
        values[totals[1]] = round(c * rate * 0.2)
    elif fn == "per_fte":
        volume, work, standard = inputs
        hours = base(work)
        std = base(standard)
        values[volume] = round(rate * hours / std)
    else:  # pragma: no cover - every shape of the spec is handled above
        raise CcuaError(f"demo: no generator for shape {fn}", indicator=ind.code)


def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return "\ufeff" + buf.getvalue()  # UTF-8 with BOM, as Excel writes it


def monthly_csv(framework: Framework, inputs: dict[str, dict[str, int]]) -> str:
    """The monthly sheet as the centre sends it: inputs as rows, Chinese headers."""
    used_by: dict[str, list[str]] = {}
    for ind in framework.indicators:
        for m in ind.inputs:
            used_by.setdefault(m, []).append(ind.code)
    rows: list[list[object]] = [["指标", "code", "输入项", "单位", *MONTHS]]
    units = {
        "count": "个",
        "seconds": "秒",
        "minutes": "分钟",
        "hours": "小时",
        "days": "天",
        "currency": "元",
        "percent": "%",
    }
    for measure in framework.measures:
        if measure.code not in used_by:
            continue
        rows.append(
            [
                " ".join(used_by[measure.code]),
                measure.code,
                measure.name,
                units[measure.unit],
                *(inputs[m][measure.code] for m in MONTHS),
            ]
        )
    return _csv(rows)


def _period_value(
    framework: Framework, code: str, inputs: dict[str, dict[str, int]], month: str | None = None
) -> Fraction:
    from ccua.period import aggregate

    ind = framework.indicator(code)
    months = [month] if month else MONTHS
    agg = {m: aggregate(framework, m, [Fraction(inputs[x][m]) for x in months]) for m in ind.inputs}
    fn = shape(ind.function).compute
    assert fn is not None
    return fn([agg[m] for m in ind.inputs])


def claimed_csv(framework: Framework, inputs: dict[str, dict[str, int]]) -> str:
    """What the centre's own management report claims: true to one decimal, except one."""
    rows: list[list[object]] = [["指标代码", "月份", "声称值", "来源"]]
    for code in ("DO6.9", "DO6.10", "DO2.4", "DO7.1", "MI2.9"):
        value = _period_value(framework, code, inputs)
        rows.append([code, "全期", f"{float(value):.1f}", "2026年上半年运营管理报告 第4页"])
    # The one that does not reconcile: the report rounds the voice service level up.
    true_sl = _period_value(framework, "DO6.13", inputs)
    rows.append(["DO6.13", "全期", f"{float(true_sl) + 4.3:.1f}", "2026年上半年运营管理报告 第4页"])
    for month in MONTHS[-3:]:
        value = _period_value(framework, "DO6.9", inputs, month)
        rows.append(["DO6.9", month, f"{float(value):.2f}", "月度运营简报"])
    return _csv(rows)


TARGETS: dict[str, dict[str, object]] = {
    # The centre's own targets (运营管理规范 2026版 第3章), then defaults where it has none.
    "CB1.1": {"max": 250},
    "CB1.2": {"min": 18},
    "CB1.3": {"max": 25},
    "CB2.1": {"min": 90},
    "CB2.2": {"min": 93},
    "CB2.3": {"min": 90},
    "CB3.1": {"min": 99.9},
    "CB3.2": {"min": 99.5},
    "CB3.3": {"min": 95},
    "CB4.1": {"min": 90},
    "CB4.2": {"min": 95},
    "CB5.1": {"min": 90},
    "CB5.2": {"min": 93},
    "CB5.3": {"min": 90},
    "DO1.2": {"min": 90},
    "DO2.1": {"min": 85},
    "DO2.2": {"min": 75},
    "DO2.3": {"min": 95},
    "DO2.4": {"min": 85},
    "DO2.5": {"max": 3},
    "DO2.6": {"min": 98},
    "DO2.7": {"min": 80},
    "DO3.1": {"min": 90},
    "DO3.2": {"min": 95, "max": 105},
    "DO3.3": {"min": 85},
    "DO3.4": {"min": 90},
    "DO3.5": {"min": 90},
    "DO4.1": {"min": 90},
    "DO4.2": {"min": 85},
    "DO4.3": {"min": 92},
    "DO4.4": {"min": 90},
    "DO5.1": {"min": 75},
    "DO5.2": {"min": 85},
    "DO5.3": {"min": 97},
    "DO5.4": {"min": 98},
    "DO5.5": {"min": 98},
    "DO5.6": {"min": 99.5},
    "DO6.1": {"min": 80, "max": 90},
    "DO6.2": {"min": 95},
    "DO6.3": {"min": 95, "max": 105},
    "DO6.4": {"max": 4},
    "DO6.5": {"max": 300},
    "DO6.6": {"max": 240},
    "DO6.7": {"min": 80},
    "DO6.8": {"min": 80},
    "DO6.9": {"max": 5},
    "DO6.10": {"min": 95},
    "DO6.11": {"min": 97},
    "DO6.12": {"min": 95},
    "DO6.13": {"min": 80},
    "DO6.14": {"min": 85},
    "DO6.15": {"min": 80},
    "DO6.16": {"min": 85},
    "DO6.17": {"min": 90},
    "DO6.18": {"min": 85},
    "DO7.1": {"max": 16},
    "DO7.2": {"min": 90},
    "DO7.3": {"min": 80},
    "DO8.1": {"min": 6},
    "DO8.2": {"min": 3},
    "DO8.3": {"min": 8},
    "MI1.2": {"min": 55},
    "MI1.4": {"max": 0.5},
    "MI2.1": {"min": 12_000_000},
    "MI2.2": {"min": 99.5},
    "MI2.3": {"min": 50},
    "MI2.4": {"min": 40},
    "MI2.5": {"max": 1},
    "MI2.6": {"min": 90},
    "MI2.7": {"min": 80},
    "MI2.8": {"min": 55},
    "MI2.9": {"min": 35},
    "MI2.10": {"min": 60},
    "MI3.1": {"min": 90},
    "MI3.2": {"min": 95},
    "MI3.3": {"min": 50_000},
}
# Where the centre has no target of its own, the documented defaults of
# ccua/frameworks/t-ccua/default_targets.yaml apply (bounds and basis taken from there).
DEFAULT_TARGETS = ("DO6.1", "DO6.9", "DO6.13", "MI2.2")
CENTRE_BASIS = "华安人寿客户联络中心运营管理规范（2026版）第3章 关键绩效指标"


def _plain(value: object) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def targets_yaml(framework: Framework | None = None) -> str:
    from ccua.engagement import default_targets

    defaults = default_targets(framework or load_framework("t-ccua"))
    lines = [
        "# 指标目标值 (targets). source: centre = the centre's own target, from its",
        "# documents; default = a documented default (basis says where it comes from).",
        "# Targets apply to the half-year value: counts (CB1.1, MI2.1, MI3.3) and staff",
        "# turnover (DO7.1) are half-year totals.",
        "targets:",
    ]
    for code, bounds in TARGETS.items():
        if code in DEFAULT_TARGETS:
            d = defaults[code]
            fields = ", ".join(
                f"{k}: {_plain(v)}" for k, v in (("min", d.min), ("max", d.max)) if v is not None
            )
            lines.append(f"  {code}: {{{fields}, source: default, basis: {d.basis}}}")
            continue
        fields = ", ".join(f"{k}: {v}" for k, v in bounds.items())
        lines.append(f"  {code}: {{{fields}, source: centre, basis: {CENTRE_BASIS}}}")
    return "\n".join(lines) + "\n"


CHECKS = {
    "SP1.1": (True, "《客户联络中心三年发展规划（2025-2027）》第1章 总体目标"),
    "SP1.2": (True, "同上 第2章 分阶段目标（2025、2026、2027）"),
    "SP1.3": (True, "同上 附表1 目标值一览（18项关键指标）"),
    "SP2.1": (True, "《服务响应管理办法》及多渠道响应时限"),
    "SP2.2": (True, "《能力匹配与路由策略》2026版"),
    "SP2.3": (False, "能力建设规划仅覆盖语音渠道，未覆盖视频与实体网点"),
    "SP3.1": (True, "《实施计划》第1节 服务范围与边界"),
    "SP3.2": (True, "《实施计划》第2节 能力建设清单"),
    "SP3.3": (True, "《实施计划》第3节 里程碑与关键节点"),
}


def checks_yaml() -> str:
    lines = ["# 文档类指标的核查结果 (the assessor's check of documentary indicators)", "checks:"]
    for code, (met, note) in CHECKS.items():
        lines.append(f"  {code}: {{met: {'true' if met else 'false'}, note: {note}}}")
    return "\n".join(lines) + "\n"


# Item maturity on the 0-5 scale: the centre is strong in operations, weaker in knowledge
# and intelligent applications. Ratings are drawn around it.
MATURITY = {
    "SP1": 4.2,
    "SP2": 3.9,
    "SP3": 3.8,
    "CB1": 3.9,
    "CB2": 3.7,
    "CB3": 3.6,
    "CB4": 3.2,
    "CB5": 3.3,
    "DO1": 3.9,
    "DO2": 4.0,
    "DO3": 4.2,
    "DO4": 3.8,
    "DO5": 4.2,
    "DO6": 4.3,
    "DO7": 4.1,
    "DO8": 3.1,
    "MI1": 4.0,
    "MI2": 4.2,
    "MI3": 3.9,
}
ASSESSORS = ["王立新", "陈思远"]
LOW_NOTES = [
    "制度已发布，但执行记录不完整",
    "仅覆盖语音渠道，文本与视频渠道未纳入",
    "有方案无量化目标，未见季度复盘",
    "访谈中无法提供近半年的执行证据",
]
EVIDENCE = [
    "运营管理规范（2026版）",
    "访谈纪要 2026-09-16",
    "质量管理手册 v3.2",
    "绩效考核方案（2026）",
    "知识库运营月报",
    "智能客服项目验收报告",
]
EVIDENCE_KINDS = ["document", "interview", "document", "document", "data", "document"]
EVIDENCE_OWNERS = ["运营管理部", "周晓梅", "质量管理部", "人力资源部", "知识管理组", "科技部"]


def evidence_id(title: str) -> str:
    """The register id of one of the demo's pieces of evidence (E001…)."""
    return f"E{EVIDENCE.index(title) + 1:03d}"


def evidence_yaml() -> str:
    """The demo's evidence register (docs/assessors.md); the ratings cite its ids."""
    rows = [
        {
            "id": evidence_id(title),
            "title": title,
            "kind": kind,
            "date": "2026-09-16",
            "owner": owner,
        }
        for title, kind, owner in zip(EVIDENCE, EVIDENCE_KINDS, EVIDENCE_OWNERS, strict=True)
    ]
    return (
        "# 测评证据登记 (evidence register): ratings cite these ids (docs/assessors.md).\n"
        + yaml.safe_dump({"evidence": rows}, allow_unicode=True, sort_keys=False, width=100)
    )


def assessor_ratings_yaml(framework: Framework, ratings_text: str, assessor: str, seed: int) -> str:
    """One assessor's independent ratings before the consensus (ratings/NAME.yaml): the
    agreed ratings, with this assessor's own departures from them."""
    rng = random.Random(seed)
    # Mostly the agreed rating; now and then a point either way, for one of them two.
    moves = [0] * 24 + [-1, 1, -1, 1] + ([2, -2] if seed % 2 else [])
    agreed = yaml.safe_load(ratings_text)
    items: dict[str, object] = {}
    for code, item in agreed["items"].items():
        own: dict[str, object] = {}
        for key, entry in item["ratings"].items():
            if entry.get("na"):
                own[key] = {"na": True, "note": entry["note"]}
                continue
            r = entry["rating"] + rng.choice(moves)
            own[key] = {"rating": max(0, min(5, r)), "evidence": entry["evidence"]}
        items[code] = {"ratings": own}
    doc = {
        "framework": framework.id,
        "title": agreed["title"],
        "assessor": assessor,
        "items": items,
    }
    return f"# {assessor} 的独立评分 (independent ratings; docs/assessors.md).\n" + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=100
    )


def _cite(title: str) -> str:
    return f"{evidence_id(title)} {title}"


def ratings_yaml(framework: Framework, seed: int = SEED) -> str:
    """Every requirement (or sub-point) rated, with evidence and notes for the low ones."""
    rng = random.Random(seed + 1)
    doc: dict[str, object] = {
        "framework": framework.id,
        "title": "华安人寿客户联络中心运营能力测评 要求评分",
        "assessor": "、".join(ASSESSORS),
        "items": {},
    }
    items: dict[str, object] = {}
    minute = 0
    for item in framework.items:
        ratings: dict[str, object] = {}
        for req in item.requirements:
            if req.kind == "indicator":
                continue  # rated from the data
            targets = [f"{req.code}.{s.code}" for s in req.subpoints] or [req.code]
            for path in targets:
                if item.code == "DO8" and path == "b.2":
                    ratings[path] = {
                        "na": True,
                        "note": "监管要求暂停电话营销，该中心未开展断点营销与网电融合营销",
                    }
                    continue
                r = max(1, min(5, round(rng.gauss(MATURITY[item.code], 0.7))))
                minute += 7
                entry: dict[str, object] = {
                    "rating": r,
                    "evidence": _cite(rng.choice(EVIDENCE)),
                    "by": ASSESSORS[len(ratings) % 2],
                    "at": f"2026-09-{16 + minute // 600:02d}T{9 + (minute // 60) % 9:02d}:"
                    f"{minute % 60:02d}:00+08:00",
                }
                if r <= 2:
                    entry["note"] = rng.choice(LOW_NOTES)
                ratings[path] = entry
        items[item.code] = {"ratings": ratings}
    doc["items"] = items
    header = (
        "# 要求评分 (the assessors' ratings): 0 完全不遵守 … 5 完全超过遵循标准\n"
        "# (seed 004 表B.1).\n"
        "# The last requirement of every item (the 70% indicator requirement) is rated\n"
        "# from the data by `ccua run`; rate it here only to override, with a note.\n"
    )
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def engagement_yaml(framework: Framework) -> str:
    data = {
        "client": CLIENT,
        "framework": framework.id,
        "report": {
            "title": "华安人寿客户联络中心运营能力测评报告",
            "commissioned_by": "华安人寿保险股份有限公司",
            "assessee": "华安人寿保险股份有限公司客户联络中心",
            "project": "2026年度客户联络中心运营能力测评",
            "assessor_org": "远航客户服务测评中心（示例）",
            "prepared_by": ["王立新", "陈思远", "刘敏"],
            "approved_by": "赵国华",
            "date": "2026年11月",
            "prepared_unit": "远航客户服务测评中心（示例）",
            "standard": "T/CCUA XXXX-XXXX《客户联络中心运营能力测评规范》",
        },
        "contacts": {
            "assessee": {
                "organisation": "华安人寿保险股份有限公司客户联络中心",
                "name": "周晓梅",
                "phone": "021-5550-0188",
                "email": "zhouxm@example.com",
                "address": "中国上海市浦东新区示例路100号",
            },
            "assessor": {
                "organisation": "远航客户服务测评中心（示例）",
                "name": "王立新",
                "phone": "010-5550-0166",
                "email": "wanglx@example.org",
                "address": "中国北京市海淀区示例街8号",
            },
        },
        "background": {
            "subject": "华安人寿保险股份有限公司客户联络中心（运营管理部）",
            "organisation": "全国性寿险公司，客户联络中心承担全国客户服务、保全咨询与续期服务",
            "industry": "保险业（寿险）",
            "seats": SEATS,
            "business_types": ["服务咨询", "保全业务", "投诉处理", "续期营销"],
            "period": {"start": MONTHS[0], "end": MONTHS[-1]},
            "description": "受评方华安人寿客户联络中心按照《客户联络中心运营能力测评规范》申请"
            "运营能力测评。测评范围覆盖4个能力域19个能力项，测评数据为2026年1月至6月"
            "的运营数据，覆盖语音、文本、视频与智能客服渠道。",
        },
        "process": [
            {
                "name": "测评项目启动",
                "start": "2026-09-01",
                "end": "2026-09-05",
                "deliverable": "成立测评小组",
            },
            {
                "name": "测评范围确认",
                "start": "2026-09-08",
                "end": "2026-09-19",
                "deliverable": "测评资料交接单",
            },
            {
                "name": "测评项目资料反馈与确认",
                "start": "2026-09-22",
                "end": "2026-10-17",
                "deliverable": "测评关键点问题",
            },
            {
                "name": "项目测评",
                "start": "2026-10-20",
                "end": "2026-11-06",
                "deliverable": "测评计分表、等级评定划分表、测评报告",
            },
        ],
        "tools": "测评关键指标值计算（附录A）、测评要求计分表（附录B）、测评计分表（附录C）"
        "和测评等级划分（附录D）。",
        "team": {
            "assessors": [
                {
                    "name": "赵国华",
                    "phone": "010-5550-0101",
                    "email": "zhaogh@example.org",
                    "role": "认证决定或复核人员",
                },
                {
                    "name": "王立新",
                    "phone": "010-5550-0166",
                    "email": "wanglx@example.org",
                    "role": "认证审核人员",
                    "note": "组长",
                },
                {
                    "name": "陈思远",
                    "phone": "010-5550-0177",
                    "email": "chensy@example.org",
                    "role": "认证审核人员",
                },
                {
                    "name": "刘敏",
                    "phone": "010-5550-0199",
                    "email": "liumin@example.org",
                    "role": "认证审核方案管理人员",
                },
            ],
            "assessee": [
                {
                    "name": "周晓梅",
                    "phone": "021-5550-0188",
                    "email": "zhouxm@example.com",
                    "department": "运营管理部",
                    "position": "中心总经理",
                    "role": "受评方负责人",
                },
                {
                    "name": "孙浩",
                    "phone": "021-5550-0189",
                    "email": "sunhao@example.com",
                    "department": "运营管理部",
                    "position": "运营经理",
                    "role": "资料提供与协调",
                },
                {
                    "name": "李静",
                    "phone": "021-5550-0190",
                    "email": "lijing@example.com",
                    "department": "质量管理部",
                    "position": "质量主管",
                    "role": "质量与绩效资料",
                },
                {
                    "name": "吴磊",
                    "phone": "021-5550-0191",
                    "email": "wulei@example.com",
                    "department": "信息技术部",
                    "position": "系统架构师",
                    "role": "技术与数据资料",
                },
            ],
        },
        "handover": {},
        "key_points": [
            # indicator/target/met: the figures the point states, checked against the run
            {
                "topic": "绩效",
                "item": "DO6",
                "issue": "语音渠道20秒服务水平半年均值未达80%目标，且受评方运营报告中的服务水平"
                "与复核计算值不一致。",
                "response": "受评方确认报告口径含IVR内挂机，承诺统一口径并重新发布。",
                # not met: the monthly sheet gives 76.14%; the records of `ccua demo-data` 80.46%
                "status": "confirmed",
                "indicator": "DO6.13",
                "target": 80,
            },
            {
                "topic": "系统",
                "item": "CB4",
                "issue": "知识库更新流程文件不完整，缺少审核与发布环节的记录。",
                "response": "受评方已补充知识库运营月报（3-6月），审核记录仍待补充。",
                "status": "open",
            },
            {
                "topic": "组织框架",
                "item": "DO7",
                "issue": "人员流失率半年累计高于目标上限16%，未达标；新员工流失占比较高，需关注。",
                "response": "受评方计划优化岗前培训与带教机制。",
                "status": "confirmed",
                "indicator": "DO7.1",
                "target": 16,
                "met": False,
            },
        ],
        "opinion": "",
    }
    pages = {
        "SP1": 12,
        "SP2": 8,
        "SP3": 15,
        "CB1": 10,
        "CB2": 14,
        "CB3": 18,
        "CB4": 6,
        "CB5": 11,
        "DO1": 9,
        "DO2": 16,
        "DO3": 12,
        "DO4": 14,
        "DO5": 22,
        "DO6": 31,
        "DO7": 13,
        "DO8": 5,
        "MI1": 10,
        "MI2": 12,
        "MI3": 7,
    }
    handover: dict[str, object] = {}
    for item in framework.items:
        row: dict[str, object] = {
            "nature": "电子版",
            "copies": 1,
            "pages": pages[item.code],
            "note": "在运营管理规范里" if item.group in ("DO", "MI") else "",
            "completeness": "完整",
            "granularity": "符合",
        }
        if item.code == "CB4":
            row.update(
                completeness="不完整",
                granularity="不符合",
                feedback="缺少知识审核与发布记录，需补充",
            )
        handover[item.code] = row
    data["handover"] = handover
    header = "# 测评项目资料 (the engagement: §7 of T/CCUA). Generated by `ccua demo-client`.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


PARAMS = """\
# Params of the demo client (papermill parameters and paths; see docs/engagement.md).
client: {client}
engagement: {client}          # the engagement folder, relative to this file
framework: t-ccua
tolerance:                # how far a claimed value may be from the recomputed one
  percent_points: 0.5     # percent indicators: ±0.5 percentage points
  relative: 0.02          # other units: ±2 % of the recomputed value
service_level_seconds: 20
staffing:                 # the staffing check against Erlang C (docs/improve.md)
  open_hours_per_day: 12  # the voice queue is open 08:00-20:00
"""


def demo_files(
    framework: Framework | None = None, seed: int = SEED, client: str = CLIENT
) -> dict[str, str]:
    """The demo client's files, as text, keyed by path relative to the params folder.

    Other seeds and names give other synthetic clients (batch tests and benchmarks).
    """
    fw = framework or load_framework("t-ccua")
    inputs = monthly_inputs(fw, seed)
    engagement = engagement_yaml(fw).replace(f"client: {CLIENT}\n", f"client: {client}\n", 1)
    ratings = ratings_yaml(fw, seed)
    return {
        f"{client}.yaml": PARAMS.format(client=client),
        f"{client}/engagement.yaml": engagement,
        f"{client}/targets.yaml": targets_yaml(fw),
        f"{client}/checks.yaml": checks_yaml(),
        f"{client}/monthly.csv": monthly_csv(fw, inputs),
        f"{client}/claimed.csv": claimed_csv(fw, inputs),
        f"{client}/ratings.yaml": ratings,
        f"{client}/evidence.yaml": evidence_yaml(),
        **{
            f"{client}/ratings/{name}.yaml": assessor_ratings_yaml(fw, ratings, name, seed + n)
            for n, name in enumerate(ASSESSORS, start=7)
        },
    }


def write_demo(
    params_dir: Path,
    *,
    force: bool = False,
    seed: int = SEED,
    client: str = CLIENT,
    files: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write a demo client under ``params_dir``; refuse to overwrite edited files.

    ``files`` (path relative to ``params_dir`` -> text) writes another generator's client
    (:mod:`ccua.demo_guideline`) with the same care.
    """
    files = demo_files(seed=seed, client=client) if files is None else files
    written = []
    for rel, text in files.items():
        path = params_dir / rel
        if path.exists() and not force and path.read_text(encoding="utf-8") != text:
            raise CcuaError(
                "exists and differs from the generated demo; pass --force to "
                "replace it (your changes would be lost)",
                file=str(path),
            )
    for rel, text in files.items():
        path = params_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        written.append(path)
    return written
