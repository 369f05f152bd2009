"""Two languages, never mixed: catalogs, the formatter, sentences from facts, and the rendered
Markdown/HTML of both demos in both languages scanned for the wrong script.

The scans are pure (no kernel, no Typst): the notebooks' Markdown comes from ccua.notebook's
functions, the report's front part and crosswalk annex from build_document on a run folder
without notebooks; both go through pandoc to HTML and are read as text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pypandoc
import pytest

from ccua import fmt, prose
from ccua import notebook as nb
from ccua.errors import CcuaError
from ccua.i18n import LANGS, Tr, catalog, check_lang, fields, output_name, t
from ccua.inputs import load_engagement
from ccua.report._document import build_document
from ccua.results import build_results
from ccua.results_model import load_run
from ccua.results_v1 import finding_zh, reason_zh
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]
DEMOS = {"t-ccua": "params/demo.yaml", "guideline": "params/demo-guideline.yaml"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Three English words in a row (a sentence or a phrase); codes, units and e-mails are not words.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'-]+[A-Za-z][a-z]+){2,}\b")


# ---------------------------------------------------------------- catalogs


def test_both_catalogs_have_the_same_keys_and_fields():
    zh, en = catalog("zh"), catalog("en")
    assert sorted(set(zh) - set(en)) == [] and sorted(set(en) - set(zh)) == []
    assert [k for k in zh if fields(zh[k]) != fields(en[k])] == []


def test_chinese_catalog_has_no_english_sentence_and_english_no_chinese():
    for key, text in catalog("en").items():
        if key.startswith("value."):  # keys are the engagement's Chinese choices
            continue
        assert not HAN.search(text), (key, text)
    for key, text in catalog("zh").items():
        assert not ENGLISH_RUN.search(text), (key, text)


def test_a_missing_key_is_an_error_not_the_other_language():
    with pytest.raises(CcuaError, match="missing from the en catalog"):
        t("en", "report.no_such_text")
    assert Tr("en").get("report.no_such_text", "x") == "x"


def test_language_names_and_file_names():
    assert check_lang(None) == "zh" and check_lang("EN") == "en" and check_lang("zh-CN") == "zh"
    with pytest.raises(CcuaError, match="unknown language 'fr'"):
        check_lang("fr")
    assert output_name("report.html", "zh") == "report.html"
    assert output_name("report.pdf", "en") == "report.en.pdf"
    assert output_name("SP.ipynb", "en") == "SP.en.ipynb"


# ---------------------------------------------------------------- one formatter


def test_numbers_units_and_dates_per_language():
    assert fmt.fixed(2.4) == "2.40" and fmt.fixed(None) == "—" and fmt.fixed(3.115) == "3.12"
    assert fmt.points(1.7, "zh") == "1.70分" and fmt.points(1.7, "en") == "1.70 points"
    assert fmt.rating(4.0) == "4" and fmt.rating(3.5) == "3.50" and fmt.rating(2.8571) == "2.86"
    assert fmt.percent(16.3) == "16.30%"
    assert (
        fmt.value(18, "seconds", "zh") == "18.00秒" and fmt.value(18, "seconds", "en") == "18.00 s"
    )
    assert fmt.value(230, "count", "zh") == "230.00" and fmt.value(5, "percent", "en") == "5.00%"
    assert fmt.date_text("2026-09-16", "zh") == "2026-09-16"
    assert fmt.date_text("2026-09-16", "en") == "16 Sep 2026"
    assert fmt.date_text("2026年11月", "en") == "Nov 2026"
    assert fmt.date_range("2026-01", "2026-06", "zh") == "2026-01 至 2026-06"
    assert fmt.date_range("2026-01", "2026-06", "en") == "Jan 2026 to Jun 2026"


# ---------------------------------------------------------------- the demos, built in memory


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each demo's results (schema 2, facts) written to a run folder without notebooks."""
    out = {}
    for name, params in DEMOS.items():
        built = build_results(load_engagement(ROOT / params))
        run = tmp_path_factory.mktemp(name)
        data = json.loads(json.dumps(built.results.to_json_dict(), default=str))
        (run / "results.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        out[name] = {"run": run, "results": built.results, "data": data}
    return out


def test_chinese_sentences_from_facts_are_the_schema_1_sentences(runs: dict):
    n = 0
    for r in runs.values():
        data, res = r["data"], r["results"]
        for item, facts in data["findings"].items():
            for f, fact in zip(facts, res.findings[item], strict=True):
                assert prose.finding_text(res, fact, "zh") == finding_zh(res, f)
                assert prose.finding_text(res, fact, "en") != finding_zh(res, f)
                n += 1
        for rule, typed_rule in zip(data["rules"], res.rules, strict=True):
            for k, typed_kpi in zip(rule["kpis"], typed_rule.kpis, strict=True):
                for reason, typed_reason in zip(k["reasons"], typed_kpi.reasons, strict=True):
                    assert prose.reason_text(typed_reason, "zh") == reason_zh(reason)
                    n += 1
    assert n > 100


def test_an_english_finding_says_what_the_numbers_say(runs: dict):
    res = runs["t-ccua"]["results"]
    fact = next(f for f in res.findings["DO7"] if f.code == "indicator_not_met")
    text = prose.finding_text(res, fact, "en")
    ind = res.indicator(fact.indicator)
    assert text.startswith(f"{ind.code} {ind.name_en}: value for the period ")
    assert fmt.value(fact.value, fact.unit, "en") in text
    assert prose.bounds_text(fact.target, fact.unit, "en") in text


def notebook_markdown(results_file: Path, lang: str) -> str:
    r = nb.load_results(results_file, lang=lang)
    blocks = [
        nb.overview_md(r),
        nb.process_md(r),
        nb.team_md(r),
        nb.handover_md(r),
        nb.feedback_md(r),
        nb.key_points_md(r),
        nb.reconciliation_md(r),
        nb.score_table_md(r),
        nb.subtotals_md(r),
        nb.grade_md(r),
        nb.kpi_table_md(r),
        nb.rules_md(r),
    ]
    for chapter in r.chapters:
        blocks.append(nb.chapter_summary_md(r, chapter.id))
        for code in chapter.items:
            blocks += [nb.item_md(r, code), nb.findings_md(r, code)]
    nb.set_language("zh")
    return "\n\n".join(b for b in blocks if b)


def report_markdown(run: Path, lang: str) -> str:
    return build_document(load_run(run), run, None, lang=lang).source


def as_text(markdown: str) -> str:
    """Markdown through pandoc to HTML, read as text (tags, raw Typst blocks dropped)."""
    page = pypandoc.convert_text(
        markdown, "html", format="markdown+east_asian_line_breaks", extra_args=["--wrap=none"]
    )
    page = re.sub(r"<[^>]+>", "\n", page)
    return "\n".join(" ".join(html.unescape(line).split()) for line in page.splitlines())


def quoted_texts(data: dict[str, Any]) -> list[str]:
    """What may stay in the other script: text the client or the assessors wrote (the whole
    engagement, notes, evidence, targets' bases), texts quoted from the standard that it has
    in Chinese only (requirements, sub-points, grade descriptions, rules, thresholds,
    indicator names without an English name) and the crosswalk's notes."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data["engagement"])
    quoted_keys = {
        "text",
        "note",
        "evidence",
        "basis",
        "feedback",
        "issue",
        "topic",
        "reason",
        "document",
        "response",
        "section",
        "title",
        "source",
    }

    def keyed(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "evidence_cited" and isinstance(v, dict):  # the register's titles
                    out.extend(t for titles in v.values() for t in titles)
                    continue
                if k == "target" and (v is None or isinstance(v, dict)):
                    # an indicator's target prints from its bounds; its basis is quoted
                    out.append(str((v or {}).get("basis") or ""))
                    continue
                if k in quoted_keys and isinstance(v, str):
                    out.append(v)
                else:
                    keyed(v)
        elif isinstance(value, list):
            for v in value:
                keyed(v)

    keyed({k: v for k, v in data.items() if k != "engagement"})
    for grade in data["framework"].get("grades") or []:
        out += list(grade.get("process") or []) + list(grade.get("result") or [])
    fws = [load_framework(data["framework"]["id"])] + [
        load_framework(p["to"]) for p in data.get("projections") or []
    ]
    for fw in fws:
        for g in fw.grades:
            out += list(g.process) + list(g.result)
        for item in fw.items:
            for req in item.requirements:
                out.append(req.text)
                out += [sp.text for sp in req.subpoints]
    out += [i["name"] for i in data["indicators"] if not i.get("name_en")]
    return sorted({" ".join(s.split()) for s in out if s}, key=len, reverse=True)


def leftover(text: str, allowed: list[str]) -> str:
    for s in allowed:
        text = text.replace(s, " ")
        text = text.replace(s.replace("、", ", "), " ")  # an enumeration joined in English
    return text


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_english_outputs_hold_no_chinese_outside_quoted_text(runs: dict, demo: str):
    r = runs[demo]
    allowed = quoted_texts(r["data"])
    for name, markdown in (
        ("notebooks", notebook_markdown(r["run"] / "results.json", "en")),
        ("report", report_markdown(r["run"], "en")),
    ):
        rest = leftover(as_text(markdown), allowed)
        stray = sorted({m.group(0) for m in HAN.finditer(rest)})
        assert stray == [], f"{demo} {name}: Chinese outside quoted text: {stray[:20]}"


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_chinese_outputs_hold_no_english_phrase(runs: dict, demo: str):
    r = runs[demo]
    allowed = quoted_texts(r["data"])
    for name, markdown in (
        ("notebooks", notebook_markdown(r["run"] / "results.json", "zh")),
        ("report", report_markdown(r["run"], "zh")),
    ):
        rest = leftover(as_text(markdown), allowed)
        stray = sorted({m.group(0) for m in ENGLISH_RUN.finditer(rest)})
        assert stray == [], f"{demo} {name}: English in the Chinese output: {stray[:20]}"


def test_the_verdict_does_not_quote_the_estimate_under_the_other_framework(runs: dict):
    for r in runs.values():
        if not r["data"].get("projections"):
            continue
        for lang in LANGS:
            source = report_markdown(r["run"], lang)
            opinion = source.split("{#opinion}")[1].split("{#confirmation}")[0]
            annex = source.split("{#annex-crosswalk")[1]
            total = fmt.fixed(r["data"]["projections"][0]["rescaled_total"])
            assert total not in opinion and total in annex


def test_no_placeholder_designation_or_tool_name_in_the_report(runs: dict):
    for r in runs.values():
        for lang in LANGS:
            source = report_markdown(r["run"], lang)
            assert "XXXX" not in source and "ccua 对照数据" not in source
            assert "由 ccua 测评工具计算" not in source.replace(
                r["data"]["engagement"].get("tools") or "\0", ""
            )
