"""The kernels ccua's notebooks run in (imported only when notebooks execute).

Kept apart from :mod:`ccua.runner` so that importing the runner, which every ``ccua``
command does through the command line, does not import jupyter_client, zmq and asyncio:
``ccua score`` and friends start in a fraction of a second (docs/speed.md).

A kernel is launched as ``python -m ccua._kernel``: ipykernel's own launcher, after telling
the process that the optional ``rfc3987_syntax`` package is absent (see :mod:`ccua._imports`).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing.util
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from traitlets import default

from ccua._imports import KERNEL_MODULE


async def _wait_for_ready(kc: Any, timeout: float | None = None) -> None:
    """jupyter_client's ``wait_for_ready`` without its closing idle wait.

    Like jupyter_client, ask for the kernel's info until the kernel answers and IOPub is
    connected. jupyter_client then drains IOPub until nothing comes for 0.2 s: 0.2 s of
    nothing, every time papermill connects to a kernel (six times a run). Here the drain
    stops at the kernel's "idle" for our own request, the last message that request makes.
    """
    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = await ensure_async(kc.shell_channel.get_msg(timeout=1))
        except Empty:
            reply = None
        ready = reply is not None and reply["msg_type"] == "kernel_info_reply"
        if ready and await _idle_after(kc, msg_id):
            kc._handle_kernel_info_reply(reply)
            return
        if not await kc._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


async def _idle_after(kc: Any, msg_id: str) -> bool:
    """Read IOPub up to the kernel's "idle" after request ``msg_id``; False when IOPub stays
    silent for 0.2 s (not connected yet: jupyter_client then asks again, and so do we)."""
    while True:
        try:
            msg = await ensure_async(kc.iopub_channel.get_msg(timeout=0.2))
        except Empty:
            return False
        if (
            msg["msg_type"] == "status"
            and msg["content"].get("execution_state") == "idle"
            and msg["parent_header"].get("msg_id") == msg_id
        ):
            return True


class QuickReadyClient(AsyncKernelClient):
    """The client papermill talks to a kernel with (see :func:`_wait_for_ready`)."""

    wait_for_ready = _wait_for_ready


class QuickReadyBlockingClient(BlockingKernelClient):
    """The client a kernel started ahead of its notebook is warmed up with."""

    wait_for_ready = run_sync(_wait_for_ready)


class IPCKernelManager(AsyncKernelManager):
    """Kernels talk over Unix sockets instead of TCP ports.

    Parallel papermill runs on TCP race for ports ("ZMQError: Address already in use",
    papermill #511); IPC sockets live in the kernel's own runtime files, so batch workers
    cannot collide, and the kernel stops warning about unencrypted TCP.
    """

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("client_factory")
    def _default_client_factory(self) -> type:
        return QuickReadyClient

    @default("blocking_class")
    def _default_blocking_class(self) -> type:
        return QuickReadyBlockingClient

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
        if (
            len(cmd) >= 3
            and cmd[1] == "-m"
            and cmd[2] == "ipykernel_launcher"
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
        ):
            cmd = [cmd[0], "-m", KERNEL_MODULE, *cmd[3:]]
        return cmd

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart:
                self.remove_socket_folder()

    def remove_socket_folder(self) -> None:
        """Remove the kernel's private socket folder (made when its address was first asked)."""
        folder = getattr(self, "_socket_dir", None)
        if folder:
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


# ----------------------------------------------------------------------------- warm kernels
#
# Starting a kernel and importing what a notebook uses (IPython, ccua, Altair, vl-convert and
# its fonts) costs about a second of CPU, more than most of our notebooks then take to run.
# A run executes six notebooks, a batch six per client: so each notebook-executing thread of
# a process keeps its kernel and hands it the next notebook, after ccua._kernel.prepare has
# reset it (new IPython session: empty namespace, execution count 1; warning filters as at
# launch; working folder = the run folder; ccua's own modules kept only when the last notebook
# left them untouched, while third-party modules stay loaded). The notebook is still executed
# by papermill (its execute_notebook, with the engine of ccua._papermill, which passes
# papermill's client the warm kernel manager), and gives the same executed notebook as in a
# fresh kernel. A
# kernel is discarded after any failure, when the process environment changed since it
# started, and at exit.


def _environment_key() -> int:
    return hash(tuple(sorted(os.environ.items())))


class _Worker(threading.Thread):
    """One notebook-executing thread and the kernel it keeps warm."""

    def __init__(self, pool: WarmKernels, n: int) -> None:
        super().__init__(name=f"ccua-notebooks-{n}", daemon=True)
        self.pool = pool
        self.km: IPCKernelManager | None = None
        self.env = 0
        self.used = 0

    def kernel(self) -> tuple[IPCKernelManager, bool]:
        """This thread's kernel manager, and whether its kernel already ran a notebook."""
        if self.km is not None and (
            self.env != _environment_key() or not run_sync(self.km.is_alive)()
        ):
            self.discard()
        if self.km is None:
            # papermill's client starts the kernel in the run folder on first use
            self.km = IPCKernelManager(kernel_name="python3")
            self.env = _environment_key()
            self.used = 0
        return self.km, self.used > 0

    def discard(self) -> None:
        # Killed, not asked to shut down: it has nothing to save (papermill's kernels keep
        # their history in memory), and a polite shutdown cost seconds at the end of a run.
        km, self.km = self.km, None
        if km is not None and km.has_kernel:
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
        if km is not None:  # also a manager whose kernel never started (or failed to stop)
            km.remove_socket_folder()

    def run(self) -> None:
        while True:
            item = self.pool.queue.get()
            if item is None:
                break
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                km, warm = self.kernel()
                result = fn(km, warm)
            except BaseException as exc:
                self.discard()  # a failed notebook's kernel is not trusted again
                fut.set_exception(exc)
            else:
                self.used += 1
                fut.set_result(result)
        self.discard()


class WarmKernels:
    """Threads that execute notebooks, each in a kernel it keeps warm (see above)."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.workers: list[_Worker] = []
        self.lock = threading.Lock()
        self.closing = threading.Event()  # kernels still starting ahead stop waiting
        atexit.register(self.close)
        # A batch's worker processes end through multiprocessing, which skips atexit but runs
        # its own finalizers (the kernels would notice their parent gone, but leave files).
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)

    def grow(self, size: int) -> None:
        with self.lock:
            while len(self.workers) < size:
                worker = _Worker(self, len(self.workers))
                worker.start()
                self.workers.append(worker)

    def submit(self, fn: Callable[[IPCKernelManager, bool], Any]) -> Future[Any]:
        """Run ``fn(kernel_manager, warm)`` on the next free thread."""
        fut: Future[Any] = Future()
        self.queue.put((fn, fut))
        return fut

    def start(self) -> list[Future[Any]]:
        """Start every thread's kernel now, ahead of its first notebook (see :func:`_warm_up`).

        The runner calls this before it validates the inputs: the kernels start and import
        what the notebooks use meanwhile. Threads whose kernel is running already skip it.
        """
        with self.lock:
            size = len(self.workers)
        return [self.submit(lambda km, warm: _warm_up(km, warm, self.closing)) for _ in range(size)]

    def close(self, timeout: float = 20.0) -> None:
        """Shut the kernels down (at exit, or to start afresh)."""
        with self.lock:
            workers, self.workers = self.workers, []
        # A run that stops early (bad input) does not wait for kernels started ahead of it.
        self.closing.set()
        for _ in workers:
            self.queue.put(None)
        for worker in workers:
            worker.join(timeout)
        self.closing.clear()


_pool: WarmKernels | None = None
_pool_lock = threading.Lock()


def stop_now() -> None:
    """Kill this process's warm kernels at once, for a process about to leave (``ccua run``):
    no polite shutdown and no waiting for them to go; their connection files and socket
    folders are removed, as a shutdown removes them."""
    pool = _pool
    for worker in list(pool.workers) if pool is not None else []:
        km = worker.km
        if km is None:
            continue
        if km.has_kernel:
            process: Any = getattr(km.provisioner, "process", None)
            with contextlib.suppress(Exception):
                process.kill()
            with contextlib.suppress(Exception):
                km.cleanup_connection_file()
        km.remove_socket_folder()


def start_ahead(workers: int, launched: threading.Event | None = None) -> None:
    """Start ``workers`` warm kernels now (in the background: see WarmKernels.start); set
    ``launched`` once their processes are started (or were already), then import papermill's
    side (ccua._papermill) while they start up."""
    for _ in warm_kernels(max(1, workers)).start():
        _launched.acquire(timeout=LAUNCH_WAIT)
    if launched is not None:
        launched.set()
    import ccua._papermill  # noqa: F401


def closing() -> bool:
    """The process's warm kernels are being shut down (its exit, or a start afresh)."""
    return _pool is not None and _pool.closing.is_set()


def warm_kernels(size: int) -> WarmKernels:
    """The process's warm kernels, with at least ``size`` threads."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WarmKernels()
    _pool.grow(size)
    return _pool


# nbclient starts its kernels with the IPython history in memory; a kernel started ahead
# of its notebook is started the same way.
_KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
WARM_UP_CODE = "__import__('ccua._kernel', fromlist=['warm_up']).warm_up()"


# One release per kernel that WarmKernels.start asked for, once its process is started (or
# it was running already, or could not start): start_ahead waits for them, at most this long.
_launched = threading.Semaphore(0)
LAUNCH_WAIT = 5.0


def _launch(km: IPCKernelManager, warm: bool, closing: threading.Event) -> bool:
    """Start the kernel's process; False when it runs already or the pool closes."""
    try:
        if warm or km.has_kernel or closing.is_set():
            return False
        run_sync(km.start_kernel)(
            extra_arguments=list(_KERNEL_ARGUMENTS), cwd=tempfile.gettempdir()
        )
        return True
    finally:
        _launched.release()


def _warm_up(km: IPCKernelManager, warm: bool, closing: threading.Event) -> None:
    """Start a thread's kernel and import what the notebooks use (ccua._kernel.warm_up);
    give up as soon as the pool closes (the thread's kernel is then discarded)."""
    if not _launch(km, warm, closing):
        return
    kc = km.blocking_client()
    kc.start_channels()
    try:
        deadline = time.monotonic() + 120
        while not closing.is_set():
            try:
                kc.wait_for_ready(timeout=0.5)
                break
            except RuntimeError:  # not ready yet, or dead, or too slow
                if time.monotonic() > deadline or not run_sync(km.is_alive)():
                    raise
        if closing.is_set():
            return
        reply = kc.execute_interactive(
            WARM_UP_CODE, silent=True, store_history=False, allow_stdin=False, timeout=120
        )
        if reply.get("content", {}).get("status") != "ok":
            content = reply.get("content", {})
            raise RuntimeError(
                f"kernel warm-up failed: {content.get('ename')}: {content.get('evalue')}"
            )
    finally:
        kc.stop_channels()


def prepare_code(folder: str) -> str:
    """What a warm kernel runs (silently) before its next notebook."""
    # No name is bound: prepare() empties the namespace.
    return f"__import__('ccua._kernel', fromlist=['prepare']).prepare({folder!r})"


__all__ = [
    "IPCKernelManager",
    "WarmKernels",
    "closing",
    "prepare_code",
    "stop_now",
    "warm_kernels",
]
