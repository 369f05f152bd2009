"""The charts of ccua.charts as Altair drew them (ccua 7845868): the oracle of
tests/test_charts.py, which checks that ccua's hand-written Vega-Lite dicts are, key for key,
the specs Altair writes for the same charts (the report's charts must not change)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# jsonschema, which Altair imports, builds a parser for IRI checks at import time whenever the
# optional ``rfc3987-syntax`` package is installed (it is, through jupyter-events): 3 s on a
# small machine, paid by every notebook kernel. Neither Altair nor ccua validates IRIs, and
# jsonschema treats the package as optional, so the kernel is told that it is absent. Only
# done before jsonschema is first imported; afterwards it would change nothing.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import altair as alt

from ccua import fmt, prose, tables
from ccua.fmt import fixed as number_text
from ccua.i18n import Tr
from ccua.results_model import Bounds, typed
from ccua.tables import Names, month_labels

FONT_FAMILY = "Noto Sans CJK SC"
"""The simplified-Chinese family of the Noto Sans CJK collection (NotoSansCJK-Regular.ttc)."""

FONT_STACK = f"'{FONT_FAMILY}', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
"""Chart font: Noto first (vl-convert, Typst and browsers that have it), then the CJK fonts
that readers' systems usually carry, so the HTML report reads well without Noto."""


def chapter_of(results: Mapping[str, Any], chapter: str) -> dict[str, Any]:
    return next(dict(ch) for ch in results["chapters"] if ch["id"] == chapter)


def indicators_of(results: Mapping[str, Any], item: str) -> list[dict[str, Any]]:
    return [ind for ind in results["indicators"] if ind.get("item") == item]


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


def value_text(value: float | int | None, unit: str | None, lang: str = "zh") -> str:
    return fmt.value(value, unit, lang)


def status_of(met: bool | None, lang: str = "zh") -> str:
    """The result as the legend names it, in the chart's language."""
    return Tr(lang)(f"chart.{NO_TARGET if met is None else MET if met else MISSED}")


def status_scale(lang: str = "zh") -> Any:
    tr = Tr(lang)
    return alt.Scale(
        domain=[tr(f"chart.{s}") for s in STATUS_COLORS], range=list(STATUS_COLORS.values())
    )


def indicator_label(ind: Mapping[str, Any], lang: str = "zh") -> str:
    """``DO6.9 放弃率 ↓``: code, name and the direction that counts as better."""
    arrow = DIRECTION_ARROW.get(ind.get("direction") or "", "")
    name = ind.get("name_en") or ind["name"] if lang == "en" else ind["name"]
    return f"{ind['code']} {name}" + (f" {arrow}" if arrow else "")


def _unit_text(unit: str | None, lang: str) -> str:
    if unit == "percent":
        return "%"
    if unit == "count":  # an axis of counts says so (the tables leave counts bare)
        return Tr(lang)("chart.count_unit")
    return fmt.unit_label(unit, lang)


def items_of(results: Mapping[str, Any], chapter: str | None = None) -> list[dict[str, Any]]:
    """The assessment's items, in framework order; only a chapter's when ``chapter`` is given."""
    items = list(results["assessment"]["items"])
    if chapter is None:
        return items
    codes = chapter_of(results, chapter)["items"]
    return [i for i in items if i["code"] in codes]


def _names(results: Mapping[str, Any], lang: str) -> Names:
    return tables.names(typed(results), lang)


def _group_label(results: Mapping[str, Any], code: str, lang: str = "zh") -> str:
    return f"{code} {_names(results, lang).group(code)}".strip()


def _finish(chart: Any, description: str) -> Any:
    """Font, quiet frame and a one-line description (the plain-text form of the chart).

    Label limits are switched off (0): the labels here are short and known, and with a limit
    Vega measures every label a second time to decide whether to truncate it, which costs a
    third of the render time in vl-convert (each measurement lays the text out in the CJK
    font).
    """
    # One copy, then the config set in place: each chained .configure_*() call deep-copies
    # the whole chart, inline data included (half the build time of a busy item's chart).
    chart = chart.properties(description=description)
    chart.config = alt.Config(
        font=FONT_STACK,
        view=alt.ViewConfig(stroke=None),
        axis=alt.AxisConfig(labelFontSize=11, titleFontSize=11, labelLimit=0),
        legend=alt.LegendConfig(labelFontSize=11, titleFontSize=11, orient="bottom", labelLimit=0),
        header=alt.HeaderConfig(labelLimit=0, titleLimit=0),
        title=alt.TitleConfig(fontSize=13, anchor="start"),
    )
    return chart


def _data(rows: Iterable[Mapping[str, Any]]) -> alt.Data:
    return alt.Data(values=[dict(r) for r in rows])


# ---------------------------------------------------------------- scores

# The two series of the score charts, named in the legend (中文 / English).
SERIES_NAMES = {"zh": ("分值", "计分"), "en": ("Points", "Score")}


def _series_color(lang: str = "zh") -> Any:
    names = SERIES_NAMES.get(lang, SERIES_NAMES["zh"])
    return alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=list(names), range=[POINTS_COLOR, SCORE_COLOR]),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )


def _score_bars(
    rows: list[dict[str, Any]], label_title: str, sort: list[str], lang: str = "zh"
) -> Any:
    """Grey bar = 分值 (points), blue bar over it = 计分 (score), score printed at its end; a
    legend names the two."""
    names = SERIES_NAMES.get(lang, SERIES_NAMES["zh"])
    tr = Tr(lang)
    y = alt.Y("label:N", sort=sort, title=None)
    tooltip = [
        alt.Tooltip("label:N", title=label_title),
        alt.Tooltip("points_text:N", title=tr("chart.points")),
        alt.Tooltip("score_text:N", title=tr("chart.score")),
        alt.Tooltip("percent_text:N", title=tr("chart.percent")),
    ]
    base = alt.Chart().encode(y=y, tooltip=tooltip)
    points = (
        base.mark_bar()
        .encode(x=alt.X("points:Q", title=tr("chart.axis_points")), color=_series_color(lang))
        .transform_calculate(series=f"'{names[0]}'")
    )
    score = (
        base.mark_bar(size=ITEM_ROW_STEP * 0.55)
        .encode(x="score:Q", color=_series_color(lang))
        .transform_calculate(series=f"'{names[1]}'")
    )
    text = base.mark_text(align="left", dx=4, fontSize=10).encode(x="points:Q", text="score_text:N")
    return alt.layer(points, score, text, data=_data(rows))


def _score_rows(
    nodes: Iterable[Mapping[str, Any]], label: Any, lang: str = "zh"
) -> list[dict[str, Any]]:
    return [
        {
            "label": label(n),
            "points": n["points"],
            "score": n["score"],
            "points_text": fmt.points(n["points"], lang),
            "score_text": fmt.points(n["score"], lang),
            "percent_text": (number_text(n["percent"]) + "%")
            if n.get("percent") is not None
            else "—",
        }
        for n in nodes
        if n.get("points") is not None and n.get("score") is not None
    ]


MEETS_STANDARD_RATING = 3
"""遵循标准 on the 0-5 scale: "meets the standard" (GUIDE §3.1)."""


def _meets_standard_percent(results: Mapping[str, Any]) -> float:
    """The 得分率 of an item rated 遵循标准 throughout: 3 of 5 = 60 %."""
    top = max(lv["value"] for lv in results["framework"]["scale"]["levels"])
    return 100 * MEETS_STANDARD_RATING / top


def item_scores_chart(
    results: Mapping[str, Any], chapter: str | None = None, lang: str = "zh"
) -> Any:
    """计分 against 分值 per item, one panel per domain (only ``chapter``'s items if given).

    Where points sit on groups (the guideline), items carry no points: the chart shows each
    item's 得分率 (mean rating / 5) instead, with a dashed line where rating 3 遵循标准 puts it
    (60 %).
    """
    items = items_of(results, chapter)
    tr = Tr(lang)
    n = _names(results, lang)
    levels = results["framework"]["levels"]
    item_word = tr.level(levels, "item")
    groups_in_order = list(dict.fromkeys(i["group"] for i in items))
    if results["framework"]["points_at"] == "item":
        rows = _score_rows(items, lambda i: n.item(i["code"]), lang)
        by_code = {n.item(i["code"]): i["group"] for i in items}
        for r in rows:
            r["group"] = _group_label(results, by_code[r["label"]], lang)
        layer = _score_bars(rows, item_word, [r["label"] for r in rows], lang)
        what = tr("chart.scores_title", items=tr.level(levels, "item", plural=True))
    else:
        rows = [
            {
                "label": n.item(i["code"]),
                "group": _group_label(results, i["group"], lang),
                "percent": i["percent"],
                "percent_text": number_text(i["percent"]) + "%",
                "rating_text": number_text(i["mean_rating"]),
            }
            for i in items
            if i.get("percent") is not None
        ]
        y = alt.Y("label:N", sort=[r["label"] for r in rows], title=None)
        base = alt.Chart().encode(
            y=y,
            tooltip=[
                alt.Tooltip("label:N", title=item_word),
                alt.Tooltip("rating_text:N", title=tr("chart.mean_rating")),
                alt.Tooltip("percent_text:N", title=tr("chart.percent")),
            ],
        )
        bars = base.mark_bar(color=SCORE_COLOR).encode(
            x=alt.X("percent:Q", title=tr("chart.axis_percent"), scale=alt.Scale(domain=[0, 100]))
        )
        text = base.mark_text(align="left", dx=4, fontSize=10).encode(
            x="percent:Q", text="percent_text:N"
        )
        rule = (
            alt.Chart()
            .mark_rule(color=TARGET_COLOR, strokeDash=[4, 3])
            .encode(x=alt.datum(_meets_standard_percent(results)))
        )
        layer = alt.layer(bars, text, rule, data=_data(rows))
        what = tr("chart.percents_title", items=tr.level(levels, "item", plural=True))
    if chapter is not None:
        ch = chapter_of(results, chapter)
        heading = ch["title"]
        if tr.en and len(ch.get("groups") or []) == 1:
            heading = _group_label(results, ch["groups"][0], lang)
        what = tr("chart.chapter_title", chapter=heading, what=what)
    title = what
    if len(groups_in_order) > 1:
        chart = (
            layer.properties(width=PANEL_WIDTH, height=alt.Step(ITEM_ROW_STEP))
            .facet(
                row=alt.Row(
                    "group:N",
                    sort=[_group_label(results, g, lang) for g in groups_in_order],
                    title=None,
                    header=alt.Header(
                        labelAngle=0,
                        labelAlign="left",
                        labelAnchor="start",
                        labelOrient="top",
                        labelFontSize=12,
                    ),
                ),
                spacing=8,
                title=title,
            )
            .resolve_scale(y="independent")
        )
    else:
        chart = layer.properties(width=PANEL_WIDTH, height=alt.Step(ITEM_ROW_STEP), title=title)
    description = tr("chart.desc_count", title=title, n=len(rows))
    return _finish(chart, description)


def subtotals_chart(results: Mapping[str, Any], lang: str = "zh") -> Any:
    """计分 against 分值 per domain (group) and, where the framework has them, per category."""
    assessment = results["assessment"]
    tr = Tr(lang)
    n = _names(results, lang)
    levels = results["framework"]["levels"]
    group_word = tr.level(levels, "group")
    group_rows = _score_rows(
        assessment["groups"], lambda g: _group_label(results, g["code"], lang), lang
    )
    panels = [
        _score_bars(group_rows, group_word, [r["label"] for r in group_rows], lang).properties(
            width=PANEL_WIDTH,
            height=alt.Step(ITEM_ROW_STEP),
            title=tr("chart.group_subtotals", group=group_word),
        )
    ]
    categories = assessment.get("categories") or []
    if categories:
        cat_rows = _score_rows(categories, lambda c: n.categories.get(c["code"], c["name"]), lang)
        panels.append(
            _score_bars(
                cat_rows, tr("chart.category"), [r["label"] for r in cat_rows], lang
            ).properties(
                width=PANEL_WIDTH,
                height=alt.Step(ITEM_ROW_STEP),
                title=tr("chart.category_subtotals"),
            )
        )
    chart = alt.vconcat(*panels, spacing=16).resolve_scale(x="independent", y="independent")
    description = tr(
        "chart.subtotals_desc",
        group=group_word,
        and_categories=tr("chart.and_categories") if categories else "",
        total=fmt.points(assessment["total"], lang),
    )
    return _finish(chart, description)


# ---------------------------------------------------------------- indicators


def _bounds(ind: Mapping[str, Any]) -> tuple[float | None, float | None]:
    target = ind.get("target") or {}
    return target.get("min"), target.get("max")


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


def _target_panel(
    rows: list[dict[str, Any]], unit: str | None, title: str, lang: str = "zh"
) -> Any:
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
    unit_text = _unit_text(unit, lang)
    if unit == "percent":
        axis_title = tr("chart.axis_share")
    elif unit_text:
        axis_title = tr("chart.axis_unit", title=title, unit=unit_text)
    else:
        axis_title = title
    x_scale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    x_axis = alt.Axis(tickCount=5, title=axis_title)
    y = alt.Y("label:N", sort=[r["label"] for r in rows], title=None)
    tooltip = [
        alt.Tooltip("label:N", title=tr("chart.indicator")),
        alt.Tooltip("value_text:N", title=tr("chart.period_value")),
        alt.Tooltip("target_text:N", title=tr("chart.target")),
        alt.Tooltip("status:N", title=tr("chart.result")),
        alt.Tooltip("direction_text:N", title=tr("chart.direction_h")),
    ]
    base = alt.Chart().encode(y=y)
    zone = base.mark_bar(color=MET_ZONE_COLOR, size=INDICATOR_ROW_STEP * 0.7).encode(
        x=alt.X("zone_lo:Q", scale=x_scale, axis=x_axis),
        x2="zone_hi:Q",
        tooltip=[
            alt.Tooltip("label:N", title=tr("chart.indicator")),
            alt.Tooltip("target_text:N", title=tr("chart.met_zone")),
        ],
    )
    ticks = [
        base.mark_tick(color=TARGET_COLOR, thickness=2, size=INDICATOR_ROW_STEP * 0.7).encode(
            x=alt.X(f"{bound}:Q", scale=x_scale, axis=x_axis),
            tooltip=[alt.Tooltip("target_text:N", title=tr("chart.target"))],
        )
        for bound in ("tmin", "tmax")
    ]
    point = base.mark_point(filled=True, size=90, opacity=1).encode(
        x=alt.X("value:Q", scale=x_scale, axis=x_axis),
        color=alt.Color("status:N", title=tr("chart.period_value"), scale=status_scale(lang)),
        tooltip=tooltip,
    )
    return alt.layer(zone, *ticks, point, data=_data(rows)).properties(
        width=PANEL_WIDTH, height=alt.Step(INDICATOR_ROW_STEP)
    )


def _target_text(ind: Mapping[str, Any], lang: str) -> str:
    target = ind.get("target") or {}
    if lang == "en" and (target.get("min") is not None or target.get("max") is not None):
        bounds = Bounds(min=target.get("min"), max=target.get("max"))
        return prose.bounds_text(bounds, ind.get("unit"), lang)
    return str(target.get("text") or "—")


def indicator_targets_chart(results: Mapping[str, Any], item: str, lang: str = "zh") -> Any | None:
    """Each indicator's period value against its target; ``None`` if none has a value.

    Percent indicators share one axis; every other indicator (seconds, counts, …) has its own,
    because their scales have nothing in common.
    """
    rows = []
    for ind in indicators_of(results, item):
        if ind.get("value") is None:
            continue
        tmin, tmax = _bounds(ind)
        rows.append(
            {
                "code": ind["code"],
                "label": indicator_label(ind, lang),
                "unit": ind["unit"],
                "name": (ind.get("name_en") or ind["name"]) if lang == "en" else ind["name"],
                "value": ind["value"],
                "value_text": value_text(ind["value"], ind["unit"], lang),
                "tmin": tmin,
                "tmax": tmax,
                "target_text": _target_text(ind, lang),
                "status": status_of(ind.get("met"), lang),
                "met": ind.get("met"),
                "direction": ind.get("direction") or "none",
                "direction_text": Tr(lang)(f"chart.direction.{ind.get('direction') or 'none'}"),
            }
        )
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
    title = tr("chart.targets_title", item=_names(results, lang).item(item))
    chart = alt.vconcat(*panels, spacing=10, title=title).resolve_scale(
        x="independent", y="independent"
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


def monthly_trends_chart(results: Mapping[str, Any], item: str, lang: str = "zh") -> Any | None:
    """Monthly values, one small panel per indicator; ``None`` if no indicator has months.

    The target is drawn (dashed) only where it applies to each month (``months_comparable``):
    a half-year count or a rate over a stock taken once has a target for the period alone.
    """
    months = results["period"]["months"]
    labels = month_labels(months, lang)
    rows: list[dict[str, Any]] = []
    panels: list[str] = []
    for ind in indicators_of(results, item):
        monthly = [m for m in ind.get("monthly", []) if m.get("value") is not None]
        if not monthly:
            continue
        unit = _unit_text(ind.get("unit"), lang)  # counts and ratios carry no unit label
        label = indicator_label(ind, lang) + (
            Tr(lang)("chart.unit_suffix", unit=unit) if unit else ""
        )
        panels.append(label)
        tmin, tmax = _bounds(ind) if ind.get("months_comparable") else (None, None)
        status = status_of(ind.get("met"), lang)
        for m in monthly:
            rows.append(
                {
                    "label": label,
                    "month": labels.get(m["month"], m["month"]),
                    "value": m["value"],
                    "value_text": value_text(m["value"], ind["unit"], lang),
                    "tmin": tmin,
                    "tmax": tmax,
                    "status": status,
                    "target_text": _target_text(ind, lang),
                }
            )
    if not rows:
        return None
    x = alt.X("month:O", sort=[labels[m] for m in months], title=None, axis=alt.Axis(labelAngle=0))
    base = alt.Chart()
    tr = Tr(lang)
    color = alt.Color("status:N", title=tr("chart.whole_period"), scale=status_scale(lang))
    line = base.mark_line(point=True).encode(
        x=x,
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=3)),
        color=color,
        tooltip=[
            alt.Tooltip("label:N", title=tr("chart.indicator")),
            alt.Tooltip("month:O", title=tr("chart.month")),
            alt.Tooltip("value_text:N", title=tr("chart.monthly_value")),
            alt.Tooltip("target_text:N", title=tr("chart.target")),
        ],
    )
    rules = [
        base.mark_rule(color=TARGET_COLOR, strokeDash=[4, 3]).encode(
            y=alt.Y(f"min({bound}):Q"),
            tooltip=[alt.Tooltip("target_text:N", title=tr("chart.target"))],
        )
        for bound in ("tmin", "tmax")
    ]
    title = tr("chart.trends_title", item=_names(results, lang).item(item))
    chart = (
        alt.layer(line, *rules, data=_data(rows))
        .properties(width=TREND_WIDTH, height=TREND_HEIGHT)
        .facet(
            facet=alt.Facet(
                "label:N", sort=panels, title=None, header=alt.Header(labelFontSize=11)
            ),
            columns=TREND_COLUMNS,
            spacing=12,
            title=title,
        )
        .resolve_scale(y="independent")
    )
    description = tr("chart.trends_desc", title=title, n=len(panels), months=len(months))
    return _finish(chart, description)


def vega_lite_spec(chart: Any) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v5.20.1.json"
    return spec
