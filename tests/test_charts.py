"""Charts from results.json: the right marks per item, valid Vega-Lite 5, SVG and PNG with CJK.

The demo client's results are computed in-process (no notebooks); a few charts are rendered
with vl-convert (each render costs a fraction of a second), the rest are checked as specs.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
import vl_convert

from ccua import charts
from ccua.inputs import load_engagement
from ccua.results import build_results
from ccua.results_model import typed
from tests.test_notebooks import guideline_results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_results(load_engagement(ROOT / "params" / "demo.yaml")).data


@pytest.fixture(scope="module")
def guideline() -> dict[str, Any]:
    return guideline_results()


def layer_data(spec: dict[str, Any], top: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows a (sub)chart draws: its own data, else the data Altair lifted to the top."""
    return (spec.get("data") or (top or {})["data"])["values"]


def indicators(results: dict[str, Any], item: str) -> list[dict[str, Any]]:
    return [i for i in results["indicators"] if i["item"] == item]


def ttc_families(path: Path) -> set[str]:
    """Family names (name id 1, Windows English) of every face of a TrueType collection."""
    data = path.read_bytes()
    assert data[:4] == b"ttcf"
    count = struct.unpack(">I", data[8:12])[0]
    families = set()
    for off in struct.unpack(f">{count}I", data[12 : 12 + 4 * count]):
        tables = struct.unpack(">H", data[off + 4 : off + 6])[0]
        for n in range(tables):
            tag, _, start, _ = struct.unpack(">4sIII", data[off + 12 + 16 * n : off + 28 + 16 * n])
            if tag != b"name":
                continue
            _, records, strings = struct.unpack(">HHH", data[start : start + 6])
            for r in range(records):
                pid, _, lang, nid, length, at = struct.unpack(
                    ">HHHHHH", data[start + 6 + 12 * r : start + 18 + 12 * r]
                )
                if pid == 3 and lang == 0x409 and nid == 1:
                    raw = data[start + strings + at : start + strings + at + length]
                    families.add(raw.decode("utf-16-be"))
    return families


# ---------------------------------------------------------------- font and rendering


def test_font_family_is_one_the_bundled_collection_provides():
    from ccua.fonts import FACE_FILE, collection_folder

    ttc = collection_folder() / "NotoSansCJK-Regular.ttc"
    assert charts.FONT_FAMILY in ttc_families(ttc)
    assert charts.FONT_STACK.startswith(f"'{charts.FONT_FAMILY}'")
    # The charts register the SC face alone (extracted once; much faster to lay out).
    from fontTools.ttLib import TTFont

    face = TTFont(str(charts.font_directory() / FACE_FILE))
    assert face["name"].getDebugName(1) == charts.FONT_FAMILY
    assert ord("测") in face.getBestCmap()


def test_indicator_chart_renders_to_svg_and_png_with_chinese_text(demo: dict):
    chart = charts.indicator_targets_chart(typed(demo), "DO6")
    spec = charts.vega_lite_spec(chart, validate=True)  # valid for Altair's schema
    assert spec["$schema"] == charts.VEGA_LITE_SCHEMA
    vl_convert.vegalite_to_vega(spec, vl_version=charts.VEGA_LITE_VERSION)  # compiles as VL 5
    svg = charts.to_svg(spec)
    assert svg.startswith("<svg") and charts.FONT_FAMILY in svg
    # Chinese labels stay text (the PDF renderer draws them with the same font).
    for ind in indicators(demo, "DO6"):
        assert f"{ind['code']} {ind['name']}" in svg
    png = charts.to_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 400 and height > 300


def test_cjk_font_changes_how_chinese_text_is_laid_out():
    """With the font registered, Chinese glyphs have their real (full-em) widths: a title of
    ten ideographs is as wide as ten em, which a font without CJK glyphs cannot give."""
    spec = {
        "$schema": charts.VEGA_LITE_SCHEMA,
        "title": {"text": "测评计分与分值对比图表", "fontSize": 20},
        "data": {"values": [{"x": 1}]},
        "mark": "point",
        "encoding": {"x": {"field": "x", "type": "quantitative", "axis": None}},
        "config": {"font": charts.FONT_STACK},
        "autosize": "pad",
        "width": 10,
    }
    svg = charts.to_svg(spec)
    assert ">测评计分与分值对比图表</text>" in svg
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    assert width >= 11 * 20  # eleven ideographs at 20 px: eleven em at least


def _whole_face_svg(spec: dict[str, Any]) -> str:
    """The SVG drawn with the whole SC face, as before the subset (a process of its own)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", charts._WHOLE_FACE_RENDER, str(charts.font_directory())],
        input=json.dumps({"kind": "svg", "spec": spec, "vl": charts.VEGA_LITE_VERSION}),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_chart_font_subset_draws_the_same_svg_as_the_whole_face(demo: dict, monkeypatch):
    """The subset has the face's own glyphs and metrics for every character of ccua's data:
    the demo's charts in both languages come out byte for byte as with the 16 MB face."""
    from fontTools.ttLib import TTFont

    from ccua.fonts import FACE_FILE, chart_chars, chart_font_folder

    monkeypatch.setenv("CCUA_NO_CACHE", "1")  # rendered, not read from the SVG cache
    folder, chars = chart_font_folder()
    assert chars is not None and folder != charts.font_directory()
    cmap = TTFont(str(folder / FACE_FILE)).getBestCmap()
    assert all(ord(c) in cmap for c in "测评计分与分值对比图表 ≤≥↑↓℃（）%")
    assert {c for c in chart_chars() if ord(c) in cmap} >= set("客户联络中心运营能力测评规范")
    specs = [
        charts.item_scores_chart(typed(demo), "DO", lang="zh"),
        charts.indicator_targets_chart(typed(demo), "DO6", lang="en"),
        charts.monthly_trends_chart(typed(demo), "DO1", lang="zh"),
    ]
    for chart in specs:
        spec = charts.vega_lite_spec(chart)
        assert charts._covered(spec)
        assert charts.to_svg(spec) == _whole_face_svg(spec)


def test_a_character_outside_the_subset_is_drawn_with_the_whole_face(monkeypatch):
    monkeypatch.setenv("CCUA_NO_CACHE", "1")
    spec = {
        "$schema": charts.VEGA_LITE_SCHEMA,
        "title": {"text": "龘䶮测评", "fontSize": 20},  # in the face, not in ccua's texts
        "data": {"values": [{"x": 1}]},
        "mark": "point",
        "encoding": {"x": {"field": "x", "type": "quantitative", "axis": None}},
        "config": {"font": charts.FONT_STACK},
    }
    assert not charts._covered(spec)
    svg = charts.to_svg(spec)
    assert ">龘䶮测评</text>" in svg and svg == _whole_face_svg(spec)
    png = charts.to_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- marks per item


def test_indicator_chart_marks_values_targets_and_results(demo: dict):
    spec = charts.vega_lite_spec(charts.indicator_targets_chart(typed(demo), "DO6"))
    computed = [i for i in indicators(demo, "DO6") if i["value"] is not None]
    percent = [i for i in computed if i["unit"] == "percent"]
    others = [i for i in computed if i["unit"] != "percent"]
    panels = spec["vconcat"]
    assert len(panels) == 1 + len(others)  # percents share one axis, others get one each
    rows = [row for panel in panels for row in layer_data(panel)]
    assert [r["code"] for r in layer_data(panels[0])] == [i["code"] for i in percent]
    assert [layer_data(p)[0]["code"] for p in panels[1:]] == [i["code"] for i in others]
    by_code = {r["code"]: r for r in rows}
    for ind in computed:
        r = by_code[ind["code"]]
        assert r["value"] == ind["value"]
        assert (r["tmin"], r["tmax"]) == (ind["target"]["min"], ind["target"]["max"])
        assert r["status"] == {True: "达标", False: "未达标", None: "无目标"}[ind["met"]]
        # the shaded stretch is the side of the target that counts as met
        if ind["direction"] == "higher" and ind["target"]["max"] is None:
            assert r["zone_lo"] == ind["target"]["min"] and r["zone_hi"] > r["zone_lo"]
        if ind["direction"] == "lower" and ind["target"]["min"] is None:
            assert r["zone_hi"] == ind["target"]["max"]
            assert r["zone_lo"] <= min(ind["value"], ind["target"]["max"])
        if ind["direction"] == "band":
            assert (r["zone_lo"], r["zone_hi"]) == (ind["target"]["min"], ind["target"]["max"])
    # one axis per unit kind: the percent axis reads percent, the others name their unit
    titles = [p["layer"][0]["encoding"]["x"]["axis"]["title"] for p in panels]
    assert titles[0] == "百分比（%）"
    assert all(t.endswith(("（秒）", "（个）")) for t in titles[1:])
    colours = panels[0]["layer"][-1]["encoding"]["color"]["scale"]
    assert colours["domain"] == ["达标", "未达标", "无目标"]


def test_axes_hold_every_value_and_bound(demo: dict):
    for item in ("CB1", "DO6", "DO7", "MI3"):
        spec = charts.vega_lite_spec(charts.indicator_targets_chart(typed(demo), item))
        for panel in spec["vconcat"]:
            lo, hi = panel["layer"][0]["encoding"]["x"]["scale"]["domain"]
            assert 0 <= lo < hi  # fitted to the data, never below zero
            for r in layer_data(panel, spec):
                for v in (r["value"], r["tmin"], r["tmax"]):
                    assert v is None or lo <= v <= hi


def test_monthly_trends_draw_targets_only_where_they_apply_to_months(demo: dict):
    for item in ("CB1", "DO7", "DO6"):
        spec = charts.vega_lite_spec(charts.monthly_trends_chart(typed(demo), item))
        rows = layer_data(spec)
        inds = [i for i in indicators(demo, item) if i["monthly"]]
        panels = spec["facet"]["sort"]
        assert len(panels) == len(inds) and len(rows) == sum(len(i["monthly"]) for i in inds)
        for ind, panel in zip(inds, panels, strict=True):
            assert panel.startswith(f"{ind['code']} {ind['name']}")
            mine = [r for r in rows if r["label"] == panel]
            assert [r["value"] for r in mine] == [m["value"] for m in ind["monthly"]]
            expected = (
                (ind["target"]["min"], ind["target"]["max"])
                if ind["months_comparable"]
                else (None, None)
            )
            assert {(r["tmin"], r["tmax"]) for r in mine} == {expected}
    # CB1.1 is a half-year count: its ≤250 target is not drawn against monthly counts
    cb11 = next(i for i in indicators(demo, "CB1") if i["code"] == "CB1.1")
    assert cb11["months_comparable"] is False and cb11["target"]["max"] == 250


def test_items_without_indicator_values_get_no_indicator_charts(demo: dict):
    assert all(i["value"] is None for i in indicators(demo, "SP2"))
    assert charts.indicator_targets_chart(typed(demo), "SP2") is None
    assert charts.monthly_trends_chart(typed(demo), "SP2") is None


def test_item_scores_grouped_by_domain(demo: dict):
    spec = charts.vega_lite_spec(charts.item_scores_chart(typed(demo)), validate=True)
    rows = layer_data(spec)
    items = demo["assessment"]["items"]
    assert [(r["label"], r["points"], r["score"]) for r in rows] == [
        (f"{i['code']} {i['name']}", i["points"], i["score"]) for i in items
    ]
    groups = {g["code"]: f"{g['code']} {g['name']}" for g in demo["assessment"]["groups"]}
    assert [r["group"] for r in rows] == [groups[i["group"]] for i in items]
    assert spec["facet"]["row"]["sort"] == list(groups.values())
    assert spec["resolve"]["scale"]["y"] == "independent"
    one = charts.vega_lite_spec(charts.item_scores_chart(typed(demo), "MI"))
    assert [r["label"] for r in layer_data(one)] == [
        "MI1 流量预测",
        "MI2 多媒体应用",
        "MI3 实体服务一体化",
    ]
    assert "facet" not in one


def test_subtotals_per_domain_and_category(demo: dict):
    spec = charts.vega_lite_spec(charts.subtotals_chart(typed(demo)), validate=True)
    domains, categories = spec["vconcat"]
    a = demo["assessment"]
    assert [(r["points"], r["score"]) for r in layer_data(domains)] == [
        (g["points"], g["score"]) for g in a["groups"]
    ]
    assert [(r["label"], r["score"]) for r in layer_data(categories)] == [
        (c["name"], c["score"]) for c in a["categories"]
    ]
    assert spec["description"].endswith(f"（计分合计 {a['total']:.2f}分）")


def test_guideline_charts_use_areas_and_item_percents(guideline: dict):
    spec = charts.vega_lite_spec(charts.subtotals_chart(typed(guideline)), validate=True)
    assert len(spec["vconcat"]) == 1  # no categories in the guideline
    assert spec["vconcat"][0]["title"] == "评审范围小计"
    items = charts.vega_lite_spec(charts.item_scores_chart(typed(guideline), "2"), validate=True)
    expected = [i for i in guideline["assessment"]["items"] if i["group"] == "2"]
    assert [r["percent"] for r in layer_data(items)] == [i["percent"] for i in expected]
    assert items["layer"][-1]["encoding"]["x"]["datum"] == 60  # 遵循标准: 3 of 5
    svg = charts.to_svg(items)
    assert "得分率" in svg and expected[0]["name"] in svg


def test_unknown_chapter_is_a_clear_error(demo: dict):
    from ccua.errors import CcuaError

    with pytest.raises(CcuaError, match="chapter must be one of SP, CB, DO, MI, got 'XX'"):
        charts.item_scores_chart(typed(demo), "XX")


# ---------------------------------------------------------------- months_comparable (results.py)


def test_months_comparable_follows_the_formula_shape_and_aggregation(tccua):
    from ccua.results import months_comparable

    cases = {
        "DO6.9": True,  # share of sums: 放弃量 / 来话量, both summed over the months
        "CB1.3": True,  # mean: (queue + ring time) / answered, all summed
        "DO6.7": True,  # per_fte: volume / (work hours / standard hours), standard averaged
        "CB1.1": False,  # a count reported as is, summed: the target is for the half-year
        "CB1.2": False,  # forwards (summed) over followers (averaged): no monthly footing
        "DO7.1": False,  # leavers over the headcount at the start of the period (first)
        "SP1.1": False,  # documentary: no values at all
    }
    assert {code: months_comparable(tccua, tccua.indicator(code)) for code in cases} == cases


def test_comparable_period_values_lie_among_the_months(demo: dict):
    """A ratio of sums is a weighted mean of the monthly ratios: it lies between the smallest
    and the largest month, which is what lets a chart draw the period target across months."""
    checked = 0
    for ind in demo["indicators"]:
        values = [m["value"] for m in ind["monthly"]]
        if not values:
            continue
        inside = min(values) - 1e-4 <= ind["value"] <= max(values) + 1e-4
        if ind["months_comparable"]:
            assert inside, ind["code"]
            checked += 1
        elif ind["code"] in ("CB1.1", "DO7.1", "MI3.3"):
            assert not inside, ind["code"]  # half-year totals: above every month
    assert checked > 60


def test_target_axis_is_fitted_to_values_and_targets(demo: dict):
    """Issue 13: dots between 86 and 95 % are not crowded into the top of a 0-100 axis; every
    value and bound stays on the axis."""
    spec = charts.vega_lite_spec(charts.indicator_targets_chart(typed(demo), "CB2"))
    panel = spec["vconcat"][0]
    lo, hi = panel["layer"][0]["encoding"]["x"]["scale"]["domain"]
    rows = layer_data(panel, spec)
    points = [r["value"] for r in rows] + [
        b for r in rows for b in (r["tmin"], r["tmax"]) if b is not None
    ]
    assert lo <= min(points) and max(points) <= hi <= 100
    assert (max(points) - min(points)) / (hi - lo) > 0.6  # the data fill most of the axis


def test_score_charts_have_a_legend_for_points_and_score(demo: dict):
    for chart, names in (
        (charts.item_scores_chart(typed(demo), "SP"), ("分值", "计分")),
        (charts.subtotals_chart(typed(demo), lang="en"), ("Points", "Score")),
    ):
        text = json.dumps(charts.vega_lite_spec(chart), ensure_ascii=False)
        assert '"legend"' in text
        for name in names:
            assert f"'{name}'" in text  # the series' names


@pytest.mark.parametrize("which", ["demo", "guideline"])
def test_english_charts_hold_no_chinese(which: str, demo: dict, guideline: dict):
    """Titles, axes, legends, tooltips, descriptions and labels of every chart in English:
    no Chinese but the words the standard has only in Chinese (none in these charts)."""
    import re

    results = demo if which == "demo" else guideline
    han = re.compile(r"[\u4e00-\u9fff]")
    built = [
        charts.item_scores_chart(typed(results), lang="en"),
        charts.subtotals_chart(typed(results), lang="en"),
    ]
    for chapter in results["chapters"]:
        built.append(charts.item_scores_chart(typed(results), chapter["id"], lang="en"))
        for code in chapter["items"]:
            for make in (charts.indicator_targets_chart, charts.monthly_trends_chart):
                chart = make(typed(results), code, lang="en")
                if chart is not None:
                    built.append(chart)
    for chart in built:
        text = json.dumps(charts.vega_lite_spec(chart), ensure_ascii=False)
        found = sorted(set(han.findall(text)))
        assert not found, (charts.description_of(chart), "".join(found))
    # and the Chinese charts stay Chinese
    zh_spec = charts.vega_lite_spec(charts.subtotals_chart(typed(results)))
    zh = json.dumps(zh_spec, ensure_ascii=False)
    assert han.search(zh)


# ---------------------------------------------------------------- specs without Altair


def _every_chart(module: Any, results: dict[str, Any], lang: str) -> list[str]:
    """Every chart's spec; ccua.charts takes the typed results, the Altair reference the dict."""
    r = typed(results) if module is charts else results
    specs = [
        module.item_scores_chart(r, lang=lang),
        module.subtotals_chart(r, lang=lang),
    ]
    for ch in results["chapters"]:
        specs.append(module.item_scores_chart(r, ch["id"], lang=lang))
        for code in ch["items"]:
            specs.append(module.indicator_targets_chart(r, code, lang=lang))
            specs.append(module.monthly_trends_chart(r, code, lang=lang))
    return [
        json.dumps(module.vega_lite_spec(s), ensure_ascii=False) for s in specs if s is not None
    ]


@pytest.mark.parametrize(("which", "lang"), [("demo", "zh"), ("guideline", "zh")])
def test_specs_are_what_altair_writes_for_the_same_charts(
    which: str, lang: str, demo: dict, guideline: dict
):
    """The charts are written as dicts, without Altair; the report must not change: every
    chart's spec is, byte for byte, what Altair wrote (tests/altair_charts.py)."""
    from tests import altair_charts

    results = demo if which == "demo" else guideline
    ours, altairs = _every_chart(charts, results, lang), _every_chart(altair_charts, results, lang)
    assert len(ours) == len(altairs) > 3
    for mine, theirs in zip(ours, altairs, strict=True):
        assert mine == theirs


def test_notebook_charts_need_no_altair():
    """The notebooks' chart functions build every spec without importing Altair (nor
    jsonschema, which it brings)."""
    code = (
        "import json, sys\n"
        "from ccua.inputs import load_engagement\n"
        "from ccua.results import build_results\n"
        "from ccua import charts\n"
        f"r = build_results(load_engagement({str(ROOT / 'params' / 'demo.yaml')!r})).results\n"
        "specs = [charts.vega_lite_spec(charts.item_scores_chart(r)),\n"
        "         charts.vega_lite_spec(charts.subtotals_chart(r)),\n"
        "         charts.vega_lite_spec(charts.indicator_targets_chart(r, 'DO6')),\n"
        "         charts.vega_lite_spec(charts.monthly_trends_chart(r, 'DO6'))]\n"
        "assert all(s['$schema'] == charts.VEGA_LITE_SCHEMA for s in specs)\n"
        "print(json.dumps(sorted(m for m in ('altair', 'jsonschema') if m in sys.modules)))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


# ---------------------------------------------------------------- the SVG cache

TINY = {
    "$schema": charts.VEGA_LITE_SCHEMA,
    "data": {"values": [{"x": 1, "t": "测评"}]},
    "mark": "text",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "t"}},
    "config": {"font": charts.FONT_STACK},
}


def _cached(folder: Path) -> list[Path]:
    return sorted((folder / "svg").glob("*.svg")) if (folder / "svg").is_dir() else []


def test_svg_cache_gives_the_bytes_a_render_gives(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CCUA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CCUA_NO_CACHE", raising=False)
    first = charts.to_svg(TINY)
    [path] = _cached(tmp_path)
    assert path.read_text(encoding="utf-8") == first
    rendered = charts._vl_convert().vegalite_to_svg(TINY, vl_version=charts.VEGA_LITE_VERSION)
    assert first == rendered
    # read back, not rendered again: a marker written into the file comes back
    path.write_text(first.replace("测评", "cached"), encoding="utf-8")
    assert ">cached<" in charts.to_svg(TINY)
    # another spec, another file
    other = dict(TINY, data={"values": [{"x": 2, "t": "测评"}]})
    charts.to_svg(other)
    assert len(_cached(tmp_path)) == 2


def test_svg_cache_renders_again_over_a_damaged_file(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CCUA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CCUA_NO_CACHE", raising=False)
    first = charts.to_svg(TINY)
    [path] = _cached(tmp_path)
    path.write_text(first[: len(first) // 2], encoding="utf-8")  # cut short
    assert charts.to_svg(TINY) == first
    assert path.read_text(encoding="utf-8") == first


def test_svg_cache_off_or_untrusted_writes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CCUA_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CCUA_NO_CACHE", "1")
    assert charts.to_svg(TINY).startswith("<svg")
    assert not (tmp_path / "c").exists()
    monkeypatch.delenv("CCUA_NO_CACHE")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # others may write here: their SVGs are not read
    monkeypatch.setenv("CCUA_CACHE_DIR", str(shared))
    assert charts.to_svg(TINY).startswith("<svg")
    assert _cached(shared) == []
