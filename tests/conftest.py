"""Shared fixtures: a small synthetic framework written to a temporary folder.

Engine tests use this mini framework so that every expected number below can be computed by
hand; the real T/CCUA data has its own tests (test_spec_tccua.py, test_worked_example.py).
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from ccua.spec import FRAMEWORKS_DIR, Framework, load_framework

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

MINI_HEAD: dict[str, Any] = {
    "id": "mini",
    "name": "迷你框架",
    "name_en": "Mini framework for tests",
    "designation": "TEST",
    "version": "1",
    "source": "tests",
    "scale": "ccea-0-5",
    "levels": {
        "group": {"zh": "能力域", "en": "domain", "en_plural": "domains"},
        "item": {"zh": "能力项", "en": "item", "en_plural": "items"},
        "requirement": {"zh": "要求", "en": "requirement", "en_plural": "requirements"},
        "subpoint": {"zh": "子项", "en": "sub-point", "en_plural": "sub-points"},
    },
    "scoring": {
        "points_at": "item",
        "total_points": 100,
        "rating_levels": ["requirement", "subpoint"],
        "indicator_requirement": True,
    },
    "categories": [
        {"code": "process", "name": "过程类", "name_en": "Process"},
        {"code": "result", "name": "结果类", "name_en": "Result"},
    ],
    "groups": [
        {"code": "A", "name": "甲", "name_en": "A", "category": "process"},
        {"code": "B", "name": "乙", "name_en": "B", "category": "result"},
    ],
    "items": ["A1", "A2", "B1"],
    "grades": [
        {"code": "excellent", "name": "优秀", "name_en": "Excellent", "min": 95, "band": "≥95分"},
        {"code": "good", "name": "良好", "name_en": "Good", "min": 75, "band": "≥75分"},
        {"code": "pass", "name": "合格", "name_en": "Pass", "min": 60, "band": "≥60分"},
        {"code": "improve", "name": "改进", "name_en": "Improve", "min": 0, "band": "≤60分"},
    ],
}

IND_REQ = {
    "code": "c",
    "kind": "indicator",
    "text": "评估与测评结果符合测评关键指标值计算的70%要求",
}

MINI_ITEMS: dict[str, dict[str, Any]] = {
    "A1": {
        "code": "A1",
        "name": "甲一",
        "name_en": "A one",
        "group": "A",
        "points": 40,
        "requirements": [
            {
                "code": "a",
                "text": "要求甲：",
                "subpoints": [{"code": "1", "text": "子一；"}, {"code": "2", "text": "子二。"}],
            },
            {"code": "b", "text": "要求乙；"},
            IND_REQ,
        ],
    },
    "A2": {
        "code": "A2",
        "name": "甲二",
        "name_en": "A two",
        "group": "A",
        "points": 20,
        "requirements": [{"code": "a", "text": "要求甲；"}, {**IND_REQ, "code": "b"}],
    },
    "B1": {
        "code": "B1",
        "name": "乙一",
        "name_en": "B one",
        "group": "B",
        "points": 40,
        "requirements": [
            {"code": "a", "text": "要求甲；"},
            {"code": "b", "text": "要求乙；"},
            IND_REQ,
        ],
        "indicators": [
            {
                "code": "B1.1",
                "name": "放弃率",
                "name_en": "Abandon rate",
                "definition": "d",
                "formula_text": "f",
                "formula_latex": "",
                "function": "share",
                "inputs": ["abandoned", "offered"],
                "unit": "percent",
                "direction": "lower",
                "kind": "ratio",
            }
        ],
    },
}

MINI_MEASURES = [
    {"code": "abandoned", "name": "放弃量", "name_en": "Abandoned", "unit": "count"},
    {"code": "offered", "name": "来话量", "name_en": "Offered", "unit": "count"},
]


def write_framework(
    root: Path,
    head: dict[str, Any],
    items: dict[str, dict[str, Any]],
    measures: list[dict[str, Any]] | None = None,
    errata: list[dict[str, Any]] | None = None,
) -> Path:
    (root / "scales").mkdir(parents=True, exist_ok=True)
    shutil.copy(FRAMEWORKS_DIR / "scales" / "ccea-0-5.yaml", root / "scales" / "ccea-0-5.yaml")
    folder = root / head["id"]
    (folder / "items").mkdir(parents=True, exist_ok=True)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (folder / "framework.yaml").write_text(dump(head), encoding="utf-8")
    (folder / "measures.yaml").write_text(dump(measures or []), encoding="utf-8")
    (folder / "errata.yaml").write_text(dump(errata or []), encoding="utf-8")
    for code, item in items.items():
        (folder / "items" / f"{code}.yaml").write_text(dump(item), encoding="utf-8")
    return root


@pytest.fixture
def mini_parts() -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    return copy.deepcopy(MINI_HEAD), copy.deepcopy(MINI_ITEMS), copy.deepcopy(MINI_MEASURES)


@pytest.fixture
def mini(tmp_path: Path) -> Framework:
    root = write_framework(
        tmp_path / "fw",
        copy.deepcopy(MINI_HEAD),
        copy.deepcopy(MINI_ITEMS),
        copy.deepcopy(MINI_MEASURES),
    )
    return load_framework("mini", root)


@pytest.fixture(scope="session")
def tccua() -> Framework:
    return load_framework("t-ccua")


@pytest.fixture(scope="session")
def seed000() -> str:
    path = SHARED / "seeds" / "000_ce8ed6762ccbc909.txt"
    if not path.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True, scope="session")
def _portfolio_store_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Runs made by tests are recorded in a store of the test session, never in runs/."""
    import os

    path = tmp_path_factory.mktemp("portfolio") / "ccua.duckdb"
    old = os.environ.get("CCUA_PORTFOLIO")
    os.environ["CCUA_PORTFOLIO"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CCUA_PORTFOLIO", None)
    else:
        os.environ["CCUA_PORTFOLIO"] = old
