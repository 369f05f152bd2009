"""The handbook's content: chapters of Markdown built from the framework data (pure).

Every number and name comes from :mod:`ccua.spec` (the framework), :mod:`ccua.scoring` (the
worked example), :mod:`ccua.crosswalk` and the documented default targets; the fixed words
around them come from the catalog in :mod:`ccua.handbook._text`. A chapter is a list of
sections with stable ASCII ids, so the HTML site, its search index, the PDF and the Quarto
book are built from the same pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

# ccua.teaching uses this package's catalog: import the module, use it at call time
from ccua import __version__, teaching
from ccua._num import fmt, round_half_up, to_fraction
from ccua.errors import CcuaError
from ccua.handbook._text import Catalog
from ccua.spec import Erratum, Framework, Group, Indicator, Item

HUNDRED = Fraction(100)
_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#~^])")


def esc(text: object) -> str:
    """Plain text as Markdown inline text (every Markdown-special character escaped)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def anchor(prefix: str, code: str) -> str:
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    body: str  # Markdown
    text: str  # plain text, for the search index
    level: int = 2


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    intro: str
    sections: tuple[Section, ...] = ()

    def markdown(self, shift: int = 0) -> str:
        """The chapter as Markdown; ``shift`` lowers every heading (for one-file documents)."""
        h = "#" * (1 + shift)
        parts = [f"{h} {esc(self.title)} {{#{self.slug}}}", "", self.intro.strip(), ""]
        for s in self.sections:
            parts += [
                f"{'#' * (s.level + shift)} {esc(s.title)} {{#{s.id}}}",
                "",
                s.body.strip(),
                "",
            ]
        return "\n".join(parts).rstrip() + "\n"

    @property
    def text(self) -> str:
        return plain(self.intro)


def plain(markdown: str) -> str:
    text = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"[|*`#>]+", " ", text)
    text = re.sub(r"-{3,}", " ", text)
    return " ".join(text.split())


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = list(header)
    lines = [
        "| " + " | ".join(esc(h) for h in head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for row in rows:
        lines.append(
            "| " + " | ".join(str(c) if isinstance(c, _Md) else esc(c) for c in row) + " |"
        )
    return "\n".join(lines)


class _Md(str):
    """Markdown that is used in a table cell as it is."""


def section(id: str, title: str, body: str, level: int = 2) -> Section:
    """A section whose search text is its body as plain text."""
    return Section(id, title, body, plain(body), level)


@dataclass(frozen=True)
class Words:
    """The framework's level names in one language."""

    group: str
    groups: str
    item: str
    items: str
    requirement: str
    requirements: str
    subpoint: str
    subpoints: str


LEVELS = ("group", "item", "requirement", "subpoint")


def words(fw: Framework, lang: str) -> Words:
    names: list[str] = []
    for level in (getattr(fw.levels, k) for k in LEVELS):
        names += [level.zh, level.zh] if lang == "zh" else [level.en, level.en_plural]
    return Words(*names)


def share(part: Decimal, whole: Decimal) -> str:
    return fmt(round_half_up(to_fraction(part) / to_fraction(whole) * HUNDRED, 2))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Builder:
    """Builds the chapters of one framework in one language."""

    def __init__(self, fw: Framework, lang: str, example: Path | None = None) -> None:
        self.fw, self.lang, self.w = fw, lang, words(fw, lang)
        catalog, w = Catalog(lang), self.w
        defaults = {k: getattr(w, k) for k in LEVELS}
        defaults |= {f"{k}_plural": getattr(w, k + "s") for k in LEVELS}
        self.tr = lambda key, **kw: catalog(key, **{**defaults, **kw})
        self.example = example
        self.shown_errata: set[str] = set()
        from ccua.engagement import default_targets

        self.targets = default_targets(fw)

    # -- helpers
    def n(self, obj: object) -> str:
        return teaching.name_of(obj, self.lang)

    def table(self, columns: str, rows: Iterable[Iterable[object]]) -> str:
        """A table whose header is catalog columns: ``"code name share%"`` is
        col_code, col_name and col_share followed by " %"; ``-`` is an empty header."""
        head = [
            "" if c == "-" else self.tr("col_" + c.rstrip("%")) + (" %" if c.endswith("%") else "")
            for c in columns.split()
        ]
        return table(head, rows)

    def errata_md(self, errata: Iterable[Erratum]) -> str:
        tr, out = self.tr, []
        for e in errata:
            self.shown_errata.add(e.id)
            out += [
                f"- **{esc(e.id)}** ({esc(e.kind)}) — {tr('erratum_issue')}: {esc(e.issue)}",
                f"  {tr('erratum_decision')}: {esc(e.decision)}"
                + (f" ({tr('erratum_source')}: {esc(e.source)})" if e.source else ""),
            ]
        return "\n".join(out)

    # -- chapters
    def chapters(self) -> list[Chapter]:
        chapters = [self.intro(), self.model(), self.scoring(), self.grades()]
        chapters += [self.group_chapter(g.code) for g in self.fw.groups]
        if self.fw.framework_indicators:
            chapters.append(self.framework_indicators())
        worked = self.worked()
        if worked is not None:
            chapters.append(worked)
        chapters.append(self.crosswalk())
        rest = self.other_errata()
        if rest is not None:
            chapters.append(rest)
        chapters.append(self.glossary())
        return chapters

    def intro(self) -> Chapter:
        fw, tr = self.fw, self.tr
        reqs = sum(len(i.requirements) for i in fw.items)
        subs = sum(len(r.subpoints) for i in fw.items for r in i.requirements)
        name = fw.name if self.lang == "zh" else fw.name_en
        lines = [
            tr("intro_what", name=name, name_en=fw.name_en, designation=esc(fw.designation)),
            tr(
                "intro_counts",
                groups=len(fw.groups),
                items=len(fw.items),
                reqs=reqs,
                subs=subs,
                inds=len(fw.indicators),
                total=fmt(fw.scoring.total_points),
            ),
            tr("intro_source", source=esc(fw.source)),
            tr("intro_verbatim"),
            tr("intro_reading"),
            tr("generated", version=__version__, fw_id=fw.id, fw_version=fw.version),
        ]
        return Chapter("index", name, "\n\n".join(lines))

    def model(self) -> Chapter:
        fw, tr, w = self.fw, self.tr, self.w
        total = fw.scoring.total_points

        def points(g: Group) -> Decimal:
            if g.points is not None:
                return g.points
            return sum((i.points or Decimal(0) for i in fw.items_of(g.code)), Decimal(0))

        group_rows: list[list[object]] = []
        for g in fw.groups:
            cat = next((self.n(c) for c in fw.categories if c.code == g.category), "—")
            n_items, pts = len(fw.items_of(g.code)), points(g)
            group_rows.append([g.code, self.n(g), cat, n_items, fmt(pts), share(pts, total)])
        group_rows.append(["", tr("total"), "", len(fw.items), fmt(total), "100.00"])
        head = [tr("col_code"), cap(w.group), tr("col_category")]
        head += [
            tr("col_items", item_plural=cap(w.items)),
            tr("col_points"),
            tr("col_share") + " %",
        ]
        intro = [tr("model_lead"), table(head, group_rows)]
        if fw.scoring.points_at == "group":
            intro.append(tr("points_on_groups"))
        if fw.categories:
            rows: list[list[object]] = []
            for c in fw.categories:
                pts = sum((points(g) for g in fw.groups if g.category == c.code), Decimal(0))
                rows.append([c.code, self.n(c), fmt(pts), share(pts, total)])
            intro += [tr("categories_lead"), self.table("code category points share%", rows)]
        sections = []
        for g in fw.groups:
            rows = [
                [
                    _Md(
                        f"[{esc(i.code)}]({anchor('group', g.code)}.html#{anchor('item', i.code)})"
                    ),
                    self.n(i),
                    fmt(i.points) if i.points is not None else "—",
                    share(i.points, total) if i.points is not None else "—",
                    len(i.requirements),
                    len(i.indicators),
                ]
                for i in fw.items_of(g.code)
            ]
            body = self.table("code name points share% requirements indicators", rows)
            sections.append(section(anchor("model", g.code), f"{g.code} {self.n(g)}", body))
        return Chapter("model", tr("ch_model"), "\n\n".join(intro), tuple(sections))

    def scoring(self) -> Chapter:
        fw, tr, w = self.fw, self.tr, self.w
        sc, scale = fw.scoring, fw.scale
        top = scale.maximum
        rows = [
            [
                lv.value,
                lv.label if self.lang == "zh" else lv.label_en,
                lv.description if self.lang == "zh" else lv.description_en,
            ]
            for lv in scale.levels
        ]
        intro = tr("scale_lead", scale=esc(scale.name), source=esc(scale.source))
        intro += "\n\n" + self.table("value label description", rows)
        steps: list[str] = [tr("s_rate", top=top)]
        if sc.points_at == "item":
            if sc.indicator_requirement:
                t = teaching.fmt_exact(to_fraction(sc.attainment_threshold))
                r3 = teaching.fmt_exact(to_fraction(sc.rating_at_threshold))
                steps.append(tr("s_indicator", item=w.item, t=t, r3=r3, top=top))
            steps.append(cap(tr("s_percent")))
            steps.append(cap(tr("s_score", places=sc.decimals)))
            scored = w.item
        else:
            steps.append(cap(tr("s_group_score", top=top, places=sc.decimals)))
            scored = w.group
        steps.append(tr("s_total", scored=scored, group=w.group, places=sc.decimals))
        if fw.grades:
            steps.append(tr("s_grade"))
        elif fw.comparison_grades is not None:
            cg = fw.comparison_grades
            steps.append(tr("s_no_grade", label=cg.label if self.lang == "zh" else cg.label_en))
        sections = [
            Section(f"step-{k}", tr("step", n=k), esc(s), s, 3) for k, s in enumerate(steps, 1)
        ]
        # rounding, shown on the worked example where there is one
        example = self._example()
        if example is not None:
            lines = [ln for ln in example.lines if ln.rounding.tie or ln.rounding.float_differs][:8]
            if lines:
                rows = [
                    [
                        ln.code,
                        ln.name,
                        f"{fmt(ln.points)} × {teaching.fmt_exact(ln.percent)} %",
                        teaching.fmt_exact(ln.exact),
                        fmt(ln.rounding.rounded),
                        fmt(ln.rounding.float_rounded)
                        + (" ≠" if ln.rounding.float_differs else ""),
                    ]
                    for ln in lines
                ]
                body = tr("rounding_lead") + "\n\n"
                body += self.table("code name - exact rounded float", rows)
                sections.append(section("rounding", tr("rounding_example"), body))
        method = fw.errata_for("framework")
        if method:
            body = tr("method_errata_lead") + "\n\n" + self.errata_md(method)
            sections.append(section("method-errata", tr("ch_errata_method"), body))
        return Chapter("scoring", tr("ch_scoring"), intro, tuple(sections))

    def grades(self) -> Chapter:
        fw, tr = self.fw, self.tr
        if not fw.grades:
            text = tr("no_grades")
            if fw.comparison_grades is not None:
                cg = fw.comparison_grades
                text = tr("s_no_grade", label=cg.label if self.lang == "zh" else cg.label_en)
            return Chapter("grades", tr("ch_grades"), esc(text))
        rows = [[self.n(g), g.band, fmt(g.min)] for g in fw.grades]
        intro = tr("grades_lead") + "\n\n" + self.table("grade band min", rows)
        sections = []
        for g in fw.grades:
            body = []
            if g.process:
                body += [f"**{tr('process_desc')}**", ""] + [f"- {esc(p)}" for p in g.process]
            if g.result:
                body += ["", f"**{tr('result_desc')}**", ""] + [f"- {esc(p)}" for p in g.result]
            sections.append(
                section(anchor("grade", g.code), f"{self.n(g)} ({g.band})", "\n".join(body))
            )
        return Chapter("grades", tr("ch_grades"), intro, tuple(sections))

    def group_chapter(self, code: str) -> Chapter:
        fw, tr = self.fw, self.tr
        g = fw.group(code)
        total = fw.scoring.total_points
        intro = ""
        if g.points is not None:
            intro = tr("points_group_line", points=fmt(g.points), share=share(g.points, total))
        sections: list[Section] = []
        for item in fw.items_of(code):
            sections.append(self.item_section(item))
            sections += [self.indicator_section(ind) for ind in item.indicators]
        return Chapter(anchor("group", code), f"{g.code} {self.n(g)}", intro, tuple(sections))

    def item_section(self, item: Item) -> Section:
        fw, tr, w = self.fw, self.tr, self.w
        lines = []
        if item.points is not None:
            pts, total = item.points, fw.scoring.total_points
            lines.append(tr("points_line", points=fmt(pts), share=share(pts, total)))
        if item.section:
            lines.append(tr("section_line", section=esc(item.section)))
        if item.description:
            lines += ["", f"> {esc(item.description)}"]
        lines += ["", f"**{tr('requirements')}**", ""]
        for req in item.requirements:
            head = f"{req.heading} / " if req.heading else ""
            note = f" {tr('indicator_req_note')}" if req.kind == "indicator" else ""
            lines.append(
                f"{len(lines) and ''}- **{esc(item.code)}.{esc(req.code)}** "
                f"{esc(head + req.text)}{note}"
            )
            for sub in req.subpoints:
                lines.append(f"    - {esc(sub.code)}) {esc(sub.text)}")
        errata = list(fw.errata_for(item.code))
        for req in item.requirements:
            errata += [e for e in fw.errata_for(f"{item.code}.{req.code}") if e not in errata]
        if item.key_indicators_listed:
            lines += [
                "",
                tr("key_indicators_listed") + " " + esc("、".join(item.key_indicators_listed)),
            ]
        if item.indicators:
            links = ", ".join(
                f"[{esc(i.code)} {esc(self.n(i))}](#{anchor('ind', i.code)})"
                for i in item.indicators
            )
            lines += ["", f"**{tr('indicators')}**: {links}"]
        elif fw.framework_indicators or fw.scoring.points_at == "item":
            lines += ["", tr("no_indicators", item=w.item)]
        if errata:
            lines += ["", f"**{tr('errata')}**", "", self.errata_md(errata)]
        body = "\n".join(lines)
        text = " ".join([item.code, self.n(item), plain(body)])
        return Section(anchor("item", item.code), f"{item.code} {self.n(item)}", body, text)

    def indicator_section(self, ind: Indicator, level: int = 3) -> Section:
        fw, tr = self.fw, self.tr
        lines = [f"**{tr('definition')}**: {esc(ind.definition)}" if ind.definition else ""]
        if ind.term:
            lines += ["", tr("term_clause", clause=esc(ind.term))]
        if ind.formula_text:
            lines += ["", f"**{tr('formula_printed')}**: {esc(ind.formula_text)}"]
        if ind.formula_latex:
            lines += ["", f"**{tr('formula_math')}**:", "", f"$${ind.formula_latex}$$"]
        if ind.is_documentary or (
            ind.function == "value" and ind.formula_text.strip() in ("", "－", "-")
        ):
            why = tr("documentary_why") if ind.is_documentary else tr("reported_why")
            lines += ["", tr("formula_none", why=why)]
        if ind.same_as:
            lines += ["", tr("same_as", code=ind.same_as)]
        if ind.inputs:
            unit, measures = teaching.unit_text, [fw.measure(m) for m in ind.inputs]
            rows = [
                [_Md(f"`{m.code}`"), self.n(m), unit(m.unit, self.lang), tr(f"agg_{m.aggregation}")]
                for m in measures
            ]
            lines += [
                "",
                f"**{tr('inputs')}**",
                "",
                self.table("input name unit aggregation", rows),
            ]
        facts = [
            f"{tr('unit')}: {teaching.unit_text(ind.unit, self.lang)}",
            f"{tr('direction')}: {tr('dir_' + ind.direction)}",
            f"{tr('kind')}: {tr('kind_' + ind.kind)}",
        ]
        lines += ["", " · ".join(facts)]
        if ind.used_by:
            lines += [
                "",
                tr("used_by", item_plural=cap(self.w.items), items=", ".join(ind.used_by)),
            ]
        if not ind.is_documentary and ind.direction != "none":
            target = self.targets.get(ind.code)
            if target is None:
                lines += ["", f"**{tr('default_target')}**: {tr('no_default_target')}"]
            else:
                from ccua.results import target_text

                lines += [
                    "",
                    f"**{tr('default_target')}**: {esc(target_text(target, ind.unit))}",
                    "",
                    tr("target_basis", basis=esc(target.basis)),
                ]
        errata = fw.errata_for(ind.code)
        if errata:
            lines += ["", f"**{tr('errata')}**", "", self.errata_md(errata)]
        body = "\n".join(lines).strip()
        text = " ".join([ind.code, self.n(ind), plain(body)])
        return Section(anchor("ind", ind.code), f"{ind.code} {self.n(ind)}", body, text, level)

    def framework_indicators(self) -> Chapter:
        sections = tuple(self.indicator_section(i, 2) for i in self.fw.framework_indicators)
        return Chapter("indicators", self.tr("ch_framework_indicators"), "", sections)

    def _example(self) -> teaching.WorkedExample | None:
        if not hasattr(self, "_worked"):
            path = self.example or teaching.example_path(self.fw.id)
            self._worked = (
                None
                if path is None
                else teaching.worked_example(
                    self.fw, teaching.example_ratings(self.fw, path), self.lang
                )
            )
            self._example_file: Path | None = path
        return self._worked

    def worked(self) -> Chapter | None:
        fw, tr, w = self.fw, self.tr, self.w
        ex = self._example()
        if ex is None:
            return None
        a = ex.assessment
        scored = w.item if fw.scoring.points_at == "item" else w.group
        intro = tr("we_lead", file=Path(self._example_file or "").name)
        if fw.id != "t-ccua":
            intro += "\n\n" + tr("we_guideline_note")
        sections = []
        # step 1: the percents (or mean ratings)
        by_item = fw.scoring.points_at == "item"
        rows = [[s.code, self.n(fw.item(s.code))] for s in a.items]
        for row, s in zip(rows, a.items, strict=True):
            if by_item:
                row += [fmt(s.points), fmt(s.percent), ex.notes.get(s.code, "")]
            else:
                row.append(fmt(s.mean_rating) if s.mean_rating is not None else "—")
        body = self.table(
            "code name " + ("points percent note" if by_item else "mean_rating"), rows
        )
        sections.append(section("we-1", tr("we_step1" if by_item else "we_step1_rating"), body))
        # step 2: exact and rounded scores
        exact, half = teaching.fmt_exact, f" ({tr('half_mark')})"
        rows = [
            [ln.code, ln.name, fmt(ln.points), exact(ln.percent) + " %", exact(ln.exact)]
            for ln in ex.lines
        ]
        for row, ln in zip(rows, ex.lines, strict=True):
            row.append(fmt(ln.score) + (half if ln.rounding.tie else ""))
        body = self.table("code name points percent exact score", rows)
        sections.append(section("we-2", tr("we_step2", scored=scored), body))
        # step 3: shares
        rows = [
            [ln.code, ln.name, *map(fmt, (ln.points, ln.points_share, ln.score, ln.score_share))]
            for ln in ex.lines
        ]
        body = self.table("code name points share% score score_share%", rows)
        sections.append(section("we-3", tr("we_step3"), body))
        # step 4: subtotals
        rows = [[g.code, self.n(fw.group(g.code)), fmt(g.points), fmt(g.score)] for g in a.groups]
        for c in a.categories:
            cat = next(x for x in fw.categories if x.code == c.code)
            rows.append(["", self.n(cat), fmt(c.points), fmt(c.score)])
        body = self.table("code name points score", rows)
        sections.append(section("we-4", tr("we_step4"), body))
        # step 5: total and grade
        terms = " + ".join(fmt(ln.score) for ln in ex.lines)
        lines = [tr("we_total", terms=terms, total=fmt(a.total))]
        grade = a.grade
        if grade is not None:
            total, least, band = fmt(a.total), fmt(grade.min), esc(grade.band)
            lines += ["", tr("we_grade", total=total, min=least, band=band, grade=self.n(grade))]
            up, gap = ex.next.next, ex.next.gap
            if up is not None and gap is not None:
                lines += ["", tr("we_next", grade=self.n(up), min=fmt(up.min), gap=fmt(gap))]
            else:
                lines += ["", tr("we_top")]
        elif fw.comparison_grades is not None:
            from ccua.spec import load_framework

            other = load_framework(fw.comparison_grades.framework)
            og = other.grade_for(a.total)
            label = (
                fw.comparison_grades.label if self.lang == "zh" else fw.comparison_grades.label_en
            )
            lines += ["", f"{esc(label)}: **{self.n(og) if og else '—'}**"]
        sections.append(section("we-5", tr("we_step5"), "\n".join(lines)))
        return Chapter("worked-example", tr("ch_worked"), intro, tuple(sections))

    def crosswalk(self) -> Chapter:
        fw, tr, w = self.fw, self.tr, self.w
        from ccua.crosswalk import find_crosswalk

        try:
            cw, side = find_crosswalk(fw.id)
        except CcuaError:
            return Chapter("crosswalk", tr("ch_crosswalk"), tr("cw_none"))
        other = cw.other(fw.id)
        ow = words(other, self.lang)
        intro = tr(
            "cw_lead",
            id=cw.data.id,
            version=cw.data.version,
            other=other.name,
            other_en=other.name_en,
            other_item=ow.item,
            other_item_plural=ow.items,
        )
        fit = {k: tr(f"fit_{k}") for k in ("full", "partial", "same", "similar")}
        sections = []
        for kind, rows_of, lookup in (
            ("items", cw.item_rows, other.item),
            ("indicators", cw.indicator_rows, other.indicator),
        ):
            rows = []
            for r in rows_of(side):
                me = fw.item(r.code) if kind == "items" else fw.indicator(r.code)
                targets = "; ".join(f"{c} {self.n(lookup(c))}" for c, _ in r.targets) or "—"
                note = r.note or r.none
                if not r.targets and side != cw.data.source:
                    # the reverse side is derived: say it in the handbook's language
                    note = tr("cw_no_counterpart", other=other.id)
                rows.append(
                    [r.code, self.n(me), targets, fit.get(r.grade or "", tr("fit_none")), note]
                )
            body = self.table("code name counterpart fit note", rows)
            title = (
                tr("cw_items", item=cap(w.item), item_plural=cap(w.items))
                if kind == "items"
                else tr("cw_indicators")
            )
            sections.append(section(f"cw-{kind}", title, body))
        return Chapter("crosswalk", tr("ch_crosswalk"), intro, tuple(sections))

    def other_errata(self) -> Chapter | None:
        rest = [e for e in self.fw.errata if e.id not in self.shown_errata]
        if not rest:
            return None
        return Chapter("errata", self.tr("errata"), self.errata_md(rest))

    def glossary(self) -> Chapter:
        fw, tr = self.fw, self.tr
        zh, en = Catalog("zh"), Catalog("en")
        keys: tuple[str, ...] = ("points", "score", "points_share", "score_share", "total")
        keys += ("grade", "rating", "fulfilment", "half_up", "target", "default_target")
        keys += ("attainment", "indicator", "formula", "override", "erratum")
        terms = [[zh("g_" + k), en("g_" + k)] for k in keys]
        structure = [[getattr(fw.levels, k).zh, getattr(fw.levels, k).en] for k in LEVELS]
        structure += [[c.name, c.name_en] for c in fw.categories]
        structure += [[f"{g.code} {g.name}", f"{g.code} {g.name_en}"] for g in fw.groups]
        structure += [[f"{i.code} {i.name}", f"{i.code} {i.name_en}"] for i in fw.items]
        structure += [[g.name, g.name_en] for g in fw.grades]
        structure += [[lv_.label, lv_.label_en] for lv_ in fw.scale.levels]
        indicators = [[i.code, i.name, i.name_en] for i in fw.indicators]
        measures = [[_Md(f"`{m.code}`"), m.name, m.name_en] for m in fw.measures]
        sections = [
            section("gl-terms", tr("gl_terms"), self.table("zh en", terms)),
            section("gl-structure", tr("gl_structure"), self.table("zh en", structure)),
            section("gl-indicators", tr("indicators"), self.table("code zh en", indicators)),
            section("gl-measures", tr("gl_measures"), self.table("input zh en", measures)),
        ]
        if fw.abbreviations:
            abbr = [[a.abbr, a.zh, a.en] for a in fw.abbreviations]
            sections.append(section("gl-abbr", tr("gl_abbr"), self.table("- zh en", abbr)))
        return Chapter("glossary", tr("ch_glossary"), tr("gl_lead"), tuple(sections))


def build_chapters(fw: Framework, lang: str, example: Path | None = None) -> list[Chapter]:
    return Builder(fw, lang, example).chapters()
