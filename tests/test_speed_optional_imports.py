"""papermill is told pyarrow is absent (ccua/_imports.py), and nothing else is."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout.strip()


def test_papermill_does_not_import_pyarrow_for_its_hdfs_handler() -> None:
    out = _run(
        "import sys\n"
        "from ccua._imports import skip_slow_optional_imports\n"
        "skip_slow_optional_imports()\n"
        "import papermill.iorw as io\n"
        "print('pyarrow' in sys.modules, 'numpy' in sys.modules)\n"
        "try:\n"
        "    io.HadoopFileSystem()\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    assert out.splitlines() == ["False False", "PapermillOptionalDependencyException"]


def test_every_other_module_still_gets_pyarrow() -> None:
    out = _run(
        "from ccua._imports import skip_slow_optional_imports\n"
        "skip_slow_optional_imports()\n"
        "import papermill\n"
        "import pyarrow.fs, duckdb\n"
        "print(duckdb.sql('select 42 as a').fetch_arrow_table().to_pylist())\n"
    )
    assert out.endswith("[{'a': 42}]")
