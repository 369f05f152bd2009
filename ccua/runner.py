"""Run one client's assessment, or many: validate, compute, execute notebooks, report.

``run_client`` is what ``ccua run params/CLIENT.yaml`` does:

1. validate every input file (nothing runs on bad input);
2. compute the whole assessment into ``results.json`` (deterministic);
3. execute the notebooks with papermill: the engagement notebook, one domain notebook per
   chapter of the framework, the scorecard; each reads ``results.json`` and presents it;
4. render the report (when the report renderer is installed);
5. swap the finished folder into ``runs/CLIENT`` in one rename, so that a failure at any step
   leaves the previous run intact.

``run_batch`` runs many clients in a bounded process pool, isolating each client's failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from ccua._io import atomic_write_text
from ccua.engagement import EngagementData, load_engagement
from ccua.errors import CcuaError
from ccua.results import build_results, dumps

Progress = Callable[[str], None]

KERNEL_START_TIMEOUT = 120        # busy machines (papermill #776)
CELL_TIMEOUT = 600
RESULTS_FILE = "results.json"


class IPCKernelManager(AsyncKernelManager):
    """Kernels talk over Unix sockets instead of TCP ports.

    Parallel papermill runs on TCP race for ports ("ZMQError: Address already in use",
    papermill #511); IPC sockets live in the kernel's own runtime files, so batch workers
    cannot collide, and the kernel stops warning about unencrypted TCP.
    """

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"


class NotebookFailed(CcuaError):
    """A notebook raised; the message names the notebook and the cell."""


@dataclass(frozen=True)
class NotebookJob:
    template: Path
    output: str                       # file name inside the run folder
    parameters: dict[str, Any]
    title: str


@dataclass
class RunSummary:
    client: str
    params: str
    status: str = "ok"                # ok | failed
    total: float | None = None
    grade: str | None = None
    seconds: float = 0.0
    output: str = ""
    error: str = ""
    files: list[str] = field(default_factory=list)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def notebooks_dir() -> Path:
    """The notebooks folder: ./notebooks when run from a project, else the one beside ccua."""
    for candidate in (Path.cwd() / "notebooks", repo_root() / "notebooks"):
        if (candidate / "domain.ipynb").exists():
            return candidate
    raise CcuaError("cannot find the notebooks folder (notebooks/domain.ipynb); run ccua from "
                    "the project folder")


def notebook_jobs(data: EngagementData, folder: Path | None = None) -> list[NotebookJob]:
    folder = folder or notebooks_dir()
    jobs = [NotebookJob(folder / "engagement.ipynb", "engagement.ipynb",
                        {"results_path": RESULTS_FILE}, "测评过程")]
    for chapter in data.framework.chapters:
        jobs.append(NotebookJob(folder / "domain.ipynb", f"{chapter.id}.ipynb",
                                {"results_path": RESULTS_FILE, "chapter": chapter.id},
                                chapter.title))
    jobs.append(NotebookJob(folder / "scorecard.ipynb", "scorecard.ipynb",
                            {"results_path": RESULTS_FILE}, "测评计分"))
    return jobs


def execute_notebook(job: NotebookJob, run_dir: Path) -> None:
    """Execute one notebook with papermill into ``run_dir``, turning failures into one line."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = run_dir / job.output
    try:
        papermill.execute_notebook(
            str(job.template), str(out), parameters=job.parameters, cwd=str(run_dir),
            kernel_name="python3", progress_bar=False, log_output=False,
            start_timeout=KERNEL_START_TIMEOUT, execution_timeout=CELL_TIMEOUT,
            request_save_on_cell_execute=False,
            kernel_manager_class="ccua.runner.IPCKernelManager")
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {job.template.name} ({job.output}) failed in cell {exc.exec_count} "
            f"(cell {exc.cell_index + 1} of the notebook): {exc.ename}: {exc.evalue}",
            file=str(out), hint="the executed notebook is kept there for inspection") from None
    except RuntimeError as exc:
        # A kernel that did not start: retry once (papermill #511, #776).
        if "Kernel" not in str(exc) and "kernel" not in str(exc):
            raise
        papermill.execute_notebook(
            str(job.template), str(out), parameters=job.parameters, cwd=str(run_dir),
            kernel_name="python3", progress_bar=False, log_output=False,
            start_timeout=KERNEL_START_TIMEOUT * 2, execution_timeout=CELL_TIMEOUT,
            request_save_on_cell_execute=False,
            kernel_manager_class="ccua.runner.IPCKernelManager")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames; the old run is removed only after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_client(params_path: str | Path, *, progress: Progress | None = None,
               notebooks: bool = True, report: bool | None = None,
               output: Path | None = None, notebooks_folder: Path | None = None
               ) -> RunSummary:
    """Run one client end to end; raise CcuaError on failure (the previous run is kept)."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    say("validating inputs")
    data = load_engagement(params_path)
    target = output or data.output
    say("computing indicators and scores")
    result = build_results(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    failed = True
    try:
        atomic_write_text(staging / RESULTS_FILE, dumps(result.data))
        files = [RESULTS_FILE]
        if notebooks:
            for job in notebook_jobs(data, notebooks_folder):
                say(f"executing {job.output}")
                execute_notebook(job, staging)
                files.append(job.output)
        want_report = data.params.report if report is None else report
        if want_report and notebooks:
            render = _report_renderer()
            if render is not None:
                say("rendering the report")
                files += render(staging, say)
        _swap_into_place(staging, target)
        failed = False
    finally:
        if failed:
            # Keep what failed for inspection beside the previous run, never over it.
            failed_dir = target.with_name(f"{target.name}.failed")
            if failed_dir.exists():
                shutil.rmtree(failed_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.replace(staging, failed_dir)
    assessment = result.data["assessment"]
    return RunSummary(client=data.params.client, params=str(params_path), status="ok",
                      total=assessment["total"], grade=assessment["grade"],
                      seconds=time.perf_counter() - started, output=str(target), files=files)


def _report_renderer() -> Callable[[Path, Progress], list[str]] | None:
    try:
        from ccua.report import render_run
    except ImportError:
        return None
    return render_run


def _run_one(params_path: str, notebooks: bool, report: bool | None) -> RunSummary:
    started = time.perf_counter()
    try:
        return run_client(params_path, notebooks=notebooks, report=report)
    except CcuaError as exc:
        return RunSummary(client=Path(params_path).stem, params=params_path, status="failed",
                          seconds=time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # a bug must not take the batch down; report it as the client's
        return RunSummary(client=Path(params_path).stem, params=params_path, status="failed",
                          seconds=time.perf_counter() - started,
                          error=f"internal error: {type(exc).__name__}: {exc}")


def run_batch(params_paths: Sequence[str | Path], *, jobs: int = 1, notebooks: bool = True,
              report: bool | None = None,
              on_done: Callable[[RunSummary], None] | None = None) -> list[RunSummary]:
    """Run many clients, at most ``jobs`` at a time, each in its own process."""
    paths = [str(p) for p in params_paths]
    summaries: dict[str, RunSummary] = {}
    if jobs <= 1:
        for p in paths:
            s = _run_one(p, notebooks, report)
            summaries[p] = s
            if on_done:
                on_done(s)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pending: dict[Future[RunSummary], str] = {
                pool.submit(_run_one, p, notebooks, report): p for p in paths}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    p = pending.pop(fut)
                    try:
                        s = fut.result()
                    except Exception as exc:  # the worker process died
                        s = RunSummary(client=Path(p).stem, params=p, status="failed",
                                       error=f"worker died: {exc}")
                    summaries[p] = s
                    if on_done:
                        on_done(s)
    return [summaries[p] for p in paths]
