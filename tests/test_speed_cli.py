"""Pure commands start without the heavy machinery (issue 14, goal 2; docs/speed.md).

Not timed: what is checked is what a `ccua score` process imports, which is what makes it
slow or fast, and that the command line's table of command modules is right.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ccua.cli
from ccua.cli import COMMAND_MODULES, _command_of, app

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "jupyter_client",
    "zmq",
    "papermill",
    "nbformat",
    "nbclient",
    "jsonschema",
    "pandas",
    "numpy",
    "altair",
    "vl_convert",
    "duckdb",
    "openpyxl",
    "IPython",
    "ipywidgets",
    "voila",
    "asyncio",
)

# A `ccua ARGS...` process, as the console script starts it (argv[0] is the script), that
# prints the heavy modules it imported on its last line.
PROBE = """
import json, sys
sys.argv = [sys.argv[1] + "/ccua", *sys.argv[2:]]
import ccua.cli
try:
    ccua.cli.main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["score", "params/worked-example.ratings.yaml"],
        ["kpi", "calc", "DO6.9", "50", "1000"],
        ["spec", "show"],
        ["spec", "show", "--item", "DO6", "--json"],
    ],
)
def test_pure_commands_import_no_jupyter_data_or_chart_machinery(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), str(Path(sys.executable).parent), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


@pytest.mark.skipif(
    importlib.util.find_spec("typer._click") is None, reason="this Typer uses Click itself"
)
@pytest.mark.parametrize(
    ("args", "absent"),
    [
        # One line of output: no Rich at all.
        (["kpi", "calc", "DO6.9", "50", "1000"], ("rich", "click")),
        # Tables: Rich, but not Click itself (Typer brings its own) nor Rich's emoji table.
        (["score", "params/worked-example.ratings.yaml"], ("click", "rich._emoji_codes")),
        (["spec", "show"], ("click", "rich._emoji_codes")),
    ],
)
def test_pure_commands_import_only_what_they_print_with(
    args: list[str], absent: tuple[str, ...]
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=absent), str(Path(sys.executable).parent), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_importing_every_command_module_imports_no_jupyter_either() -> None:
    code = (
        f"import json, sys, ccua.cli; print(json.dumps(sorted(m for m in {HEAVY!r} "
        "if m in sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def _registered_where() -> dict[str, set[str]]:
    """Top-level command or group name → the command modules whose functions it runs."""
    where: dict[str, set[str]] = {}
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        where.setdefault(name, set()).add(info.callback.__module__)
    for group in app.registered_groups:
        sub = group.typer_instance
        modules = {c.callback.__module__ for c in sub.registered_commands}
        where.setdefault(group.name, set()).update(modules)
    return where


def test_the_table_says_which_module_registers_each_command() -> None:
    ccua.cli.load_commands()  # every module (already, in a test process)
    where = _registered_where()
    for module, names in COMMAND_MODULES.items():
        for name in names:
            assert name in where, f"{module} lists {name!r}, which no module registers"
            assert f"ccua.cli.{module}" in where[name], (name, where[name])
    listed = {n for names in COMMAND_MODULES.values() for n in names}
    for name, modules in where.items():
        tabled = {m.rsplit(".", 1)[-1] for m in modules} & set(COMMAND_MODULES)
        if tabled:  # a module in the table registers it: the table must name it there
            assert name in listed, f"{name!r} (in {sorted(modules)}) is missing from the table"


def test_a_command_process_loads_only_its_module() -> None:
    code = (
        "import sys; sys.argv = ['/x/ccua', 'score', 'f.yaml']; import ccua.cli; "
        "import json; print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith('ccua.cli._'))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "ccua.cli._core" in loaded
    for module in ("_run", "_records", "_engagement", "_forms", "_report"):
        assert f"ccua.cli.{module}" not in loaded


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/venv/bin/ccua", "score", "x.yaml"], "score"),
        (["/repo/ccua/__main__.py", "kpi", "calc"], "kpi"),
        (["/venv/bin/ccua", "--help"], None),
        (["/venv/bin/ccua"], None),
        (["/venv/bin/pytest", "score"], None),  # not a ccua process: everything
        (["/x/pkg/__main__.py", "score"], None),
        ([], None),
    ],
)
def test_command_of(argv: list[str], command: str | None) -> None:
    assert _command_of(argv) == command


def test_help_lists_every_module_s_commands() -> None:
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ccua"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for names in COMMAND_MODULES.values():
        for name in names:
            assert f" {name} " in proc.stdout, name


def test_packages_that_export_on_first_use_list_and_give_every_public_name() -> None:
    """ccua, ccua.report and ccua.engagement import their parts on first use (ccua._lazy):
    dir() lists every public name before it is loaded, and each name resolves."""
    import importlib

    for name in ("ccua", "ccua.report", "ccua.engagement"):
        module = importlib.import_module(name)
        assert set(module.__all__) <= set(dir(module)), name
        for public in module.__all__:
            assert getattr(module, public) is not None, f"{name}.{public}"
