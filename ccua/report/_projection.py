"""The report's appendix 与其他测评框架的对照（估算）, from ``results.json → projections``.

For every framework a crosswalk connects to the assessed one, the run estimated how the
centre would stand under it (:func:`ccua.crosswalk.project`): an estimated score over the
points the estimate reaches, that score rescaled to the full total, an indicative grade, the
items and KPIs that carry over, and the **missing evidence** a full assessment under that
framework would still need. Everything here is printed as results.json holds it and labelled
an estimate wherever it appears: it is never a score of this assessment.
"""

from __future__ import annotations

from ccua import fmt, tables
from ccua.i18n import Tr
from ccua.report._markdown import md_escape
from ccua.results_model import ProjectionOut, Results
from ccua.spec import Framework, load_framework

# The crosswalk's notes and reasons are written in English (ccua/frameworks/crosswalk): an
# English report prints them, a Chinese one says what they stand for in its own words.


def projection_title(lang: str = "zh") -> str:
    return Tr(lang)("projection.title")


def _cite(fw: Framework, tr: Tr) -> str:
    """A framework cited by title (its designation is a placeholder or none: see _front)."""
    return tr("standard.cite", name=tr.name(fw))


def _estimate_sentence(p: ProjectionOut, target: Framework, tr: Tr) -> str:
    grade = p.indicative_grade
    text = tr(
        "projection.estimate",
        covered=fmt.points(p.covered_points, tr.lang),
        total=fmt.points(p.total_points, tr.lang),
        score=fmt.points(p.estimated_score, tr.lang),
    )
    if p.rescaled_total is not None:
        text += tr("projection.rescaled", total=fmt.points(p.rescaled_total, tr.lang))
    text += tr("punct.period")
    if grade:
        grading = load_framework(grade.framework)
        own = grade.framework == target.id
        by_name = {g.name: g for g in grading.grades}
        text += tr(
            "projection.indicative_own" if own else "projection.indicative_other",
            grade=tr.name(by_name.get(grade.name), grade.name),
            framework=_cite(grading, tr),
        )
    return text


def summary_sentence(p: ProjectionOut, lang: str = "zh") -> str:
    """One sentence on where the estimate stands, and that it is one (the annex's summary)."""
    tr = Tr(lang)
    target = load_framework(p.to)
    total = p.rescaled_total
    where = (
        tr("projection.where_rescaled", total=fmt.points(total, tr.lang))
        if total is not None
        else tr("projection.where_score", score=fmt.points(p.estimated_score, tr.lang))
    )
    return tr(
        "projection.summary",
        framework=_cite(target, tr),
        where=where,
        n=len(p.missing),
        items=tr.level(target.levels, "item", plural=True),
    )


def projection_markdown(results: Results, lang: str = "zh") -> str:
    """The appendix's body: one section per other framework; "" when there is none."""
    tr = Tr(lang)
    if not results.projections:
        return ""
    source = results.framework
    blocks = [
        md_escape(tr("projection.intro", framework=tr("standard.cite", name=tr.name(source))))
    ]
    for p in results.projections:
        target = load_framework(p.to)
        groups, items, missing, kpis, _ = tables.projection_tables(results, p, tr.lang)
        blocks += [
            "## " + md_escape(tr("projection.heading", framework=_cite(target, tr))),
            md_escape(summary_sentence(p, tr.lang)),
            md_escape(_estimate_sentence(p, target, tr)),
            tables.grid_markdown(groups),
            tables.grid_markdown(items),
        ]
        if p.missing:
            words = tr.level(target.levels, "item", plural=True)
            intro = tr("projection.missing_intro", n=len(p.missing), items=words)
            blocks += [md_escape(intro), tables.grid_markdown(missing)]
        if kpis:
            blocks.append(tables.grid_markdown(kpis))
        absent = [k.code for k in p.kpis if k.value is None]
        if absent:
            text = tr("projection.missing_kpis", n=len(absent), codes=tr.join(absent))
            blocks.append(md_escape(text))
    return "\n\n".join(blocks) + "\n"
