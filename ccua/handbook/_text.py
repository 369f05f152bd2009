# ruff: noqa: E501  (catalog strings: Chinese text counts double width)
"""The handbook's and the lessons' fixed text, in Chinese and English.

Names (of frameworks, items, indicators, measures, grades, scale levels) come from the
framework's own ``name``/``name_en`` fields; this catalog holds only the words around them.
Every key exists in both languages (a test checks it), so an output is never mixed.
"""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "handbook": "测评手册",
        "subtitle": "由框架数据生成的教学手册",
        "generated": "本手册由 ccua {version} 依据框架数据 {fw_id}（数据版本 {fw_version}）生成；"
        "标准更新后重新运行 `ccua handbook` 即可重新生成。",
        "search": "搜索",
        "search_placeholder": "搜索（如 放弃率、DO6.9、四舍五入）",
        "search_none": "没有找到匹配的内容。",
        "search_count": "找到 {n} 处",
        "contents": "目录",
        "pdf": "PDF 版",
        "prev": "上一章",
        "next": "下一章",
        # chapters
        "ch_model": "测评模型与分值",
        "ch_scoring": "计分方法",
        "ch_grades": "测评等级",
        "ch_worked": "测评示例逐步演算",
        "ch_crosswalk": "两个框架的对照",
        "ch_glossary": "中英术语表",
        "ch_framework_indicators": "框架级指标",
        "ch_errata_method": "方法上的决定与勘误",
        # intro
        "intro_what": "本手册讲解《{name}》（{designation}）：它对每个{item}提出的要求、每个关键指标的"
        "计算与解读、评分如何变为计分与等级，以及标准含糊或有误之处 ccua 的处理方式。",
        "intro_counts": "框架包含 {groups} 个{group}、{items} 个{item}、{reqs} 条{requirement}"
        "（其中 {subs} 个{subpoint}）、{inds} 个关键指标，总分 {total} 分。",
        "intro_source": "来源：{source}。",
        "intro_reading": "阅读建议：先读“测评模型与分值”和“计分方法”，再按{group}查阅各{item}；"
        "“测评示例逐步演算”把计分方法从头到尾算一遍。交互式练习见 "
        "`notebooks/teaching/`。",
        "intro_verbatim": "要求条文、指标定义与公式均按标准原文（中文）照录。",
        # model
        "model_lead": "下表列出每个{group}及其{item}的分值与分值占比（分值 ÷ 总分 × 100）。",
        "col_code": "代码",
        "col_name": "名称",
        "col_points": "分值",
        "col_share": "分值占比",
        "col_items": "{item}数",
        "col_category": "类别",
        "col_indicators": "关键指标数",
        "col_requirements": "要求数",
        "total": "合计",
        "categories_lead": "类别小计：",
        "points_on_groups": "本框架的分值设在{group}上，{item}本身不设分值。",
        # item pages
        "points_line": "分值 **{points}** 分，占总分的 **{share}%**。",
        "points_group_line": "所属{group}分值 **{points}** 分（占总分的 {share}%），由其各{item}的平均评分计分。",
        "section_line": "标准条款：{section}。",
        "requirements": "要求（原文）",
        "indicator_req_note": "（关键指标要求：由指标达标比例计分，见“计分方法”。）",
        "key_indicators_listed": "第 6 章表中列出的关键指标（原文）：",
        "indicators": "关键指标",
        "no_indicators": "本{item}没有关键指标。",
        "definition": "定义",
        "formula_printed": "公式（原文）",
        "formula_math": "公式",
        "formula_none": "无公式（－）：{why}",
        "documentary_why": "由测评人员核查文件证据，达标与否由其判定。",
        "reported_why": "按原值报告的数量。",
        "inputs": "输入",
        "col_input": "输入",
        "col_unit": "单位",
        "col_aggregation": "多月合并",
        "unit": "单位",
        "direction": "方向",
        "kind": "类型",
        "same_as": "与 {code} 使用同一公式。",
        "default_target": "默认目标值",
        "no_default_target": "无默认目标值：由受测中心自定目标。",
        "target_basis": "依据：{basis}",
        "errata": "勘误与 ccua 的解读",
        "erratum_issue": "问题",
        "erratum_decision": "ccua 的处理",
        "erratum_source": "出处",
        "used_by": "使用该指标的{item}：{items}",
        "term_clause": "定义条款：{clause}",
        # directions, units, kinds
        "dir_higher": "越高越好",
        "dir_lower": "越低越好",
        "dir_band": "在目标区间内为好",
        "dir_none": "无方向（仅报告）",
        "unit_percent": "%",
        "unit_seconds": "秒",
        "unit_minutes": "分钟",
        "unit_hours": "小时",
        "unit_days": "天",
        "unit_count": "个",
        "unit_currency": "元",
        "unit_none": "—",
        "kind_ratio": "比率",
        "kind_duration": "时长",
        "kind_count": "数量",
        "kind_amount": "金额",
        "kind_documentary": "文件证据",
        "agg_sum": "求和",
        "agg_mean": "平均",
        "agg_first": "取首月",
        "agg_last": "取末月",
        # scoring
        "scale_lead": "评分标度（{scale}，来源：{source}）：",
        "col_value": "评分",
        "col_label": "含义",
        "col_description": "说明",
        "step": "第 {n} 步",
        "s_rate": "测评人员对每条定性要求（或其每个子项）按上表 0–{top} 分评分；按子项评分的要求取子项的平均分。"
        "履行度 = 评分 ÷ {top}。",
        "s_indicator": "关键指标要求不由人工评分：设 s 为该{item}可评估指标中达到目标的比例，"
        "s ≥ {t} 时评分 = {r3} + ({top} − {r3}) × (s − {t}) ÷ (1 − {t})；"
        "s < {t} 时评分 = {r3} × s ÷ {t}。没有可评估指标时由测评人员手工评分并注明理由。",
        "s_percent": "{item}百分比 = 各要求履行度的平均值 × 100（默认等权）。测评人员也可直接给出{item}百分比，"
        "但必须写明理由；附录 E 的示例即按这种方式给出。",
        "s_score": "{item}计分 = 分值 × 百分比 ÷ 100，按四舍五入（half-up，逢 5 进位）保留 {places} 位小数。"
        "计算全程使用精确的十进制/分数运算：二进制浮点会把 3.115 算成 3.11，而标准要求 3.12。",
        "s_group_score": "{group}计分 = {group}分值 × 各{item}平均评分 ÷ {top}，按四舍五入保留 {places} 位小数；"
        "按要求或子项评分的{item}取其平均分；不适用的{item}不参与平均。",
        "s_total": "总分 = 各{scored}四舍五入后计分之和（不再二次取整）。分值占比 = 分值 ÷ 总分值 × 100；"
        "计分占比 = 计分 ÷ 总分 × 100，均四舍五入保留 {places} 位小数。另按类别与{group}给出小计。",
        "s_grade": "等级按总分查下一章的等级表：总分不低于某等级的下限即为该等级。",
        "s_no_grade": "本框架未规定等级；报告仅作对照显示：{label}。",
        "rounding_example": "四舍五入示例",
        "rounding_lead": "以下几项的精确计分恰好落在半分位上或附近，四舍五入的结果与二进制浮点的结果不同时特别标出：",
        "col_exact": "精确值",
        "col_rounded": "四舍五入",
        "col_float": "浮点 round()",
        # grades
        "grades_lead": "等级按总分划分（表中“分值区分”为标准原文，“下限”为 ccua 采用的阈值）：",
        "col_grade": "等级",
        "col_band": "分值区分（原文）",
        "col_min": "下限",
        "process_desc": "过程类描述",
        "result_desc": "结果类描述",
        "no_grades": "本框架未规定等级。",
        # worked example
        "we_lead": "下面用 ccua 的计分引擎（ccua.scoring）把示例从{item}百分比一步步算到总分与等级。数据：`{file}`。",
        "we_step1": "第 1 步：各{item}的百分比（示例给出）",
        "we_step1_rating": "第 1 步：各{item}的平均评分（示例给出，0–5 分）",
        "we_step2": "第 2 步：{scored}计分 = 分值 × 百分比 ÷ 100，四舍五入到分",
        "we_step3": "第 3 步：分值占比与计分占比",
        "we_step4": "第 4 步：小计",
        "we_step5": "第 5 步：总分与等级",
        "col_percent": "百分比",
        "col_mean_rating": "平均评分",
        "col_note": "说明",
        "col_score": "计分",
        "col_score_share": "计分占比",
        "half_mark": "恰为半分，进位",
        "we_total": "总分 = {terms} = **{total}** 分。",
        "we_grade": "{total} 分 ≥ {min} 分（{band}），等级为 **{grade}**。",
        "we_next": "距离下一等级“{grade}”（≥ {min} 分）还差 **{gap}** 分。",
        "we_top": "已是最高等级。",
        "we_guideline_note": "本框架的示例由 ccua 提供（标准未附示例），用于演示计分方法。",
        # crosswalk
        "cw_lead": "对照关系（数据 {id}，版本 {version}）：本框架的每个{item}对应另一框架《{other}》中的哪些{other_item}。"
        "对照只用于推算估计，从不代替测评计分。",
        "cw_items": "{item}对照",
        "cw_indicators": "关键指标对照",
        "col_counterpart": "对应",
        "col_fit": "程度",
        "fit_full": "完全",
        "fit_partial": "部分",
        "fit_same": "相同",
        "fit_similar": "相近",
        "fit_none": "无",
        "cw_none": "没有与本框架相连的对照关系。",
        "cw_no_counterpart": "{other} 中没有与之对应的内容",
        # glossary
        "gl_lead": "本框架的名称来自框架数据的中英文字段；另列计分用语。",
        "gl_terms": "计分用语",
        "gl_structure": "结构名称",
        "gl_measures": "指标输入",
        "gl_abbr": "缩写",
        "col_zh": "中文",
        "col_en": "English",
        "g_points": "分值",
        "g_score": "计分",
        "g_points_share": "分值占比",
        "g_score_share": "计分占比",
        "g_total": "总分",
        "g_grade": "等级",
        "g_rating": "评分",
        "g_fulfilment": "履行度",
        "g_half_up": "四舍五入",
        "g_target": "目标值",
        "g_attainment": "指标达标比例",
        "g_default_target": "默认目标值",
        "g_erratum": "勘误",
        "g_indicator": "关键指标",
        "g_formula": "公式",
        "g_override": "直接给出的百分比",
        "method_errata_lead": "标准没有规定或规定有误、ccua 必须作出决定的计分问题：",
        # lessons (widgets)
        "l_indicator": "指标",
        "l_value": "指标值",
        "l_target": "目标",
        "l_status": "达标情况",
        "l_met": "达标",
        "l_not_met": "未达标",
        "l_no_target": "无目标（仅报告）",
        "l_documentary": "文件证据，由测评人员核查",
        "l_error": "无法计算：{message}",
        "l_with_numbers": "代入数值",
        "l_mode": "评分方式",
        "l_mode_percent": "直接给百分比",
        "l_mode_ratings": "逐条要求评分",
        "l_percent": "百分比",
        "l_reset": "恢复示例",
        "l_rounding": "四舍五入：{exact} → {rounded}",
        "l_rounding_tie": "（恰为半分：逢 5 进位；二进制浮点 round() 会得到 {float}）",
        "l_total": "总分",
        "l_grade": "等级",
        "l_next": "距“{grade}”还差 {gap} 分",
        "l_top": "已是最高等级",
        "l_check": "检查答案",
        "l_answer": "你的答案",
        "l_correct": "正确！",
        "l_wrong": "不对：正确答案是 {expected}。{why}",
        "l_not_number": "请输入一个数字（如 3.12），不要带 % 或单位。",
        "l_empty": "请先输入答案。",
        "ex_indicator": "练习 1：根据 {month} 的数据计算 {code} {name}（保留 2 位小数，单位 {unit}）。",
        "ex_item": "练习 2：{code} {name}（分值 {points}）的各条要求评分如下，求该{item}的计分（保留 2 位小数）。",
        "ex_grade": "练习 3：总分为 {total} 分时，等级是什么？",
        "ex_why_indicator": "{expr} = {value}",
        "ex_why_item": "平均评分 {mean} ÷ {top} × 分值 {points} = {exact} → 四舍五入 {score}",
        "ex_why_grade": "{total} 分落在“{band}”，等级为{grade}。",
        "l_choose": "请选择",
        "l_tie_legend": "* 精确值恰为半分：四舍五入（逢 5 进位）。",
        "lesson_explorer": "指标探索",
        "lesson_explorer_intro": "选择一个关键指标，调整它的输入，查看指标值、是否达到默认目标值，以及代入数值后的公式。输入的初值取自演示中心的第一个月。",
        "lesson_simulator": "计分模拟",
        "lesson_simulator_intro": "从附录 E 的测评示例（85.56 分，良好）出发：修改某个能力项的百分比，或逐条给它的要求评分，观察该项计分（及其四舍五入）、小计、总分、等级和距下一等级的差距如何变化。",
        "lesson_exercises": "练习",
        "lesson_exercises_intro": "三道练习，答案由本页检查：由一个月的数据计算指标、由要求评分计算能力项计分、由总分判断等级。",
        "lesson_worked_intro": "附录 E 的测评示例由 ccua 的计分引擎逐步执行：从表 E.5 的各项百分比，到表 E.6（85.56 分）和表 E.7 的等级（良好）。",
    },
    "en": {
        "handbook": "Assessment handbook",
        "subtitle": "A teaching handbook generated from the framework data",
        "generated": "Generated by ccua {version} from the framework data {fw_id} (data version "
        "{fw_version}); when the standard changes, run `ccua handbook` again.",
        "search": "Search",
        "search_placeholder": "Search (e.g. abandon, DO6.9, half-up)",
        "search_none": "Nothing matches.",
        "search_count": "{n} found",
        "contents": "Contents",
        "pdf": "PDF",
        "prev": "Previous",
        "next": "Next",
        "ch_model": "The model and its points",
        "ch_scoring": "The scoring method",
        "ch_grades": "Grades",
        "ch_worked": "The worked example, step by step",
        "ch_crosswalk": "Crosswalk between the two frameworks",
        "ch_glossary": "Chinese-English glossary",
        "ch_framework_indicators": "Framework-level indicators",
        "ch_errata_method": "Method decisions and errata",
        "intro_what": "This handbook teaches {name_en} ({designation}): what each {item} requires, "
        "how each key indicator is computed and read, how ratings become scores "
        "and a grade, and what ccua does where the standard is ambiguous or wrong.",
        "intro_counts": "The framework has {groups} {group_plural}, {items} {item_plural}, "
        "{reqs} {requirement_plural} ({subs} {subpoint_plural}) and {inds} key "
        "indicators; the total is {total} points.",
        "intro_source": "Source: {source}.",
        "intro_reading": 'Read "The model and its points" and "The scoring method" first, then '
        'each {group}\'s {item_plural}; "The worked example, step by step" runs '
        "the method end to end. Interactive lessons are in "
        "`notebooks/teaching/`.",
        "intro_verbatim": "Requirement texts, indicator definitions and printed formulas are "
        "quoted verbatim from the standard, which is in Chinese.",
        "model_lead": "Each {group} and its {item_plural}, with points and share of the total "
        "(points ÷ total × 100).",
        "col_code": "Code",
        "col_name": "Name",
        "col_points": "Points",
        "col_share": "Share",
        "col_items": "{item_plural}",
        "col_category": "Category",
        "col_indicators": "Indicators",
        "col_requirements": "Requirements",
        "total": "Total",
        "categories_lead": "Subtotals by category:",
        "points_on_groups": "In this framework the points sit on the {group_plural}; the "
        "{item_plural} carry none.",
        "points_line": "**{points}** points, **{share}%** of the total.",
        "points_group_line": "Its {group} carries **{points}** points ({share}% of the total), "
        "scored from the mean rating of its {item_plural}.",
        "section_line": "Clause of the standard: {section}.",
        "requirements": "Requirements (verbatim)",
        "indicator_req_note": "(indicator requirement: scored from the share of indicators "
        "meeting their targets; see The scoring method.)",
        "key_indicators_listed": "Key indicators as listed in the tables of chapter 6 (verbatim):",
        "indicators": "Key indicators",
        "no_indicators": "This {item} has no key indicators.",
        "definition": "Definition",
        "formula_printed": "Formula as printed",
        "formula_math": "Formula",
        "formula_none": "No formula (－): {why}",
        "documentary_why": "documentary evidence; the assessor checks it and decides whether "
        "it is met.",
        "reported_why": "a quantity reported as it is.",
        "inputs": "Inputs",
        "col_input": "Input",
        "col_unit": "Unit",
        "col_aggregation": "Over months",
        "unit": "Unit",
        "direction": "Direction",
        "kind": "Kind",
        "same_as": "Shares its formula with {code}.",
        "default_target": "Default target",
        "no_default_target": "No default target: the centre sets its own.",
        "target_basis": "Basis: {basis}",
        "errata": "Errata and ccua's reading",
        "erratum_issue": "Issue",
        "erratum_decision": "What ccua does",
        "erratum_source": "Source",
        "used_by": "{item_plural} that use it: {items}",
        "term_clause": "Defined in clause {clause}",
        "dir_higher": "higher is better",
        "dir_lower": "lower is better",
        "dir_band": "inside the target band is better",
        "dir_none": "no direction (reported)",
        "unit_percent": "%",
        "unit_seconds": "s",
        "unit_minutes": "min",
        "unit_hours": "h",
        "unit_days": "days",
        "unit_count": "count",
        "unit_currency": "yuan",
        "unit_none": "—",
        "kind_ratio": "ratio",
        "kind_duration": "duration",
        "kind_count": "count",
        "kind_amount": "amount",
        "kind_documentary": "documentary evidence",
        "agg_sum": "sum",
        "agg_mean": "mean",
        "agg_first": "first month",
        "agg_last": "last month",
        "scale_lead": "The rating scale ({scale}; source: {source}):",
        "col_value": "Rating",
        "col_label": "Meaning",
        "col_description": "Description",
        "step": "Step {n}",
        "s_rate": "The assessor rates each qualitative requirement (or each of its numbered "
        "sub-points) from 0 to {top} on the scale above; a requirement rated by "
        "sub-points takes their mean. Fulfilment = rating ÷ {top}.",
        "s_indicator": "The indicator requirement is not rated by hand: with s the share of the "
        "{item}'s evaluable indicators that meet their targets, the rating is "
        "{r3} + ({top} − {r3}) × (s − {t}) ÷ (1 − {t}) when s ≥ {t}, and "
        "{r3} × s ÷ {t} when s < {t}. With nothing evaluable the assessor rates "
        "it by hand, with a note.",
        "s_percent": "{item} percent = mean of the requirements' fulfilments × 100 (equal "
        "weights by default). The assessor may give an {item}'s percent directly, "
        "with a mandatory note; the worked example of Appendix E is given that way.",
        "s_score": "{item} score = points × percent ÷ 100, rounded half-up (a 5 rounds up) to "
        "{places} decimals. The arithmetic is exact decimal/fraction arithmetic: "
        "binary floating point turns 3.115 into 3.11, where the standard prints 3.12.",
        "s_group_score": "{group} score = {group} points × mean {item} rating ÷ {top}, rounded "
        "half-up to {places} decimals; an {item} rated by requirements or "
        "sub-points takes their mean; not-applicable {item_plural} leave the mean.",
        "s_total": "Total = sum of the rounded {scored} scores (not rounded again). Share of "
        "points = points ÷ total points × 100; share of score = score ÷ total × 100, "
        "both rounded half-up to {places} decimals. Subtotals are given per category "
        "and per {group}.",
        "s_grade": "The grade comes from the total and the table of the next chapter: the "
        "highest grade whose minimum the total reaches.",
        "s_no_grade": "This framework defines no grades; reports show, for comparison only: "
        "{label}.",
        "rounding_example": "Rounding, shown",
        "rounding_lead": "Scores whose exact value lies on or near half a cent; where half-up "
        "and binary floating point disagree, it is marked:",
        "col_exact": "Exact",
        "col_rounded": "Half-up",
        "col_float": "Float round()",
        "grades_lead": "Grades by total (the band is as printed; the minimum is the threshold "
        "ccua applies):",
        "col_grade": "Grade",
        "col_band": "Band (as printed)",
        "col_min": "Minimum",
        "process_desc": "Process description",
        "result_desc": "Result description",
        "no_grades": "This framework defines no grades.",
        "we_lead": "ccua's scoring engine (ccua.scoring) takes the example from the {item} "
        "percents to the total and the grade, step by step. Data: `{file}`.",
        "we_step1": "Step 1: each {item}'s percent (given by the example)",
        "we_step1_rating": "Step 1: each {item}'s mean rating (given by the example, 0-5)",
        "we_step2": "Step 2: {scored} score = points × percent ÷ 100, rounded half-up to the cent",
        "we_step3": "Step 3: share of points and share of score",
        "we_step4": "Step 4: subtotals",
        "we_step5": "Step 5: total and grade",
        "col_percent": "Percent",
        "col_mean_rating": "Mean rating",
        "col_note": "Note",
        "col_score": "Score",
        "col_score_share": "Share of score",
        "half_mark": "exactly half a cent: rounds up",
        "we_total": "Total = {terms} = **{total}** points.",
        "we_grade": "{total} ≥ {min} ({band}): the grade is **{grade}**.",
        "we_next": "The next grade, {grade} (≥ {min}), is **{gap}** points away.",
        "we_top": "This is the highest grade.",
        "we_guideline_note": "The standard has no worked example; this one is ccua's, to show "
        "the method.",
        "cw_lead": "Crosswalk data {id}, version {version}: for each {item} of this framework, "
        "the {other_item_plural} of {other_en} that cover it. A crosswalk supports "
        "estimates only; it never replaces an assessment's score.",
        "cw_items": "{item_plural}",
        "cw_indicators": "Key indicators",
        "col_counterpart": "Counterpart",
        "col_fit": "Fit",
        "fit_full": "full",
        "fit_partial": "partial",
        "fit_same": "same",
        "fit_similar": "similar",
        "fit_none": "none",
        "cw_none": "No crosswalk joins this framework.",
        "cw_no_counterpart": "no counterpart in {other}",
        "gl_lead": "Names come from the framework data's Chinese and English fields; the "
        "scoring terms follow.",
        "gl_terms": "Scoring terms",
        "gl_structure": "Structure",
        "gl_measures": "Indicator inputs",
        "gl_abbr": "Abbreviations",
        "col_zh": "中文",
        "col_en": "English",
        "g_points": "points",
        "g_score": "score",
        "g_points_share": "share of points",
        "g_score_share": "share of score",
        "g_total": "total",
        "g_grade": "grade",
        "g_rating": "rating",
        "g_fulfilment": "fulfilment",
        "g_half_up": "rounding half-up",
        "g_target": "target",
        "g_attainment": "indicator attainment",
        "g_default_target": "default target",
        "g_erratum": "erratum",
        "g_indicator": "key indicator",
        "g_formula": "formula",
        "g_override": "percent given directly",
        "method_errata_lead": "Scoring questions the standard leaves open or gets wrong, and "
        "ccua's decisions:",
        "l_indicator": "Indicator",
        "l_value": "Value",
        "l_target": "Target",
        "l_status": "Status",
        "l_met": "meets the target",
        "l_not_met": "misses the target",
        "l_no_target": "no target (reported)",
        "l_documentary": "documentary evidence, checked by the assessor",
        "l_error": "Cannot compute: {message}",
        "l_with_numbers": "With the numbers",
        "l_mode": "Rated by",
        "l_mode_percent": "percent given",
        "l_mode_ratings": "requirement ratings",
        "l_percent": "Percent",
        "l_reset": "Back to the example",
        "l_rounding": "Half-up: {exact} → {rounded}",
        "l_rounding_tie": " (exactly half a cent: rounds up; binary float round() gives {float})",
        "l_total": "Total",
        "l_grade": "Grade",
        "l_next": "{gap} points to {grade}",
        "l_top": "the highest grade",
        "l_check": "Check",
        "l_answer": "Your answer",
        "l_correct": "Correct!",
        "l_wrong": "Not quite: the answer is {expected}. {why}",
        "l_not_number": "Enter a number (e.g. 3.12), without % or a unit.",
        "l_empty": "Enter an answer first.",
        "ex_indicator": "Exercise 1: compute {code} {name} for {month} from the figures below "
        "(2 decimals, unit {unit}).",
        "ex_item": "Exercise 2: the requirements of {code} {name} ({points} points) are rated "
        "as below. What is the {item}'s score (2 decimals)?",
        "ex_grade": "Exercise 3: what grade does a total of {total} get?",
        "ex_why_indicator": "{expr} = {value}",
        "ex_why_item": "mean rating {mean} ÷ {top} × {points} points = {exact} → half-up {score}",
        "ex_why_grade": "{total} lies in the band {band}: {grade}.",
        "l_choose": "Choose",
        "l_tie_legend": "* the exact value is exactly half a cent: half-up rounds it up.",
        "lesson_explorer": "Indicator explorer",
        "lesson_explorer_intro": "Choose a key indicator, move its inputs, and see its value, whether it meets the documented default target, and the formula with the numbers put in. The inputs start from the demo centre's first month.",
        "lesson_simulator": "Scoring simulator",
        "lesson_simulator_intro": "Start from the worked example of Appendix E (85.56, Good). Change an item's percent, or rate its requirements one by one, and watch the item score (with its half-up rounding), the subtotals, the total, the grade and the distance to the next grade move.",
        "lesson_exercises": "Exercises",
        "lesson_exercises_intro": "Three exercises whose answers this page checks: an indicator from a month's figures, an item's score from its requirement ratings, and the grade of a total.",
        "lesson_worked_intro": "Appendix E executed step by step by ccua's scoring engine: from the item percents of table E.5 to table E.6 (85.56) and the grade of table E.7 (Good).",
    },
}


class Catalog:
    """``Catalog("en")("ch_model")``: the text of a key, formatted with keyword arguments."""

    def __init__(self, lang: str) -> None:
        if lang not in TEXT:
            from ccua.errors import CcuaError

            raise CcuaError(
                f"language must be one of {', '.join(LANGS)}, got {lang!r}", field="lang"
            )
        self.lang = lang
        self.table = TEXT[lang]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.table[key]
        return text.format(**values) if values else text

    @property
    def zh(self) -> bool:
        return self.lang == "zh"
