"""load_with_lines composes with libyaml when it can (ccua/_yaml.py): the same data and lines
as the pure-Python loader, and a problem still reported by the pure-Python loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ccua import _yaml
from ccua.errors import CcuaError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(
    p
    for pattern in ("params/**/*.yaml", "ccua/**/*.yaml")
    for p in ROOT.glob(pattern)
    if p.stat().st_size < 2_000_000
)


def _lines(node: object) -> dict:
    lines: dict = {}
    if node is not None:
        _yaml._index(node, (), lines)  # type: ignore[arg-type]
    return lines


def test_libyaml_is_there_to_be_used() -> None:
    assert hasattr(yaml, "CSafeLoader"), "PyYAML without libyaml: every load is 10x slower"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_shipped_files_come_out_the_same_either_way(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = _yaml._compose_fast(text, str(path))
    assert fast is not None
    slow = _yaml._compose(text, str(path))
    assert fast[1] == slow[1]
    assert _lines(fast[0]) == _lines(slow[0])


def test_a_valid_file_never_reaches_the_slow_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(text: str, file: str) -> None:
        raise AssertionError("composed by the pure-Python loader")

    monkeypatch.setattr(_yaml, "_compose", slow)
    data, lines = _yaml.load_with_lines("items:\n  2.10:\n    a: 1\n  2.1: x\n", "r.yaml")
    assert data == {"items": {"2.10": {"a": 1}, "2.1": "x"}}  # keys kept as written
    assert lines[("items", "2.1")] == 4


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a:\n\t- 1\n",  # a tab
        "a: [1, 2\n",  # unclosed
        "? [1]\n: x\n",  # a key that is a list
        "a: \x07\n",  # a control character
        "a: &x [*x]\n",  # recursive alias
    ],
)
def test_a_problem_is_reported_by_the_pure_python_loader(text: str) -> None:
    with pytest.raises(CcuaError) as fast:
        _yaml.load_with_lines(text, "bad.yaml")
    with pytest.raises(CcuaError) as slow:
        _yaml._compose(text, "bad.yaml")
    assert str(fast.value) == str(slow.value) and "bad.yaml" in str(fast.value)
