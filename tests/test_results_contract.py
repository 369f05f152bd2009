"""The typed contract of results.json: model, loader, migration, JSON Schema, facts."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml

from ccua.errors import CcuaError, ValidationFailed
from ccua.inputs import load_engagement
from ccua.results import build_results, dumps
from ccua.results_model import (
    SCHEMA_VERSION,
    Results,
    json_schema,
    json_schema_text,
    load_run,
    migrate,
    read_results,
)
from ccua.results_v1 import to_v1
from ccua.scaffold import check_client
from tests.cli import run as cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "results.schema.json"
DEMOS = ("demo", "demo-guideline")


@pytest.fixture(scope="module")
def built():
    return {
        name: build_results(load_engagement(ROOT / "params" / f"{name}.yaml")) for name in DEMOS
    }


def test_the_committed_json_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "docs/results.schema.json is stale: run  ccua schema results -o docs/results.schema.json"
    )


def test_ccua_schema_prints_and_writes_it(capsys, tmp_path):
    code, out, _ = cli(capsys, "schema", "results")
    assert code == 0 and json.loads(out) == json_schema()
    code, _, _ = cli(capsys, "schema", "results", "-o", str(tmp_path / "s.json"))
    assert code == 0 and (tmp_path / "s.json").read_text(encoding="utf-8") == json_schema_text()
    code, _, err = cli(capsys, "schema", "engagement")
    assert code == 1 and "no schema 'engagement'" in err


@pytest.mark.parametrize("name", DEMOS)
def test_both_demos_match_the_schema_and_round_trip(built, name, tmp_path):
    result = built[name]
    data = result.results.to_json_dict()
    assert data["schema_version"] == SCHEMA_VERSION
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    (tmp_path / "results.json").write_text(result.results.dumps(), encoding="utf-8")
    again = load_run(tmp_path)
    assert again == result.results  # typed, exact (Decimals)
    assert again.dumps() == result.results.dumps()  # byte for byte
    assert again.assessment.total == Decimal(str(data["assessment"]["total"]))


def test_results_json_as_written_is_what_the_model_gives(built):
    for result in built.values():
        assert dumps(result.results) == dumps(result.data)
        assert json.loads(dumps(result.data)) == result.data


@pytest.mark.parametrize("name", DEMOS)
def test_a_schema_1_run_is_upgraded_on_reading(built, name, tmp_path):
    res = built[name].results
    old = to_v1(res)
    assert old["schema_version"] == 1
    (tmp_path / "results.json").write_text(dumps(old), encoding="utf-8")
    upgraded = load_run(tmp_path)
    assert upgraded.schema_version == SCHEMA_VERSION
    for item, facts in res.findings.items():
        got = upgraded.findings[item]
        assert len(got) == len(facts)
        for new, fact in zip(got, facts, strict=True):
            if fact.code == "rule_result":  # rebuilt from the rule's counts
                assert new == fact
            else:  # the old sentence, kept to print as it was
                assert new.code == "text" and new.text
    old_reasons = [k["reasons"] for r in old["rules"] for k in r["kpis"]]
    new_reasons = [[x.model_dump() for x in k.reasons] for r in upgraded.rules for k in r.kpis]
    assert new_reasons == [[{"code": "text", "text": t} for t in rs] for rs in old_reasons]
    # everything else is the same
    a, b = (
        upgraded.model_dump(exclude={"findings", "rules", "schema_version"}),
        res.model_dump(exclude={"findings", "rules", "schema_version"}),
    )
    assert a == b


def test_facts_carry_what_the_sentences_said(built):
    """The DO7 facts of the demo, and the Chinese sentence made from them (schema 1)."""
    res = built["demo"].results
    do71 = res.indicator("DO7.1")
    not_met = next(
        f for f in res.findings["DO7"] if f.code == "indicator_not_met" and f.indicator == "DO7.1"
    )
    assert not_met.value == do71.value and do71.target is not None
    assert (not_met.target.min, not_met.target.max) == (do71.target.min, do71.target.max)
    v1 = to_v1(res)["findings"]["DO7"]
    assert "DO7.1 人员流失率：期间值 16.30%，未达到目标（≤16%）。" in v1
    kp = next(f for f in res.findings["DO7"] if f.code == "key_point")
    assert (kp.indicator, kp.value, kp.met) == ("DO7.1", do71.value, False)
    assert kp.target is not None and kp.target.max == 16


def _client_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "params" / "demo.yaml", tmp_path / "demo.yaml")
    shutil.copytree(ROOT / "params" / "demo", tmp_path / "demo")
    return tmp_path / "demo.yaml"


def _set_key_point(params: Path, n: int, **fields: object) -> None:
    path = params.parent / "demo" / "engagement.yaml"
    eng = yaml.safe_load(path.read_text(encoding="utf-8"))
    eng["key_points"][n].update(fields)
    path.write_text(yaml.safe_dump(eng, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_key_point_that_contradicts_an_indicator_stops_run_and_check(tmp_path):
    params = _client_copy(tmp_path)
    # the demo's key point 3 as it was: target 3 %, the actual near the limit (met)
    _set_key_point(params, 2, target=3, met=True)
    with pytest.raises(ValidationFailed) as exc:
        build_results(load_engagement(params))
    messages = [str(p) for p in exc.value.problems]
    assert len(messages) == 2
    assert "key_points.2.target" in messages[0] and "DO7.1 人员流失率" in messages[0]
    assert "the target is 3" in messages[0] and "≤16%" in messages[0]
    assert "key_points.2.met" in messages[1] and "not met (16.30% against ≤16%)" in messages[1]
    report = check_client(params)
    assert report.status == "failed"
    assert [p.field for p in report.problems] == ["key_points.2.target", "key_points.2.met"]


def test_key_point_figures_that_agree_pass_and_a_value_is_checked_to_its_decimals(tmp_path):
    params = _client_copy(tmp_path)
    _set_key_point(params, 2, value=16.3)
    assert build_results(load_engagement(params)).results.findings["DO7"]
    _set_key_point(params, 2, value=16.31)  # 16.30 to two decimals
    with pytest.raises(ValidationFailed, match="key_points.2.value"):
        build_results(load_engagement(params))
    _set_key_point(params, 2, value=None, indicator="DO7.9")
    with pytest.raises(ValidationFailed, match="names indicator 'DO7.9'"):
        build_results(load_engagement(params))
    _set_key_point(params, 2, indicator=None)
    with pytest.raises(ValidationFailed, match="names no indicator"):
        build_results(load_engagement(params))


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (None, "has no results.json"),
        ("{", "is not valid JSON"),
        ('{"schema": "other"}', "is not a ccua results file"),
        (
            '{"schema": "ccua.results", "schema_version": 0}',
            "has schema_version 0; this ccua reads 1, 2",
        ),
        (
            '{"schema": "ccua.results", "schema_version": 2, "client": "x"}',
            "does not match the results schema",
        ),
    ],
)
def test_load_run_says_what_is_wrong(tmp_path, write, message):
    if write is not None:
        (tmp_path / "results.json").write_text(write, encoding="utf-8")
    with pytest.raises(CcuaError, match=message):
        load_run(tmp_path)
    with pytest.raises(CcuaError, match="is not a run folder"):
        load_run(tmp_path / "nowhere")


def test_a_wrong_field_is_named(built):
    data = built["demo"].results.to_json_dict()
    data["assessment"]["items"][0]["rated"] = "many"
    with pytest.raises(CcuaError) as exc:
        read_results(json.dumps(data))
    assert exc.value.problem.field == "assessment.items.0.rated"


def test_migrate_leaves_the_current_version_alone(built):
    data = built["demo"].results.to_json_dict()
    assert migrate(data) is data
    assert Results.model_validate(data) == built["demo"].results


@pytest.mark.parametrize("name", DEMOS)
def test_every_fact_agrees_with_the_numbers_it_names(built, name):
    """A fact is the run's own figures: a report sentence made from it cannot disagree."""
    res = built[name].results
    seen = set()
    for item, facts in res.findings.items():
        for f in facts:
            seen.add(f.code)
            if f.code in (
                "indicator_not_met",
                "claim_mismatch",
                "claim_unverifiable",
                "trend_worsening",
                "document_not_met",
            ):
                ind = res.indicator(f.indicator)
                assert ind.item == item
            if f.code == "indicator_not_met":
                assert ind.met is False and f.value == ind.value and ind.target is not None
                assert (f.target.min, f.target.max) == (ind.target.min, ind.target.max)
            elif f.code == "claim_mismatch":
                assert any(
                    c.status == "mismatch"
                    and c.month == f.month
                    and c.claimed == f.claimed
                    and c.recomputed == f.recomputed
                    for c in ind.reconciliation
                )
            elif f.code == "trend_worsening":
                assert ind.trend.label == "worsening" and ind.evaluable
            elif f.code == "document_not_met":
                assert ind.check is not None and not ind.check.met
            elif f.code == "requirement_below_standard":
                req = next(
                    r for r in res.assessment.item(item).requirements if r.code == f.requirement
                )
                assert req.rating == f.rating and f.rating < 3
            elif f.code == "key_point":
                kp = res.engagement.key_points[f.index]
                assert (kp.item, kp.topic, kp.issue) == (item, f.topic, f.issue)
                if f.indicator is not None:
                    assert f.value == res.indicator(f.indicator).value
            elif f.code == "rule_result":
                rule = next(r for r in res.rules if r.rule == f.rule)
                assert (f.passed, f.failed, f.not_measurable) == (
                    rule.counts.passed,
                    rule.counts.failed,
                    rule.counts.not_measurable,
                )
                assert f.kpis == len(rule.kpis)
    assert {"requirement_below_standard", "key_point", "handover_gap"} <= seen


def test_readers_get_the_typed_results_from_either_form(built, tmp_path):
    from ccua.results_model import typed

    res = built["demo"].results
    assert typed(res) is res
    (tmp_path / "results.json").write_text(res.dumps(), encoding="utf-8")
    loaded = load_run(tmp_path)
    data = json.loads(res.dumps())  # the dict the notebooks hand around (floats)
    first = typed(data)
    assert first == loaded and first.assessment.total == Decimal("79.64")
    assert typed(data) is first  # the same dict object: validated once
    assert typed(json.loads(res.dumps())) is not first  # another dict: validated again
    assert loaded.chapter("SP").items and loaded.assessment.group("SP").code == "SP"
    with pytest.raises(CcuaError, match="chapter must be one of .*, got 'XX'"):
        loaded.chapter("XX")
