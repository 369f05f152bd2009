"""Imports ccua keeps out of its processes and notebook kernels (docs/speed.md).

jsonschema, which nbformat, papermill and Altair import, imports the optional
``rfc3987_syntax`` package eagerly whenever it is installed (jupyter-events' ``format-nongpl``
extra pulls it in), and that package builds some 35 Lark parsers at import time: about 2 s
per process on a small machine, for an IRI format check that neither ccua nor its libraries
use (python-jsonschema/jsonschema#1428). jsonschema treats the package as optional (it is an
extra), so a process can tell it the package is absent: ``sys.modules[name] = None`` makes
``import rfc3987_syntax`` raise ImportError, and jsonschema falls back to its other IRI
checkers (or none). Nothing is uninstalled and no GPL package is added; it keeps working
across upgrades as long as the package stays optional, which tests/test_speed_imports.py
checks.

It only works before jsonschema is first imported, so ccua does it in the processes it
starts: the command line (:mod:`ccua.runner`) and every notebook kernel, which runs
``python -m ccua._kernel`` (:data:`KERNEL_MODULE`) instead of ``python -m ipykernel_launcher``.
Set ``CCUA_KEEP_RFC3987=1`` to keep the package.

Likewise papermill's ``papermill.iorw`` imports ``pyarrow.fs`` (pyarrow and numpy: 0.2 s of
every process) for notebooks on HDFS (``hdfs://`` paths), which ccua never gives it; it treats
pyarrow as optional. :class:`RefusedTo` refuses that one import, and only to papermill: any
other module (DuckDB, pandas) importing pyarrow gets it as usual.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType

SLOW_OPTIONAL_MODULES = ("rfc3987_syntax",)
KERNEL_MODULE = "ccua._kernel"
# importer → the optional packages it is told are absent
REFUSED: dict[str, tuple[str, ...]] = {"papermill.iorw": ("pyarrow",)}


class RefusedTo(importlib.abc.MetaPathFinder):
    """Tells one module that some optional packages are absent (ImportError), and no other."""

    def __init__(self, refused: dict[str, tuple[str, ...]]) -> None:
        self.refused = refused

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        top = fullname.partition(".")[0]
        if not any(top in names for names in self.refused.values()):
            return None
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            if top in self.refused.get(frame.f_globals.get("__name__", ""), ()):
                raise ImportError(f"{fullname} is not for {frame.f_globals['__name__']} (ccua)")
            frame = frame.f_back
        return None


def skip_slow_optional_imports() -> bool:
    """Mark the slow optional modules as absent; True when done (jsonschema not yet loaded)."""
    if not any(isinstance(f, RefusedTo) for f in sys.meta_path):
        sys.meta_path.insert(0, RefusedTo(REFUSED))
    if os.environ.get("CCUA_KEEP_RFC3987") or "jsonschema" in sys.modules:
        return False
    for name in SLOW_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    return True


__all__ = [
    "KERNEL_MODULE",
    "REFUSED",
    "SLOW_OPTIONAL_MODULES",
    "RefusedTo",
    "skip_slow_optional_imports",
]
