"""Charts of one assessment, drawn from ``results.json`` (Chinese labels, Altair / Vega-Lite).

Every chart a reader of the report expects, as a pure function of the typed results
(:class:`ccua.results_model.Results`) to its Vega-Lite spec (a dict):

- :func:`item_scores_chart`: 计分 against 分值 per item, grouped by domain (frameworks that put
  the points on their groups, such as the guideline, show each item's 得分率 instead);
- :func:`subtotals_chart`: 计分 against 分值 per domain and per category;
- :func:`indicator_targets_chart`: per item, each indicator's period value against its target,
  coloured met / missed, with the target bounds marked and the side of the target that counts
  as met shaded (so the direction of each indicator is visible); percent indicators share one
  axis, every other indicator gets an axis of its own;
- :func:`monthly_trends_chart`: per item, small multiples of the monthly values, with the
  target as a dashed line where the target applies to each month.

Charts are rendered to SVG and PNG by vl-convert with the Noto Sans CJK font bundled in the
``noto-cjk-sans-otc`` package (:func:`to_svg`, :func:`to_png`); :func:`vega_lite_spec` gives the
spec that goes into a notebook beside its SVG. The spec is labelled and rendered as Vega-Lite 5,
the version that JupyterLab and most HTML renderers embed (Altair itself writes Vega-Lite 6;
the charts here use nothing that version 5 lacks, which the tests check by rendering with it).

The specs are written as plain dicts, key for key what Altair wrote for the same charts
(``tests/test_charts.py`` builds the charts with Altair as well and compares): Altair's
copies of a chart at every step cost more than a second per client, and importing it
another half second per notebook kernel (docs/speed.md). Altair is imported only to
validate a spec against its schema (``vega_lite_spec(..., validate=True)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ccua import fmt, prose, tables
from ccua.fmt import fixed as number_text
from ccua.i18n import Tr
from ccua.results_model import CategoryOut, GroupOut, IndicatorOut, ItemOut, Num, Results
from ccua.tables import month_labels

FONT_FAMILY = "Noto Sans CJK SC"
"""The simplified-Chinese family of the Noto Sans CJK collection (NotoSansCJK-Regular.ttc)."""

FONT_STACK = f"'{FONT_FAMILY}', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
"""Chart font: Noto first (vl-convert, Typst and browsers that have it), then the CJK fonts
that readers' systems usually carry, so the HTML report reads well without Noto."""

VEGA_LITE_VERSION = "5.20"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.20.1.json"
VEGA_LITE_MIMETYPE = "application/vnd.vegalite.v5+json"

MET, MISSED, NO_TARGET = "met", "missed", "no_target"
STATUS_COLORS = {MET: "#2e7d32", MISSED: "#c62828", NO_TARGET: "#9e9e9e"}
POINTS_COLOR = "#d9d9d9"
SCORE_COLOR = "#4c78a8"
TARGET_COLOR = "#424242"
MET_ZONE_COLOR = "#e3f1e4"

DIRECTION_ARROW = {"higher": "↑", "lower": "↓", "band": "↔"}

ITEM_ROW_STEP = 20  # pixels per bar row
INDICATOR_ROW_STEP = 24
PANEL_WIDTH = 420
TREND_WIDTH = 170
TREND_HEIGHT = 100
TREND_COLUMNS = 3


# ---------------------------------------------------------------- small pure helpers


def status_of(met: bool | None, lang: str = "zh") -> str:
    """The result as the legend names it, in the chart's language."""
    return Tr(lang)(f"chart.{NO_TARGET if met is None else MET if met else MISSED}")


def status_scale(lang: str = "zh") -> dict[str, Any]:
    tr = Tr(lang)
    return {
        "domain": [tr(f"chart.{s}") for s in STATUS_COLORS],
        "range": list(STATUS_COLORS.values()),
    }


def _num(value: Num | None) -> float | None:
    """A number as the spec carries it (a JSON number, as in results.json)."""
    return None if value is None else float(value)


def indicator_label(ind: IndicatorOut, lang: str = "zh") -> str:
    """``DO6.9 放弃率 ↓``: code, name and the direction that counts as better."""
    arrow = DIRECTION_ARROW.get(ind.direction or "", "")
    return f"{ind.code} {Tr(lang).name(ind)}" + (f" {arrow}" if arrow else "")


def _unit_text(unit: str | None, lang: str) -> str:
    if unit == "percent":
        return "%"
    if unit == "count":  # an axis of counts says so (the tables leave counts bare)
        return Tr(lang)("chart.count_unit")
    return fmt.unit_label(unit, lang)


def _group_label(results: Results, code: str, lang: str = "zh") -> str:
    return f"{code} {tables.names(results, lang).group(code)}".strip()


# ---------------------------------------------------------------- spec pieces
#
# Each piece is written as Altair writes it: a channel's or a definition's keys in
# alphabetical order, a mark's type first, a chart's composition (layer, vconcat; data, facet
# and spec for a facet) before its other keys, which are alphabetical too.

_TYPES = {"N": "nominal", "O": "ordinal", "Q": "quantitative"}


def _sorted(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in sorted(props)}


def _field(shorthand: str, **props: Any) -> dict[str, Any]:
    """``"label:N"`` / ``"min(tmin):Q"`` with more properties, as an encoding channel."""
    name, _, kind = shorthand.partition(":")
    channel: dict[str, Any] = {"type": _TYPES[kind]} if kind else {}
    if name.endswith(")") and "(" in name:
        channel["aggregate"], name = name[:-1].split("(", 1)
    channel["field"] = name
    return _sorted({**channel, **props})


def _tip(shorthand: str, title: str) -> dict[str, Any]:
    return _field(shorthand, title=title)


def _mark(kind: str, **props: Any) -> dict[str, Any]:
    return {"type": kind, **_sorted(props)}


def _unit(
    mark: dict[str, Any], transform: list[Any] | None = None, **encoding: Any
) -> dict[str, Any]:
    unit: dict[str, Any] = {"mark": mark, "encoding": _sorted(encoding)}
    if transform:
        unit["transform"] = transform
    return unit


def _compose(first: Mapping[str, Any], **rest: Any) -> dict[str, Any]:
    """A (sub)chart: its composition first, then its other properties in alphabetical order."""
    return {**first, **_sorted(rest)}


def _data(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"values": [dict(r) for r in rows]}


def _vconcat(panels: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    """Panels one under the other; a single panel's data moves up to the chart (as Altair
    does with data that every panel shares)."""
    if len(panels) == 1 and "data" in panels[0]:
        rest["data"] = panels[0]["data"]
        panels = [{k: v for k, v in panels[0].items() if k != "data"}]
    return _compose({"vconcat": panels}, **rest)


def _facet(layer: dict[str, Any], facet: dict[str, Any], **rest: Any) -> dict[str, Any]:
    """A layer repeated per value of a field; the layer's data moves up to the facet."""
    spec = {k: v for k, v in layer.items() if k != "data"}
    return _compose({"data": layer["data"], "facet": facet, "spec": spec}, **rest)


def _finish(chart: dict[str, Any], description: str) -> dict[str, Any]:
    """Font, quiet frame and a one-line description (the plain-text form of the chart).

    Label limits are switched off (0): the labels here are short and known, and with a limit
    Vega measures every label a second time to decide whether to truncate it, which costs a
    third of the render time in vl-convert (each measurement lays the text out in the CJK
    font).
    """
    first: dict[str, Any] = {
        k: chart[k] for k in ("layer", "vconcat", "data", "facet", "spec") if k in chart
    }
    if "layer" in first or "vconcat" in first:
        first.pop("data", None)  # alphabetical among the rest
    rest = {k: v for k, v in chart.items() if k not in first}
    config = {
        # Altair's default theme, then ccua's settings
        "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
        "axis": {"labelFontSize": 11, "labelLimit": 0, "titleFontSize": 11},
        "font": FONT_STACK,
        "header": {"labelLimit": 0, "titleLimit": 0},
        "legend": {"labelFontSize": 11, "labelLimit": 0, "orient": "bottom", "titleFontSize": 11},
        "title": {"anchor": "start", "fontSize": 13},
    }
    spec = {"config": config, **_compose(first, description=description, **rest)}
    spec["$schema"] = VEGA_LITE_SCHEMA
    return spec


# ---------------------------------------------------------------- scores

# The two series of the score charts, named in the legend (中文 / English).
SERIES_NAMES = {"zh": ("分值", "计分"), "en": ("Points", "Score")}


def _series_color(lang: str = "zh") -> dict[str, Any]:
    names = SERIES_NAMES.get(lang, SERIES_NAMES["zh"])
    return _field(
        "series:N",
        title=None,
        scale={"domain": list(names), "range": [POINTS_COLOR, SCORE_COLOR]},
        legend={"direction": "horizontal", "orient": "top", "symbolType": "square"},
    )


def _score_bars(rows: list[dict[str, Any]], label_title: str, lang: str = "zh") -> dict[str, Any]:
    """Grey bar = 分值 (points), blue bar over it = 计分 (score), score printed at its end; a
    legend names the two; a bar per row, in the rows' order."""
    names = SERIES_NAMES.get(lang, SERIES_NAMES["zh"])
    tr = Tr(lang)
    y = _field("label:N", sort=[r["label"] for r in rows], title=None)
    tooltip = [
        _tip("label:N", label_title),
        _tip("points_text:N", tr("chart.points")),
        _tip("score_text:N", tr("chart.score")),
        _tip("percent_text:N", tr("chart.percent")),
    ]
    points, score = (
        _unit(
            mark,
            [{"calculate": f"'{name}'", "as": "series"}],
            y=y,
            tooltip=tooltip,
            x=x,
            color=_series_color(lang),
        )
        for mark, name, x in (
            (_mark("bar"), names[0], _field("points:Q", title=tr("chart.axis_points"))),
            (_mark("bar", size=ITEM_ROW_STEP * 0.55), names[1], _field("score:Q")),
        )
    )
    text = _bar_text(y, tooltip, "points:Q", "score_text:N")
    return {"layer": [points, score, text], "data": _data(rows)}


def _bar_text(y: dict[str, Any], tooltip: list[Any], x: str, text: str) -> dict[str, Any]:
    """A value printed just right of its bar's end."""
    return _unit(
        _mark("text", align="left", dx=4, fontSize=10),
        y=y,
        tooltip=tooltip,
        x=_field(x),
        text=_field(text),
    )


def _panel(layer: Mapping[str, Any], **rest: Any) -> dict[str, Any]:
    """A layer of bars (``_score_bars``) as a panel of the charts' width, a row per bar."""
    return _compose(
        {"layer": layer["layer"]},
        data=layer["data"],
        width=PANEL_WIDTH,
        height={"step": ITEM_ROW_STEP},
        **rest,
    )


def _score_rows(
    nodes: Iterable[ItemOut | GroupOut | CategoryOut], label: Any, lang: str = "zh"
) -> list[dict[str, Any]]:
    return [
        {
            "label": label(n),
            "points": _num(n.points),
            "score": _num(n.score),
            "points_text": fmt.points(n.points, lang),
            "score_text": fmt.points(n.score, lang),
            "percent_text": (number_text(percent) + "%") if percent is not None else "—",
        }
        for n in nodes
        if n.points is not None and n.score is not None
        for percent in [getattr(n, "percent", None)]
    ]


MEETS_STANDARD_RATING = 3
"""遵循标准 on the 0-5 scale: "meets the standard" (GUIDE §3.1)."""


def _meets_standard_percent(results: Results) -> float:
    """The 得分率 of an item rated 遵循标准 throughout: 3 of 5 = 60 %."""
    top = max(lv.value for lv in results.framework.scale.levels)
    return 100 * MEETS_STANDARD_RATING / top


def item_scores_chart(
    results: Results, chapter: str | None = None, lang: str = "zh"
) -> dict[str, Any]:
    """计分 against 分值 per item, one panel per domain (only ``chapter``'s items if given).

    Where points sit on groups (the guideline), items carry no points: the chart shows each
    item's 得分率 (mean rating / 5) instead, with a dashed line where rating 3 遵循标准 puts it
    (60 %).
    """
    codes = None if chapter is None else results.chapter(chapter).items
    items = [i for i in results.assessment.items if codes is None or i.code in codes]
    tr = Tr(lang)
    n = tables.names(results, lang)
    item_word = tr.level(results.framework.levels, "item")
    plural = tr.level(results.framework.levels, "item", plural=True)
    if results.framework.points_at == "item":
        rows = _score_rows(items, lambda i: n.item(i.code), lang)
        by_code = {n.item(i.code): i.group for i in items}
        for r in rows:
            r["group"] = _group_label(results, by_code[r["label"]], lang)
        layer = _score_bars(rows, item_word, lang)
        title = tr("chart.scores_title", items=plural)
    else:
        rows = [
            {
                "label": n.item(i.code),
                "group": _group_label(results, i.group, lang),
                "percent": float(i.percent),
                "percent_text": number_text(i.percent) + "%",
                "rating_text": number_text(i.mean_rating),
            }
            for i in items
            if i.percent is not None
        ]
        layer = _percent_bars(rows, item_word, _meets_standard_percent(results), tr)
        title = tr("chart.percents_title", items=plural)
    if chapter is not None:
        title = _chapter_title(results, chapter, title, tr)
    groups = [_group_label(results, g, lang) for g in dict.fromkeys(i.group for i in items)]
    chart = _by_group(layer, groups, title) if len(groups) > 1 else _panel(layer, title=title)
    return _finish(chart, tr("chart.desc_count", title=title, n=len(rows)))


def _percent_bars(
    rows: list[dict[str, Any]], label_title: str, meets: float, tr: Tr
) -> dict[str, Any]:
    """Each item's 得分率 as a bar with its value at the end; a dashed line at ``meets``."""
    y = _field("label:N", sort=[r["label"] for r in rows], title=None)
    tooltip = [
        _tip("label:N", label_title),
        _tip("rating_text:N", tr("chart.mean_rating")),
        _tip("percent_text:N", tr("chart.percent")),
    ]
    bars = _unit(
        _mark("bar", color=SCORE_COLOR),
        y=y,
        tooltip=tooltip,
        x=_field("percent:Q", title=tr("chart.axis_percent"), scale={"domain": [0, 100]}),
    )
    text = _bar_text(y, tooltip, "percent:Q", "percent_text:N")
    rule = _unit(
        _mark("rule", color=TARGET_COLOR, strokeDash=[4, 3]),
        x={"datum": meets},
    )
    return {"layer": [bars, text, rule], "data": _data(rows)}


def _chapter_title(results: Results, chapter: str, what: str, tr: Tr) -> str:
    """A chart's title in a chapter: the chapter's heading (in English a one-group chapter's
    group) and what the chart shows."""
    ch = results.chapter(chapter)
    heading = ch.title
    if tr.en and len(ch.groups) == 1:
        heading = _group_label(results, ch.groups[0], tr.lang)
    return tr("chart.chapter_title", chapter=heading, what=what)


def _by_group(layer: Mapping[str, Any], groups: list[str], title: str) -> dict[str, Any]:
    """The panel repeated per group (the rows' ``group``), in ``groups``' order."""
    row = _field(
        "group:N",
        sort=groups,
        title=None,
        header={
            "labelAlign": "left",
            "labelAnchor": "start",
            "labelAngle": 0,
            "labelFontSize": 12,
            "labelOrient": "top",
        },
    )
    return _facet(
        _panel(layer),
        {"row": row},
        spacing=8,
        title=title,
        resolve={"scale": {"y": "independent"}},
    )


def subtotals_chart(results: Results, lang: str = "zh") -> dict[str, Any]:
    """计分 against 分值 per domain (group) and, where the framework has them, per category."""
    assessment = results.assessment
    tr = Tr(lang)
    n = tables.names(results, lang)
    group_word = tr.level(results.framework.levels, "group")
    group_rows = _score_rows(assessment.groups, lambda g: _group_label(results, g.code, lang), lang)
    bars = _score_bars(group_rows, group_word, lang)
    panels = [_panel(bars, title=tr("chart.group_subtotals", group=group_word))]
    categories = assessment.categories
    if categories:
        cat_rows = _score_rows(categories, lambda c: n.categories.get(c.code, c.name), lang)
        bars = _score_bars(cat_rows, tr("chart.category"), lang)
        panels.append(_panel(bars, title=tr("chart.category_subtotals")))
    chart = _vconcat(
        panels, spacing=16, resolve={"scale": {"x": "independent", "y": "independent"}}
    )
    description = tr(
        "chart.subtotals_desc",
        group=group_word,
        and_categories=tr("chart.and_categories") if categories else "",
        total=fmt.points(assessment.total, lang),
    )
    return _finish(chart, description)


# ---------------------------------------------------------------- indicators


def _bounds(ind: IndicatorOut) -> tuple[float | None, float | None]:
    if ind.target is None:
        return None, None
    return _num(ind.target.min), _num(ind.target.max)


def _axis_domain(values: Sequence[float], unit: str | None) -> tuple[float, float]:
    """An axis fitted to the values and the target bounds (all of them visible), with a
    margin of 15 % of their spread on each side: dots between 90 and 99 % are not crowded
    into the top of a 0-100 axis. Percents stay within 0-100, other values keep their sign."""
    lo, hi = min(values), max(values)
    spread = hi - lo
    pad = max(spread * 0.15, abs(hi) * 0.02, 0.5 if unit == "percent" else 1e-9)
    lo_axis, hi_axis = lo - pad, hi + pad
    if lo >= 0:
        lo_axis = max(lo_axis, 0.0)
    if unit == "percent" and hi <= 100:
        hi_axis = min(hi_axis, 100.0)
    if hi_axis <= lo_axis:
        hi_axis = lo_axis + 1.0
    return lo_axis, hi_axis


def _met_zone(
    direction: str, tmin: float | None, tmax: float | None, lo: float, hi: float
) -> tuple[float | None, float | None]:
    """The stretch of the axis where the indicator meets its target (None, None: no target)."""
    if tmin is None and tmax is None:
        return None, None
    if direction == "higher" and tmax is None:
        return tmin, hi
    if direction == "lower" and tmin is None:
        return lo, tmax
    return (tmin if tmin is not None else lo), (tmax if tmax is not None else hi)


def _target_row(ind: IndicatorOut, lang: str) -> dict[str, Any]:
    """An indicator with a period value, as a row of the targets chart."""
    tmin, tmax = _bounds(ind)
    return {
        "code": ind.code,
        "label": indicator_label(ind, lang),
        "unit": ind.unit,
        "name": Tr(lang).name(ind),
        "value": float(ind.value or 0),
        "value_text": fmt.value(ind.value, ind.unit, lang),
        "tmin": tmin,
        "tmax": tmax,
        "target_text": _target_text(ind, lang),
        "status": status_of(ind.met, lang),
        "met": ind.met,
        "direction": ind.direction or "none",
        "direction_text": Tr(lang)(f"chart.direction.{ind.direction or 'none'}"),
    }


def _target_panel(
    rows: list[dict[str, Any]], unit: str | None, title: str, lang: str = "zh"
) -> dict[str, Any]:
    """One axis: a shaded stretch where the target is met, the bounds as ticks, the value as a
    dot coloured by the result. Values are not printed beside the dots: the table above the
    chart prints them, and every text mark costs render time (vl-convert measures each)."""
    values = [r["value"] for r in rows] + [
        b for r in rows for b in (r["tmin"], r["tmax"]) if b is not None
    ]
    lo, hi = _axis_domain(values, unit)
    for r in rows:
        r["zone_lo"], r["zone_hi"] = _met_zone(r["direction"], r["tmin"], r["tmax"], lo, hi)
    tr = Tr(lang)
    x_scale = {"domain": [lo, hi], "nice": False, "zero": False}
    x_axis = {"tickCount": 5, "title": _axis_title(unit, title, tr)}
    y = _field("label:N", sort=[r["label"] for r in rows], title=None)
    tooltip = [
        _tip("label:N", tr("chart.indicator")),
        _tip("value_text:N", tr("chart.period_value")),
        _tip("target_text:N", tr("chart.target")),
        _tip("status:N", tr("chart.result")),
        _tip("direction_text:N", tr("chart.direction_h")),
    ]
    zone = _unit(
        _mark("bar", color=MET_ZONE_COLOR, size=INDICATOR_ROW_STEP * 0.7),
        y=y,
        x=_field("zone_lo:Q", scale=x_scale, axis=x_axis),
        x2={"field": "zone_hi"},
        tooltip=[
            _tip("label:N", tr("chart.indicator")),
            _tip("target_text:N", tr("chart.met_zone")),
        ],
    )
    ticks = [
        _unit(
            _mark("tick", color=TARGET_COLOR, thickness=2, size=INDICATOR_ROW_STEP * 0.7),
            y=y,
            x=_field(f"{bound}:Q", scale=x_scale, axis=x_axis),
            tooltip=[_tip("target_text:N", tr("chart.target"))],
        )
        for bound in ("tmin", "tmax")
    ]
    point = _unit(
        _mark("point", filled=True, size=90, opacity=1),
        y=y,
        x=_field("value:Q", scale=x_scale, axis=x_axis),
        color=_field("status:N", title=tr("chart.period_value"), scale=status_scale(lang)),
        tooltip=tooltip,
    )
    return _compose(
        {"layer": [zone, *ticks, point]},
        data=_data(rows),
        width=PANEL_WIDTH,
        height={"step": INDICATOR_ROW_STEP},
    )


def _axis_title(unit: str | None, title: str, tr: Tr) -> str:
    """A targets panel's axis: 占比 for the shared percent axis, else the indicator's name with
    its unit."""
    if unit == "percent":
        return tr("chart.axis_share")
    unit_text = _unit_text(unit, tr.lang)
    return tr("chart.axis_unit", title=title, unit=unit_text) if unit_text else title


def _target_text(ind: IndicatorOut, lang: str) -> str:
    target = ind.target
    if target is None:
        return "—"
    if lang == "en" and (target.min is not None or target.max is not None):
        return prose.bounds_text(target, ind.unit, lang)
    return target.text or "—"


def indicator_targets_chart(results: Results, item: str, lang: str = "zh") -> dict[str, Any] | None:
    """Each indicator's period value against its target; ``None`` if none has a value.

    Percent indicators share one axis; every other indicator (seconds, counts, …) has its own,
    because their scales have nothing in common.
    """
    rows = [_target_row(ind, lang) for ind in results.indicators_of(item) if ind.value is not None]
    if not rows:
        return None
    panels = []
    percent_rows = [r for r in rows if r["unit"] == "percent"]
    tr = Tr(lang)
    if percent_rows:
        panels.append(_target_panel(percent_rows, "percent", tr("chart.share"), lang))
    for r in rows:
        if r["unit"] != "percent":
            panels.append(_target_panel([r], r["unit"], r["name"], lang))
    title = tr("chart.targets_title", item=tables.names(results, lang).item(item))
    chart = _vconcat(
        panels,
        spacing=10,
        title=title,
        resolve={"scale": {"x": "independent", "y": "independent"}},
    )
    description = tr(
        "chart.targets_desc",
        title=title,
        n=len(rows),
        met=sum(1 for r in rows if r["met"] is True),
        missed=sum(1 for r in rows if r["met"] is False),
        none=sum(1 for r in rows if r["met"] is None),
    )
    return _finish(chart, description)


def monthly_trends_chart(results: Results, item: str, lang: str = "zh") -> dict[str, Any] | None:
    """Monthly values, one small panel per indicator; ``None`` if no indicator has months.

    The target is drawn (dashed) only where it applies to each month (``months_comparable``):
    a half-year count or a rate over a stock taken once has a target for the period alone.
    """
    months = results.period.months
    labels = month_labels(months, lang)
    rows, panels = _trend_rows(results, item, labels, lang)
    if not rows:
        return None
    x = _field("month:O", sort=[labels[m] for m in months], title=None, axis={"labelAngle": 0})
    tr = Tr(lang)
    title = tr("chart.trends_title", item=tables.names(results, lang).item(item))
    chart = _facet(
        _compose(
            {"layer": _trend_layer(x, tr)}, data=_data(rows), width=TREND_WIDTH, height=TREND_HEIGHT
        ),
        _field("label:N", sort=panels, title=None, header={"labelFontSize": 11}),
        columns=TREND_COLUMNS,
        spacing=12,
        title=title,
        resolve={"scale": {"y": "independent"}},
    )
    description = tr("chart.trends_desc", title=title, n=len(panels), months=len(months))
    return _finish(chart, description)


def _trend_rows(
    results: Results, item: str, labels: Mapping[str, str], lang: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """A row per indicator and month with a value, and the panels' labels (the indicators')."""
    rows: list[dict[str, Any]] = []
    panels: list[str] = []
    for ind in results.indicators_of(item):
        monthly = [m for m in ind.monthly if m.value is not None]
        if not monthly:
            continue
        unit = _unit_text(ind.unit, lang)  # counts and ratios carry no unit label
        label = indicator_label(ind, lang) + (
            Tr(lang)("chart.unit_suffix", unit=unit) if unit else ""
        )
        panels.append(label)
        tmin, tmax = _bounds(ind) if ind.months_comparable else (None, None)
        status = status_of(ind.met, lang)
        rows += [
            {
                "label": label,
                "month": labels.get(m.month, m.month),
                "value": _num(m.value),
                "value_text": fmt.value(m.value, ind.unit, lang),
                "tmin": tmin,
                "tmax": tmax,
                "status": status,
                "target_text": _target_text(ind, lang),
            }
            for m in monthly
        ]
    return rows, panels


def _trend_layer(x: dict[str, Any], tr: Tr) -> list[dict[str, Any]]:
    """The monthly line, coloured by whether the period meets its target, and the target's
    bounds as dashed rules."""
    color = _field("status:N", title=tr("chart.whole_period"), scale=status_scale(tr.lang))
    line = _unit(
        _mark("line", point=True),
        x=x,
        y=_field("value:Q", title=None, scale={"zero": False}, axis={"tickCount": 3}),
        color=color,
        tooltip=[
            _tip("label:N", tr("chart.indicator")),
            _tip("month:O", tr("chart.month")),
            _tip("value_text:N", tr("chart.monthly_value")),
            _tip("target_text:N", tr("chart.target")),
        ],
    )
    rules = [
        _unit(
            _mark("rule", color=TARGET_COLOR, strokeDash=[4, 3]),
            y=_field(f"min({bound}):Q"),
            tooltip=[_tip("target_text:N", tr("chart.target"))],
        )
        for bound in ("tmin", "tmax")
    ]
    return [line, *rules]


# ---------------------------------------------------------------- rendering

_fonts_registered = False


def font_directory() -> Path:
    """The folder of the CJK font the charts use (see ccua.fonts: the SC face alone)."""
    from ccua.fonts import cjk_font_folder

    return cjk_font_folder()


def _vl_convert() -> Any:
    global _fonts_registered, _font_chars
    import vl_convert

    if not _fonts_registered:
        # Without it, vl-convert has no CJK glyphs: Chinese labels would vanish from PNGs and
        # be measured wrongly (overlapping) in SVGs. The subset of the face that ccua's texts
        # need renders the same bytes in about half the time (ccua.fonts).
        from ccua.fonts import chart_font_folder

        folder, _font_chars = chart_font_folder()
        vl_convert.register_font_directory(str(folder))
        _fonts_registered = True
    return vl_convert


_font_chars: frozenset[str] | None = None


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _texts(v)


def _covered(spec: Mapping[str, Any]) -> bool:
    """Whether the registered chart font has every character of the spec's texts."""
    _vl_convert()
    return _font_chars is None or all(set(t) <= _font_chars for t in _texts(spec))


_WHOLE_FACE_RENDER = """
import base64, json, sys
import vl_convert
vl_convert.register_font_directory(sys.argv[1])
job = json.load(sys.stdin)
if job["kind"] == "svg":
    sys.stdout.write(vl_convert.vegalite_to_svg(job["spec"], vl_version=job["vl"]))
else:
    png = vl_convert.vegalite_to_png(job["spec"], vl_version=job["vl"], scale=job["scale"])
    sys.stdout.write(base64.b64encode(png).decode())
"""


def _render(kind: str, spec: Mapping[str, Any], scale: float = 2.0) -> str:
    """SVG text, or PNG as base64: in this process with the subset font when it covers the
    spec, else in a process of its own with the whole face (a rare name or symbol)."""
    if _covered(spec):
        vlc = _vl_convert()
        if kind == "svg":
            return str(vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION))
        import base64

        png = vlc.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=scale)
        return base64.b64encode(bytes(png)).decode()
    import json
    import subprocess
    import sys

    job = {"kind": kind, "spec": spec, "vl": VEGA_LITE_VERSION, "scale": scale}
    done = subprocess.run(
        [sys.executable, "-c", _WHOLE_FACE_RENDER, str(font_directory())],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def vega_lite_spec(chart: Any, *, validate: bool = False) -> dict[str, Any]:
    """The chart's spec, labelled Vega-Lite 5 (see the module docstring): a chart of this
    module (a dict), or an Altair chart. ``validate``: check it against Altair's schema."""
    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict(validate=False)
    spec["$schema"] = VEGA_LITE_SCHEMA
    if validate:
        from ccua._imports import skip_slow_optional_imports

        skip_slow_optional_imports()
        import altair as alt

        alt.TopLevelSpec.from_dict(spec, validate=True)
    return spec


# Rendered SVGs are kept in the user's cache folder, filed under a SHA-256 of everything the
# SVG depends on: the spec, the Vega-Lite version, vl-convert's version and the font files.
# A chart that comes again (the same client run again, charts that a change of ratings left
# alone) is read back instead of rendered: rendering is most of a chart's cost (docs/speed.md).
SVG_CACHE_FORMAT = 1
SVG_CACHE_LIMIT = 4000  # files; beyond it the least recently used half is removed


def _renderer_identity() -> str:
    import importlib.metadata

    try:
        version = importlib.metadata.version("vl-convert-python")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        version = "unknown"
    fonts = []
    folder = font_directory()
    for path in sorted(folder.iterdir()):
        st = path.stat()
        fonts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return f"ccua-svg {SVG_CACHE_FORMAT} vl-convert {version} vl {VEGA_LITE_VERSION} {fonts}"


def _svg_cache() -> Path | None:
    """The folder of cached SVGs, or None (caching off, or a folder not safely the user's)."""
    from ccua.spec import cache_dir, safe_folder

    base = cache_dir()
    if base is None:
        return None
    folder = base / "svg"
    return folder if safe_folder(base) and safe_folder(folder) else None


def _svg_key(spec: Mapping[str, Any]) -> str:
    import hashlib
    import json

    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(_renderer_identity().encode("utf-8"))
    digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def _prune_svg_cache(folder: Path) -> None:
    import contextlib

    with contextlib.suppress(OSError):
        files = [p for p in folder.iterdir() if p.suffix == ".svg"]
        if len(files) <= SVG_CACHE_LIMIT:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for old in files[: len(files) // 2]:
            old.unlink(missing_ok=True)


def to_svg(chart_or_spec: Any) -> str:
    """Render with vl-convert; the text stays text, in the CJK font (FONT_STACK).

    The SVG of a spec rendered before with the same renderer and fonts comes from the cache
    (``$CCUA_CACHE_DIR``, else ``~/.cache/ccua``, folder ``svg/``; ``CCUA_NO_CACHE=1`` turns
    it off): the same bytes, without the render.
    """
    import contextlib
    import os
    import threading

    spec = chart_or_spec if isinstance(chart_or_spec, dict) else vega_lite_spec(chart_or_spec)
    folder = _svg_cache()
    path = None if folder is None else folder / f"{_svg_key(spec)}.svg"
    if path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            svg = path.read_text(encoding="utf-8")
            if svg.startswith("<svg") and svg.rstrip().endswith("</svg>"):
                os.utime(path)  # recently used: kept by the pruning
                return svg
    svg = _render("svg", spec)
    if path is not None and folder is not None:
        # A file of its own, then renamed: readers never see half an SVG. Not fsynced (a cache:
        # a file cut short by a crash fails the check above and is rendered again).
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(svg, encoding="utf-8")
            os.replace(tmp, path)
            _prune_svg_cache(folder)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return svg


def to_png(chart_or_spec: Any, scale: float = 2.0) -> bytes:
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else vega_lite_spec(chart_or_spec)
    import base64

    return base64.b64decode(_render("png", spec, scale))


def description_of(chart_or_spec: Any) -> str:
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else vega_lite_spec(chart_or_spec)
    return str(spec.get("description", "图"))


__all__ = [
    "FONT_FAMILY",
    "FONT_STACK",
    "VEGA_LITE_MIMETYPE",
    "VEGA_LITE_VERSION",
    "description_of",
    "font_directory",
    "indicator_targets_chart",
    "item_scores_chart",
    "monthly_trends_chart",
    "subtotals_chart",
    "to_png",
    "to_svg",
    "vega_lite_spec",
]
