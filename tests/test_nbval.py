"""Every shipped notebook passes ``pytest --nbval-lax`` (run inside ``./scripts/test``).

The notebooks under notebooks/ and notebooks/teaching/ are copied byte for byte into a tmp
folder that mirrors the project: ``params/demo.yaml`` and its engagement folder (the form
notebook's default, ``../params/demo.yaml``; a copy, so that nothing in the real client can
change), and ``notebooks/results.json``, the demo client's results computed in process by
``ccua.results.build_results`` (the domain, engagement and scorecard notebooks' default
``results_path = "results.json"`` is the file a run writes beside them). Then two pytest
subprocesses (half the notebooks each, side by side) run nbval on them: with
``--nbval-lax`` a notebook passes when every cell runs without an error (outputs are not
compared; the notebooks are committed without outputs). Subprocesses keep nbval's collection
out of this session, so no other test runs twice; their kernels use this environment
(``--nbval-current-env``).

Time: about 30-45 s on a 2-core machine (one kernel per notebook, 8 notebooks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ccua.inputs import load_engagement
from ccua.results import build_results, dumps

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def shipped_notebooks() -> list[Path]:
    return sorted([*NOTEBOOKS.glob("*.ipynb"), *NOTEBOOKS.glob("teaching/*.ipynb")])


def test_every_notebook_is_shipped_without_outputs() -> None:
    import nbformat

    books = shipped_notebooks()
    assert {p.parent.name for p in books} == {"notebooks", "teaching"}
    for path in books:
        book = nbformat.read(path, as_version=4)
        assert any("parameters" in c.metadata.get("tags", []) for c in book.cells), path.name
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_every_shipped_notebook_passes_nbval_lax(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    shutil.copy2(ROOT / "params" / "demo.yaml", project / "params" / "demo.yaml")
    shutil.copytree(ROOT / "params" / "demo", project / "params" / "demo")
    copies = []
    for path in shipped_notebooks():
        target = project / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copies.append(str(target.relative_to(project)))
    results = build_results(load_engagement(project / "params" / "demo.yaml")).results
    (project / "notebooks" / "results.json").write_text(dumps(results), encoding="utf-8")

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    # two pytest processes side by side (a kernel's start is mostly imports on one core)
    halves = [copies[0::2], copies[1::2]]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "--nbval-lax",
                "--nbval-current-env",
                "--nbval-cell-timeout=300",
                "-p",
                "no:cacheprovider",
                "-v",
                "--durations=0",
                *half,
            ],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for half in halves
    ]
    outputs = []
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        outputs.append((proc.returncode, out))
    elapsed = time.perf_counter() - started
    for code, out in outputs:
        assert code == 0, out[-6000:]
    stdout = "\n".join(out for _, out in outputs)
    # every shipped notebook was collected and each of its code cells passed
    import nbformat

    for name in copies:
        cells = [
            c for c in nbformat.read(project / name, as_version=4).cells if c.cell_type == "code"
        ]
        # (pytest -v prints nbval's items as notebooks/x::ipynb::Cell 0)
        prefixes = (f"{name}::", f"{name.removesuffix('.ipynb')}::ipynb::")
        passed = [
            line for line in stdout.splitlines() if line.startswith(prefixes) and "PASSED" in line
        ]
        assert len(passed) == len(cells), (name, stdout[-3000:])
    print(f"nbval: {len(copies)} notebooks in {elapsed:.1f} s")
    print("\n".join(line for line in stdout.splitlines() if " call " in line))
    # nothing of the real client changed
    assert (ROOT / "params" / "demo" / "ratings.yaml").read_bytes() == (
        project / "params" / "demo" / "ratings.yaml"
    ).read_bytes()
