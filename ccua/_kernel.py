"""A notebook kernel for ccua's runs: ipykernel's launcher, without the slow optional imports.

``python -m ccua._kernel -f CONNECTION_FILE`` does what ``python -m ipykernel_launcher`` does
(the python3 kernelspec's command), after :func:`ccua._imports.skip_slow_optional_imports`.
:class:`ccua._kernels.IPCKernelManager` starts kernels this way.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ccua._imports import skip_slow_optional_imports

_launch_filters: list[Any] | None = None

# The runner's settings of its kernels, here because this module is cheap to import: the
# command line reads them before it imports the runner (ccua.cli._start_kernels_ahead).
# Notebooks of one client run this many at a time: kernels spend much of their life starting
# and importing, so two overlap well on the 2-core machines we target.
NOTEBOOK_WORKERS = int(os.environ.get("CCUA_NOTEBOOK_WORKERS", "2"))
# Notebooks run in kernels kept warm between notebooks and clients (ccua._kernels); set
# CCUA_WARM_KERNELS=0 for a fresh kernel per notebook.
WARM_KERNELS = os.environ.get("CCUA_WARM_KERNELS", "1") != "0"


def start_early(workers: int = NOTEBOOK_WORKERS) -> None:
    """Start the warm kernels now, in the background, so that they start and import what
    the notebooks use while the inputs are validated (nothing to do when they run already,
    or with ``CCUA_WARM_KERNELS=0``)."""
    if not WARM_KERNELS:
        return

    import threading

    launched = threading.Event()

    def start() -> None:
        with contextlib.suppress(Exception):  # the run itself says what is wrong
            skip_slow_optional_imports()
            from ccua._kernels import start_ahead

            start_ahead(workers, launched)
        launched.set()

    threading.Thread(target=start, name="ccua-kernels-start", daemon=True).start()
    # Until the kernels' processes are started, this thread waits rather than goes on
    # importing: the two threads would share one interpreter lock, and the kernels (the
    # longest part of a run's start) would start 0.3-0.4 s later.
    launched.wait(timeout=10)


def prepare(folder: str) -> None:
    """Make a kernel that already ran a notebook look as if freshly started in ``folder``.

    Run silently (no execution count) by :mod:`ccua._kernels` before a warm kernel's next
    notebook: a new IPython session (empty namespace, ``In``/``Out`` history and the execution
    count back to 1), the warning filters and "already shown" registries as at launch, the
    working folder, and ccua's own modules as :func:`keep_or_forget_ccua` leaves them.
    Everything else stays imported: that is the point.
    """
    global _launch_filters
    import warnings

    from IPython import get_ipython

    # First the folder: a new session records it as its first directory (``_dh``).
    os.chdir(folder)
    if _launch_filters is None:  # the kernel's first notebook: it is fresh
        _launch_filters = list(warnings.filters)
    else:
        shell = get_ipython()
        if shell is not None:
            shell.reset(new_session=True)
        keep_or_forget_ccua()  # before the filters: what importing it warned, shown again
        warnings.resetwarnings()  # also forgets which warnings were shown
        warnings.filters[:] = _launch_filters  # type: ignore[index]


# ccua's modules in this kernel as the last check left them: each one's namespace, and the
# package's files (path, mtime, size) they were imported from.
_kept: dict[str, dict[str, Any]] | None = None
_kept_files: frozenset[tuple[str, int, int]] | None = None
imported_afresh = 0  # times this kernel imported ccua afresh (a test reads it)

# Names of ccua's modules that change while a notebook runs, by design: the language the
# notebook presents in (set back to the default for the next one) and the fonts registered
# with vl-convert for the process.
NOTEBOOK_STATE = {
    "ccua.notebook": frozenset({"_TR"}),
    "ccua.charts": frozenset({"_fonts_registered", "_font_chars"}),
}


def ccua_files() -> frozenset[tuple[str, int, int]]:
    """Every file of the ccua package (code and the standard's data), with mtime and size."""
    found = set()
    for folder, dirs, files in os.walk(Path(__file__).parent):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = os.path.join(folder, name)
            st = os.stat(path)
            found.add((path, st.st_mtime_ns, st.st_size))
    return frozenset(found)


def _ccua_modules() -> dict[str, ModuleType]:
    return {
        name: module
        for name, module in list(sys.modules.items())
        if (name == "ccua" or name.startswith("ccua.")) and name != __name__ and module
    }


def _added_by_import(name: str, value: Any) -> bool:
    """A name an import adds to a module: a submodule, or a name exported on first use."""
    return isinstance(value, ModuleType) or (
        getattr(value, "__name__", None) == name
        and str(getattr(value, "__module__", "")).startswith("ccua")
    )


def _untouched(before: dict[str, dict[str, Any]], modules: dict[str, ModuleType]) -> bool:
    """No module imported or dropped since, and no name of any rebound, deleted or added
    (but by an import, or as NOTEBOOK_STATE)."""
    if before.keys() != modules.keys():
        return False
    for name, space in before.items():
        now = vars(modules[name])
        state = NOTEBOOK_STATE.get(name, frozenset())
        for key in space.keys() | now.keys():
            if key in state:
                continue
            if key not in space:
                if not _added_by_import(key, now[key]):
                    return False
            elif key not in now or now[key] is not space[key]:
                return False
    return True


def keep_or_forget_ccua() -> None:
    """Keep ccua's modules loaded for the next notebook when the last one left them as they
    were; otherwise import them afresh, now.

    Importing ccua again for every notebook cost about 0.1 s each, and more with every
    notebook (each re-registered the chart fonts with vl-convert). The modules hold no state
    of a notebook but the language it presented in, set back to the default here as a fresh
    import has it. They are imported afresh when a notebook changed any name in them
    (a patched function, a new attribute), imported another of them (not yet checked), or
    when any file of the package changed since (no code older than the files).
    """
    global _kept, _kept_files, imported_afresh
    import importlib

    modules = _ccua_modules()
    files = ccua_files()
    if _kept is not None and files == _kept_files and _untouched(_kept, modules):
        notebook = modules.get("ccua.notebook")
        if notebook is not None:
            notebook.set_language(None)
        return
    imported_afresh += 1
    for name in modules:
        del sys.modules[name]
    for name in sorted(modules):
        # contextlib.suppress: a module that no longer imports fails in the notebook itself,
        # with the notebook's traceback
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _kept = {name: dict(vars(module)) for name, module in _ccua_modules().items()}
    _kept_files = files


# What the notebooks import (the charts render with vl-convert in the fonts of ccua.fonts;
# the citation and grid tables come from ccua.report): loaded by warm_up() while the runner
# validates the inputs, so that the notebooks find them, and find ccua as the last check left
# it (tests/test_speed_kernels.py: the demo's notebooks never make a kernel import ccua
# afresh).
WARM_UP_MODULES = (
    "ccua.notebook",
    "ccua.charts",
    "ccua.fonts",
    "ccua.report._front",
    "ccua.report._markdown",
    "vl_convert",
    "IPython.display",
)


def warm_up() -> None:
    """Import what the notebooks use, in a kernel started ahead of its first notebook.

    Run silently by :mod:`ccua._kernels` right after the kernel starts. The warning filters
    are recorded first, as at launch, so that the first notebook's :func:`prepare` resets the
    kernel as it resets a reused one (new session, filters as at launch, ccua checked):
    the notebook sees what it would see in a kernel that ran a notebook before.
    """
    global _launch_filters, _kept, _kept_files
    import importlib
    import warnings

    if _launch_filters is None:
        _launch_filters = list(warnings.filters)
    for name in WARM_UP_MODULES:
        importlib.import_module(name)
    _kept = {name: dict(vars(module)) for name, module in _ccua_modules().items()}
    _kept_files = ccua_files()


if __name__ == "__main__":
    skip_slow_optional_imports()
    # Like ipykernel_launcher: the working folder leaves sys.path while the kernel loads
    # (IPython adds it back).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp as app

    app.launch_new_instance()
