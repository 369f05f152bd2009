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
import json
import multiprocessing
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccua import __version__
from ccua._imports import skip_slow_optional_imports
from ccua._io import atomic_write_text
from ccua._kernel import NOTEBOOK_WORKERS, WARM_KERNELS
from ccua._kernel import start_early as start_kernels_early
from ccua.engagement import EngagementData
from ccua.errors import CcuaError
from ccua.provenance import add_to as add_provenance
from ccua.provenance import notebook_metadata
from ccua.results import dumps

Progress = Callable[[str], None]

KERNEL_START_TIMEOUT = 120  # busy machines (papermill #776)
CELL_TIMEOUT = 600
RESULTS_FILE = "results.json"
# Every run folder carries this file: ccua replaces a folder only when it carries it (or holds
# nothing), so that `-o DIR` or `output:` never empties a folder ccua did not make.
RUN_MARKER = ".ccua-run"
# A second run of the same client waits this long for the first, then refuses.
LOCK_TIMEOUT = 30.0

# jsonschema (imported by nbformat, papermill and altair) compiles an RFC 3987 grammar at
# import time when the optional rfc3987-syntax package is present: seconds per process for a
# format check we never use (ccua._imports). Kernels skip it too (ccua._kernel).
skip_slow_optional_imports()
# The kernel manager lives in ccua._kernels: importing jupyter_client here would cost every
# command of the command line a third of a second.
KERNEL_MANAGER = "ccua._kernels.IPCKernelManager"


def __getattr__(name: str) -> Any:
    if name == "IPCKernelManager":  # the class's old home
        from ccua._kernels import IPCKernelManager

        return IPCKernelManager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NotebookFailed(CcuaError):
    """A notebook raised; the message names the notebook and the cell."""


@dataclass(frozen=True)
class NotebookJob:
    template: Path
    output: str  # file name inside the run folder
    parameters: dict[str, Any]
    title: str


@dataclass
class RunSummary:
    client: str
    params: str
    status: str = "ok"  # ok | failed
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
    raise CcuaError(
        "cannot find the notebooks folder (notebooks/domain.ipynb); run ccua from "
        "the project folder"
    )


def notebook_jobs(
    data: EngagementData, folder: Path | None = None, lang: str = "zh"
) -> list[NotebookJob]:
    """The notebooks of a run, in report order: engagement, one per chapter, scorecard."""
    return framework_notebook_jobs(data.framework, folder, lang)


def framework_notebook_jobs(
    framework: Any, folder: Path | None = None, lang: str = "zh"
) -> list[NotebookJob]:
    """The notebooks of a framework's run in one language (``lang`` is a notebook parameter;
    English notebooks are saved as SP.en.ipynb beside the Chinese SP.ipynb)."""
    from ccua.i18n import output_name

    folder = folder or notebooks_dir()
    base = {"results_path": RESULTS_FILE, "lang": lang}
    jobs = [
        NotebookJob(
            folder / "engagement.ipynb",
            output_name("engagement.ipynb", lang),
            dict(base),
            "engagement",
        )
    ]
    for chapter in framework.chapters:
        jobs.append(
            NotebookJob(
                folder / "domain.ipynb",
                output_name(f"{chapter.id}.ipynb", lang),
                {**base, "chapter": chapter.id},
                chapter.id,
            )
        )
    jobs.append(
        NotebookJob(
            folder / "scorecard.ipynb",
            output_name("scorecard.ipynb", lang),
            dict(base),
            "scorecard",
        )
    )
    return jobs


def _expected_cost(data: EngagementData, job: NotebookJob) -> int:
    """A rough cost (charts drawn) to start the longest notebooks first."""
    chapter = job.parameters.get("chapter")
    if chapter is None:
        return 5 if job.template.name == "scorecard.ipynb" else 0
    ch = next(c for c in data.framework.chapters if c.id == chapter)
    items = [i for g in ch.groups for i in data.framework.items_of(g)]
    return len(items) + sum(len(i.indicators) for i in items)


def execute_notebooks(
    jobs: Sequence[NotebookJob],
    run_dir: Path,
    say: Progress,
    order: Callable[[NotebookJob], int] | None = None,
    workers: int = NOTEBOOK_WORKERS,
) -> None:
    """Execute notebooks, ``workers`` at a time; the first failure stops the rest."""
    queue = sorted(jobs, key=order, reverse=True) if order else list(jobs)
    if WARM_KERNELS:
        # Each thread keeps its kernel warm for the next notebook, and the next client of a
        # batch (ccua._kernels): imports and kernel start-up are paid once per thread.
        from ccua._kernels import warm_kernels

        warm = warm_kernels(max(1, workers))

        def run_in(job: NotebookJob) -> Callable[[Any, Any], None]:
            def run(km: Any, _warm: Any) -> None:
                execute_notebook(job, run_dir, km=km)

            return run

        _wait_all({warm.submit(run_in(job)): job for job in queue}, say)
        return
    if workers <= 1:
        for job in queue:
            say(f"executing {job.output}")
            execute_notebook(job, run_dir)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        _wait_all({pool.submit(execute_notebook, job, run_dir): job for job in queue}, say)


def _wait_all(futures: dict[Any, NotebookJob], say: Progress) -> None:
    """Say what runs, wait for every notebook; the first failure cancels the rest."""
    for fut in futures:
        say(f"executing {futures[fut].output}")
    try:
        for fut in futures:
            fut.result()
    finally:
        for fut in futures:
            fut.cancel()


def _normalise_executed(path: Path, job: NotebookJob, nb: Any = None) -> None:
    """Make an executed notebook depend on its inputs only (``nb``: the notebook papermill
    executed and wrote to ``path``, else read from it).

    Papermill gives the injected cell a random id and records timings and the (staging)
    paths; nbclient records timestamps. None of it is content: with it removed, the same
    inputs give the same executed notebook, byte for byte.
    """
    import nbformat

    if nb is None:
        nb = nbformat.read(path, as_version=4)
    for n, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        elif "id" in cell and not cell["id"]:
            cell["id"] = f"cell-{n}"
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        pm = meta.get("papermill")
        if isinstance(pm, dict):
            for key in ("start_time", "end_time", "duration"):
                pm.pop(key, None)
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in ("start_time", "end_time", "duration", "environment_variables"):
            pm.pop(key, None)
        pm["input_path"] = f"notebooks/{job.template.name}"
        pm["output_path"] = job.output
        pm["version"] = pm.get("version")
    # What produced it: the run's provenance and the notebook it was executed from.
    ccua_meta = notebook_metadata(path.parent, job.template)
    if ccua_meta is not None:
        nb.metadata["ccua"] = ccua_meta
    atomic_write_text(path, _notebook_json(nb) + "\n")


def _notebook_json(nb: Any) -> str:
    """nbformat's JSON of a v4 notebook (``nbformat.writes``) without its deep copy and its
    schema check: the notebook is ours to change, and papermill checked it as it wrote it."""
    from nbformat.v4.nbjson import BytesEncoder
    from nbformat.v4.rwbase import split_lines, strip_transient

    return json.dumps(
        strip_transient(split_lines(nb)),
        cls=BytesEncoder,
        indent=1,
        sort_keys=True,
        separators=(",", ": "),
        ensure_ascii=False,
    )


def _kernels_closing() -> bool:
    import sys

    kernels = sys.modules.get("ccua._kernels")  # imported where warm kernels were started
    return bool(kernels is not None and kernels.closing())


def _kernel_cwd(run_dir: Path) -> dict[str, Any]:
    """Start the kernel in the run folder (nbclient's ``resources.metadata.path``).

    Not papermill's ``cwd=``: that changes the working folder of the whole process, and two
    notebooks executing in threads restore it in the wrong order, leaving the process in a
    staging folder (relative params paths of the next client in a batch then failed).
    """
    return {"metadata": {"path": str(run_dir)}}


def execute_notebook(job: NotebookJob, run_dir: Path, km: Any = None) -> None:
    """Execute one notebook with papermill into ``run_dir``, turning failures into one line.

    ``km``: a warm kernel manager to execute in (ccua._kernels), else a fresh kernel.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = run_dir / job.output
    warm: dict[str, Any] = {}
    if km is not None:
        from ccua._kernels import prepare_code
        from ccua._papermill import ENGINE

        warm = {
            "engine_name": ENGINE,
            "km": km,
            "ccua_prepare": prepare_code(str(run_dir.resolve())),
        }

    def execute(start_timeout: int, **engine: Any) -> Any:
        return papermill.execute_notebook(
            str(job.template),
            str(out),
            parameters=job.parameters,
            resources=_kernel_cwd(run_dir),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            start_timeout=start_timeout,
            execution_timeout=CELL_TIMEOUT,
            request_save_on_cell_execute=False,
            kernel_manager_class=KERNEL_MANAGER,
            **engine,
        )

    try:
        try:
            nb = execute(KERNEL_START_TIMEOUT, **warm)
        except RuntimeError as exc:
            # A kernel that did not start: retry once, in a fresh one (papermill #511, #776);
            # not while the kernels are shut down (the process leaving after a failure).
            if "kernel" not in str(exc).lower() or _kernels_closing():
                raise
            nb = execute(KERNEL_START_TIMEOUT * 2)
    except PapermillExecutionError as exc:
        with contextlib.suppress(Exception):
            _normalise_executed(out, job)
        raise NotebookFailed(
            f"notebook {job.template.name} ({job.output}) failed in cell {exc.exec_count} "
            f"(cell {exc.cell_index + 1} of the notebook): {exc.ename}: {exc.evalue}",
            file=str(out),
            hint="the executed notebook is kept there for inspection",
        ) from None
    _normalise_executed(out, job, nb)


# ----------------------------------------------------------------------------- run folders
#
# ccua writes a run only into a folder that is absent, empty, or a run folder (it carries
# RUN_MARKER, or it is a run folder from before the marker: a ccua results.json and nothing
# but the files a run writes). Anything else is refused, so that `-o params` or `output: acme`
# (the client's own engagement folder) can never empty a folder ccua did not create.

# What a run writes into its folder (for run folders written before the marker existed).
# The report adds report.qmd/.html/.pdf/.xlsx, _quarto.yml and the folders charts/, templates/.
_RUN_FILE = re.compile(
    r"^(results\.json|[^/]+\.ipynb|report(\.[A-Za-z0-9.]+|_files)|"
    r"_quarto\.yml|charts|templates|\.ccua-[A-Za-z0-9_.-]+)$"
)


def _written_by_ccua(results: Path) -> bool:
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("schema") == "ccua.results"


def is_run_folder(folder: Path) -> bool:
    """A folder ccua may replace: it carries the run marker, or is a run from before it."""
    if (folder / RUN_MARKER).is_file():
        return True
    names = [p.name for p in folder.iterdir()]
    return (
        RESULTS_FILE in names
        and _written_by_ccua(folder / RESULTS_FILE)
        and all(_RUN_FILE.match(n) for n in names)
    )


def check_output_folder(target: Path) -> None:
    """Refuse (one line naming the folder) to write a run into a folder ccua did not create."""
    if target.is_symlink():
        # A run replaces its folder by renames: they would replace the link, not the folder.
        raise CcuaError(
            f"the run's output is a symbolic link; give the folder it points to "
            f"({os.path.realpath(target)}) instead",
            file=str(target),
        )
    if target.exists() and not target.is_dir():
        raise CcuaError(
            "the run's output is not a folder; give a folder for the run "
            "(-o DIR or output: in the params file)",
            file=str(target),
        )
    if not target.exists():
        return
    try:
        if not any(target.iterdir()) or is_run_folder(target):
            return
    except OSError as exc:
        raise CcuaError(
            f"cannot read the output folder {target}: {exc.strerror}", file=str(target)
        ) from None
    raise CcuaError(
        f"the run's output is not a ccua run folder (it holds files ccua did not "
        f"write, and no {RUN_MARKER}); nothing was changed: choose an absent or "
        "empty folder (-o DIR or output: in the params file)",
        file=str(target),
    )


def lock_path(target: Path) -> Path:
    """The advisory lock of the runs written into ``target``: ``.NAME.lock`` beside it."""
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def client_lock(client: str, target: Path, timeout: float, say: Progress) -> Any:
    """Hold the client's run lock; wait at most ``timeout`` seconds for another run."""
    from filelock import FileLock, Timeout

    path = lock_path(target)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"another ccua run of {client} holds {path}: waiting up to {timeout:g} s")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise CcuaError(
                f"client {client} is being run by another ccua run, which has "
                f"held this lock for more than {timeout:g} s; try again when it "
                "has finished",
                file=str(path),
            ) from None
    try:
        yield path
    finally:
        lock.release()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def clean_stale(target: Path, say: Progress) -> list[Path]:
    """Remove staging and old-run folders of ``target`` left by runs that died (kill -9).

    Only ``.NAME.staging-PID`` and ``.NAME.old-PID`` folders whose process is gone, and only
    when they hold a run (marker or ccua's files): never anything else.
    """
    removed = []
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(staging|old)-(\d+)$")
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            m = pattern.match(entry.name)
            if not m or entry.is_symlink() or not entry.is_dir() or _pid_alive(int(m.group(2))):
                continue
            names = [p.name for p in entry.iterdir()]
            if names and not (
                (entry / RUN_MARKER).is_file() or all(_RUN_FILE.match(n) for n in names)
            ):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
            say(f"removed {entry.name}, left by a run that did not finish")
    return removed


def _write_marker(folder: Path, client: str) -> None:
    atomic_write_text(
        folder / RUN_MARKER,
        json.dumps(
            {
                "written_by": f"ccua {__version__}",
                "client": client,
                "note": "a ccua run folder: the next run of this client replaces it whole",
            },
            ensure_ascii=False,
        )
        + "\n",
    )


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames; the old run is removed only after."""
    old = None
    if target.exists():
        check_output_folder(target)  # again, under the lock: it may have changed meanwhile
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


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("CCUA_LOCK_TIMEOUT", LOCK_TIMEOUT))
    except ValueError:
        return LOCK_TIMEOUT


def run_client(
    params_path: str | Path,
    *,
    progress: Progress | None = None,
    notebooks: bool = True,
    report: bool | None = None,
    output: Path | None = None,
    notebooks_folder: Path | None = None,
    lock_timeout: float | None = None,
    lang: str | None = None,
    portfolio: Path | None = None,
) -> RunSummary:
    """Run one client end to end; raise CcuaError on failure (the previous run is kept).

    The run folder (``output``, else the params' ``output:``, else ``runs/CLIENT``) must be
    absent, empty or a ccua run folder; a second run of the same client waits for the first
    at most ``lock_timeout`` seconds (default ``CCUA_LOCK_TIMEOUT``, else 30).
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    if notebooks:
        start_kernels_early()
    say("validating inputs")
    # The one validation, the same as `ccua check` runs (it computes the results too).
    from ccua.scaffold import validate_client

    checked = validate_client(params_path, output=output)
    if checked.stops_run or checked.data is None or checked.result is None:
        raise checked.error()
    data, result = checked.data, checked.result
    from ccua.i18n import check_lang

    lang = check_lang(lang if lang is not None else getattr(data.params, "lang", None))
    if "records" in data.files:
        say(
            f"monthly inputs: the sheet, with the measures recomputed from the records in "
            f"{data.files['records']} laid over it ({len(data.warnings)} sheet value(s) "
            "replaced or mixed; listed in results.json → input_warnings)"
        )
    target = Path(os.path.abspath(output if output is not None else data.output))
    check_output_folder(target)
    add_provenance(result.data, data, target)  # results.json → provenance (ccua verify)
    target.parent.mkdir(parents=True, exist_ok=True)
    timeout = _lock_timeout() if lock_timeout is None else lock_timeout
    with client_lock(data.params.client, target, timeout, say):
        check_output_folder(target)
        clean_stale(target, say)
        # The portfolio store (ccua/portfolio): the previous engagement and the peers before
        # the notebooks (portfolio.json, read by the report), the run's own record after.
        from ccua.portfolio import compare_before_run, record_after_run

        compared, warning = compare_before_run(
            portfolio, result.results, with_benchmark=data.params.benchmark
        )
        if warning:
            say(warning)
        files = _run_into(
            target, data, result, say, notebooks, report, notebooks_folder, lang, compared
        )
        warning = record_after_run(portfolio, target)
        if warning:
            say(warning)
    assessment = result.data["assessment"]
    return RunSummary(
        client=data.params.client,
        params=str(params_path),
        status="ok",
        total=assessment["total"],
        grade=assessment["grade"],
        seconds=time.perf_counter() - started,
        output=str(target),
        files=files,
    )


def _run_into(
    target: Path,
    data: EngagementData,
    result: Any,
    say: Progress,
    notebooks: bool,
    report: bool | None,
    notebooks_folder: Path | None,
    lang: str = "zh",
    compared: dict[str, Any] | None = None,
) -> list[str]:
    """Build the run in a staging folder beside ``target``, then swap it into place."""
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    if staging.exists():  # ours: this process's own, from an earlier failed attempt
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        _write_marker(staging, data.params.client)
        atomic_write_text(staging / RESULTS_FILE, dumps(result.data))
        files = [RESULTS_FILE]
        if compared is not None:
            from ccua.portfolio import PORTFOLIO_FILE, write_comparison

            write_comparison(staging, compared)
            files.append(PORTFOLIO_FILE)
        want_report = data.params.report if report is None else report
        if notebooks:
            jobs = notebook_jobs(data, notebooks_folder, lang)
            if want_report:
                _warm_report_engine(staging, lang)
            execute_notebooks(jobs, staging, say, order=lambda j: _expected_cost(data, j))
            files += [job.output for job in jobs]
        if want_report and notebooks:
            render = _report_renderer()
            if render is not None:
                say("rendering the report")
                files += render(staging, say, lang)
        _swap_into_place(staging, target)
    except NotebookFailed as exc:
        kept = _keep_failed(staging, target)
        name = Path(exc.problem.file or "").name
        raise NotebookFailed(
            exc.problem.message,
            file=str(kept / name),
            hint="the executed notebook is kept there; the previous run is untouched",
        ) from None
    except BaseException:
        _keep_failed(staging, target)
        raise
    return files


def _keep_failed(staging: Path, target: Path) -> Path:
    """Move a failed staging folder beside the previous run (never over it) for inspection.

    ``NAME.failed`` is replaced only when it is a run folder; a folder of someone else's
    under that name is left alone and the failed run stays in its staging folder.
    """
    failed_dir = target.with_name(f"{target.name}.failed")
    if failed_dir.is_symlink() or (
        failed_dir.exists()
        and not (
            failed_dir.is_dir() and (not any(failed_dir.iterdir()) or is_run_folder(failed_dir))
        )
    ):
        return staging
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    try:
        os.replace(staging, failed_dir)
    except OSError:
        return staging
    return failed_dir


def _warm_report_engine(run_dir: Path, lang: str) -> None:
    """While the notebooks run: import the report's renderers and workbook writer (openpyxl),
    have pandoc read the report's front part, make the workbook, have Typst read the report's
    fonts. The report then starts and compiles sooner. A report that cannot be rendered says
    why later, not here."""

    def warm() -> None:
        with contextlib.suppress(Exception):
            from ccua.report import find_cjk_font, report_ahead, warm_typst

            report_ahead(run_dir, lang)
            warm_typst(find_cjk_font())

    threading.Thread(target=warm, name="ccua-typst-warm", daemon=True).start()


def _report_renderer() -> Callable[[Path, Progress, str], list[str]] | None:
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
        return RunSummary(
            client=Path(params_path).stem,
            params=params_path,
            status="failed",
            seconds=time.perf_counter() - started,
            error=str(exc),
        )
    except Exception as exc:  # a bug must not take the batch down; report it as the client's
        return RunSummary(
            client=Path(params_path).stem,
            params=params_path,
            status="failed",
            seconds=time.perf_counter() - started,
            error=f"internal error: {type(exc).__name__}: {exc}",
        )


def run_batch(
    params_paths: Sequence[str | Path],
    *,
    jobs: int = 1,
    notebooks: bool = True,
    report: bool | None = None,
    on_done: Callable[[RunSummary], None] | None = None,
) -> list[RunSummary]:
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
        # Fresh worker processes, not forks: a fork of a process that has run a client
        # carries its threads' locks (the notebook pool, zmq, logging) and can hang for good
        # (it did, in the benchmark: two idle workers after one in-process batch).
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            pending: dict[Future[RunSummary], str] = {
                pool.submit(_run_one, p, notebooks, report): p for p in paths
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    p = pending.pop(fut)
                    try:
                        s = fut.result()
                    except Exception as exc:  # the worker process died
                        s = RunSummary(
                            client=Path(p).stem,
                            params=p,
                            status="failed",
                            error=f"worker died: {exc}",
                        )
                    summaries[p] = s
                    if on_done:
                        on_done(s)
    return [summaries[p] for p in paths]
