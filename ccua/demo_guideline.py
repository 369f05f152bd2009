"""The second demo client: a centre assessed under the CCEA guideline, from a fixed seed.

东信通信 客户服务中心 (a fictional telecom operator's call centre): 860 seats, half a year of
monthly data (2026-01 to 2026-06) for the measures of the guideline (``measures.yaml``): the
§3.1 quantities from which ccua computes service level, ASA, FCR, talk and after-call times,
utilisation and occupancy, and the table A.1 KPIs the centre reports as values. The data tells
a story under the §6.5 k) rule (``rules.yaml``): some KPIs meet their target every month and
improve three months running (pass), the service level meets it in only 4 of 6 months, the
customer satisfaction index meets it every month without three consecutive improvements,
employee satisfaction is surveyed quarterly (missing months count as not met), and a few KPIs
have no target or no data (not measurable). One value the centre claims in its own report does
not reconcile; one item is not applicable (the centre does no sales); all 57 items are rated,
some as a whole with a note, the others by requirement or sub-point.

Targets come from the framework's data where it prints a level for a KPI (the thresholds of
``thresholds.yaml`` linked to an indicator: §3.1.22, §3.1.23, the 80/20 example of §3.1.18),
marked ``source: default`` with the clause as basis; every other target is the centre's own.

Deterministic like :mod:`ccua.demo` (whose helpers it uses): ``ccua demo-client --framework
ccea-guideline`` always writes the same bytes, and a test compares them with the committed
files. Names, phone numbers and addresses are invented; there are no customer records.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import yaml

from ccua.demo import MONTHS, _csv, _plain, write_demo
from ccua.formulas import shape
from ccua.spec import Framework, Threshold, load_framework

FRAMEWORK = "ccea-guideline"
SEED = 2025
CLIENT = "demo-guideline"
SEATS = 860
CENTRE = "东信通信股份有限公司客户服务中心"

# ---------------------------------------------------------------- the monthly data

# KPIs whose monthly values tell the §6.5 k) story, given month by month (None: not measured
# that month). The others follow PROFILE with seeded noise.
STORY: dict[str, tuple[float | None, ...]] = {
    # met in only 4 of 6 months (below the 75 % share), though improving three months running
    "A4.5": (77.2, 78.6, 80.4, 81.1, 80.6, 82.3),
    # met every month, but never three improvements in a row
    "A1.1": (91.2, 90.8, 91.5, 91.3, 91.7, 91.4),
    # met every month and three consecutive improvements: passes
    "A3.4": (4.9, 4.7, 4.4, 4.1, 4.3, 4.0),
    "A4.1": (19.6, 18.9, 18.1, 17.4, 17.8, 16.9),
    # a quarterly survey: two values in six months
    "A2.1": (None, None, 78.5, None, None, 81.0),
    # counts of events per month
    "A6.1": (0, 0, 1, 0, 0, 0),
    "A6.2": (3, 2, 4, 5, 3, 6),
    "A6.3": (0, 0, 0, 0, 0, 0),
    "A6.4": (1, 2, 1, 1, 2, 2),
}
# (January, June) values: a straight line between, with a little seeded noise.
PROFILE: dict[str, tuple[float, float]] = {
    "A1.2": (33.0, 36.5),
    "A2.2": (2.6, 2.2),
    "A3.1": (93.5, 97.5),
    "A3.3": (58.0, 64.0),
    "A3.8": (6.6, 7.4),
    "A3.9": (38.0, 45.0),
    "A4.3": (7.8, 6.4),
    "A4.4": (0.62, 0.41),
    "A4.6": (1.8, 2.6),
    "A4.7": (26.0, 19.0),
    "A4.8": (94.0, 97.2),
    "A4.9": (99.1, 99.5),
    "A4.10": (99.95, 99.97),
    "A4.11": (99.62, 99.81),
    "A5.1": (6.9, 6.2),
    "A5.4": (103.5, 99.5),
    "A5.5": (8.2, 11.4),
    "A5.6": (82.0, 88.0),
    # the quantities behind the computed KPIs
    "talk_seconds": (232.0, 221.0),
    "acw_seconds": (48.0, 41.0),
    "fcr": (78.0, 83.0),
    "occupancy": (79.0, 77.2),
    "utilisation": (86.4, 87.6),
}
# KPIs the centre does not report: it makes no sales (item 6.7 not applicable) and, as a cost
# centre, has no market share or profit of its own.
NOT_REPORTED = ("A5.2", "A5.3", "A5.7", "A5.8")
DECIMALS = {"percent": 1, "currency": 2, "hours": 1, "seconds": 1, "count": 1}
ANSWERED_PER_DAY = 12_400
SEASONAL = (1.05, 0.91, 1.0, 0.98, 1.02, 1.04)


def _months() -> list[tuple[str, int, int]]:
    out = []
    for index, month in enumerate(MONTHS):
        year, mm = map(int, month.split("-"))
        out.append((month, index, calendar.monthrange(year, mm)[1]))
    return out


def _profile(key: str, index: int, rng: random.Random, ceiling: float | None = None) -> float:
    start, end = PROFILE[key]
    value = start + (end - start) * index / (len(MONTHS) - 1)
    spread = abs(end - start) * 0.12 + abs(start) * 0.002
    if ceiling is not None:  # a share close to 100 % stays below it
        spread = min(spread, (ceiling - max(start, end)) / 2)
    return value + rng.uniform(-spread, spread)


def _text(value: float, decimals: int) -> str:
    return _plain(f"{value:.{decimals}f}") if decimals else str(round(value))


def monthly_inputs(framework: Framework, seed: int = SEED) -> dict[str, dict[str, str]]:
    """values[month][measure] as the centre writes them in its sheet (text; absent: no value)."""
    rng = random.Random(seed)
    out: dict[str, dict[str, str]] = {}
    reported = [ind for ind in framework.indicators if ind.function == "value"]
    for month, index, days in _months():
        values: dict[str, str] = {}
        answered = round(ANSWERED_PER_DAY * days * SEASONAL[index] * rng.uniform(0.98, 1.02))
        talk = round(answered * _profile("talk_seconds", index, rng))
        acw = round(answered * _profile("acw_seconds", index, rng))
        idle = round((talk + acw) * (100 / _profile("occupancy", index, rng) - 1))
        brk = round((talk + acw + idle) * (100 / _profile("utilisation", index, rng) - 1))
        offered = round(answered * rng.uniform(1.055, 1.065))
        first = round(answered * rng.uniform(0.80, 0.84))
        asa, level = STORY["A4.1"][index], STORY["A4.5"][index]
        assert asa is not None and level is not None
        values.update(
            {
                "agent_answered_calls": str(answered),
                "agent_talk_time": str(talk),
                "agent_after_call_work_time": str(acw),
                "agent_idle_time": str(idle),
                "agent_break_time": str(brk),
                "caller_wait_time_before_answer": str(round(answered * asa)),
                "contacts_offered": str(offered),
                "contacts_answered_within_threshold": str(round(offered * level / 100)),
                "requests_first_contact": str(first),
                "requests_resolved_first_contact": str(
                    round(first * _profile("fcr", index, rng) / 100)
                ),
            }
        )
        for ind in reported:
            (measure,) = ind.inputs
            decimals = DECIMALS.get(ind.unit or "", 1)
            if min(PROFILE.get(ind.code, (0, 0))) >= 99:  # availabilities: 99.95, not 100
                decimals = 2
            if ind.code in NOT_REPORTED:
                continue
            if ind.code == "A3.2":  # calls handled per day: the month's answered calls
                values[measure] = str(round(answered / days))
            elif ind.code in STORY:
                value = STORY[ind.code][index]
                if value is not None:
                    values[measure] = _text(value, 0 if ind.kind == "count" else decimals)
            else:
                ceiling = 100.0 if ind.unit == "percent" else None
                values[measure] = _text(_profile(ind.code, index, rng, ceiling), decimals)
        out[month] = values
    return out


def monthly_csv(framework: Framework, inputs: dict[str, dict[str, str]]) -> str:
    """The monthly sheet: one row per measure, a column per month; blank where not measured."""
    used_by: dict[str, list[str]] = {}
    for ind in framework.indicators:
        for m in ind.inputs:
            used_by.setdefault(m, []).append(ind.code)
    units = {
        "count": "个",
        "seconds": "秒",
        "minutes": "分钟",
        "hours": "小时",
        "days": "天",
        "currency": "元",
        "percent": "%",
    }
    rows: list[list[object]] = [["指标", "code", "输入项", "单位", *MONTHS]]
    for measure in framework.measures:
        if measure.code not in used_by or all(measure.code not in inputs[m] for m in MONTHS):
            continue
        rows.append(
            [
                " ".join(used_by[measure.code]),
                measure.code,
                measure.name,
                units[measure.unit],
                *(inputs[m].get(measure.code, "") for m in MONTHS),
            ]
        )
    return _csv(rows)


def period_value(
    framework: Framework,
    code: str,
    inputs: dict[str, dict[str, str]],
    months: Sequence[str] = MONTHS,
) -> Fraction:
    """An indicator over some months, as ccua computes it (for the claims the centre makes)."""
    from ccua.period import aggregate

    ind = framework.indicator(code)
    with_data = [m for m in months if all(i in inputs[m] for i in ind.inputs)]
    agg = [aggregate(framework, i, [Fraction(inputs[m][i]) for m in with_data]) for i in ind.inputs]
    fn = shape(ind.function).compute
    assert fn is not None
    return fn(agg)


REPORT = "2026年上半年客户服务运营报告"


def claimed_csv(framework: Framework, inputs: dict[str, dict[str, str]]) -> str:
    """What the centre's own report claims: true to one decimal, except the service level."""
    rows: list[list[object]] = [["指标代码", "月份", "声称值", "来源"]]
    for code in ("A4.1", "A4.2", "A3.4", "A1.1"):
        rows.append(
            [code, "全期", f"{float(period_value(framework, code, inputs)):.1f}", f"{REPORT} 第3页"]
        )
    # The one that does not reconcile: the report leaves out calls abandoned within 5 s.
    true_sl = period_value(framework, "A4.5", inputs)
    rows.append(["A4.5", "全期", f"{float(true_sl) + 2.6:.1f}", f"{REPORT} 第3页"])
    for month in MONTHS[-3:]:
        value = period_value(framework, "A3.4", inputs, [month])
        rows.append(["A3.4", month, f"{float(value):.1f}", "月度运营简报"])
    return _csv(rows)


# ---------------------------------------------------------------- targets

# The centre's own targets (《客户服务中心服务规范（2026版）》第5章 关键绩效指标). KPIs without a
# direction (A3.2, A3.5, A6.2) take none; the centre sets none for return on investment (A5.5)
# and reports no sales, market share or profit (NOT_REPORTED).
TARGETS: dict[str, dict[str, float]] = {
    "A1.1": {"min": 90},
    "A1.2": {"min": 35},
    "A2.1": {"min": 80},
    "A2.2": {"max": 2.5},
    "A3.1": {"min": 95, "max": 105},
    "A3.3": {"min": 60},
    "A3.4": {"max": 5},
    "A3.6": {"max": 45},
    "A3.8": {"min": 7},
    "A3.9": {"min": 40},
    "A4.1": {"max": 20},
    "A4.2": {"min": 80},
    "A4.3": {"max": 8},
    "A4.4": {"max": 0.5},
    "A4.6": {"min": 2},
    "A4.7": {"max": 24},
    "A4.8": {"min": 95},
    "A4.9": {"min": 99.3},
    "A4.10": {"min": 99.9},
    "A4.11": {"min": 99.7},
    "A5.1": {"max": 6.5},
    "A5.4": {"min": 95, "max": 105},
    "A5.6": {"min": 85},
    "A6.1": {"max": 1},
    "A6.3": {"max": 0},
    "A6.4": {"min": 1},
    "T3.1.2": {"max": 280},
}
CENTRE_BASIS = "东信通信客户服务中心服务规范（2026版）第5章 关键绩效指标"
KIND_TEXT = {"guidance": "通常范围", "example": "定义中的示例", "requirement": "要求"}


def threshold_target(th: Threshold) -> dict[str, object]:
    """A default target from a threshold the framework prints for an indicator."""
    if th.operator == "between":
        assert th.range is not None
        bounds: dict[str, object] = {"min": th.range[0], "max": th.range[1]}
    elif th.operator in (">=", ">"):
        bounds = {"min": th.value}
    else:
        bounds = {"max": th.value}
    basis = (
        f"《指导要求》{th.section}{KIND_TEXT[th.kind]}：{th.text}"
        "（受评方未设目标，采用指导要求所列数值）"
    )
    return {**bounds, "basis": basis}


def default_targets(framework: Framework) -> dict[str, dict[str, object]]:
    """Targets the framework itself prints for its indicators (first threshold per indicator)."""
    out: dict[str, dict[str, object]] = {}
    for th in framework.thresholds:
        if th.indicator is None or th.indicator in out:
            continue
        if th.unit != framework.indicator(th.indicator).unit:
            continue
        out[th.indicator] = threshold_target(th)
    return out


def targets_yaml(framework: Framework) -> str:
    defaults = default_targets(framework)
    lines = [
        "# 指标目标值 (targets) of the guideline's KPIs (表A.1) and §3.1 indicators.",
        "# source: centre = the centre's own target; default = a level the guideline itself",
        "# prints for the indicator (§3.1, thresholds.yaml), used where the centre has none.",
        "# The §6.5 k) rule compares every month with these targets.",
        "targets:",
    ]
    for ind in framework.indicators:
        if ind.code in defaults:
            d = defaults[ind.code]
            fields = ", ".join(f"{k}: {_plain(str(d[k]))}" for k in ("min", "max") if k in d)
            lines.append(f"  {ind.code}: {{{fields}, source: default, basis: {d['basis']}}}")
        elif ind.code in TARGETS:
            fields = ", ".join(f"{k}: {_plain(str(v))}" for k, v in TARGETS[ind.code].items())
            lines.append(f"  {ind.code}: {{{fields}, source: centre, basis: {CENTRE_BASIS}}}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- ratings

# Maturity per area on the 0-5 scale: solid floor operations and technology, weaker people
# management and customer-value work. Ratings are drawn around it.
MATURITY = {
    "1": 3.6,
    "2": 3.1,
    "3": 3.7,
    "4": 3.4,
    "5": 3.5,
    "6": 3.2,
    "7": 3.9,
    "8": 3.8,
    "9": 3.6,
}
ASSESSORS = ["李文博", "郑雅琴"]
NOTES_LOW = [
    "制度已发布，但近半年的执行记录不完整",
    "仅覆盖语音渠道，在线与短信渠道未纳入",
    "有方案无量化目标，未见季度复盘",
    "访谈中未能提供执行证据",
]
NOTES_WHOLE = [
    "按评审细项整体评定：文件与现场抽查结论一致",
    "整体评定：制度完整，执行记录抽查合格",
    "整体评定：访谈与文件核查相互印证",
]
EVIDENCE = [
    "客户服务中心服务规范（2026版）",
    "访谈纪要 2026-09-15",
    "现场管理手册 v2.1",
    "绩效考核办法（2026）",
    "运营月报（1-6月）",
    "信息安全管理制度汇编",
]
NOT_APPLICABLE = ("6.7", "该中心为纯服务型中心，不承担销售与客户价值挖掘业务（见测评范围确认）")
RULE_NOTE = (
    "依据 §6.5 k) 规则的计算结果（见本细项的证据）：部分指标达标月份不足75%或未连续三个月改进"
)


def ratings_yaml(framework: Framework, seed: int = SEED) -> str:
    """Every item rated: some as a whole with a note, the others by requirement or sub-point."""
    rng = random.Random(seed + 1)
    rule_targets = {(r.item, r.requirement) for r in framework.rules}
    items: dict[str, object] = {}
    minute = 0

    def draw(item_group: str) -> int:
        return max(1, min(5, round(rng.gauss(MATURITY[item_group], 0.7))))

    for n, item in enumerate(framework.items):
        if item.code == NOT_APPLICABLE[0]:
            items[item.code] = {"na": True, "note": NOT_APPLICABLE[1]}
            continue
        has_rule = any(i == item.code for i, _ in rule_targets)
        if not has_rule and rng.random() < 0.4:
            rating = draw(item.group)
            entry: dict[str, object] = {
                "rating": rating,
                "note": NOTES_WHOLE[n % 3] if rating > 2 else rng.choice(NOTES_LOW),
                "evidence": rng.choice(EVIDENCE),
            }
            items[item.code] = entry
            continue
        ratings: dict[str, object] = {}
        for req in item.requirements:
            by_subpoint = bool(req.subpoints) and rng.random() < 0.5
            paths = [f"{req.code}.{s.code}" for s in req.subpoints] if by_subpoint else [req.code]
            for path in paths:
                minute += 4
                if (item.code, req.code) in rule_targets:
                    ratings[path] = {
                        "rating": 2,
                        "note": RULE_NOTE,
                        "evidence": "ccua 运行结果 results.json（rules）",
                        "by": ASSESSORS[0],
                        "at": _stamp(minute),
                    }
                    continue
                r = draw(item.group)
                e: dict[str, object] = {
                    "rating": r,
                    "evidence": rng.choice(EVIDENCE),
                    "by": ASSESSORS[len(ratings) % 2],
                    "at": _stamp(minute),
                }
                if r <= 2:
                    e["note"] = rng.choice(NOTES_LOW)
                ratings[path] = e
        items[item.code] = {"ratings": ratings}
    doc = {
        "framework": framework.id,
        "title": f"{CENTRE}运营管理测评 评审细项评分",
        "assessor": "、".join(ASSESSORS),
        "items": items,
    }
    header = (
        "# 评审细项评分 (the assessors' ratings) on table B.1's scale: 0 完全不遵守 …\n"
        "# 5 完全超过遵循标准. Items are rated as a whole (rating, with a note) or by\n"
        "# their lettered requirements and numbered sub-points (their mean); 6.7 is not\n"
        "# applicable.\n"
    )
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def _stamp(minute: int) -> str:
    day = 15 + minute // 480
    return f"2026-09-{day:02d}T{9 + (minute % 480) // 60:02d}:{minute % 60:02d}:00+08:00"


# ---------------------------------------------------------------- the engagement

PAGES = (14, 9, 11, 4, 6, 5, 3)


def engagement_yaml(framework: Framework, client: str = CLIENT) -> str:
    data: dict[str, object] = {
        "client": client,
        "framework": framework.id,
        "report": {
            "title": f"{CENTRE}服务质量和运营管理测评报告",
            "commissioned_by": "东信通信股份有限公司",
            "assessee": CENTRE,
            "project": "2026年度呼叫中心服务质量和运营管理测评",
            "assessor_org": "远航客户服务测评中心（示例）",
            "prepared_by": ["李文博", "郑雅琴"],
            "approved_by": "赵国华",
            "date": "2026年10月",
            "prepared_unit": "远航客户服务测评中心（示例）",
            "standard": f"中国通信企业协会《{framework.name}》",
        },
        "contacts": {
            "assessee": {
                "organisation": CENTRE,
                "name": "何晓东",
                "phone": "027-5550-0120",
                "email": "hexd@example.com",
                "address": "中国湖北省武汉市江岸区示例大道66号",
            },
            "assessor": {
                "organisation": "远航客户服务测评中心（示例）",
                "name": "李文博",
                "phone": "010-5550-0168",
                "email": "liwb@example.org",
                "address": "中国北京市海淀区示例街8号",
            },
        },
        "background": {
            "subject": f"{CENTRE}（运营管理部）",
            "organisation": "省级通信运营商，客户服务中心承担全省移动、宽带与政企客户的热线服务",
            "industry": "电信业（通信运营）",
            "seats": SEATS,
            "business_types": ["业务咨询", "故障报修", "投诉处理", "业务办理"],
            "period": {"start": MONTHS[0], "end": MONTHS[-1]},
            "description": f"受评方{CENTRE}按照《{framework.name}》申请服务质量和运营管理测评。"
            f"测评范围覆盖{len(framework.groups)}个评审范围{len(framework.items)}"
            "个评审细项，测评数据为2026年1月至6月的运营数据，以语音热线为主，"
            "兼顾在线客服与短信渠道。",
        },
        "process": [
            {
                "name": "测评项目启动",
                "start": "2026-08-24",
                "end": "2026-08-28",
                "deliverable": "成立测评小组",
            },
            {
                "name": "测评范围确认",
                "start": "2026-08-31",
                "end": "2026-09-11",
                "deliverable": "测评资料交接单",
            },
            {
                "name": "测评项目资料反馈与确认",
                "start": "2026-09-14",
                "end": "2026-09-30",
                "deliverable": "测评关键点问题",
            },
            {
                "name": "项目测评",
                "start": "2026-10-08",
                "end": "2026-10-23",
                "deliverable": "评分记录表、运营绩效结果及指标对照表、测评报告",
            },
        ],
        "tools": "运营绩效结果及指标对照表（附录A 表A.1）、呼叫中心评分标准（表B.1）和呼叫中心"
        "评分记录表格（表B.2），§6.5 k) 持续改进规则按月度数据计算，"
        "由 ccua 测评工具计算。",
        "team": {
            "assessors": [
                {
                    "name": "赵国华",
                    "phone": "010-5550-0101",
                    "email": "zhaogh@example.org",
                    "role": "认证决定或复核人员",
                },
                {
                    "name": "李文博",
                    "phone": "010-5550-0168",
                    "email": "liwb@example.org",
                    "role": "认证审核人员",
                    "note": "组长",
                },
                {
                    "name": "郑雅琴",
                    "phone": "010-5550-0169",
                    "email": "zhengyq@example.org",
                    "role": "认证审核人员",
                },
            ],
            "assessee": [
                {
                    "name": "何晓东",
                    "phone": "027-5550-0120",
                    "email": "hexd@example.com",
                    "department": "运营管理部",
                    "position": "中心主任",
                    "role": "受评方负责人",
                },
                {
                    "name": "邓丽",
                    "phone": "027-5550-0121",
                    "email": "dengli@example.com",
                    "department": "运营管理部",
                    "position": "现场经理",
                    "role": "资料提供与协调",
                },
                {
                    "name": "蔡明",
                    "phone": "027-5550-0122",
                    "email": "caiming@example.com",
                    "department": "质量管理部",
                    "position": "质检主管",
                    "role": "质量与绩效资料",
                },
                {
                    "name": "韩涛",
                    "phone": "027-5550-0123",
                    "email": "hantao@example.com",
                    "department": "系统支撑部",
                    "position": "系统工程师",
                    "role": "技术与安全资料",
                },
            ],
        },
        "handover": {},
        "key_points": [
            {
                "topic": "绩效",
                "item": "3.4",
                "issue": "服务水平仅4个月达到80/20，且运营报告中的服务水平与复核计算值不一致。",
                "response": "受评方确认报告口径剔除了5秒内放弃的来话，承诺按指导要求口径统一。",
                "status": "confirmed",
                "indicator": "A4.5",
                "target": 80,
            },
            {
                "topic": "绩效",
                "item": "2.8",
                "issue": "员工满意度按季度调查，评估期内仅有两个月的数据，无法按月衡量。",
                "response": "受评方计划自2026年7月起按月开展员工脉搏调查。",
                "status": "open",
            },
            {
                "topic": "系统",
                "item": "8.2",
                "issue": "未提供年度信息安全风险评估报告。",
                "response": "受评方已委托第三方开展风险评估，报告待补充。",
                "status": "open",
            },
        ],
        "opinion": "",
    }
    handover: dict[str, object] = {}
    for n, item in enumerate(framework.items):
        row: dict[str, object] = {
            "nature": "纸质版" if item.group == "9" else "电子版",
            "copies": 1,
            "pages": PAGES[n % len(PAGES)] + len(item.requirements),
            "note": "在服务规范里" if item.group in ("3", "5") else "",
            "completeness": "完整",
            "granularity": "符合",
        }
        if item.code == NOT_APPLICABLE[0]:
            row.update(pages=1, note="情况说明：无销售业务，本细项不适用")
        elif item.code == "8.2":
            row.update(completeness="不完整", feedback="缺少年度风险评估报告，需补充")
        elif item.code == "2.8":
            row.update(granularity="不符合", feedback="员工满意度为季度数据，需补充月度数据")
        handover[item.code] = row
    data["handover"] = handover
    header = (
        "# 测评项目资料 (the engagement) of the guideline demo client. Generated by\n"
        "# `ccua demo-client --framework ccea-guideline`.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


PARAMS = """\
# Params of the guideline demo client (see docs/engagement.md and docs/guideline.md).
client: {client}
engagement: {client}      # the engagement folder, relative to this file
framework: {framework}
tolerance:                # how far a claimed value may be from the recomputed one
  percent_points: 0.5     # percent indicators: ±0.5 percentage points
  relative: 0.02          # other units: ±2 % of the recomputed value
service_level_seconds: 20
"""


def demo_files(
    framework: Framework | None = None, seed: int = SEED, client: str = CLIENT
) -> dict[str, str]:
    """The guideline demo client's files, as text, keyed by path relative to params/."""
    fw = framework or load_framework(FRAMEWORK)
    inputs = monthly_inputs(fw, seed)
    return {
        f"{client}.yaml": PARAMS.format(client=client, framework=fw.id),
        f"{client}/engagement.yaml": engagement_yaml(fw, client),
        f"{client}/targets.yaml": targets_yaml(fw),
        f"{client}/monthly.csv": monthly_csv(fw, inputs),
        f"{client}/claimed.csv": claimed_csv(fw, inputs),
        f"{client}/ratings.yaml": ratings_yaml(fw, seed),
    }


def write_demo_guideline(
    params_dir: Path, *, force: bool = False, seed: int = SEED, client: str = CLIENT
) -> list[Path]:
    """Write the guideline demo client under ``params_dir``; refuse to overwrite edits."""
    return write_demo(params_dir, force=force, files=demo_files(seed=seed, client=client))
