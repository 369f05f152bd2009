"""The layers of ccua: the import-linter contracts of pyproject.toml ([tool.importlinter]),
and no private names imported across packages.

Kept contracts must stay kept.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ccua"
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent))

KEPT = (
    "presentation-on-top",
    "core-is-pure",
    "core-layers",
    "no-cycle-notebook-charts",
    "no-cycle-engagement-records",
)
# "importer: what" of the private imports still waiting for their owner (issue 12).
ALLOWED: set[str] = set()


def _check(contract: str) -> subprocess.CompletedProcess[str]:
    if LINT is None:
        pytest.skip("import-linter is not installed (pip install -e .[dev])")
    return subprocess.run(
        [LINT, "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("contract", KEPT)
def test_kept_contract(contract):
    done = _check(contract)
    assert done.returncode == 0, done.stdout[-3000:]


def test_every_contract_of_pyproject_is_checked_here():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ids = [c["id"] for c in config["tool"]["importlinter"]["contracts"]]
    assert sorted(ids) == sorted(KEPT)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(root: Path, dotted: str) -> bool:
    path = root.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def private_imports(root: Path = PACKAGE) -> list[str]:
    """Every import of a private module from outside the package owning it (``ccua.a._x``
    from outside ``ccua.a``), and of a private name from another module, as
    ``file:line: importer: what``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        package = ".".join(parts[:-1])
        module = package if parts[-1] == "__init__" else f"{package}.{parts[-1]}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [(node.module, a.name) for a in node.names]
            else:
                continue
            for target, name in targets:
                if name is not None and _is_module(root, f"{target}.{name}"):
                    target, name = f"{target}.{name}", None  # a module, not a name
                if target.split(".")[0] != "ccua":
                    continue
                dotted = target.split(".")
                owner = next(
                    (".".join(dotted[:i]) for i, p in enumerate(dotted) if _private(p)), None
                )
                what = None
                if owner is not None and not f"{package}.".startswith(f"{owner}."):
                    what = target
                elif name is not None and _private(name) and target != module:
                    what = f"{target}.{name}"
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                if what is not None and f"{where}: {module}: {what}" not in found:
                    found.append(f"{where}: {module}: {what}")
    return found


def test_no_private_imports_across_packages():
    offenders = [f for f in private_imports() if f.split(": ", 1)[1] not in ALLOWED]
    assert not offenders, "private imports across packages:\n" + "\n".join(offenders)


def test_the_private_import_walk_finds_what_it_should(tmp_path):
    pkg = tmp_path / "ccua"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("from ccua.a._x import f\n")
    (pkg / "a" / "_x.py").write_text("def f(): pass\ndef _g(): pass\n")
    (pkg / "a" / "y.py").write_text("from ccua.a._x import _g\nfrom ccua.a import _x\n")
    (pkg / "b.py").write_text("import ccua.a._x\nfrom ccua.a import f\n")
    found = [f.split(": ", 1)[1] for f in private_imports(pkg)]
    assert found == ["ccua.a.y: ccua.a._x._g", "ccua.b: ccua.a._x"]
