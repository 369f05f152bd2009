"""The portfolio as a static site: works from the file system and from any static web server.

``index.html``: every client's latest grade and total, a sparkline of its totals over time,
its last engagement and links to its reports; portfolio charts (grade distribution, an item
heat map across clients, indicator distributions); filters by segment and period. One file of
HTML, CSS and a little JavaScript (no fetch, so ``file://`` works), plus each client's report
files copied under ``clients/<client>/<period>/``. The language follows ``lang`` (zh / en).
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ccua._io import atomic_write_text

_WORDS = {  # key: (zh, en)
    "title": ("测评组合", "Assessment portfolio"),
    "clients": ("客户", "Client"),
    "segment": ("行业", "Segment"),
    "period": ("测评期间", "Period"),
    "grade": ("等级", "Grade"),
    "total": ("总分", "Total"),
    "trend": ("趋势", "Trend"),
    "reports": ("报告", "Reports"),
    "all": ("全部", "All"),
    "grades": ("等级分布", "Grade distribution"),
    "heat": ("能力项得分率（%）", "Item percent (%)"),
    "indicators": ("关键指标分布", "Indicator distributions"),
    "runs": ("次测评", "runs"),
    "filter": ("筛选", "Filter"),
    "shown": ("显示", "shown"),
    "of": ("/", "of"),
    "ended": ("期间止于", "period ending from"),
    "any": ("不限", "any"),
}
TEXT = {lang: {k: v[n] for k, v in _WORDS.items()} for n, lang in enumerate(("zh", "en"))}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
sans-serif;margin:24px;color:#1f2328}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d0d7de;padding:4px 8px}
th{background:#f6f8fa}td.num{text-align:right}.filters{margin:12px 0}
.filters select{margin-right:16px}.heat td{width:34px;text-align:center;font-size:11px}
.bar{fill:#4c78a8}.dot{fill:#4c78a8;opacity:.55}
"""

SCRIPT = """
function applyFilters(){
  var seg=document.getElementById('segment').value, from=document.getElementById('from').value;
  var rows=document.querySelectorAll('tr.client'), shown=0;
  rows.forEach(function(r){
    var ok=(seg===''||r.dataset.segment===seg)&&(from===''||r.dataset.end>=from);
    r.style.display=ok?'':'none'; if(ok) shown++;
  });
  document.querySelectorAll('tr.heat-row').forEach(function(r){
    r.style.display=(seg===''||r.dataset.segment===seg)&&(from===''||r.dataset.end>=from)?'':'none';
  });
  document.getElementById('shown').textContent=shown;
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def sparkline(values: Sequence[float], width: int = 90, height: int = 22) -> str:
    """An inline SVG line of a client's totals over time."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    xy = [
        (f"{i * step:.1f}", f"{height - 2 - (v - lo) / span * (height - 4):.1f}")
        for i, v in enumerate(values)
    ]
    points = " ".join(f"{x},{y}" for x, y in xy)
    dots = "".join(f"<circle cx='{x}' cy='{y}' r='2' fill='#4c78a8'/>" for x, y in xy)
    return (
        f"<svg class='spark' width='{width + 4}' height='{height}' viewBox='-2 0 "
        f"{width + 4} {height}'><polyline fill='none' stroke='#4c78a8' stroke-width='1.5' "
        f"points='{points}'/>{dots}</svg>"
    )


def _bar_chart(counts: dict[str, int]) -> str:
    width, bar_h = 360, 22
    most = max(counts.values() or [1]) or 1
    rows = []
    for i, (label, n) in enumerate(counts.items()):
        w = 260 * n / most
        rows.append(
            f"<text x='0' y='{i * bar_h + 15}' font-size='12'>{_e(label)}</text>"
            f"<rect class='bar' x='60' y='{i * bar_h + 4}' width='{w:.1f}' height='14'/>"
            f"<text x='{66 + w:.1f}' y='{i * bar_h + 15}' font-size='12'>{n}</text>"
        )
    return f"<svg width='{width}' height='{len(counts) * bar_h + 6}'>" + "".join(rows) + "</svg>"


def _strip(values: Sequence[float], width: int = 220) -> str:
    """A strip plot of one indicator's values across clients."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    dots = "".join(
        f"<circle class='dot' cx='{6 + (v - lo) / span * (width - 12):.1f}' cy='9' r='3.5'/>"
        for v in values
    )
    return f"<svg width='{width}' height='18'>{dots}</svg>"


def _heat_colour(percent: float | None) -> str:
    if percent is None:
        return "#ffffff"
    t = max(0.0, min(1.0, (percent - 50) / 50))
    r, g, b = int(247 - t * 200), int(251 - t * 120), int(255 - t * 75)
    return f"rgb({r},{g},{b})"


def _item_order(clients: Sequence[tuple[Any, ...]], codes: set[str]) -> list[str]:
    """Item codes in the order of the framework (SP, CB, DO, MI), unknown ones last."""
    from ccua.spec import load_framework

    order: dict[str, int] = {}
    for fw_id in dict.fromkeys(row[2] for row in clients):
        try:
            fw = load_framework(fw_id)
        except Exception:  # a framework this ccua does not know: keep the codes' own order
            continue
        for item in fw.items:
            order.setdefault(item.code, len(order))
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def portfolio_data(con: Any) -> dict[str, Any]:
    """Everything the site shows, read from the store in a handful of queries."""
    clients = con.execute(
        """WITH ranked AS (
               SELECT *, row_number() OVER (PARTITION BY client
                                           ORDER BY period_end DESC, recorded_seq DESC) rn
               FROM runs)
           SELECT client, segment, framework, period_start, period_end, total, grade, run_id,
                  source FROM ranked WHERE rn = 1 ORDER BY client"""
    ).fetchall()
    history = con.execute(
        "SELECT client, list(CAST(total AS DOUBLE) ORDER BY period_end, recorded_seq), "
        "count(*) FROM runs GROUP BY client"
    ).fetchall()
    runs = con.execute(
        "SELECT client, period_start, period_end, source FROM runs ORDER BY client, period_end"
    ).fetchall()
    heat = con.execute(
        """WITH ranked AS (
               SELECT run_id, client, segment, period_end, row_number() OVER (
                   PARTITION BY client ORDER BY period_end DESC, recorded_seq DESC) rn
               FROM runs)
           SELECT r.client, r.segment, r.period_end, i.code, CAST(i.percent AS DOUBLE)
           FROM ranked r JOIN run_items i USING (run_id) WHERE rn = 1
           ORDER BY r.client, i.code"""
    ).fetchall()
    indicators = con.execute(
        """WITH ranked AS (
               SELECT run_id, row_number() OVER (
                   PARTITION BY client ORDER BY period_end DESC, recorded_seq DESC) rn
               FROM runs)
           SELECT i.code, list(i.value ORDER BY i.value)
           FROM ranked r JOIN run_indicators i USING (run_id)
           WHERE rn = 1 AND i.value IS NOT NULL GROUP BY i.code ORDER BY i.code"""
    ).fetchall()
    return {
        "clients": clients,
        "history": {c: (t, n) for c, t, n in history},
        "runs": runs,
        "heat": heat,
        "indicators": indicators,
    }


def _report_links(client: str, runs: Sequence[tuple[Any, ...]], out: Path, copy: bool) -> str:
    links = []
    for c, start, end, source in runs:
        if c != client or not source:
            continue
        folder = Path(source)
        folder = folder.parent if folder.name == "results.json" else folder
        files = [
            f
            for f in ("report.html", "report.pdf", "report.en.html", "report.en.pdf")
            if (folder / f).is_file()
        ]
        if not files:
            continue
        target = out / "clients" / client / f"{start}_{end}"
        parts = []
        for f in files:
            if copy:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / f, target / f)
            rel = target.relative_to(out) / f
            parts.append(f"<a href='{_e(rel.as_posix())}'>{_e(f.split('.', 1)[1])}</a>")
        links.append(f"{_e(end)}: " + " ".join(parts))
    return "<br>".join(links)


def build_site(con: Any, out: Path, *, lang: str = "zh", copy_reports: bool = True) -> Path:
    """Write the site into ``out``; return its index.html."""
    t = TEXT[lang]
    data = portfolio_data(con)
    out.mkdir(parents=True, exist_ok=True)
    segments = sorted({row[1] for row in data["clients"]})
    ends = sorted({row[4] for row in data["clients"]})
    rows = []
    grade_counts: dict[str, int] = {}
    for client, segment, _fw, start, end, total, grade, _run, _src in data["clients"]:
        totals, n_runs = data["history"].get(client, ([], 0))
        grade_counts[grade or "—"] = grade_counts.get(grade or "—", 0) + 1
        rows.append(
            f"<tr class='client' data-segment='{_e(segment)}' data-end='{_e(end)}'>"
            f"<td>{_e(client)}</td><td>{_e(segment)}</td><td>{_e(start)}–{_e(end)}</td>"
            f"<td>{_e(grade or '—')}</td><td class='num'>{_e(total)}</td>"
            f"<td>{sparkline([v for v in totals if v is not None])} {n_runs} {t['runs']}</td>"
            f"<td>{_report_links(client, data['runs'], out, copy_reports)}</td></tr>"
        )
    codes = _item_order(data["clients"], {row[3] for row in data["heat"]})
    heat_rows: dict[str, list[str]] = {}
    heat_meta: dict[str, tuple[str, str]] = {}
    for client, segment, end, code, percent in data["heat"]:
        heat_meta[client] = (segment, end)
        cell = "" if percent is None else f"{percent:.0f}"
        heat_rows.setdefault(client, []).append(
            f"<td style='background:{_heat_colour(percent)}' title='{_e(code)}'>{cell}</td>"
        )
    heat_html = "".join(
        f"<tr class='heat-row' data-segment='{_e(heat_meta[c][0])}' "
        f"data-end='{_e(heat_meta[c][1])}'><th>{_e(c)}</th>{''.join(cells)}</tr>"
        for c, cells in heat_rows.items()
    )
    ind_html = "".join(
        f"<tr><td>{_e(code)}</td><td>{_strip(values)}</td>"
        f"<td class='num'>{min(values):.2f}</td>"
        f"<td class='num'>{max(values):.2f}</td></tr>"
        for code, values in data["indicators"]
    )
    options = "".join(f"<option value='{_e(s)}'>{_e(s)}</option>" for s in segments)
    end_options = "".join(f"<option value='{_e(e)}'>{_e(e)}</option>" for e in ends)
    page = f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{t["title"]}</title><style>{CSS}</style><script>{SCRIPT}</script></head>
<body><h1>{t["title"]}</h1>
<div class="filters">{t["segment"]}: <select id="segment" onchange="applyFilters()">
<option value="">{t["all"]}</option>{options}</select>
{t["ended"]}: <select id="from" onchange="applyFilters()"><option value="">{t["any"]}</option>
{end_options}</select> {t["shown"]} <b id="shown">{len(rows)}</b> {t["of"]} {len(rows)}</div>
<table id="clients"><tr><th>{t["clients"]}</th><th>{t["segment"]}</th><th>{t["period"]}</th>
<th>{t["grade"]}</th><th>{t["total"]}</th><th>{t["trend"]}</th><th>{t["reports"]}</th></tr>
{"".join(rows)}</table>
<h2>{t["grades"]}</h2>{_bar_chart(grade_counts)}
<h2>{t["heat"]}</h2><table class="heat"><tr><th></th>
{"".join(f"<th>{_e(c)}</th>" for c in codes)}</tr>{heat_html}</table>
<h2>{t["indicators"]}</h2><table><tr><th></th><th></th><th>min</th><th>max</th></tr>
{ind_html}</table>
<script>window.ccuaPortfolio={json.dumps({"clients": len(rows)})};</script>
</body></html>
"""
    index = out / "index.html"
    atomic_write_text(index, page)
    return index
