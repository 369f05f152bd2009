"""The compiled framework cache (ccua/spec/_cache.py): right, invalidated by content, safe."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from ccua.spec import FRAMEWORKS_DIR, Framework
from ccua.spec._cache import cache_dir, cached_framework, framework_key
from ccua.spec._loader import _load


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CCUA_CACHE_DIR", str(folder))
    monkeypatch.delenv("CCUA_NO_CACHE", raising=False)
    return folder


def _counted(framework_id: str = "t-ccua", root: Path = FRAMEWORKS_DIR):
    calls = []

    def load() -> Framework:
        calls.append(1)
        return _load(framework_id, root)

    return load, calls


def test_second_load_comes_from_the_cache_and_equals_the_validated_framework(cache: Path) -> None:
    load, calls = _counted()
    first = cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    second = cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    assert calls == [1]  # validated once
    assert second == first == _load("t-ccua", FRAMEWORKS_DIR)
    assert second is not first  # unpickled, not the same object
    assert len(list(cache.glob("framework-t-ccua-*.pickle"))) == 1


def test_both_bundled_frameworks_round_trip(cache: Path) -> None:
    for fid in ("t-ccua", "ccea-guideline"):
        load, _ = _counted(fid)
        cached_framework(fid, FRAMEWORKS_DIR, load, Framework)
        load2, calls = _counted(fid)
        assert cached_framework(fid, FRAMEWORKS_DIR, load2, Framework) == _load(fid, FRAMEWORKS_DIR)
        assert calls == []


def test_a_changed_framework_file_changes_the_key(tmp_path: Path, cache: Path) -> None:
    root = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR / "t-ccua", root / "t-ccua")
    shutil.copytree(FRAMEWORKS_DIR / "scales", root / "scales")
    before = framework_key("t-ccua", root)
    load, calls = _counted("t-ccua", root)
    cached_framework("t-ccua", root, load, Framework)
    item = root / "t-ccua" / "items" / "DO6.yaml"
    text = item.read_text(encoding="utf-8")
    item.write_text(text.replace("name: 放弃率\n", "name: 放弃比率\n", 1), encoding="utf-8")
    assert framework_key("t-ccua", root) != before
    fw = cached_framework("t-ccua", root, load, Framework)
    assert calls == [1, 1]  # validated again, not the stale copy
    assert fw.indicator("DO6.9").name == "放弃比率"
    assert len(list(cache.glob("framework-t-ccua-*.pickle"))) == 1  # the stale one removed


def test_two_installs_keep_their_own_files(tmp_path: Path, cache: Path) -> None:
    # Two checkouts of ccua (before/after benchmarks, two venvs) alternating must not evict
    # each other's compiled framework at every call.
    other = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR / "t-ccua", other / "t-ccua")
    shutil.copytree(FRAMEWORKS_DIR / "scales", other / "scales")
    (other / "t-ccua" / "framework.yaml").write_text(
        (FRAMEWORKS_DIR / "t-ccua" / "framework.yaml").read_text(encoding="utf-8") + "\n# other\n",
        encoding="utf-8",
    )
    load, calls = _counted()
    load_other, calls_other = _counted("t-ccua", other)
    for _ in range(2):
        cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
        cached_framework("t-ccua", other, load_other, Framework)
    assert calls == calls_other == [1]
    assert len(list(cache.glob("framework-t-ccua-*.pickle"))) == 2


def test_the_key_covers_the_shared_scales(tmp_path: Path) -> None:
    root = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR / "ccea-guideline", root / "ccea-guideline")
    shutil.copytree(FRAMEWORKS_DIR / "scales", root / "scales")
    before = framework_key("ccea-guideline", root)
    scale = next((root / "scales").glob("*.yaml"))
    scale.write_text(scale.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert framework_key("ccea-guideline", root) != before


@pytest.mark.parametrize(
    "content", [b"", b"not a pickle", pickle.dumps({"id": "t-ccua"}), pickle.dumps(["x"])[:5]]
)
def test_a_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(
    cache: Path, content: bytes
) -> None:
    load, calls = _counted()
    cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    (path,) = cache.glob("framework-t-ccua-*.pickle")
    path.write_bytes(content)
    fw = cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    assert calls == [1, 1] and isinstance(fw, Framework) and fw.id == "t-ccua"
    assert pickle.loads(path.read_bytes()) == fw  # rewritten


def test_an_unwritable_cache_folder_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CCUA_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot exist
    load, calls = _counted()
    assert cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework).id == "t-ccua"
    assert cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework).id == "t-ccua"
    assert calls == [1, 1]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_is_not_trusted(cache: Path) -> None:
    load, calls = _counted()
    cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    cache.chmod(0o777)
    try:
        cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    finally:
        cache.chmod(0o700)
    assert calls == [1, 1]


def test_switched_off(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv("CCUA_NO_CACHE", "1")
    assert cache_dir() is None
    load, calls = _counted()
    cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    cached_framework("t-ccua", FRAMEWORKS_DIR, load, Framework)
    assert calls == [1, 1] and not cache.exists()


def test_invalid_frameworks_are_not_cached(tmp_path: Path, cache: Path) -> None:
    from ccua.errors import CcuaError

    root = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR / "t-ccua", root / "t-ccua")
    shutil.copytree(FRAMEWORKS_DIR / "scales", root / "scales")
    (root / "t-ccua" / "items" / "DO6.yaml").write_text("code: DO6\npoints: [\n", encoding="utf-8")
    load, _ = _counted("t-ccua", root)
    for _ in range(2):
        with pytest.raises(CcuaError, match="DO6.yaml"):
            cached_framework("t-ccua", root, load, Framework)
    assert not list(cache.glob("*.pickle"))
