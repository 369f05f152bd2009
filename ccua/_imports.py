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
"""

from __future__ import annotations

import os
import sys

SLOW_OPTIONAL_MODULES = ("rfc3987_syntax",)
KERNEL_MODULE = "ccua._kernel"


def skip_slow_optional_imports() -> bool:
    """Mark the slow optional modules as absent; True when done (jsonschema not yet loaded)."""
    if os.environ.get("CCUA_KEEP_RFC3987") or "jsonschema" in sys.modules:
        return False
    for name in SLOW_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    return True


__all__ = ["KERNEL_MODULE", "SLOW_OPTIONAL_MODULES", "skip_slow_optional_imports"]
