"""What produced a run: the ``provenance`` of results.json and of each executed notebook.

A run records the code (ccua's version, the source commit with a dirty flag, a hash of the
source itself), the framework (id, version, a hash of its data), every input file used (path
and sha256: params, engagement files, ratings, monthly sheet, claims, ingested record
partitions), the lock file's hash, and the Python and package versions that shape the output.

Nothing here depends on the time, the machine's paths or the order files are found in: the
same inputs with the same code and environment give the same provenance, byte for byte
(``ccua verify`` relies on it). Paths are relative: input paths to the inputs' common folder
(``root``), which is itself given relative to the run folder.

Pure but for reading the files it hashes; the code and environment facts are gathered once per
process (a run's code does not change under it).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccua import __version__
from ccua._io import sha256_file

if TYPE_CHECKING:
    from ccua.engagement import EngagementData
    from ccua.spec import Framework

PROVENANCE_VERSION = 1
LOCK_FILE = "uv.lock"
PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
# Beside the package in a checkout: what the notebooks and the report are made from.
PROJECT_SOURCES = ("notebooks", "templates", "_quarto.yml")
# What the git dirty flag looks at: the code, the notebooks, the report, the environment.
DIRTY_PATHS = ("ccua", "notebooks", "templates", "_quarto.yml", "pyproject.toml", LOCK_FILE)
# Distributions whose versions shape the output (parsing the inputs, computing, charts,
# notebooks, the report). pandoc and Quarto are programs: their own versions are asked.
PACKAGES = (
    "pydantic",
    "openpyxl",
    "duckdb",
    "pyarrow",
    "pandas",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbclient",
    "ipykernel",
    "pypandoc-binary",
    "typst",
)
_SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache"})
GIT_TIMEOUT = 10


def _files_under(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in filenames:
            if not name.endswith((".pyc", ".pyo", ".tmp")):
                out.append(Path(dirpath) / name)
    return out


def tree_sha256(paths: Iterable[Path], base: Path) -> str:
    """One hash of many files: their paths (relative to ``base``) and contents, sorted."""
    lines = sorted(
        f"{p.relative_to(base).as_posix()}\0{sha256_file(p)}\n"
        for root in paths
        for p in _files_under(root)
    )
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- the code
def _output(*command: str, timeout: float) -> str | None:
    """What a program prints, or None when it fails or does not answer in time."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _git(*args: str) -> str | None:
    git = shutil.which("git")
    if git is None or not (PROJECT_ROOT / ".git").exists():
        return None
    return _output(git, "-C", str(PROJECT_ROOT), *args, timeout=GIT_TIMEOUT)


@functools.lru_cache(maxsize=1)
def source_info() -> dict[str, Any]:
    """ccua's version, the commit of the checkout it runs from (None when installed from a
    package), whether the code differs from that commit, and a hash of the code itself."""
    head = _git("rev-parse", "HEAD")
    commit = head.strip() if head else None
    dirty = None
    if commit is not None:
        status = _git("status", "--porcelain", "--", *DIRTY_PATHS)
        dirty = None if status is None else bool(status.strip())
    roots = [PACKAGE_ROOT] + [
        PROJECT_ROOT / name for name in PROJECT_SOURCES if (PROJECT_ROOT / name).exists()
    ]
    return {
        "version": __version__,
        "commit": commit,
        "dirty": dirty,
        "source_sha256": tree_sha256(roots, PROJECT_ROOT),
    }


# ---------------------------------------------------------------- the environment
def _pandoc_version() -> str | None:
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_version())
    except Exception:  # not installed, or no binary: the report falls back or stops there
        return None


def _quarto_version() -> str | None:
    quarto = shutil.which("quarto")
    version = _output(quarto, "--version", timeout=60) if quarto else None
    return (version or "").strip() or None


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def environment_info() -> dict[str, Any]:
    """The Python, the lock file and the versions of what shapes the output."""
    lock = PROJECT_ROOT / LOCK_FILE
    packages: dict[str, str | None] = {name: _version(name) for name in PACKAGES}
    packages["pandoc"] = _pandoc_version()
    packages["quarto"] = _quarto_version()
    return {
        "python": platform.python_version(),
        "lock": {"file": LOCK_FILE, "sha256": sha256_file(lock)} if lock.is_file() else None,
        "packages": packages,
    }


# ---------------------------------------------------------------- the framework and inputs
def framework_info(fw: Framework) -> dict[str, Any]:
    from ccua.spec import FRAMEWORKS_DIR

    folder = FRAMEWORKS_DIR / fw.id
    return {
        "id": fw.id,
        "version": fw.version,
        "sha256": tree_sha256([folder], FRAMEWORKS_DIR) if folder.is_dir() else None,
    }


def input_files(data: EngagementData) -> list[tuple[str, Path]]:
    """Every file the run read, with its role, in a fixed order."""
    out: list[tuple[str, Path]] = [("params", data.params_file)]
    for role, path in data.files.items():
        if role == "records":
            out += [("records", p) for p in _record_files(Path(path))]
        elif Path(path).is_file():
            out.append((role, Path(path)))
    checks = data.folder / "checks.yaml"
    if checks.is_file() and all(p != checks for _, p in out):
        out.append(("checks", checks))
    first: dict[Path, str] = {}
    for role, path in out:
        first.setdefault(path.resolve(), role)
    return [(role, path) for path, role in first.items()]


def _record_files(folder: Path) -> list[Path]:
    """The records a run reads: the manifest and the partitions it lists (never the salt)."""
    from ccua.records import RecordsStore

    store = RecordsStore(folder)
    files = [folder / "manifest.json"]
    files += sorted({folder / rel for s in store.sources() for rel in s["files"]})
    return [p for p in files if p.is_file()]


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def collect(data: EngagementData, run_dir: Path) -> dict[str, Any]:
    """The provenance of a run of ``data`` written to ``run_dir`` (results.json → provenance)."""
    files = input_files(data)
    root = Path(
        os.path.commonpath([data.params_file.parent.resolve(), *(p.parent for _, p in files)])
    )
    return {
        "version": PROVENANCE_VERSION,
        "ccua": source_info(),
        "framework": framework_info(data.framework),
        # the inputs' common folder, relative to the run folder
        "root": _relative(root, Path(run_dir).resolve()),
        "inputs": [
            {
                "role": role,
                "path": _relative(p, root),
                "sha256": sha256_file(p),
                "bytes": p.stat().st_size,
            }
            for role, p in files
        ],
        "environment": environment_info(),
    }


def add_to(results: dict[str, Any], data: EngagementData, run_dir: Path) -> dict[str, Any]:
    """``results`` (the dict written to results.json) with its provenance, as the last key."""
    results.pop("provenance", None)
    results["provenance"] = collect(data, run_dir)
    return results


def notebook_metadata(run_dir: Path, template: Path) -> dict[str, Any] | None:
    """What an executed notebook records (its metadata ``ccua``): the run's provenance and the
    notebook it was executed from. None when the run has no provenance."""
    try:
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    prov = results.get("provenance") if isinstance(results, dict) else None
    if not isinstance(prov, dict):
        return None
    return {
        "provenance": prov,
        "notebook": {
            "name": template.name,
            "sha256": sha256_file(template) if template.is_file() else None,
        },
    }


# ---------------------------------------------------------------- the report's colophon
def colophon(prov: dict[str, Any] | None, lang: str = "zh") -> list[str]:
    """A few plain lines saying what produced the report (in the report's language)."""
    if not prov:
        return []
    code = prov.get("ccua") or {}
    fw = prov.get("framework") or {}
    env = prov.get("environment") or {}
    pk = env.get("packages") or {}
    commit = code.get("commit")
    zh = lang == "zh"
    if commit:
        src = commit[:12] + (
            ("（含未提交的修改）" if zh else " (with uncommitted changes)")
            if code.get("dirty")
            else ""
        )
    else:
        src = "无（已安装的软件包）" if zh else "none (installed package)"
    lock = (env.get("lock") or {}).get("sha256")
    tools = ("、" if zh else ", ").join(
        f"{name} {pk[name]}"
        for name in (
            "pandas",
            "altair",
            "vl-convert-python",
            "papermill",
            "pandoc",
            "typst",
            "duckdb",
            "quarto",
        )
        if pk.get(name)
    )
    n = len(prov.get("inputs") or [])
    if zh:
        return [
            f"本报告由 ccua {code.get('version', '')} 生成；源代码提交 {src}；源代码摘要 "
            f"{str(code.get('source_sha256', ''))[:12]}。",
            f"测评框架 {fw.get('id', '')} {fw.get('version', '')}（数据摘要 "
            f"{str(fw.get('sha256') or '')[:12]}）；输入文件 {n} 个，逐一记录 SHA-256"
            "（results.json → provenance）。",
            f"运行环境：Python {env.get('python', '')}；锁定文件 uv.lock "
            f"{str(lock or '—')[:12]}；{tools}。",
            "复核：ccua verify 运行目录（由记录的输入重新计算，并与 results.json 逐字节比较）。",
        ]
    return [
        f"Produced by ccua {code.get('version', '')}; source commit {src}; source digest "
        f"{str(code.get('source_sha256', ''))[:12]}.",
        f"Framework {fw.get('id', '')} {fw.get('version', '')} (data digest "
        f"{str(fw.get('sha256') or '')[:12]}); {n} input files, each recorded with its SHA-256 "
        "(results.json → provenance).",
        f"Environment: Python {env.get('python', '')}; lock file uv.lock "
        f"{str(lock or '—')[:12]}; {tools}.",
        "To check: ccua verify RUN_FOLDER (recomputes from the recorded inputs and compares "
        "results.json byte for byte).",
    ]
