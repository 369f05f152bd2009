"""The import-linter contracts of pyproject.toml ([tool.importlinter]): the layers of ccua.

Kept contracts must stay kept. The ones still broken by a known import are expected to fail
(strict): when the import is fixed the test says so, and the mark is to be removed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent))

KEPT = ("presentation-on-top", "core-is-pure", "core-layers", "no-cycle-notebook-charts")
# contract id -> the import that breaks it today (issue 12): the engagement loader lays the
# records over the monthly sheet, so the two packages still import each other.
BROKEN = {
    "no-cycle-engagement-records": "ccua.engagement._load -> ccua.records",
}


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


@pytest.mark.parametrize(
    "contract",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=why))
        for c, why in BROKEN.items()
    ],
)
def test_contract_broken_by_a_known_import(contract):
    done = _check(contract)
    assert done.returncode == 0, done.stdout[-3000:]
