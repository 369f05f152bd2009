"""A new client from templates (``ccua new``), and what a client still lacks (``ccua check``).

``new_client`` writes ``params/NAME.yaml`` and the engagement folder ``params/NAME/`` that
:func:`ccua.inputs.load_engagement` reads (see ``docs/engagement.md``)::

    engagement.yaml   every field of the Engagement model, with placeholders (×××) and Chinese
                      comments naming the report cell or §7 clause each one fills
    targets.yaml      the framework's documented default targets (source: default)
    checks.yaml       every documentary indicator, commented out, ready to fill
    ratings.yaml      framework: and items:, with every item's requirements as comments
    monthly.xlsx      the Excel template: one row per formula input, one column per month
    claimed.csv       the header of the claimed-values sheet (UTF-8 with BOM, for Excel)

Everything is generated from the framework data (items, requirements, measures, indicators),
so it works for any framework under ``ccua/frameworks/``. Nothing is ever overwritten: if the
params file or the folder exists, nothing is written at all.

``check_client`` validates a client's files (every problem at once) and, when they are valid,
says what is still missing before ``ccua run`` can score it, and which template placeholders
are still in place.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ccua._io import atomic_write_bytes, atomic_write_text
from ccua._num import fmt
from ccua._yaml import line_of, load_with_lines
from ccua.engagement import (
    CHECKS_FILE,
    ENGAGEMENT_FILE,
    RATINGS_FILE,
    TARGETS_FILE,
    EngagementData,
    Params,
    Target,
    Tolerance,
    default_targets,
    month_range,
    month_text,
)
from ccua.errors import MAX_PROBLEMS, CcuaError, Problem, ValidationFailed, count_problems
from ccua.fmt import display_width
from ccua.inputs import collect_engagement
from ccua.spec import Framework, Item, load_framework

if TYPE_CHECKING:
    from ccua.period import PeriodResult
    from ccua.scoring import Assessment

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
PLACEHOLDER = "×××"
PLACEHOLDER_SEATS = 1  # a valid number the assessor must replace (seats must be > 0)
MONTHLY_FILE = "monthly.xlsx"
CLAIMED_FILE = "claimed.csv"
MONTHLY_SHEET = "月度输入"
HELP_SHEET = "说明"
MONTHLY_HEADERS = ("code", "输入项", "单位", "指标")
CLAIMED_HEADERS = ("指标代码", "月份", "声称值", "来源")
DEFAULT_MONTHS = 6  # 7.2 c): half a year of operating data
MAX_MONTHS = 24

UNIT_LABELS = {
    "count": "个",
    "seconds": "秒",
    "minutes": "分钟",
    "hours": "小时",
    "days": "天",
    "currency": "元",
    "percent": "%",
}
DIRECTION_HINTS = {
    "higher": ("越高越好", "写 min"),
    "lower": ("越低越好", "写 max"),
    "band": ("区间", "写 min 和 max"),
}

# The 说明 sheet of the workbook: how to fill it in, for the centre's staff.
HELP_TEXT = (
    "1. 在“{sheet}”表中，每行是指标公式的一个输入项，每个月份列填写该月的数值。",
    "2. 只填数字，不带 % 或单位；单位见“单位”列（时长按秒、分钟或小时，金额按元）。",
    "3. 没有数据的月份请留空，不要填 0；0 表示该月确实为零。",
    "4. 同一指标的各输入项要同月填齐（见“指标”列），否则该月的指标无法计算。",
    "5. 请勿修改 code 列和月份列标题；不适用的输入项可以整行留空或删除。",
    "6. 只填汇总数，不要填写任何客户个人信息（姓名、电话、证件号等）。",
    "7. 也可以用 CSV 代替本表（monthly.csv，UTF-8 或 GBK 编码）：可以是本表的布局，"
    "也可以每行一个月份（“月份”列加每个输入项一列，列名用 code 或中文名）。",
    "8. 受评方在自己报告中声称的指标值填在 claimed.csv（指标代码、月份、声称值、来源），"
    "ccua 会与重算值核对（数据真实性，7.2 c）；月份写“全期”表示整个期间。",
    "9. 填好后运行 ccua check params/{client}.yaml 检查：每个问题都会指出文件、行和列。",
)

# A blank row of tables E.3/E.4: the counts are filled in at hand-over, the E.4 columns after
# the first review.
HANDOVER_ROW: dict[str, object] = {
    "nature": "电子版",
    "copies": 0,
    "pages": 0,
    "note": "",
    "completeness": None,
    "granularity": None,
    "feedback": "",
}

# The four steps of the assessment process, T/CCUA 7.3.2-7.3.5, with their deliverables.
PROCESS_STEPS = (
    ("测评项目启动", "成立测评小组", "7.3.2"),
    ("测评范围确认", "测评资料交接单", "7.3.3"),
    ("测评项目资料反馈与确认", "测评关键点问题", "7.3.4"),
    ("项目测评", "测评计分表、等级评定划分表、测评报告", "7.3.5"),
)


# ----------------------------------------------------------------------------- names, period


def validate_name(name: str) -> str:
    """A client name is a file name on every system: letters, digits and ``-_.``."""
    text = name.strip()
    if text.lower().endswith((".yaml", ".yml")):
        raise CcuaError(
            f"give the client name without .yaml: ccua new {Path(text).stem}", field="NAME"
        )
    if not NAME_RE.fullmatch(text):
        raise CcuaError(
            f"client name {name!r} is not allowed: use letters, digits and - _ . "
            "(starting with a letter or digit), e.g. acme-2026",
            field="NAME",
        )
    return text


def period_months(
    start: str | None = None, months: int = DEFAULT_MONTHS, today: date | None = None
) -> list[str]:
    """The months of the assessment period: from ``start``, else the last complete months."""
    if not 1 <= months <= MAX_MONTHS:
        raise CcuaError(
            f"--months must be between 1 and {MAX_MONTHS} (T/CCUA 7.2 c asks for "
            f"half a year: 6), got {months}",
            field="--months",
        )
    if start is None:
        today = today or date.today()
        y, m = today.year, today.month - months  # the period ends with last month
        while m < 1:
            y, m = y - 1, m + 12
        first = f"{y:04d}-{m:02d}"
    else:
        normal = month_text(start)
        if not isinstance(normal, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", normal):
            raise CcuaError(f"--start must be a month like 2026-01, got {start!r}", field="--start")
        first = normal
    y, m = map(int, first.split("-"))
    m += months - 1
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return month_range(first, f"{y:04d}-{m:02d}")


# ----------------------------------------------------------------------------- YAML text

_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]|: |:$|^[\s\-?:!&*|>'\"%@`]|\s$")


def _scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain where that reads back as the same string."""
    if value and not _FLOW_UNSAFE.search(value):
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(value) == value:
                return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _key(code: str) -> str:
    # Guideline item codes such as 2.10 would be read as the number 2.1 unless quoted.
    return code if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]*", code) else json.dumps(code)


def _flow(pairs: Mapping[str, object]) -> str:
    parts = []
    for k, v in pairs.items():
        if v is None:
            text = "null"
        elif isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, (int, float)):
            text = str(v)
        elif isinstance(v, list):
            text = "[" + ", ".join(_scalar(str(x)) for x in v) + "]"
        else:
            text = _scalar(str(v))
        parts.append(f"{k}: {text}")
    return "{" + ", ".join(parts) + "}"


def _pad(line: str, comment: str, width: int = 40) -> str:
    if not comment:
        return line
    return f"{line}{' ' * max(0, width - display_width(line))}  # {comment}"


def params_text(name: str, framework: Framework) -> str:
    """``params/NAME.yaml``: what the runner needs, every key explained."""
    tol = Tolerance.model_validate({})  # the model's defaults
    sl = Params.model_fields["service_level_seconds"].default
    lines = [
        f"# 客户 {name} 的运行参数（ccua run params/{name}.yaml；ccua check params/{name}.yaml）。",
        "# Params of one client: the runner reads this file first. 测评资料在同名文件夹中。",
        _pad(f"client: {name}", "客户代号：与 engagement.yaml 中的 client 一致"),
        _pad(f"engagement: {name}", f"测评资料文件夹，相对于本文件（params/{name}/）"),
        _pad(
            f"framework: {framework.id}", f"测评规范：{framework.name}；须与 engagement.yaml 一致"
        ),
        _pad('output: ""', f"输出文件夹；留空则为 runs/{name}"),
        _pad("tolerance:", "声称值与重算值允许的偏差（7.2 c 数据真实性核验，claimed.csv）"),
        _pad(
            f"  percent_points: {tol.percent_points}", f"百分比指标：±{tol.percent_points} 个百分点"
        ),
        _pad(f"  relative: {tol.relative}", "其他单位：重算值的比例（0.02 = ±2%）"),
        _pad('records: ""', "ccua ingest 导入的原始记录文件夹（可选）"),
        _pad(f"service_level_seconds: {sl}", "服务水平的应答时限（秒）"),
        _pad("report: true", "计算完成后生成测评报告"),
    ]
    return "\n".join(lines) + "\n"


def _group_headers(fw: Framework) -> Iterator[tuple[str | None, Item]]:
    """Each item, preceded by a header the first time its category or group appears."""
    seen: set[str] = set()
    for item in fw.items:
        group = fw.group(item.group)
        header = None
        if group.code not in seen:
            seen.add(group.code)
            category = fw.category_of(item)
            pts = f" · {fmt(group.points)}分" if group.points is not None else ""
            header = (f"{category.name} · " if category else "") + f"{group.code} {group.name}{pts}"
        yield header, item


def engagement_text(fw: Framework, name: str, months: list[str], today: date | None = None) -> str:
    """``engagement.yaml`` with placeholders; it validates as it is."""
    x = PLACEHOLDER
    out = [
        "# 测评项目资料（engagement.yaml）：T/CCUA 第7章“测评方法”要求的项目信息。",
        "# 报告的封面、概况、测评小组（表E.1、E.2）、资料交接确认单与反馈表（表E.3、E.4）",
        "# 和测评关键点问题（7.3.4）都取自本文件。",
        f'# 填写：把每个 {x} 换成实际内容；"" 表示可以留空；# 之后的注释说明该项填在报告的哪里。',
        f"# 检查：ccua check params/{name}.yaml",
        "",
        _pad(f"client: {name}", "客户代号（与 params 文件一致，只用字母、数字和 -_.）"),
        _pad(f"framework: {fw.id}", f"测评依据：{fw.name}"),
        "",
        *_report_lines(fw, today or date.today()),
        "",
        *_contact_lines(),
        "",
        *_background_lines(months),
        "",
        *_team_lines(),
        "",
        *_handover_lines(fw),
        "",
        *_key_point_lines(fw),
        "",
        _pad('opinion: ""', "报告“四、测评组意见”；留空则按测评等级生成"),
    ]
    return "\n".join(out) + "\n"


def _report_lines(fw: Framework, today: date) -> list[str]:
    x = PLACEHOLDER
    return [
        "report:                                   # 报告封面（E.5 测评报告示例）",
        _pad('  title: ""', "报告标题；留空则为“<受评机构>运营能力测评报告”"),
        _pad(f"  commissioned_by: {x}", "委托单位"),
        _pad(f"  assessee: {x}客户联络中心", "受评机构"),
        _pad(f"  project: {x}客户联络中心运营能力测评项目", "项目名称"),
        _pad(f"  assessor_org: {x}测评机构", "测评机构"),
        _pad(f"  prepared_by: [{x}]", "编制（可多人：[张三, 李四]）"),
        _pad(f"  approved_by: {x}", "审批"),
        _pad(f"  date: {today.year}年{today.month}月", "编制日期"),
        _pad(f"  prepared_unit: {x}", "编制单位"),
        _pad(f"  standard: {_scalar(f'{fw.designation}《{fw.name}》')}", "报告中引用规范的写法"),
    ]


def _contact_lines() -> list[str]:
    x = PLACEHOLDER
    out = ["contacts:                                 # 报告首页：受评方与测评方的联系信息"]
    for role, label, org in (
        ("assessee", "受评方", f"{x}客户联络中心"),
        ("assessor", "测评方", f"{x}测评机构"),
    ):
        out += [
            _pad(f"  {role}:", label),
            _pad(f"    organisation: {org}", f"{label}名称"),
            _pad(f"    name: {x}", "联系人"),
            _pad(f"    phone: {x}", "联络电话"),
            _pad(f"    email: {x}@{x}.{x}", "电子邮件"),
            _pad(f"    address: 中国{x}省{x}市{x}区{x}路{x}号", "公司地址"),
        ]
    return out


def _background_lines(months: list[str]) -> list[str]:
    x = PLACEHOLDER
    return [
        "background:                               # 7.2 a) 项目背景（报告“一、概况 测评背景”）",
        _pad(f"  subject: {x}部门（{x}公司）", "7.2 a) 1) 受评主体：部门名称以及所在组织名称"),
        _pad(f"  organisation: {x}", "7.2 a) 2) 受评方组织背景"),
        _pad(f"  industry: {x}", "7.2 a) 2) 行业背景"),
        _pad(f"  seats: {PLACEHOLDER_SEATS}", "7.2 a) 3) 业务规模：坐席数（请改为实际坐席数）"),
        _pad(f"  business_types: [{x}]", "7.2 a) 3) 业务类型（可多项：[咨询, 投诉, 营销]）"),
        _pad(
            f'  period: {{start: "{months[0]}", end: "{months[-1]}"}}',
            "7.2 c) 半年运营数据的起止月份（与 monthly.xlsx 的月份列一致）",
        ),
        _pad('  description: ""', "测评背景段落：项目背景、测评内容和测评要求（可留空）"),
    ]


def _team_lines() -> list[str]:
    """The process (7.3), the tools and the team (tables E.1, E.2)."""
    x = PLACEHOLDER
    out = [
        _pad(
            "process:",
            "7.3 测评过程（报告“测评过程”：各阶段、时间节点、交付物）；日期如 2026-09-01",
        )
    ]
    for step, deliverable, clause in PROCESS_STEPS:
        row = {"name": step, "start": "", "end": "", "deliverable": deliverable}
        out.append(_pad(f"  - {_flow(row)}", clause, width=0))
    assessee = {"name": x, "phone": "", "email": "", "department": x, "position": x}
    out += [
        _pad('tools: ""', "报告“测评工具”段落：本次测评使用的测评工具（可留空）"),
        "",
        "team:",
        _pad("  assessors:", "表E.1 测评小组测评方成员名单（至少一人；一人可任职多个岗位）"),
        "    - "
        + _flow({"name": x, "phone": "", "email": "", "role": "认证审核人员", "note": "组长"}),
        _pad("  assessee:", "表E.2 测评小组受评方成员名单（至少一人）"),
        "    - " + _flow({**assessee, "role": "资料提供与确认", "note": ""}),
    ]
    return out


def _handover_lines(fw: Framework) -> list[str]:
    """Tables E.3 and E.4: one row per item, in the standard's order."""
    out = [
        f"# 表E.3 资料交接确认单 / 表E.4 测评资料反馈表：每个{fw.levels.item.zh}一行，按规范顺序。",
        "#   nature 文档性质（电子版/纸质版）· copies 份数 · pages 页数 · note 备注（E.3）",
        "#   completeness 完整度（完整/不完整）· granularity 测评粒度（符合/不符合）",
        "#   feedback 反馈说明（E.4 备注；初评后填写）",
        "handover:",
    ]
    for header, item in _group_headers(fw):
        if header:
            out.append(f"  # {header}")
        out.append(_pad(f"  {_key(item.code)}: {_flow(HANDOVER_ROW)}", item.name, width=0))
    return out


def _key_point_lines(fw: Framework) -> list[str]:
    x = PLACEHOLDER
    example = [
        ("- topic: 流程", "关键点：组织框架、系统、流程、绩效……"),
        (f"  item: {_key(fw.items[0].code)}", f"涉及的{fw.levels.item.zh}代码（可省略）"),
        (f"  issue: {x}", "发现的问题"),
        (f"  response: {x}", "受评方反馈 / 商定的改进措施"),
        ("  status: confirmed", "open 未确认 | confirmed 已确认 | resolved 已解决"),
    ]
    return [
        "# 7.3.4 a) 测评关键点问题（组织框架、系统、流程、绩效、运营工具、实施效果、测评结果）。",
        "# 有问题时把 [] 删去，取消下面示例的注释并按实际填写（可以写多条）。",
        "key_points: []",
        *(_pad(f"  # {line}", comment, width=30) for line, comment in example),
    ]


def _number(value: object) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def targets_text(fw: Framework, defaults: Mapping[str, Target]) -> str:
    """``targets.yaml``: the defaults, marked as such, and every other computed indicator."""
    out = [
        "# 指标目标值（targets.yaml）：判断每个关键指标是否“达到目标”，",
        "# 用于指标要求（70%规则）。",
    ]
    if defaults:
        out += [
            "# 下面 source: default 的是 ccua 附带的默认目标，basis 写明数字的来源，",
            "# 报告会标明“默认目标”。请用受评方自己的目标替换（运营管理规范、绩效考核办法等）：",
            "# 改为 source: centre，basis 写文件名和章节。",
        ]
    else:
        out += [
            "# 本规范没有附带默认目标：请填写受评方自己的目标",
            "# （source: centre，basis 写文件名和章节）。",
        ]
    out += [
        "# 没有目标的指标不参与达成率计算。",
        "# 单位：百分比指标写百分数（80 表示 80%），时长写秒，数量写个数；",
        "# 目标针对整个期间的值。写法：越高越好写 {min: 下限}；越低越好写 {max: 上限}；",
        "# 区间指标写 {min: 下限, max: 上限}。",
    ]
    computed = [i for i in fw.indicators if not i.is_documentary]
    if not computed:
        out += [f"# {fw.name} 没有计算类指标。", "targets:"]
        return "\n".join(out) + "\n"
    out.append("targets:")
    for ind in computed:
        unit = UNIT_LABELS.get(ind.unit or "", ind.unit or "")
        target = defaults.get(ind.code)
        if ind.direction == "none":
            out.append(f"  # {ind.code} {ind.name}（{unit}）：只报告和看趋势，不设目标")
            continue
        trend, how = DIRECTION_HINTS[ind.direction]
        label = f"{ind.name}（{unit}，{trend}）"
        if target is not None:
            out.append(_pad(f"  {ind.code}:", label, width=12))
            for bound in ("min", "max"):
                value = getattr(target, bound)
                if value is not None:
                    out.append(f"    {bound}: {_number(value)}")
            out.append("    source: default")
            out.append(f"    basis: {_scalar(target.basis)}")
        else:
            bounds = {"higher": "min: ", "lower": "max: ", "band": "min: , max: "}
            out.append(
                f'  # {ind.code}: {{{bounds[ind.direction]}, source: centre, basis: ""}}'
                f"   # {label}：无默认目标，{how}"
            )
    return "\n".join(out) + "\n"


def checks_text(fw: Framework) -> str:
    """``checks.yaml``: every documentary indicator, commented out, ready to fill."""
    out = [
        "# 文件性指标核查（checks.yaml）：公式为“－”的指标没有数据可算，",
        "# 由测评方查阅受评方的文件判断是否符合（met: true 符合 / false 不符合），",
        "# note 写依据的文件和章节（必填）。",
        "# 填写：取消某个指标三行的注释（删去行首的“# ”），在冒号后填写。",
        "# 未核查的指标不参与达成率计算。",
        "checks:",
    ]
    documentary = [i for i in fw.indicators if i.is_documentary]
    if not documentary:
        out.append(f"  # {fw.name} 没有文件性指标。")
    for ind in documentary:
        out += [
            f"  # {ind.code} {ind.name}：{ind.definition}",
            f"  # {ind.code}:",
            "  #   met:           # true 或 false",
            f"  #   note:          # 依据，例如《{PLACEHOLDER}》第{PLACEHOLDER}章",
        ]
    return "\n".join(out) + "\n"


def _rating_keys(fw: Framework, item: Item) -> list[tuple[str, str]]:
    """The keys an assessor rates for one item, with the text each stands for."""
    levels = fw.scoring.rating_levels
    keys = []
    for req in item.requirements:
        if req.kind == "indicator":
            continue
        if req.subpoints and "subpoint" in levels:
            keys += [(f"{req.code}.{s.code}", s.text) for s in req.subpoints]
        elif "requirement" in levels:
            keys.append((req.code, req.text))
    return keys


def ratings_text(fw: Framework) -> str:
    """``ratings.yaml``: no ratings yet; every item's requirements as comments (ccua.ratings)."""
    lv = fw.levels
    scale = " · ".join(f"{s.value} {s.label}" for s in fw.scale.levels)
    levels = fw.scoring.rating_levels
    out = [
        f"# 要求评分（ratings.yaml）：测评方对每个{lv.item.zh}的评分。",
        f"# 评分刻度（{fw.scale.name}）：",
        f"#   {scale}",
        f"# 每个{lv.item.zh}选一种写法：",
    ]
    # Examples from the framework itself: its first item with sub-points, else its first item.
    sample = next((i for i in fw.items if any(r.subpoints for r in i.requirements)), fw.items[0])
    sample_keys = [k for k, _ in _rating_keys(fw, sample)][:3]
    if sample_keys:
        shown = ", ".join(f"{k}: {4 - n % 2}" for n, k in enumerate(sample_keys))
        out += [
            f"#   按要求或子项评分：{_key(sample.code)}: {{ratings: {{{shown}}}}}",
            "#     有子项的要求可按子项评分（取平均）或整体评分，二者不可兼有；",
        ]
    if "item" in levels:
        code = _key(sample.code)
        out.append(f"#   整个{lv.item.zh}一个分数：{code}: 4 或 {code}: {{rating: 4, note: 说明}}")
    out += [
        f"#   整项百分比（须写理由）：{_key(fw.items[0].code)}: {{percent: 85, note: 依据……}}",
        "#   不适用（须写理由）：c: {na: true, note: 不适用：该中心无营销业务}",
        "#   任何评分都可写成 {rating: 4, note: 访谈确认, evidence: 运营管理规范 第3章}",
    ]
    if fw.scoring.indicator_requirement:
        out += [
            "# 每项最后一个要求（指标要求：“评估与测评结果符合测评关键指标值计算的70%要求”）",
            "#   由 ccua run 按指标达成率评定，不用填写；",
            "#   只有没有可评价的指标时才手工评定，并须写 note。",
        ]
    out += [
        f"# 填写：取消某个{lv.item.zh}的评分行的注释（删去行首的“# ”），在冒号后填写分数。",
        "# 空着的分数会被 ccua check 指出；可选的顶层键：weights（自定义分值）、title、assessor。",
        f"framework: {fw.id}",
        "items:",
    ]
    for header, item in _group_headers(fw):
        if header:
            out += ["", f"  # ════ {header}"]
        pts = f" · {fmt(item.points)}分" if item.points is not None else ""
        out.append(f"  # ── {item.code} {item.name}{pts}")
        for req in item.requirements:
            tag = ""
            if req.kind == "indicator":
                codes = [i.code for i in item.indicators]
                based = (
                    f"按 {codes[0]}–{codes[-1]} 的达成率"
                    if len(codes) > 1
                    else (f"按 {codes[0]} 的达成率" if codes else "无指标，须手工评定")
                )
                tag = f"  ← 指标要求：{based}"
            out.append(f"  #   {req.code}) {req.text}{tag}")
            out += [f"  #       {req.code}.{s.code}) {s.text}" for s in req.subpoints]
        keys = _rating_keys(fw, item)
        out.append(f"  # {_key(item.code)}:")
        if keys:
            out.append("  #   ratings:")
            out += [f"  #     {k}:" for k, _ in keys]
        elif "item" in levels:
            out.append("  #   rating:")
        out.append('  #   note: ""')
    return "\n".join(out) + "\n"


def claimed_csv() -> bytes:
    """The claimed-values sheet: headers only, UTF-8 with BOM so that Excel reads the Chinese."""
    return ("\ufeff" + ",".join(CLAIMED_HEADERS) + "\r\n").encode("utf-8")


# ----------------------------------------------------------------------------- the workbook


def monthly_rows(fw: Framework) -> list[tuple[str, str, str, str]]:
    """One row per formula input: code, Chinese name, unit, the indicators that use it."""
    used: dict[str, list[str]] = {}
    for ind in fw.indicators:
        for m in ind.inputs:
            used.setdefault(m, []).append(f"{ind.code} {ind.name}")
    return [
        (m.code, m.name, UNIT_LABELS.get(m.unit, m.unit), "；".join(used.get(m.code, [])))
        for m in fw.measures
    ]


def monthly_workbook(fw: Framework, months: list[str], client: str = "") -> bytes:
    """The Excel template of monthly inputs (read back by ccua.engagement.parse_monthly)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = MONTHLY_SHEET
    headers = [*MONTHLY_HEADERS, *months]
    rows = monthly_rows(fw)
    for row in (headers, *rows):
        ws.append(list(row))
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E78")
    info_fill = PatternFill("solid", fgColor="F2F2F2")
    for col in range(1, len(headers) + 1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill, cell.border = head_font, head_fill, border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in range(2, len(rows) + 2):
        for col in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = border
            if col <= len(MONTHLY_HEADERS):
                cell.fill = info_fill
                cell.alignment = Alignment(vertical="top", wrap_text=col in (2, 4))
    widths = {"code": 34, "输入项": 40, "单位": 8, "指标": 44}
    for col, head in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(head, 12)
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = ws.cell(row=2, column=len(MONTHLY_HEADERS) + 1)
    if rows and months:
        first = f"{get_column_letter(len(MONTHLY_HEADERS) + 1)}2"
        last = f"{get_column_letter(len(headers))}{len(rows) + 1}"
        check = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入有误",
            error="请填写不小于 0 的数字（不带 % 或单位）；没有数据请留空。",
        )
        ws.add_data_validation(check)
        check.add(f"{first}:{last}")

    info = wb.create_sheet(HELP_SHEET)
    info.column_dimensions["A"].width = 110
    title = f"{client} 月度运营数据（{fw.name}）" if client else f"月度运营数据（{fw.name}）"
    period = (
        f"测评期间：{months[0]} 至 {months[-1]}（{len(months)} 个月；"
        "T/CCUA 7.2 c：受评方抽取半年运营数据）"
    )
    heads = {title, "怎样填写", "指标与公式"}  # in bold
    lines = [title, period, "", "怎样填写"]
    lines += [text.format(sheet=MONTHLY_SHEET, client=client or "NAME") for text in HELP_TEXT]
    indicators = [i for i in fw.indicators if not i.is_documentary]
    if indicators:
        lines += ["", "指标与公式"]
        lines += [
            f"{i.code} {i.name}：{i.formula_text}（输入：{'、'.join(i.inputs)}）"
            for i in indicators
        ]
    else:
        lines += ["", f"{fw.name} 没有需要月度数据计算的指标，本表无需填写。"]
    for n, text in enumerate(lines, start=1):
        cell = info.cell(row=n, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if text in heads:
            cell.font = Font(bold=True, size=12)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- ccua new


@dataclass(frozen=True)
class NewClient:
    name: str
    framework: str
    params_file: Path
    folder: Path
    months: tuple[str, ...]
    files: tuple[Path, ...]
    defaults: int  # how many default targets were written
    inputs: int  # rows of the monthly template


def client_files(
    fw: Framework,
    name: str,
    months: list[str],
    defaults: Mapping[str, Target],
    today: date | None = None,
) -> dict[str, bytes]:
    """Every file of a new engagement folder, by file name (pure: writes nothing)."""
    return {
        ENGAGEMENT_FILE: engagement_text(fw, name, months, today).encode("utf-8"),
        TARGETS_FILE: targets_text(fw, defaults).encode("utf-8"),
        CHECKS_FILE: checks_text(fw).encode("utf-8"),
        RATINGS_FILE: ratings_text(fw).encode("utf-8"),
        MONTHLY_FILE: monthly_workbook(fw, months, name),
        CLAIMED_FILE: claimed_csv(),
    }


def new_client(
    name: str,
    *,
    framework: str = "t-ccua",
    directory: str | Path = "params",
    start: str | None = None,
    months: int = DEFAULT_MONTHS,
    today: date | None = None,
    frameworks_root: Path | None = None,
) -> NewClient:
    """Create ``<directory>/NAME.yaml`` and ``<directory>/NAME/``; never overwrite anything.

    Every file is generated in memory first, then written into a hidden staging folder that is
    renamed into place; the params file is written last. A failure leaves nothing behind.
    ``frameworks_root`` reads the framework from another frameworks folder (tests).
    """
    name = validate_name(name)
    fw = load_framework(framework, frameworks_root)
    period = period_months(start, months, today)
    root = Path(directory)
    params_file = root / f"{name}.yaml"
    folder = root / name
    existing = [p for p in (params_file, folder) if p.exists() or p.is_symlink()]
    if existing:
        raise CcuaError(
            f"client {name!r} exists already ({', '.join(map(str, existing))}); "
            "nothing was changed. Choose another name or remove it first",
            file=str(existing[0]),
        )
    defaults = default_targets(fw, frameworks_root)
    contents = client_files(fw, name, period, defaults, today)
    params = params_text(name, fw)
    root.mkdir(parents=True, exist_ok=True)
    # A unique hidden name (mkdtemp would make the client's folder private to this user).
    staging = root / f".{name}.new-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        for file_name, data in contents.items():
            atomic_write_bytes(staging / file_name, data)
        if folder.exists():  # created meanwhile by someone else: theirs wins
            raise CcuaError(
                f"{folder} appeared while creating the client; nothing was changed",
                file=str(folder),
            )
        os.rename(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    try:
        if params_file.exists():
            raise CcuaError(
                f"{params_file} appeared while creating the client", file=str(params_file)
            )
        atomic_write_text(params_file, params)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # ours: created a moment ago
        raise
    return NewClient(
        name=name,
        framework=fw.id,
        params_file=params_file,
        folder=folder,
        months=tuple(period),
        files=(params_file, *(folder / f for f in contents)),
        defaults=len(defaults),
        inputs=len(fw.measures),
    )


# ----------------------------------------------------------------------------- ccua check


@dataclass
class CheckReport:
    """What ``ccua check`` found: exactly what ``ccua run`` validates (:func:`validate_client`).

    ``problems`` (bad input) and ``todo`` (requirements still to rate) both stop a run;
    ``warnings`` do not. ``result`` is the computed assessment when nothing stops the run.
    """

    params_file: str
    problems: list[Problem] = field(default_factory=list)
    todo: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    data: EngagementData | None = None
    result: Any = None  # ccua.results.RunResult

    @property
    def status(self) -> str:
        if self.problems:
            return "failed"
        return "incomplete" if self.todo else "ok"

    @property
    def stops_run(self) -> bool:
        """Whether ``ccua run`` would stop (and ``ccua check`` exits 1)."""
        return bool(self.problems or self.todo)

    def error(self) -> ValidationFailed:
        """Everything that stops the run, as one error (first MAX_PROBLEMS and the count)."""
        client = self.summary.get("client") or (self.data.params.client if self.data else "")
        return ValidationFailed.of(
            [*self.problems, *self.todo], subject=f"client {client}" if client else self.params_file
        )

    def as_dict(self, limit: int = MAX_PROBLEMS) -> dict[str, Any]:
        def rows(ps: list[Problem]) -> list[dict[str, Any]]:
            return [{**p.as_dict(), "text": str(p)} for p in ps[:limit]]

        out: dict[str, Any] = {
            "params": self.params_file,
            "status": self.status,
            "summary": self.summary,
            "problems": rows(self.problems),
            "todo": rows(self.todo),
            "warnings": rows(self.warnings),
            "problem_count": count_problems(self.problems),
            "todo_count": count_problems(self.todo),
            "warning_count": count_problems(self.warnings),
        }
        if self.stops_run:
            out["error"] = str(self.error()).partition("\n")[0].rstrip(":")
        return out


def _placeholders(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Where the template's placeholder still stands."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _placeholders(v, (*path, str(k)))
    elif isinstance(data, list):
        for n, v in enumerate(data):
            yield from _placeholders(v, (*path, str(n)))
    elif isinstance(data, str) and PLACEHOLDER in data:
        yield path


def template_leftovers(data: EngagementData) -> list[Problem]:
    """Template values still in engagement.yaml: the report would print them as they are."""
    path = data.files.get("engagement", data.folder / ENGAGEMENT_FILE)
    try:
        raw, lines = load_with_lines(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, CcuaError):
        return []

    def warning(message: str, *where: str) -> Problem:
        return Problem(message, file=str(path), row=line_of(lines, where), field=".".join(where))

    warnings = [
        warning(f"still the template placeholder {PLACEHOLDER}", *where)
        for where in _placeholders(raw)
    ]
    if data.engagement.background.seats == PLACEHOLDER_SEATS:
        seats = f"seats is {PLACEHOLDER_SEATS}, the template's placeholder: give the centre's"
        warnings.append(warning(f"{seats} number of seats", "background", "seats"))
    empty = [code for code, h in data.engagement.handover.items() if h.copies == 0]
    if empty:
        items = data.framework.levels.item.en_plural
        none = f"no documents recorded yet (copies 0) for {len(empty)} {items}"
        warnings.append(warning(f"{none}: {', '.join(empty)}", "handover"))
    return warnings


def check_client(params_path: str | Path) -> CheckReport:
    """Validate a client's inputs without running anything: what ``ccua run`` validates."""
    return validate_client(params_path)


def validate_client(
    params_path: str | Path, *, compute: bool = True, output: str | Path | None = None
) -> CheckReport:
    """The one validation of a client, for ``ccua check`` and ``ccua run`` alike.

    Every problem in one pass: the files (engagement, targets, checks, the monthly sheet,
    claims, ratings), the indicators over the period, the key points, and the ratings that
    scoring still needs, as far as each can be checked with what could be read. When nothing
    stops the run and ``compute`` is true, the assessment is computed (``result``) exactly as
    the run computes it, so that a problem found only there is reported too. The run folder
    (``output``, else the params' ``output:``) must be one ccua may write (docs/safety.md).
    """
    from ccua.period import period_of
    from ccua.results import build_results, key_point_problems

    report = CheckReport(str(params_path))
    try:
        data, problems, ratings_read = collect_engagement(params_path)
    except CcuaError as exc:
        report.problems = _problems_of(exc)
        return report
    report.problems = problems
    if data is None:
        return report
    report.data = data
    fw = data.framework
    period = period_of(data)
    where = str(data.files.get("monthly", data.folder))
    report.problems += [
        Problem(p.message, file=where, field=p.field, indicator=p.indicator)
        for p in period.problems
    ]
    report.problems += key_point_problems(fw, data, period)  # as ccua run stops on them
    report.warnings = template_leftovers(data)
    _check_citations(data, report)
    report.problems += _output_problems(data, output)
    assessment = _score_partial(data, period, report) if ratings_read else None
    report.summary = _summary(data, period, assessment)
    if compute and not report.stops_run:
        try:
            report.result = build_results(data, period)
        except CcuaError as exc:
            report.problems += _problems_of(exc)
    return report


def _problems_of(exc: CcuaError) -> list[Problem]:
    return list(exc.problems) if isinstance(exc, ValidationFailed) else [exc.problem]


def _check_citations(data: EngagementData, report: CheckReport) -> None:
    """Ratings cite the evidence register's ids, when there is one (docs/assessors.md)."""
    if data.evidence is None:
        return
    from ccua.evidence import citation_problems

    cited, free_text = citation_problems(data.ratings, data.evidence)
    report.problems += cited
    report.warnings += [Problem(text) for text in free_text[:20]]
    if len(free_text) > 20:
        report.warnings.append(
            Problem(f"… and {len(free_text) - 20} more ratings whose evidence is free text")
        )


def _score_partial(
    data: EngagementData, period: PeriodResult, report: CheckReport
) -> Assessment | None:
    """The assessment as far as it is rated; what is still to rate goes to ``report.todo``."""
    from ccua.scoring import score

    try:
        assessment = score(data.framework, data.ratings, attainment=period.attainment, partial=True)
    except CcuaError as exc:
        report.problems += _problems_of(exc)
        return None
    r_file = str(data.files.get("ratings", data.folder / RATINGS_FILE))
    report.todo = [
        Problem(f"{p.message} (ccua run needs every requirement rated)", file=r_file, field=p.field)
        for p in assessment.missing
    ]
    return assessment


def _summary(
    data: EngagementData, period: PeriodResult, assessment: Assessment | None
) -> dict[str, Any]:
    """What ``ccua check`` prints about a client: how much of each input is there."""
    fw = data.framework
    months_with_data = [m for m in data.months if data.inputs.values.get(m)]
    indicators = period.indicators.values()
    return {
        "client": data.params.client,
        "framework": fw.id,
        "framework_name": fw.name,
        "period": {
            "start": data.months[0],
            "end": data.months[-1],
            "months": len(data.months),
            "months_with_data": len(months_with_data),
        },
        "inputs": {"found": len(data.inputs.measures()), "of": len(fw.measures)},
        "indicators": {
            "with_value": sum(1 for r in indicators if r.period is not None),
            "evaluable": sum(1 for r in indicators if r.evaluable),
            "of": len(fw.indicators),
        },
        "targets": {
            "centre": sum(1 for t in data.targets.values() if t.source == "centre"),
            "default": sum(1 for t in data.targets.values() if t.source == "default"),
        },
        "checks": {
            "done": len(data.checks),
            "of": sum(1 for i in fw.indicators if i.is_documentary),
        },
        "claims": len(data.claims),
        "items_rated": {"rated": assessment.rated_count if assessment else 0, "of": len(fw.items)},
    }


def _output_problems(data: EngagementData, output: str | Path | None) -> list[Problem]:
    """The run folder would be refused (``output: acme``, ``-o params``): say so now."""
    from ccua.runner import check_output_folder

    target = Path(os.path.abspath(output if output is not None else data.output))
    try:
        check_output_folder(target)
    except CcuaError as exc:
        where = (
            {"file": str(data.params_file), "field": "output"}
            if output is None
            else {"field": "--output"}
        )
        return [Problem(f"{target}: {exc.problem.message}", **where)]  # type: ignore[arg-type]
    return []
