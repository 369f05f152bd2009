"""The optional framework files (indicators, terms, KPI table, thresholds, rules) on the mini
framework: they load, and every broken reference is reported at once with its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ccua.errors import ValidationFailed
from ccua.spec import load_framework
from tests.conftest import write_framework

INDICATORS = [
    {
        "code": "K1",
        "name": "服务水平",
        "name_en": "Service level",
        "definition": "d",
        "formula_text": "",
        "formula_latex": "",
        "function": "share",
        "inputs": ["abandoned", "offered"],
        "unit": "percent",
        "direction": "higher",
        "kind": "ratio",
        "term": "3.1",
        "used_by": ["A1"],
    },
]
TERMS = {
    "terms": [
        {
            "clause": "3.1",
            "name": "服务水平",
            "name_en": "Service level",
            "definition": "d",
            "indicator": "K1",
        }
    ],
    "abbreviations": [{"abbr": "SL", "zh": "服务水平", "en": "Service level"}],
}
KPI_TABLE = {
    "title": "表",
    "source": "表 A.1",
    "columns": [
        {"name": "指标", "name_en": "KPI", "role": "kpi"},
        {"name": "历史", "name_en": "History", "role": "history"},
        {"name": "当前", "name_en": "Current", "role": "current"},
    ],
    "groups": [{"code": "1", "name": "组", "name_en": "Group", "kpis": ["K1", "B1.1"]}],
}
THRESHOLDS = [
    {
        "id": "t1",
        "section": "1 a)",
        "text": "不小于80%",
        "name_en": "x",
        "quantity": "q",
        "operator": ">=",
        "value": 80,
        "unit": "percent",
        "item": "A1",
        "requirement": "b",
    }
]
RULES = [
    {
        "id": "r1",
        "kind": "kpi_persistence",
        "section": "1 k)",
        "item": "A1",
        "requirement": "b",
        "text": "t",
        "required_share": 0.75,
        "improvement_run": 3,
    }
]


def _write(tmp_path: Path, parts: tuple, **files: Any) -> Path:
    head, items, measures = parts
    root = write_framework(tmp_path / "fw", head, items, measures)
    for name, data in files.items():
        (root / "mini" / f"{name}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root


def _all_files() -> dict[str, Any]:
    import copy

    return copy.deepcopy(
        {
            "indicators": INDICATORS,
            "terms": TERMS,
            "kpi_table": KPI_TABLE,
            "thresholds": THRESHOLDS,
            "rules": RULES,
        }
    )


def test_optional_files_load(tmp_path, mini_parts):
    fw = load_framework("mini", _write(tmp_path, mini_parts, **_all_files()))
    assert [i.code for i in fw.indicators] == ["B1.1", "K1"]
    k1 = fw.indicator("K1")
    assert k1.scope == "framework" and k1.item is None and fw.indicator("B1.1").item == "B1"
    assert fw.kpi_table is not None and fw.kpi_table.kpis == ("K1", "B1.1")
    assert [c.role for c in fw.kpi_table.period_columns] == ["history", "current"]
    assert fw.term("3.1").indicator == "K1" and fw.abbreviations[0].abbr == "SL"
    assert fw.thresholds[0].direction == "higher"
    assert fw.rule("r1").evidence_for == "A1.b"


def test_without_optional_files_nothing_changes(tmp_path, mini_parts):
    fw = load_framework("mini", _write(tmp_path, mini_parts))
    assert (fw.kpi_table, fw.terms, fw.thresholds, fw.rules, fw.framework_indicators) == (
        None,
        (),
        (),
        (),
        (),
    )


def test_every_broken_reference_is_reported_with_its_file(tmp_path, mini_parts):
    files = _all_files()
    files["indicators"][0]["used_by"] = ["Z9"]
    files["indicators"][0]["term"] = "9.9"
    files["indicators"].append(
        {**files["indicators"][0], "code": "A1.7", "term": None, "used_by": []}
    )
    files["terms"]["terms"][0]["indicator"] = "K7"
    files["kpi_table"]["groups"][0]["kpis"] = ["K1", "K1", "NOPE"]
    files["thresholds"][0]["requirement"] = "z"
    files["rules"][0]["requirement"] = "z"
    files["rules"][0]["required_share"] = 1.5
    with pytest.raises(ValidationFailed) as exc:
        load_framework("mini", _write(tmp_path, mini_parts, **files))
    text = str(exc.value)
    for message in (
        "mini/indicators.yaml: indicators.K1: used_by: no item 'Z9'",
        "mini/indicators.yaml: indicators.K1: term '9.9' is not in terms.yaml",
        "framework-level indicator 'A1.7' would read as an item's",
        "mini/terms.yaml: terms: term 3.1: no indicator 'K7'",
        "mini/kpi_table.yaml: groups: KPI 'K1' is listed twice",
        "KPI 'NOPE' is not an indicator",
        "mini/thresholds.yaml: thresholds.t1: no requirement A1.z",
        "mini/rules.yaml: rules.r1: evidence for A1.z, which is not a requirement",
        "required_share must be in (0, 1], got 1.5",
    ):
        assert message in text, message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"operator": "between"}, "operator between takes range: [low, high] and no value"),
        ({"range": [1, 2]}, "operator >= takes value: and no range"),
        ({"operator": "between", "value": None, "range": [9, 1]}, "is not ordered low, high"),
    ],
)
def test_threshold_value_must_fit_its_operator(tmp_path, mini_parts, change, message):
    files = _all_files()
    files["thresholds"][0].update(change)
    with pytest.raises(ValidationFailed) as exc:
        load_framework("mini", _write(tmp_path, mini_parts, **files))
    assert "mini/thresholds.yaml" in str(exc.value) and message in str(exc.value)
