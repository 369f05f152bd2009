"""The report's front part (cover to 六、) as data for the template, built from results.json.

Pure functions: results in, strings and Markdown tables out. The layout follows the sample
report of T/CCUA Appendix E.5 (测评报告示例): tables 1-7 with the same columns, the verdict
marked 符合 in table 7. Names of levels (能力域/能力项, 评审范围/评审细项) come from
results.json, so the same template serves a framework without categories, with points on
groups, or without grades (the guideline): there the total is reported alone and another
framework's bands may be shown, labelled as being for comparison only.

Nothing here computes a score. Grade descriptions and the rating scale are text of the
standard, read from the framework data in the package (results.json names the framework and
its version; a different installed version is refused, so that a signed report never mixes
two versions of the standard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ccua import fmt, tables
from ccua.errors import CcuaError
from ccua.i18n import Tr
from ccua.report._markdown import md_escape
from ccua.results_model import Results
from ccua.spec import Framework, Grade, load_framework


def framework_for(results: Results) -> Framework:
    """The framework results.json was computed with; refuse another version of it."""
    fw_info = results.framework
    fw = load_framework(fw_info.id)
    if fw.version != fw_info.version:
        raise CcuaError(
            f"results.json was computed with {fw_info.id} version {fw_info.version}, "
            f"but this ccua has version {fw.version}",
            hint="re-run the client (ccua run params/CLIENT.yaml) so that the report and the "
            "scores use the same version of the standard",
        )
    return fw


# --- the subtotals and the bands -----------------------------------------------------------


def subtotals_sentence(results: Results, lang: str = "zh") -> str:
    """其中：过程类 26.18分（战略规划 8.49分，能力建设 17.69分），结果类 …"""
    n = tables.names(results, lang)
    tr = n.tr
    a = results.assessment

    def groups(category: str | None) -> str:
        return tr("punct.comma").join(
            f"{n.group(g.code)} {fmt.points(g.score, tr.lang)}"
            for g in a.groups
            if category is None or g.category == category
        )

    parts = [
        f"{n.categories.get(c.code, c.name)} {fmt.points(c.score, tr.lang)}"
        + tr.paren(groups(c.code))
        for c in a.categories
    ]
    if not parts and results.framework.points_at == "item":
        parts = [groups(None)]
    return md_escape(tr("report.subtotals", parts=tr("punct.comma").join(parts))) if parts else ""


def band_table(grades: Sequence[Grade], caption: str, tr: Tr) -> str:
    """Bands only (for comparison beside a framework without grades): no verdict."""
    return tables.grid_markdown(
        tables.Table(
            "bands",
            caption,
            (
                tables.Col(tr("table.grade"), width=6, align="center"),
                tables.Col(tr("table.band"), width=8, align="center"),
            ),
            tuple(
                (tr.name(g), tables.grade_band(grades, g, tr.lang))
                for g in sorted(grades, key=lambda g: g.min, reverse=True)
            ),
            lang=tr.lang,
            line_width=80,
        )
    )


# --- the verdict and its wording -------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What 三 to 六 say. ``kind``: graded | lowest | ungraded | incomplete."""

    kind: str
    total: str
    grade: str | None
    pass_grade: str | None = None  # the lowest grade that is not 'improve' (合格)
    comparison_label: str = ""
    missing: list[str] = field(default_factory=list)


def verdict(results: Results, fw: Framework, lang: str = "zh") -> Verdict:
    """The verdict in the output language (grade names from the framework data)."""
    tr = Tr(lang)
    a = results.assessment
    total = fmt.fixed(a.total)
    if not a.complete:
        return Verdict("incomplete", total, None, missing=list(a.missing or ()))
    if not results.framework.has_grades:
        cmp = fw.comparison_grades
        label = (cmp.label_en if tr.en else cmp.label) if cmp else ""
        return Verdict("ungraded", total, None, comparison_label=label)
    ordered = sorted(fw.grades, key=lambda g: g.min)
    grade = a.grade
    by_name = {g.name: g for g in fw.grades}
    pass_grade = tr.name(ordered[1]) if len(ordered) > 1 else None
    kind = "lowest" if ordered and grade == ordered[0].name else "graded"
    name = tr.name(by_name.get(grade or ""), grade or "")
    return Verdict(kind, total, name, pass_grade=pass_grade)


# --- the whole front part --------------------------------------------------------------------


def standard_citation(results: Results, lang: str = "zh") -> str:
    """How the report cites the standard: its designation when it has a real one, else its
    title (a draft without a number is cited by title, never as "T/CCUA XXXX-XXXX")."""
    tr = Tr(lang)
    cited = results.engagement.report.standard
    if cited and not tr.en and "XXXX" not in cited:  # a placeholder is never cited
        return cited
    fw = results.framework
    name = tr.name(fw)
    designation = fw.designation
    if "XXXX" in designation or "无标准编号" in designation or not designation:
        if "征求意见稿" in designation:
            return tr("standard.cite_with_status", name=name, status=tr("standard.draft"))
        return tr("standard.cite", name=name)
    return tr("standard.cite_with_designation", designation=designation, name=name)


def assessor_leader(results: Results) -> str:
    """The team leader who signs 五、: the assessor noted 组长, else the first preparer."""
    for member in results.engagement.team.assessors:
        if "组长" in member.note or "组长" in member.role:
            return member.name
    prepared = results.engagement.report.prepared_by
    return prepared[0] if prepared else ""


def default_title(results: Results, lang: str = "zh") -> str:
    report = results.engagement.report
    tr = Tr(lang)
    if report.title and not tr.en:
        return report.title
    return tr("report.title", assessee=report.assessee)


def background_text(results: Results, lang: str = "zh") -> str:
    """测评背景: the engagement's own paragraph, else one made of its background facts."""
    tr = Tr(lang)
    bg = results.engagement.background
    if bg.description:
        return bg.description
    return tr(
        "report.background",
        subject=bg.subject,
        organisation=bg.organisation,
        industry=bg.industry,
        seats=bg.seats,
        business=tr.join(bg.business_types),
        standard=standard_citation(results, lang),
        period=fmt.date_range(bg.period.start, bg.period.end, tr.lang),
    )


def process_steps(results: Results, lang: str = "zh") -> list[str]:
    """测评过程: one line per step, with its dates and what it delivered."""
    tr = Tr(lang)
    out = []
    for step in results.engagement.process:
        text = step.name
        dates = [fmt.date_text(d, tr.lang) for d in (step.start, step.end) if d]
        if dates:
            text += tr.paren(
                tr("punct.range", start=dates[0], end=dates[-1]) if len(dates) == 2 else dates[0]
            )
        if step.deliverable:
            text += tr("punct.colon") + step.deliverable
        out.append(text + tr("punct.period"))
    return out


def front_tables(results: Results, fw: Framework, tr: Tr) -> dict[str, str]:
    """Tables 1-7 as grid tables (t7: "" without grades), and the comparison's bands."""
    grid = [
        *tables.team_tables(results, tr.lang),
        *tables.handover_tables(results, tr.lang),
        tables.requirement_tables(results, tr.lang)[0],
        tables.score_table(results, tr.lang),
    ]
    if results.framework.has_grades:
        grid.append(tables.grade_table(fw.grades, results.assessment.grade, tr.lang))
    out = {f"t{k}": tables.grid_markdown(t) for k, t in enumerate(grid, 1)}
    out.setdefault("t7", "")
    out["comparison"] = ""
    if not results.framework.has_grades and fw.comparison_grades is not None:
        other = load_framework(fw.comparison_grades.framework)
        label = fw.comparison_grades.label_en if tr.en else fw.comparison_grades.label
        out["comparison"] = band_table(
            other.grades, tr("table.comparison_caption", label=label), tr
        )
    return out


def front_context(results: Results, lang: str = "zh") -> dict[str, Any]:
    """Everything the template needs for cover to 六、, as plain values and Markdown tables."""
    tr = Tr(lang)
    fw = framework_for(results)
    eng = results.engagement
    report = eng.report
    a = results.assessment
    agreement = tables.agreement_table(results, tr.lang)
    flagged = results.staffing.flagged if results.staffing else ()
    cover = [
        (tr(f"report.cover.{key}"), value)
        for key, value in (
            ("commissioned_by", report.commissioned_by),
            ("assessee", report.assessee),
            ("project", report.project),
            ("assessor_org", report.assessor_org),
            ("prepared_by", tr.join(report.prepared_by)),
            ("approved_by", report.approved_by),
            ("date", fmt.date_text(report.date, tr.lang)),
            ("prepared_unit", report.prepared_unit),
        )
        if value or key != "prepared_unit"
    ]
    levels = results.framework.levels
    scale = [(lvl.value, lvl.label_en if tr.en else lvl.label) for lvl in fw.scale.levels]
    return {
        "tr": tr,
        "lang": tr.lang,
        "title": default_title(results, tr.lang),
        "cover": cover,
        "report": report,
        "contacts": eng.contacts,
        "background": background_text(results, tr.lang),
        "process": process_steps(results, tr.lang),
        "tools": eng.tools if not tr.en else "",
        "key_points": eng.key_points,
        "staffing_key_point": tr(
            "nb.staff.key_point", months=tr.join(fmt.month_text(m, tr.lang) for m in flagged)
        )
        if flagged
        else "",
        "agreement": {
            "intro": tables.agreement_intro(results, tr.lang),
            "table": tables.grid_markdown(agreement),
        }
        if agreement
        else None,
        "opinion": eng.opinion if not tr.en else "",
        "standard": standard_citation(results, tr.lang),
        "framework": results.framework,
        "framework_name": tr.name(results.framework),
        "group_word": tr.level(levels, "group", plural=True),
        "item_word": tr.level(levels, "item", plural=True),
        "n_groups": len(a.groups),
        "n_items": len(a.items),
        "custom_weights": a.custom_weights,
        "scale": scale,
        "scale_labels": [f"{value} {label}" for value, label in scale],
        "indicator_requirement": fw.scoring.indicator_requirement,
        "threshold": fw.scoring.attainment_threshold if fw.scoring.indicator_requirement else None,
        "tables": front_tables(results, fw, tr),
        "subtotals": subtotals_sentence(results, tr.lang),
        "verdict": verdict(results, fw, tr.lang),
        "leader": assessor_leader(results),
        "reconciliation": results.reconciliation_summary,
        "total_points": fmt.points(a.total_points, tr.lang),
    }
