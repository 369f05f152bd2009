"""Teaching the standard: pure lessons (indicator explorer, scoring simulator, exercises) and
the widgets that present them in JupyterLab.

The pure part computes everything a lesson shows from the framework data and the package's
own engines (:mod:`ccua.kpi` for indicators, :mod:`ccua.scoring` for scores), so a lesson can
never teach a different method from the one the assessments use. The widget builders at the
end (``indicator_explorer``, ``scoring_simulator``, ``exercises``) only wire ipywidgets to
those functions; tests drive them by setting widget values and reading their outputs.
"""

from __future__ import annotations

import html
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

# The handbook's catalog of texts; ccua.handbook imports this module, so it is used at call time.
from ccua import handbook
from ccua._num import NotANumber, fmt, round_half_up, to_decimal, to_fraction
from ccua.errors import CcuaError
from ccua.kpi import compute
from ccua.ratings import Entry, ItemRatings, Ratings, load_ratings
from ccua.scoring import Assessment, score
from ccua.spec import Framework, Grade, Indicator, Item, load_framework

HUNDRED = Fraction(100)
# The worked example of each framework: Appendix E of T/CCUA, and ccua's own example of the
# guideline (which has none). They live with the parameters, beside the package.
EXAMPLES = {
    "t-ccua": "worked-example.ratings.yaml",
    "ccea-guideline": "guideline-example.ratings.yaml",
}


def name_of(obj: Any, lang: str) -> str:
    """An object's name in the language (``name`` / ``name_en`` of the framework data)."""
    return str(obj.name if lang == "zh" else obj.name_en)


def unit_text(unit: str | None, lang: str) -> str:
    return handbook.Catalog(lang)(f"unit_{unit}" if unit else "unit_none")


def fmt_number(value: Fraction | Decimal, places: int = 2) -> str:
    frac = value if isinstance(value, Fraction) else to_fraction(value)
    return fmt(round_half_up(frac, places), places)


def fmt_exact(value: Fraction, max_places: int = 6) -> str:
    """An exact value as a decimal: all its digits when it terminates within ``max_places``,
    else rounded to ``max_places`` with an ellipsis."""
    for places in range(max_places + 1):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{Decimal(scaled.numerator).scaleb(-places):f}"
    return f"{to_decimal(value, max_places):f}…"


# ---------------------------------------------------------------- examples and demo data


def example_path(framework_id: str, root: Path | None = None) -> Path | None:
    """The worked-example ratings file of a framework (params/ of the project), if present."""
    name = EXAMPLES.get(framework_id)
    if name is None:
        return None
    from ccua.runner import repo_root

    try:
        here = [Path.cwd()]
    except OSError:  # the working folder was removed
        here = []
    for base in [root] if root else [*here, repo_root()]:
        path = base / "params" / name
        if path.is_file():
            return path
    return None


def example_ratings(framework: Framework, path: Path | None = None) -> Ratings:
    p = path or example_path(framework.id)
    if p is None:
        raise CcuaError(
            f"no worked example for {framework.id} (params/"
            f"{EXAMPLES.get(framework.id, '?')} not found)",
            field="example",
        )
    return load_ratings(p, framework)


# ---------------------------------------------------------------- indicators


@dataclass(frozen=True)
class InputView:
    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class IndicatorLesson:
    """What the explorer shows for one indicator and one set of inputs."""

    code: str
    name: str
    formula_text: str
    formula_latex: str
    inputs: tuple[InputView, ...]
    value: Fraction | None = None
    value_text: str = ""
    expression: str = ""  # the formula's shape with the numbers put in
    latex_with_numbers: str = ""  # the printed formula's LaTeX with the numbers put in
    target_text: str = ""
    status: str = ""  # met | not_met | no_target | documentary | error
    error: str = ""


_SHAPES: dict[str, str] = {
    "share": "{0} / {1} × 100",
    "ratio_percent": "{0} / {1} × 100",
    "complement_share": "(1 − {0} / {1}) × 100",
    "mean": "{0} / {1}",
    "per_fte": "{0} / ({1} / {2})",
    "value": "{0}",
}


def expression(indicator: Indicator, numbers: Sequence[str]) -> str:
    """The computation of an indicator's formula shape, with the numbers put in."""
    n = list(numbers)
    shape = indicator.function
    if shape in _SHAPES:
        return _SHAPES[shape].format(*n)
    if shape == "remainder_share":
        return f"({' − '.join(n)}) / {n[0]} × 100"
    if shape == "sum_share":
        return f"({' + '.join(n[:-1])}) / {n[-1]} × 100"
    if shape == "share_of_sum":
        return f"{n[0]} / ({' + '.join(n[1:])}) × 100"
    if shape == "leading_share":
        return f"({' + '.join(n[:-1])}) / ({' + '.join(n)}) × 100"
    if shape == "sum_mean":
        return f"({' + '.join(n[:-1])}) / {n[-1]}"
    return ""


def latex_with_numbers(framework: Framework, indicator: Indicator, numbers: Sequence[str]) -> str:
    """The printed formula's LaTeX with each input's ``\\text{name}`` replaced by its number.

    Empty when some input's name does not appear as printed (the formula then shows as is).
    """
    latex = indicator.formula_latex
    if not latex or "=" not in latex:
        return ""
    left, _, right = latex.partition("=")
    for code, number in zip(indicator.inputs, numbers, strict=True):
        token = "\\text{" + framework.measure(code).name + "}"
        if token not in right:
            return ""
        right = right.replace(token, number)
    return f"{left}={right}"


def indicator_lesson(
    framework: Framework,
    code: str,
    values: Mapping[str, object] | None,
    target: Any = None,
    lang: str = "zh",
) -> IndicatorLesson:
    """Compute an indicator from named inputs, and say whether it meets ``target``.

    ``target`` is a :class:`ccua.engagement.Target` (or None: the documented default target,
    if the framework has one). Bad inputs give ``status="error"`` with the message, never an
    exception: a lesson shows the mistake.
    """
    from ccua.engagement import default_targets
    from ccua.results import target_text
    from ccua.rules import meets

    ind = framework.indicator(code)
    measures = [framework.measure(m) for m in ind.inputs]
    inputs = tuple(InputView(m.code, name_of(m, lang), unit_text(m.unit, lang)) for m in measures)
    base = IndicatorLesson(
        code=ind.code,
        name=name_of(ind, lang),
        formula_text=ind.formula_text,
        formula_latex=ind.formula_latex,
        inputs=inputs,
    )
    if ind.is_documentary:
        return replace(base, status="documentary")
    if target is None:
        target = default_targets(framework).get(ind.code)
    values = values or {}
    try:
        result = compute(framework, ind, {k: values.get(k) for k in ind.inputs})
    except CcuaError as exc:
        return replace(base, status="error", error=str(exc))
    numbers = [fmt_exact(to_fraction(values[k])) for k in ind.inputs]
    value_text = f"{fmt_number(result.exact)} {unit_text(ind.unit, lang)}".strip()
    if ind.direction == "none" or target is None:
        status, ttext = "no_target", ""
    else:
        status = "met" if meets(result.exact, target) else "not_met"
        ttext = target_text(target, ind.unit)
    return replace(
        base,
        value=result.exact,
        value_text=value_text,
        expression=f"{expression(ind, numbers)} = {fmt_number(result.exact)}",
        latex_with_numbers=latex_with_numbers(framework, ind, numbers),
        target_text=ttext,
        status=status,
    )


# ---------------------------------------------------------------- scores, rounding, grades


@dataclass(frozen=True)
class Rounding:
    exact: Fraction
    rounded: Decimal
    float_rounded: Decimal  # what round(float(x), places) gives
    tie: bool  # exactly half of the last place

    @property
    def float_differs(self) -> bool:
        return self.float_rounded != self.rounded


def rounding(exact: Fraction, places: int = 2) -> Rounding:
    scaled = exact * 10**places
    tie = (scaled - (scaled.numerator // scaled.denominator)) == Fraction(1, 2)
    as_float = Decimal(repr(round(float(exact), places))).quantize(Decimal(1).scaleb(-places))
    return Rounding(exact, round_half_up(exact, places), as_float, tie)


@dataclass(frozen=True)
class NextGrade:
    current: Grade | None
    next: Grade | None  # the next higher grade, None at the top
    gap: Decimal | None  # points still needed for it


def next_grade(framework: Framework, total: Decimal) -> NextGrade:
    ordered = sorted(framework.grades, key=lambda g: g.min)
    current = framework.grade_for(total)
    higher = [g for g in ordered if g.min > total]
    nxt = higher[0] if higher else None
    return NextGrade(current, nxt, (nxt.min - total) if nxt else None)


@dataclass(frozen=True)
class ScoreLine:
    """One scored node (an item where points sit on items, else a group), step by step."""

    code: str
    name: str
    points: Decimal
    fulfilment: Fraction
    exact: Fraction
    rounding: Rounding
    points_share: Decimal | None
    score_share: Decimal | None
    note: str = ""

    @property
    def score(self) -> Decimal:
        return self.rounding.rounded

    @property
    def percent(self) -> Fraction:
        return self.fulfilment * HUNDRED


@dataclass(frozen=True)
class WorkedExample:
    framework: Framework
    assessment: Assessment
    lines: tuple[ScoreLine, ...]
    next: NextGrade
    source: str = ""
    notes: Mapping[str, str] = field(default_factory=dict)


def score_lines(
    framework: Framework, assessment: Assessment, lang: str = "zh"
) -> tuple[ScoreLine, ...]:
    places, total = framework.scoring.decimals, assessment.total

    def share(part: Decimal, whole: Decimal) -> Decimal:
        return round_half_up(to_fraction(part) / to_fraction(whole) * HUNDRED, places)

    def line(node: Any, points: Decimal, fulfilment: Fraction, *shares_note: Any) -> ScoreLine:
        exact = to_fraction(points) * fulfilment
        name, rounded = name_of(node, lang), rounding(exact, places)
        return ScoreLine(node.code, name, points, fulfilment, exact, rounded, *shares_note)

    out = []
    if framework.scoring.points_at == "item":
        for s in assessment.items:
            if s.fulfilment is not None and s.points is not None:
                rest = (s.points_share, s.score_share, s.note)
                out.append(line(framework.item(s.code), s.points, s.fulfilment, *rest))
        return tuple(out)
    for g in assessment.groups:
        if g.fulfilment is not None:
            shares = (
                share(g.points, assessment.total_points),
                share(g.score, total) if total else None,
            )
            out.append(line(framework.group(g.code), g.points, g.fulfilment, *shares))
    return tuple(out)


def worked_example(
    framework: Framework, ratings: Ratings | None = None, lang: str = "zh"
) -> WorkedExample:
    """Appendix E (or the framework's example) executed by :func:`ccua.scoring.score`."""
    r = ratings if ratings is not None else example_ratings(framework)
    assessment = score(framework, r)
    return WorkedExample(
        framework,
        assessment,
        score_lines(framework, assessment, lang),
        next_grade(framework, assessment.total),
        r.source or "",
        {c: i.note for c, i in r.items.items() if i.note},
    )


def simulate(framework: Framework, base: Ratings, changes: Mapping[str, ItemRatings]) -> Assessment:
    """Score ``base`` with some items' ratings replaced (partial: gaps score nothing)."""
    items = {**base.items, **changes}
    return score(
        framework,
        Ratings(framework.id, items, base.weights, base.requirement_weights, base.title),
        partial=True,
    )


def item_from_requirement_ratings(item: Item, ratings: Mapping[str, int]) -> ItemRatings:
    return ItemRatings(
        item.code, ratings={code: Entry(rating=int(v)) for code, v in ratings.items()}
    )


def item_from_percent(item: Item, percent: object) -> ItemRatings:
    return ItemRatings(item.code, percent=Decimal(str(percent)))


# ---------------------------------------------------------------- exercises


@dataclass(frozen=True)
class Check:
    correct: bool
    message: str


def parse_answer(text: str) -> Fraction | None:
    try:
        return to_fraction(text)
    except NotANumber:
        return None


def check_number(given: str, expected: Decimal, places: int, lang: str, why: str) -> Check:
    """An answer is right when it equals the expected value to ``places`` decimals."""
    tr = handbook.Catalog(lang)
    if not str(given).strip():
        return Check(False, tr("l_empty"))
    value = parse_answer(str(given))
    if value is None:
        return Check(False, tr("l_not_number"))
    close = abs(value - to_fraction(expected)) < Fraction(1, 10**places)
    if round_half_up(value, places) == expected and close:
        return Check(True, tr("l_correct"))
    return Check(False, tr("l_wrong", expected=fmt(expected, places), why=why))


def _demo_month(framework: Framework, index: int) -> tuple[str, Mapping[str, int]]:
    """One month of the demo centre's figures: the month and its inputs."""
    from ccua.demo import monthly_inputs

    months = monthly_inputs(framework)
    month = sorted(months)[index % len(months)]
    return month, months[month]


@dataclass(frozen=True)
class IndicatorExercise:
    code: str
    name: str
    month: str
    figures: tuple[tuple[str, str, int], ...]  # (measure code, name, value)
    unit: str
    expected: Decimal
    why: str


def indicator_exercise(
    framework: Framework, code: str = "DO6.9", month_index: int = 0, lang: str = "zh"
) -> IndicatorExercise:
    """An indicator from one month of the demo centre's figures (ccua.demo, seeded)."""
    ind = framework.indicator(code)
    month, figures_of_month = _demo_month(framework, month_index)
    values = {m: figures_of_month[m] for m in ind.inputs}
    result = compute(framework, ind, values)
    expected = round_half_up(result.exact, 2)
    figures = tuple((m, name_of(framework.measure(m), lang), values[m]) for m in ind.inputs)
    expr = expression(ind, [str(values[m]) for m in ind.inputs])
    why = handbook.Catalog(lang)("ex_why_indicator", expr=expr, value=fmt(expected))
    return IndicatorExercise(
        ind.code, name_of(ind, lang), month, figures, unit_text(ind.unit, lang), expected, why
    )


@dataclass(frozen=True)
class ItemExercise:
    code: str
    name: str
    points: Decimal
    ratings: tuple[tuple[str, str, int], ...]  # (requirement code, text, rating)
    expected: Decimal
    why: str


def item_exercise(
    framework: Framework, code: str = "DO3", seed: int = 1, lang: str = "zh"
) -> ItemExercise:
    """An item's score from requirement ratings chosen by ``seed``, scored by ccua.scoring."""
    item = framework.item(code)
    if item.points is None:
        raise CcuaError(
            f"{code} carries no points in {framework.id}; choose an item of a "
            "framework whose points sit on items",
            field="item",
        )
    rng = random.Random(seed)
    given = {req.code: rng.randint(2, 5) for req in item.requirements}
    ir = item_from_requirement_ratings(item, given)
    others = {i.code: ItemRatings(i.code, percent=Decimal(0)) for i in framework.items}
    assessment = score(framework, Ratings(framework.id, {**others, code: ir}))
    s = assessment.item(code)
    assert s.fulfilment is not None and s.score is not None
    top = framework.scale.maximum
    exact = to_fraction(item.points) * s.fulfilment
    why = handbook.Catalog(lang)(
        "ex_why_item",
        mean=fmt_exact(s.fulfilment * top),
        top=top,
        points=fmt(item.points),
        exact=fmt_exact(exact),
        score=fmt(s.score),
    )
    rows = tuple((req.code, req.text, given[req.code]) for req in item.requirements)
    return ItemExercise(item.code, name_of(item, lang), item.points, rows, s.score, why)


def grade_answer(
    framework: Framework, total: Decimal, chosen: str | None, lang: str = "zh"
) -> Check:
    tr = handbook.Catalog(lang)
    grade = framework.grade_for(total)
    if grade is None:
        return Check(False, tr("no_grades"))
    if not chosen:
        return Check(False, tr("l_empty"))
    if chosen == grade.code:
        return Check(True, tr("l_correct"))
    why = tr("ex_why_grade", total=fmt(total), band=grade.band, grade=name_of(grade, lang))
    return Check(False, tr("l_wrong", expected=name_of(grade, lang), why=why))


# ---------------------------------------------------------------- widgets


def _esc(text: object) -> str:
    return html.escape(str(text))


_STATUS_COLOURS = {"met": "#067647", "not_met": "#b42318", "error": "#b42318"}


def lesson_html(lesson: IndicatorLesson, lang: str) -> str:
    """The explorer's output panel (HTML, MathJax-free: the formula text and the numbers)."""
    tr = handbook.Catalog(lang)
    rows = [
        f"<p><b>{_esc(lesson.code)} {_esc(lesson.name)}</b></p>",
        f"<p>{_esc(tr('formula_printed'))}: {_esc(lesson.formula_text or '－')}</p>",
    ]
    if lesson.status == "documentary":
        rows.append(f"<p class='ccua-status'>{_esc(tr('l_documentary'))}</p>")
        return "\n".join(rows)
    if lesson.status == "error":
        rows.append(
            f"<p class='ccua-status' style='color:{_STATUS_COLOURS['error']}'>"
            f"{_esc(tr('l_error', message=lesson.error))}</p>"
        )
        return "\n".join(rows)
    rows += [
        f"<p>{_esc(tr('l_with_numbers'))}: <code class='ccua-expr'>"
        f"{_esc(lesson.expression)}</code></p>",
        f"<p>{_esc(tr('l_value'))}: <b class='ccua-value'>{_esc(lesson.value_text)}</b></p>",
    ]
    status = tr(f"l_{lesson.status}")
    target = f"{_esc(tr('l_target'))} {_esc(lesson.target_text)} · " if lesson.target_text else ""
    colour = _STATUS_COLOURS.get(lesson.status, "#475467")
    rows.append(
        f"<p class='ccua-status' style='color:{colour}'>{target}"
        f"{_esc(tr('l_status'))}: {_esc(status)}</p>"
    )
    return "\n".join(rows)


def _heading(lang: str, lesson: str) -> Any:
    """A lesson's title and what to do, in the lesson's language."""
    import ipywidgets as w

    tr = handbook.Catalog(lang)
    return w.HTML(
        f"<h2 class='ccua-lesson'>{_esc(tr(f'lesson_{lesson}'))}</h2>"
        f"<p>{_esc(tr(f'lesson_{lesson}_intro'))}</p>"
    )


class IndicatorExplorer:
    """Choose an indicator, move its inputs, see value, status and the formula filled in."""

    def __init__(
        self, framework: Framework, lang: str = "zh", code: str | None = None, month_index: int = 0
    ) -> None:
        import ipywidgets as w

        self.framework, self.lang = framework, lang
        tr = handbook.Catalog(lang)
        computed = [i for i in framework.indicators if not i.is_documentary]
        options = [(f"{i.code} {name_of(i, lang)}", i.code) for i in computed]
        self.choice = w.Dropdown(
            options=options,
            value=code or options[0][1],
            description=tr("l_indicator"),
            layout=w.Layout(width="36em"),
        )
        self.month_index = month_index
        self.inputs_box = w.VBox()
        self.output = w.HTML()
        self.latex = w.HTMLMath()
        self.fields: dict[str, Any] = {}
        self.choice.observe(lambda _: self._build_inputs(), names="value")
        self._build_inputs()
        self.widget = w.VBox(
            [_heading(lang, "explorer"), self.choice, self.inputs_box, self.output, self.latex]
        )

    def _start_values(self, ind: Indicator) -> dict[str, int]:
        try:
            figures = _demo_month(self.framework, self.month_index)[1]
            if all(m in figures for m in ind.inputs):
                return {m: figures[m] for m in ind.inputs}
        except Exception:  # demo figures are a convenience; any indicator starts at 1
            pass
        return {m: 1 for m in ind.inputs}

    def _build_inputs(self) -> None:
        import ipywidgets as w

        ind = self.framework.indicator(self.choice.value)
        start = self._start_values(ind)
        self.fields = {}
        for m in ind.inputs:
            measure = self.framework.measure(m)
            self.fields[m] = w.BoundedFloatText(
                value=float(start[m]),
                min=0,
                max=1e15,
                description=f"{name_of(measure, self.lang)} ({unit_text(measure.unit, self.lang)})",
                style={"description_width": "22em"},
                layout=w.Layout(width="36em"),
            )
            self.fields[m].observe(lambda _: self.update(), names="value")
        self.inputs_box.children = tuple(self.fields.values())
        self.update()

    def values(self) -> dict[str, object]:
        return {m: f.value for m, f in self.fields.items()}

    def update(self) -> IndicatorLesson:
        lesson = indicator_lesson(self.framework, self.choice.value, self.values(), lang=self.lang)
        self.lesson = lesson
        self.output.value = lesson_html(lesson, self.lang)
        shown = lesson.latex_with_numbers or lesson.formula_latex
        self.latex.value = f"$${shown}$$" if shown and lesson.status != "error" else ""
        return lesson


class ScoringSimulator:
    """Change an item's percent or its requirements' ratings; watch scores and the grade."""

    def __init__(
        self,
        framework: Framework,
        lang: str = "zh",
        base: Ratings | None = None,
        item: str | None = None,
    ) -> None:
        import ipywidgets as w

        if framework.scoring.points_at != "item":
            raise CcuaError(
                f"the scoring simulator needs points on items; {framework.id} has them on groups",
                field="framework",
            )
        self.framework, self.lang = framework, lang
        self.base = base if base is not None else example_ratings(framework)
        self.changes: dict[str, ItemRatings] = {}
        tr = handbook.Catalog(lang)
        item_word = framework.levels.item.zh if lang == "zh" else framework.levels.item.en
        self.item = w.Dropdown(
            options=[(f"{i.code} {name_of(i, lang)}", i.code) for i in framework.items],
            value=item or framework.items[0].code,
            description=item_word,
        )
        self.mode = w.ToggleButtons(
            options=[(tr("l_mode_percent"), "percent"), (tr("l_mode_ratings"), "ratings")],
            description=tr("l_mode"),
        )
        self.percent = w.IntSlider(
            min=0, max=100, description=tr("l_percent"), continuous_update=False
        )
        self.requirements_box = w.VBox()
        self.reset = w.Button(description=tr("l_reset"))
        self.item_view = w.HTML()
        self.table = w.HTML()
        self.summary = w.HTML()
        self.sliders: dict[str, Any] = {}
        self._loading = False
        self.item.observe(lambda _: self._load_item(), names="value")
        self.mode.observe(lambda _: self._mode_changed(), names="value")
        self.percent.observe(lambda _: self._changed(), names="value")
        self.reset.on_click(lambda _: self._reset())
        self._load_item()
        self.widget = w.VBox(
            [
                _heading(lang, "simulator"),
                w.HBox([self.item, self.reset]),
                self.mode,
                self.percent,
                self.requirements_box,
                self.item_view,
                self.summary,
                self.table,
            ]
        )

    # -- state
    def current(self, code: str) -> ItemRatings | None:
        return self.changes.get(code, self.base.items.get(code))

    def _load_item(self) -> None:
        import ipywidgets as w

        self._loading = True
        item = self.framework.item(self.item.value)
        ir = self.current(item.code)
        top = self.framework.scale.maximum
        self.sliders = {}
        for req in item.requirements:
            entry = ir.ratings.get(req.code) if ir else None
            start = (
                entry.rating
                if entry and entry.rating is not None
                else self.framework.scoring.rating_at_threshold
            )
            self.sliders[req.code] = w.IntSlider(
                value=int(start),
                min=self.framework.scale.minimum,
                max=top,
                description=req.code,
                continuous_update=False,
                tooltip=req.text,
            )
            self.sliders[req.code].observe(lambda _: self._changed(), names="value")
        self.requirements_box.children = tuple(
            w.HBox([s, w.HTML(f"<span style='font-size:90%'>{_esc(req.text[:60])}</span>")])
            for req, s in zip(item.requirements, self.sliders.values(), strict=True)
        )
        by_ratings = ir is not None and ir.percent is None and bool(ir.ratings)
        self.mode.value = "ratings" if by_ratings else "percent"
        pct = ir.percent if ir is not None and ir.percent is not None else Decimal(60)
        self.percent.value = int(pct)
        self._loading = False
        self._show_mode()
        self.update()

    def _show_mode(self) -> None:
        ratings = self.mode.value == "ratings"
        self.percent.layout.display = "none" if ratings else None
        self.requirements_box.layout.display = None if ratings else "none"

    def _mode_changed(self) -> None:
        self._show_mode()
        self._changed()

    def _changed(self) -> None:
        if self._loading:
            return
        item = self.framework.item(self.item.value)
        if self.mode.value == "ratings":
            self.changes[item.code] = item_from_requirement_ratings(
                item, {c: s.value for c, s in self.sliders.items()}
            )
        else:
            self.changes[item.code] = item_from_percent(item, self.percent.value)
        self.update()

    def _reset(self) -> None:
        self.changes = {}
        self._load_item()

    # -- output
    def update(self) -> Assessment:
        fw, tr = self.framework, handbook.Catalog(self.lang)
        a = simulate(fw, self.base, self.changes)
        self.assessment = a
        lines = {line.code: line for line in score_lines(fw, a, self.lang)}
        self.lines = lines
        line = lines.get(self.item.value)
        if line is not None:
            r = line.rounding
            text = tr(
                "l_rounding",
                exact=f"{fmt(line.points)} × {fmt_exact(line.percent)} % = {fmt_exact(r.exact)}",
                rounded=fmt(r.rounded),
            )
            if r.tie or r.float_differs:
                text += tr("l_rounding_tie", float=fmt(r.float_rounded))
            self.item_view.value = (
                f"<p class='ccua-item'><b>{_esc(line.code)} {_esc(line.name)}</b>: {_esc(text)}</p>"
            )
        nxt = next_grade(fw, a.total)
        grade = name_of(nxt.current, self.lang) if nxt.current else "—"
        if nxt.next is not None and nxt.gap is not None:
            gap = tr("l_next", grade=name_of(nxt.next, self.lang), gap=fmt(nxt.gap))
        else:
            gap = tr("l_top")
        self.summary.value = (
            f"<p class='ccua-total' style='font-size:130%'>{_esc(tr('l_total'))} "
            f"<b>{fmt(a.total)}</b> · {_esc(tr('l_grade'))} <b>{_esc(grade)}</b> · "
            f"<span class='ccua-next'>{_esc(gap)}</span></p>"
        )
        self.table.value = simulator_table(fw, a, self.lang, highlight=self.item.value)
        return a


def simulator_table(
    framework: Framework, a: Assessment, lang: str, highlight: str | None = None
) -> str:
    tr = handbook.Catalog(lang)
    lines = {line.code: line for line in score_lines(framework, a, lang)}
    columns = ("code", "name", "points", "percent", "exact", "score")
    head = "".join(f"<th style='padding:2px 8px'>{_esc(tr('col_' + h))}</th>" for h in columns)
    body = []

    def row(style: str, code: str, name: str, points: str, score: str, *mid: str) -> None:
        cells = (code, name, points, *(mid or ("", "")), score)
        tds = "".join(f"<td style='padding:1px 8px'>{_esc(c)}</td>" for c in cells)
        body.append(f"<tr{style}>{tds}</tr>")

    for group in framework.groups:
        for item in framework.items_of(group.code):
            line = lines.get(item.code)
            style = " style='background:#fef0c7'" if item.code == highlight else ""
            if line is None:
                row(style, item.code, name_of(item, lang), fmt(item.points), "—", "—", "—")
            else:
                exact, percent = fmt_exact(line.exact), fmt_exact(line.percent)
                score = fmt(line.score) + (" *" if line.rounding.tie else "")
                row(style, item.code, line.name, fmt(line.points), score, percent, exact)
        g = next(x for x in a.groups if x.code == group.code)
        row(" style='font-weight:bold'", g.code, name_of(group, lang), fmt(g.points), fmt(g.score))
    for c in a.categories:
        cat = next(x for x in framework.categories if x.code == c.code)
        row(" style='font-style:italic'", "", name_of(cat, lang), fmt(c.points), fmt(c.score))
    top = " style='font-weight:bold;border-top:1px solid #999'"
    row(top, "", tr("total"), fmt(a.total_points), fmt(a.total))
    return (
        f"<table class='ccua-sim'><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        + f"<p style='font-size:90%'>{_esc(tr('l_tie_legend'))}</p>"
    )


class Exercises:
    """Three exercises whose answers are checked: an indicator, an item score, a grade."""

    def __init__(
        self,
        framework: Framework,
        lang: str = "zh",
        indicator: str = "DO6.9",
        item: str = "DO3",
        seed: int = 1,
        total: str = "75.00",
    ) -> None:
        import ipywidgets as w

        self.framework, self.lang = framework, lang
        tr = handbook.Catalog(lang)
        self.ex1 = indicator_exercise(framework, indicator, seed, lang)
        self.ex2 = item_exercise(framework, item, seed, lang)
        self.total = Decimal(total)
        figures = "".join(f"<li>{_esc(n)}: <b>{v}</b></li>" for _, n, v in self.ex1.figures)
        ex1, ex2 = self.ex1, self.ex2
        question = tr("ex_indicator", code=ex1.code, name=ex1.name, month=ex1.month, unit=ex1.unit)
        self.q1 = w.HTML(f"<p>{_esc(question)}</p><ul>{figures}</ul>")
        self.a1, self.b1, self.f1 = self._answer(tr)
        item_word = framework.levels.item.zh if lang == "zh" else framework.levels.item.en
        reqs = "".join(f"<li>{_esc(c)}. {_esc(t)} — <b>{r}</b></li>" for c, t, r in ex2.ratings)
        points = fmt(ex2.points)
        question = tr("ex_item", code=ex2.code, name=ex2.name, points=points, item=item_word)
        self.q2 = w.HTML(f"<p>{_esc(question)}</p><ul>{reqs}</ul>")
        self.a2, self.b2, self.f2 = self._answer(tr)
        self.q3 = w.HTML(f"<p>{_esc(tr('ex_grade', total=fmt(self.total)))}</p>")
        self.a3 = w.Dropdown(
            options=[(tr("l_choose"), "")] + [(name_of(g, lang), g.code) for g in framework.grades],
            description=tr("l_answer"),
        )
        self.b3, self.f3 = w.Button(description=tr("l_check")), w.HTML()
        self.b1.on_click(lambda _: self.check(1))
        self.b2.on_click(lambda _: self.check(2))
        self.b3.on_click(lambda _: self.check(3))
        self.widget = w.VBox(
            [
                _heading(lang, "exercises"),
                self.q1,
                w.HBox([self.a1, self.b1]),
                self.f1,
                self.q2,
                w.HBox([self.a2, self.b2]),
                self.f2,
                self.q3,
                w.HBox([self.a3, self.b3]),
                self.f3,
            ]
        )

    @staticmethod
    def _answer(tr: Any) -> tuple[Any, Any, Any]:
        import ipywidgets as w

        return w.Text(description=tr("l_answer")), w.Button(description=tr("l_check")), w.HTML()

    def check(self, n: int) -> Check:
        if n == 3:
            result = grade_answer(self.framework, self.total, self.a3.value, self.lang)
        else:
            ex, answer = (self.ex1, self.a1) if n == 1 else (self.ex2, self.a2)
            result = check_number(answer.value, ex.expected, 2, self.lang, ex.why)
        out = {1: self.f1, 2: self.f2}.get(n, self.f3)
        colour = "#067647" if result.correct else "#b42318"
        out.value = f"<p style='color:{colour}'>{_esc(result.message)}</p>"
        return result


def _framework(framework: str | Framework) -> Framework:
    return framework if isinstance(framework, Framework) else load_framework(framework)


def indicator_explorer(
    framework: str | Framework = "t-ccua", lang: str = "zh", code: str | None = "DO6.9"
) -> IndicatorExplorer:
    return IndicatorExplorer(_framework(framework), lang, code)


def scoring_simulator(
    framework: str | Framework = "t-ccua", lang: str = "zh", item: str | None = "DO3"
) -> ScoringSimulator:
    return ScoringSimulator(_framework(framework), lang, item=item)


def exercises(framework: str | Framework = "t-ccua", lang: str = "zh", **kw: Any) -> Exercises:
    return Exercises(_framework(framework), lang, **kw)


def worked_example_markdown(framework: str | Framework = "t-ccua", lang: str = "zh") -> str:
    """The worked example, step by step, as the handbook prints it (Markdown)."""
    from ccua.handbook import Builder

    chapter = Builder(_framework(framework), lang).worked()
    if chapter is None:
        raise CcuaError(f"no worked example for {_framework(framework).id}", field="example")
    return chapter.markdown()


def show_worked_example(framework: str | Framework = "t-ccua", lang: str = "zh") -> None:
    from IPython.display import Markdown, display

    tr = handbook.Catalog(lang)
    display(Markdown(f"{tr('lesson_worked_intro')}\n\n" + worked_example_markdown(framework, lang)))
