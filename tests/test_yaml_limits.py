"""YAML readers are bounded: aliases, nesting and size cannot hang ccua or exhaust memory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ccua import _limits
from ccua._yaml import fast_load, load_with_lines
from ccua.engagement._load import load_params
from ccua.errors import CcuaError, ValidationFailed
from ccua.inputs import load_engagement
from ccua.ratings import load_ratings
from ccua.records import load_mapping
from ccua.records._definitions import load_definitions
from ccua.spec import load_framework

PARAMS = Path(__file__).resolve().parents[1] / "params"


def laughs(levels: int = 9, head: str = "") -> str:
    """The "billion laughs": every level aliases the previous one nine times."""
    lines = [head.rstrip("\n")] if head else []
    lines.append('l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]')
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(20)
def test_billion_laughs_is_refused_naming_file_and_line():
    with pytest.raises(CcuaError) as info:
        load_with_lines(laughs(), "x.yaml")
    text = str(info.value)
    assert text.startswith("x.yaml:") and "aliases" in text and "100,000" in text
    assert info.value.problem.row is not None and info.value.problem.row <= 10


@pytest.mark.timeout(20)
def test_billion_laughs_as_ratings(tmp_path):
    path = tmp_path / "ratings.yaml"
    path.write_text(laughs(head="framework: t-ccua\nitems: {}\n"), encoding="utf-8")
    with pytest.raises(CcuaError) as info:
        load_ratings(path, load_framework("t-ccua"))
    assert str(path) in str(info.value) and "aliases" in str(info.value)


@pytest.mark.timeout(20)
def test_billion_laughs_as_params(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(laughs(head="client: demo\nengagement: demo\n"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_params(path)
    assert "aliases" in str(info.value) and str(path) in str(info.value)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", ["engagement.yaml", "targets.yaml", "checks.yaml"])
def test_billion_laughs_in_the_engagement_folder(tmp_path, name):
    shutil.copytree(PARAMS / "demo", tmp_path / "demo")
    shutil.copy(PARAMS / "demo.yaml", tmp_path / "demo.yaml")
    (tmp_path / "demo" / name).write_text(laughs(), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_engagement(tmp_path / "demo.yaml")
    assert any(
        "aliases" in p.message and p.file and p.file.endswith(name) for p in info.value.problems
    )


@pytest.mark.timeout(20)
def test_billion_laughs_as_mapping_and_definitions(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(laughs(head="kind: voice\n"), encoding="utf-8")
    with pytest.raises(CcuaError, match="aliases"):
        load_mapping(path)
    path.write_text(laughs(head="version: 1\n"), encoding="utf-8")
    with pytest.raises(CcuaError, match="aliases"):
        load_definitions(load_framework("t-ccua"), path)
    with pytest.raises(CcuaError, match="aliases"):
        fast_load(laughs(), "f.yaml")


@pytest.mark.timeout(20)
def test_merge_key_laughs_are_refused():
    lines = ["m0: &m0 {a: 1, b: 2}"]
    for n in range(1, 40):
        lines.append(f"m{n}: &m{n} {{<<: [*m{n - 1}, *m{n - 1}]}}")
    with pytest.raises(CcuaError, match="aliases"):
        load_with_lines("\n".join(lines), "merge.yaml")


def test_recursive_alias_is_refused():
    with pytest.raises(CcuaError, match="recursive") as info:
        load_with_lines("a: &a\n  b: *a\n", "r.yaml")
    assert info.value.problem.file == "r.yaml"


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text", ["[" * 50_000, "[" * 150 + "]" * 150, "\n".join(" " * i + "a:" for i in range(300))]
)
def test_deep_nesting_is_refused(text):
    with pytest.raises(CcuaError, match="nested"):
        load_with_lines(text, "deep.yaml")


def test_ordinary_aliases_still_work():
    data, lines = load_with_lines("base: &b {rating: 5}\nx: *b\ny: {<<: *b, note: n}\n", "a.yaml")
    assert data == {"base": {"rating": 5}, "x": {"rating": 5}, "y": {"rating": 5, "note": "n"}}
    assert lines[("y",)] == 3


def test_a_yaml_file_beyond_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setitem(_limits.MAX_BYTES, "yaml", 1000)
    path = tmp_path / "ratings.yaml"
    path.write_text("framework: t-ccua\n# " + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(CcuaError, match=r"at most 1,000 bytes") as info:
        load_ratings(path)
    assert str(path) in str(info.value)
    with pytest.raises(CcuaError, match="at most"):
        load_mapping(path)
    with pytest.raises(CcuaError, match="larger than 1,000 bytes"):
        load_with_lines(path.read_text(), str(path))


@pytest.mark.timeout(60)
def test_billion_laughs_in_a_framework_folder(tmp_path):
    from ccua.spec import FRAMEWORKS_DIR

    shutil.copytree(FRAMEWORKS_DIR, tmp_path / "frameworks")
    errata = tmp_path / "frameworks" / "t-ccua" / "errata.yaml"
    errata.write_text(laughs(), encoding="utf-8")
    with pytest.raises(CcuaError, match="aliases") as info:
        load_framework("t-ccua", root=tmp_path / "frameworks")
    assert "errata.yaml" in str(info.value)


@pytest.mark.parametrize("text", ["? [a]\n: 1\n", "? {a: 1}\n: 2\n", "&a x: 1\n? *a\n: 2\n"])
def test_a_mapping_or_list_as_a_key_is_an_error_not_a_traceback(text):
    # Found by the fuzz suite: a complex key made a TypeError (unhashable) in every reader.
    with pytest.raises(CcuaError, match="a key must be a plain name or number|not valid YAML"):
        load_with_lines(text, "k.yaml")


@pytest.mark.parametrize("files", ["true", "[1, 2]", "{a: 1}"])
def test_mapping_files_must_be_patterns(tmp_path, files):
    # Found by the fuzz suite: `files: true` made a TypeError.
    path = tmp_path / "m.yaml"
    path.write_text(f"kind: voice\nfiles: {files}\ncolumns: {{call_id: id}}\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="expected file name patterns"):
        load_mapping(path)
