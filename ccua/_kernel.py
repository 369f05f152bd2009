"""A notebook kernel for ccua's runs: ipykernel's launcher, without the slow optional imports.

``python -m ccua._kernel -f CONNECTION_FILE`` does what ``python -m ipykernel_launcher`` does
(the python3 kernelspec's command), after :func:`ccua._imports.skip_slow_optional_imports`.
:class:`ccua._kernels.IPCKernelManager` starts kernels this way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ccua._imports import skip_slow_optional_imports

_launch_filters: list[Any] | None = None


def prepare(folder: str) -> None:
    """Make a kernel that already ran a notebook look as if freshly started in ``folder``.

    Run silently (no execution count) by :mod:`ccua._kernels` before a warm kernel's next
    notebook: a new IPython session (empty namespace, ``In``/``Out`` history and the execution
    count back to 1), the warning filters and "already shown" registries as at launch, and
    the working folder, and ccua's own modules forgotten (the notebook imports them afresh).
    Everything else stays imported: that is the point.
    """
    global _launch_filters
    import os
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
        warnings.resetwarnings()  # also forgets which warnings were shown
        warnings.filters[:] = _launch_filters  # type: ignore[index]
        # ccua itself is imported afresh by the next notebook: no state of the last one (the
        # language it presented in, a registered font) and no code older than the files.
        for name in [n for n in sys.modules if n == "ccua" or n.startswith("ccua.")]:
            if name != __name__:
                del sys.modules[name]


# What the notebooks import (the chart functions import Altair and vl-convert): loaded by
# warm_up() while the runner validates the inputs, so that the first notebook finds them.
WARM_UP_MODULES = ("ccua.notebook", "ccua.charts", "vl_convert", "IPython.display")


def warm_up() -> None:
    """Import what the notebooks use, in a kernel started ahead of its first notebook.

    Run silently by :mod:`ccua._kernels` right after the kernel starts. The warning filters
    are recorded first, as at launch, so that the first notebook's :func:`prepare` resets the
    kernel as it resets a reused one (new session, filters as at launch, ccua forgotten):
    the notebook sees what it would see in a kernel that ran a notebook before.
    """
    global _launch_filters
    import importlib
    import warnings

    if _launch_filters is None:
        _launch_filters = list(warnings.filters)
    for name in WARM_UP_MODULES:
        importlib.import_module(name)


if __name__ == "__main__":
    skip_slow_optional_imports()
    # Like ipykernel_launcher: the working folder leaves sys.path while the kernel loads
    # (IPython adds it back).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp as app

    app.launch_new_instance()
