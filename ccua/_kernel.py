"""A notebook kernel for ccua's runs: ipykernel's launcher, without the slow optional imports.

``python -m ccua._kernel -f CONNECTION_FILE`` does what ``python -m ipykernel_launcher`` does
(the python3 kernelspec's command), after :func:`ccua._imports.skip_slow_optional_imports`.
:class:`ccua._kernels.IPCKernelManager` starts kernels this way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccua._imports import skip_slow_optional_imports

if __name__ == "__main__":
    skip_slow_optional_imports()
    # Like ipykernel_launcher: the working folder leaves sys.path while the kernel loads
    # (IPython adds it back).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp as app

    app.launch_new_instance()
