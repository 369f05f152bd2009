"""The kernels ccua's notebooks run in (imported only when notebooks execute).

Kept apart from :mod:`ccua.runner` so that importing the runner, which every ``ccua``
command does through the command line, does not import jupyter_client, zmq and asyncio:
``ccua score`` and friends start in a fraction of a second (docs/speed.md).

A kernel is launched as ``python -m ccua._kernel``: ipykernel's own launcher, after telling
the process that the optional ``rfc3987_syntax`` package is absent (see :mod:`ccua._imports`).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from ccua._imports import KERNEL_MODULE


class IPCKernelManager(AsyncKernelManager):
    """Kernels talk over Unix sockets instead of TCP ports.

    Parallel papermill runs on TCP race for ports ("ZMQError: Address already in use",
    papermill #511); IPC sockets live in the kernel's own runtime files, so batch workers
    cannot collide, and the kernel stops warning about unencrypted TCP.
    """

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        # Socket files are named <ip>-<port>; the default "kernel-ipc" in the working folder
        # makes two kernels started there collide. A private folder per kernel cannot.
        self._socket_dir = tempfile.mkdtemp(prefix="ccua-kernel-")
        return os.path.join(self._socket_dir, "k")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        # The python3 kernelspec runs ``python -m ipykernel_launcher -f {connection_file}``;
        # ours runs the same launcher through ccua._kernel (same interpreter, same arguments).
        cmd = super().format_kernel_cmd(extra_arguments)
        if len(cmd) >= 3 and cmd[1] == "-m" and cmd[2] == "ipykernel_launcher" \
                and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable):
            cmd = [cmd[0], "-m", KERNEL_MODULE, *cmd[3:]]
        return cmd

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_socket_dir", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts every kernel before shutting it down, in case code is
        # still running. Ours has finished its last cell by then, and the SIGINT only makes
        # ipykernel print "KeyboardInterrupt caught in kernel" over our progress output.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel


__all__ = ["IPCKernelManager"]
