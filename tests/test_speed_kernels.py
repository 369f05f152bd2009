"""Warm kernels (ccua/_kernels.py): a reused kernel gives what a fresh one gives."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from ccua._kernels import IPCKernelManager, WarmKernels, warm_kernels
from ccua.runner import NotebookJob, execute_notebook


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


_POOL: WarmKernels | None = None


def _one_thread() -> WarmKernels:
    """A pool of one thread of this module's own: the process's pool may have grown to more
    threads in earlier tests (a batch runs two), and the next notebook could then go to
    another thread's kernel."""
    global _POOL
    if _POOL is None:
        _POOL = WarmKernels()
        _POOL.grow(1)
    return _POOL


def _run(template: Path, folder: Path, name: str) -> dict:
    folder.mkdir(exist_ok=True)
    fut = _one_thread().submit(
        lambda km, warm: (
            execute_notebook(NotebookJob(template, name, {}, name), folder, km=km),
            warm,
        )[1]
    )
    warm = fut.result(timeout=300)
    nb = json.loads((folder / name).read_text(encoding="utf-8"))
    return {
        "warm": warm,
        "counts": [c["execution_count"] for c in nb["cells"]],
        "outputs": [
            [_text(o.get("text", o.get("data"))) for o in c["outputs"]] for c in nb["cells"]
        ],
    }


def _text(value: object) -> object:
    return "".join(value) if isinstance(value, list) else value


def _fresh(template: Path, folder: Path, name: str) -> dict:
    folder.mkdir(exist_ok=True)
    execute_notebook(NotebookJob(template, name, {}, name), folder)  # a kernel of its own
    nb = json.loads((folder / name).read_text(encoding="utf-8"))
    return {
        "counts": [c["execution_count"] for c in nb["cells"]],
        "outputs": [
            [_text(o.get("text", o.get("data"))) for o in c["outputs"]] for c in nb["cells"]
        ],
    }


@pytest.mark.timeout(300)
def test_a_reused_kernel_is_reset_between_notebooks(tmp_path: Path) -> None:
    first = _notebook(
        tmp_path / "first.ipynb",
        "secret = 42\nimport warnings\nwarnings.warn('shown every time')",
        "import os\nprint(os.path.basename(os.getcwd()))",
        "import sys\nprint(sys.modules.get('rfc3987_syntax', 'absent'))",
        "import ccua.i18n\nccua.i18n.LEFT_BEHIND = 1",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "print('secret' in globals())",
        "print(len(In), len(Out))",
        "import ccua.i18n\nprint(hasattr(ccua.i18n, 'LEFT_BEHIND'))",
    )
    a = _run(first, tmp_path / "run-a", "a.ipynb")
    b = _run(second, tmp_path / "run-b", "b.ipynb")
    c = _run(first, tmp_path / "run-c", "c.ipynb")
    assert b["warm"] and c["warm"]  # the same kernel, reused
    assert a["counts"] == c["counts"] == [1, 2, 3, 4]  # the execution count starts again
    assert b["counts"] == [1, 2, 3]
    assert b["outputs"][2] == ["False\n"]  # ccua was imported afresh: a notebook changed it
    assert b["outputs"][0] == ["False\n"]  # the namespace was emptied
    fresh = _fresh(second, tmp_path / "run-fresh", "b.ipynb")
    assert b["outputs"] == fresh["outputs"] and b["counts"] == fresh["counts"]  # and history
    assert c["outputs"][1] == ["run-c\n"]  # the run folder is the working folder
    assert a["outputs"][1] == ["run-a\n"]
    # the warning is printed again (its "already shown" registry was reset) ...
    assert "shown every time" in str(c["outputs"][0]) and c["outputs"][0] == a["outputs"][0]
    # ... and the kernel never paid for rfc3987_syntax (ccua._kernel)
    assert a["outputs"][2] == c["outputs"][2] == ["None\n"]


@pytest.mark.timeout(300)
def test_a_failed_notebook_s_kernel_is_not_reused(tmp_path: Path) -> None:
    from ccua.runner import NotebookFailed

    bad = _notebook(
        tmp_path / "bad.ipynb",
        "pid = __import__('os').getpid()\n"
        "open('pid.txt', 'w').write(str(pid))\nraise ValueError('boom')",
    )
    good = _notebook(tmp_path / "good.ipynb", "print(__import__('os').getpid())")
    (tmp_path / "r1").mkdir()
    with pytest.raises(NotebookFailed, match="boom"):
        warm_kernels(1).submit(
            lambda km, warm: execute_notebook(
                NotebookJob(bad, "bad.ipynb", {}, "bad"), tmp_path / "r1", km=km
            )
        ).result(300)
    pid = (tmp_path / "r1" / "pid.txt").read_text()
    out = _run(good, tmp_path / "r2", "good.ipynb")
    assert out["warm"] is False and out["outputs"][0] != [pid + "\n"]


def test_kernels_are_launched_through_ccua_kernel() -> None:
    km = IPCKernelManager(kernel_name="python3")
    cmd = km.format_kernel_cmd()
    assert cmd[1:3] == ["-m", "ccua._kernel"] and "-f" in cmd


@pytest.mark.timeout(300)
def test_a_kernel_started_ahead_gives_what_a_fresh_one_gives(tmp_path: Path) -> None:
    """The runner starts its kernels while it validates (WarmKernels.start, which imports
    what the notebooks use); the first notebook then sees what a fresh kernel shows it."""
    probe = _notebook(
        tmp_path / "probe.ipynb",
        "from ccua import notebook as nb\nprint(nb.tr('chart.score'), 'secret' in globals())",
        "print(len(In), len(Out))",
        "import os\nprint(os.path.basename(os.getcwd()), [os.path.basename(str(d)) for d in _dh])",
        "import warnings\nwarnings.warn('shown')",
    )
    pool = WarmKernels()
    try:
        pool.grow(1)
        [started] = pool.start()
        started.result(timeout=300)
        [worker] = pool.workers
        assert worker.km is not None and worker.km.has_kernel
        (tmp_path / "run-ahead").mkdir()
        fut = pool.submit(
            lambda km, warm: (
                execute_notebook(
                    NotebookJob(probe, "p.ipynb", {}, "p"), tmp_path / "run-ahead", km=km
                ),
                warm,
            )[1]
        )
        assert fut.result(timeout=300) is True  # the kernel started ahead ran it
        ahead = json.loads((tmp_path / "run-ahead" / "p.ipynb").read_text(encoding="utf-8"))
    finally:
        pool.close()
    fresh = _fresh(probe, tmp_path / "run-ahead-fresh", "p.ipynb")
    outputs = [[_text(o.get("text", o.get("data"))) for o in c["outputs"]] for c in ahead["cells"]]
    assert [c["execution_count"] for c in ahead["cells"]] == fresh["counts"] == [1, 2, 3, 4]
    assert outputs[0] == fresh["outputs"][0] and str(outputs[0]).endswith("False\\n']")
    assert outputs[1] == fresh["outputs"][1]
    assert outputs[2] == ["run-ahead ['run-ahead']\n"]
    assert fresh["outputs"][2] == ["run-ahead-fresh ['run-ahead-fresh']\n"]
    assert "shown" in str(outputs[3]) and "shown" in str(fresh["outputs"][3])


@pytest.mark.timeout(300)
def test_closing_while_kernels_start_ahead_leaves_no_kernel() -> None:
    """A run that stops early (bad input) closes the pool while its kernels are still
    starting: the warm-up ends (it stops waiting for the kernel) and no kernel outlives the
    pool."""
    import psutil

    def kernels() -> list[psutil.Process]:
        found = []
        for p in psutil.Process().children(recursive=True):
            try:
                if "ccua._kernel" in " ".join(p.cmdline()):
                    found.append(p)
            except (psutil.ZombieProcess, psutil.NoSuchProcess, psutil.AccessDenied):
                pass  # gone (a zombie is dead, only not yet reaped): not a kernel left running
        return found

    others = {p.pid for p in kernels()}  # other tests' warm kernels
    pool = WarmKernels()
    pool.grow(1)
    [started] = pool.start()
    pool.close()
    started.result(timeout=60)  # finished (gave up or done), not left hanging
    ours = [p for p in kernels() if p.pid not in others]
    assert psutil.wait_procs(ours, timeout=10)[1] == []


def test_papermill_connects_without_the_idle_wait_and_misses_nothing() -> None:
    """Our clients stop reading IOPub at the kernel's "idle" for their kernel_info request
    (jupyter_client waits for 0.2 s of silence): the kernel is ready, IOPub holds nothing of
    the handshake, and what the next request prints arrives whole."""
    import asyncio

    from jupyter_core.utils import run_sync

    from ccua._kernels import QuickReadyBlockingClient, QuickReadyClient

    km = IPCKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)()
    try:
        assert isinstance(km.blocking_client(), QuickReadyBlockingClient)

        async def connect_and_print(n: int) -> list[str]:
            kc = km.client()
            assert isinstance(kc, QuickReadyClient)
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=60)
                # nothing of the handshake is left to confuse the next request
                assert not await kc.iopub_channel.msg_ready()
                msg_id = kc.execute(f"print('line {n}')")
                texts: list[str] = []
                while True:
                    msg = await kc.get_iopub_msg(timeout=30)
                    assert msg["parent_header"].get("msg_id") == msg_id, msg["msg_type"]
                    if msg["msg_type"] == "stream":
                        texts.append(msg["content"]["text"])
                    if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        return texts
            finally:
                kc.stop_channels()

        for n in range(3):  # the first connection, then reconnections as a warm kernel sees
            assert asyncio.run(connect_and_print(n)) == [f"line {n}\n"]
        bc = km.blocking_client()
        bc.start_channels()
        try:
            bc.wait_for_ready(timeout=60)
            assert bc.execute_interactive("6 * 7", timeout=60)["content"]["status"] == "ok"
        finally:
            bc.stop_channels()
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def _probe(pool: WarmKernels, folder: Path, code: str) -> str:
    probe = _notebook(folder / "probe-src.ipynb", code)
    pool.submit(
        lambda km, warm: execute_notebook(NotebookJob(probe, "probe.ipynb", {}, "p"), folder, km=km)
    ).result(timeout=300)
    nb = json.loads((folder / "probe.ipynb").read_text(encoding="utf-8"))
    return "".join(_text(o.get("text")) for o in nb["cells"][0]["outputs"])


@pytest.mark.timeout(600)
def test_the_demo_notebooks_keep_ccua_imported_and_give_what_fresh_kernels_give(
    tmp_path: Path,
) -> None:
    """A warm kernel keeps ccua's modules between notebooks that leave them untouched (no
    import afresh for any of the demo's six notebooks), and each notebook comes out as from
    a kernel of its own — also the language: an English notebook leaves the default for the
    next one."""
    from ccua.runner import notebook_jobs, run_client
    from ccua.scaffold import validate_client

    run = tmp_path / "run"
    demo = Path(__file__).resolve().parents[1] / "params" / "demo.yaml"
    run_client(demo, output=run, notebooks=False, report=False)
    data = validate_client(demo).data
    assert data is not None
    jobs = notebook_jobs(data, None, "zh")
    english = [j for j in notebook_jobs(data, None, "en") if j.template.name == "scorecard.ipynb"]
    pool = WarmKernels()
    try:
        pool.grow(1)
        pool.start()[0].result(timeout=300)
        for job in [*english, *jobs]:  # English first: the next ones must be Chinese again
            pool.submit(lambda km, warm, job=job: execute_notebook(job, run, km=km)).result(300)
        afresh = _probe(pool, run, "import ccua._kernel as k\nprint(k.imported_afresh)")
    finally:
        pool.close()
    assert afresh == "0\n"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "results.json").write_bytes((run / "results.json").read_bytes())
    for job in [*english, *jobs[-2:]]:
        execute_notebook(job, fresh)  # a kernel of its own
        warm_nb = json.loads((run / job.output).read_text(encoding="utf-8"))
        fresh_nb = json.loads((fresh / job.output).read_text(encoding="utf-8"))
        assert warm_nb["cells"] == fresh_nb["cells"], job.output


@pytest.mark.timeout(300)
def test_a_notebook_that_patches_ccua_makes_the_next_import_it_afresh(tmp_path: Path) -> None:
    pool = WarmKernels()
    try:
        pool.grow(1)
        pool.start()[0].result(timeout=300)
        before = _probe(pool, tmp_path, "import ccua._kernel as k\nprint(k.imported_afresh)")
        _probe(pool, tmp_path, "import ccua.fmt\nccua.fmt.display_width = len")
        after = _probe(
            pool,
            tmp_path,
            "import ccua._kernel as k, ccua.fmt\n"
            "print(k.imported_afresh, ccua.fmt.display_width is len)",
        )
    finally:
        pool.close()
    assert before == "0\n" and after == "1 False\n"


@pytest.mark.parametrize(
    ("argv", "started"),
    [
        (["ccua", "run", "params/demo.yaml"], True),
        (["ccua", "run", "params/demo.yaml", "--no-notebooks"], False),
        (["ccua", "run", "--help"], False),
        (["ccua", "check", "params/demo.yaml"], False),
    ],
)
def test_ccua_run_starts_its_kernels_before_the_command_line_is_loaded(
    argv: list[str], started: bool
) -> None:
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        f"sys.argv = {argv!r}\n"
        "import ccua.cli\n"
        "def pool():\n"
        "    return getattr(sys.modules.get('ccua._kernels'), '_pool', None)\n"
        f"deadline = time.monotonic() + (60 if {started!r} else 1)\n"
        "while pool() is None and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print(pool() is not None)\n"
        "if pool() is not None: pool().close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == str(started)


@pytest.mark.timeout(300)
def test_ccua_run_goes_on_loading_once_its_kernel_processes_are_started() -> None:
    """The command line waits until the kernels' processes are started before it imports
    the rest (sharing the interpreter lock, the start-up came 0.3-0.4 s later)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.argv = ['ccua', 'run', 'params/demo.yaml']\n"
        "import ccua.cli\n"
        "pool = sys.modules['ccua._kernels']._pool\n"
        "print([w.km is not None and w.km.has_kernel for w in pool.workers])\n"
        "pool.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.stdout.strip() == "[True, True]"


@pytest.mark.timeout(300)
def test_ccua_run_leaves_at_once_and_leaves_no_kernel_behind(tmp_path: Path) -> None:
    """The console command stops its kernels and leaves without the interpreter's teardown
    (ccua.cli._leave_now): the outputs are written, no kernel is left running and no
    connection file is left behind."""
    import os
    import subprocess
    import sys
    import time

    import psutil

    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    done = subprocess.run(
        [sys.executable, "-m", "ccua", "run", "params/demo.yaml", "-o", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert {"results.json", "DO.ipynb", "report.pdf", "report.xlsx"} <= {
        p.name for p in (tmp_path / "r").iterdir()
    }
    assert "79.64" in done.stdout
    time.sleep(0.5)

    def ours(p: psutil.Process) -> bool:
        try:
            return p.status() != psutil.STATUS_ZOMBIE and str(runtime) in " ".join(p.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False

    assert not [p for p in psutil.process_iter() if ours(p)]
    assert not list(runtime.glob("kernel-*.json"))


@pytest.mark.timeout(300)
def test_a_failed_notebook_leaves_no_kernel_socket_folder(tmp_path: Path) -> None:
    """Each kernel has a private socket folder; a run whose notebook fails (its kernel
    discarded, a new manager made for the next notebook) leaves none behind at exit."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    private = tmp_path / "tmp"
    private.mkdir()
    broken = root / "tests" / "notebooks" / "broken"
    code = (
        "from pathlib import Path\n"
        "from ccua.demo import write_demo\n"
        "from ccua.errors import CcuaError\n"
        "from ccua.runner import run_client\n"
        f"base = Path({str(tmp_path)!r})\n"
        "write_demo(base / 'params')\n"
        "try:\n"
        "    run_client(base / 'params/demo.yaml', output=base / 'out',\n"
        f"               notebooks_folder=Path({str(broken)!r}), report=False)\n"
        "except CcuaError:\n"
        "    print('failed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, TMPDIR=str(private)),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
    assert done.stdout.strip() == "failed", done.stderr[-2000:]
    assert not list(private.glob("ccua-kernel-*"))
