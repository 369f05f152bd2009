"""``ccua archive``: one zip file holding a run, the inputs it recorded and its provenance.

The archive keeps the run folder and the inputs where they stand relative to each other (the
run's ``provenance.root``), so ``ccua verify ARCHIVE`` recomputes the run from the archived
inputs anywhere, on another machine or after the originals are gone.

It holds only what the run already holds and the input files its provenance lists: never the
records' secret salt, the records' staging or lock files, or anything else of the engagement
folder (ingested records are pseudonymised when ingested). The same run gives the same
archive, byte for byte (fixed member times and order).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from ccua import __version__
from ccua.errors import CcuaError
from ccua.provenance import sha256_file
from ccua.results_model import run_results_file
from ccua.verify import ARCHIVE_FORMAT, ARCHIVE_MANIFEST, provenance_of, read_json

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP = frozenset({"__pycache__", ".ipynb_checkpoints"})


def default_archive(run_dir: Path) -> Path:
    return run_dir.parent / f"{run_dir.name}.ccua.zip"


def _run_files(run_dir: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(run_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP)
        out += [Path(dirpath) / f for f in sorted(filenames) if not f.endswith(".tmp")]
    return out


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def archive_run(
    run_dir: str | Path, output: str | Path | None = None, *, force: bool = False
) -> tuple[Path, int]:
    """Write the archive of a run; return its path and the number of input files in it."""
    run = Path(run_dir)
    results_file = run_results_file(run)
    results = read_json(results_file)
    prov = provenance_of(results, results_file)
    out = Path(output) if output is not None else default_archive(run)
    if out.exists() and not force:
        raise CcuaError(
            "exists already; not overwritten",
            file=str(out),
            hint="give another --output, or --force to replace it",
        )
    run_abs = run.resolve()
    root = (run_abs / prov.get("root", ".")).resolve()
    base = Path(os.path.commonpath([run_abs, root]))
    if out.resolve().is_relative_to(run_abs):
        raise CcuaError("would be written inside the run folder it archives", file=str(out))
    entries: dict[str, bytes] = {}
    for f in _run_files(run_abs):
        entries[f.relative_to(base).as_posix()] = f.read_bytes()
    for entry in prov["inputs"]:
        src = root / entry["path"]
        if not src.is_file():
            raise CcuaError(
                f"the run's input {entry['path']} is missing",
                file=str(src),
                hint="restore it, or re-run the client and archive the new run",
            )
        if sha256_file(src) != entry["sha256"]:
            raise CcuaError(
                f"the run's input {entry['path']} changed since the run (its "
                "sha256 differs from the one recorded); the archive would not "
                "verify",
                file=str(src),
                hint="restore the file, or re-run the client and archive that",
            )
        entries[(root / entry["path"]).relative_to(base).as_posix()] = src.read_bytes()
    manifest = {
        "format": ARCHIVE_FORMAT,
        "generator": f"ccua {__version__}",
        "run": run_abs.relative_to(base).as_posix() or ".",
        "inputs": root.relative_to(base).as_posix() or ".",
        "client": results.get("client"),
        "verify": "ccua verify THIS_FILE",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            _add(
                zf,
                ARCHIVE_MANIFEST,
                (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            )
            for name in sorted(entries):
                _add(zf, name, entries[name])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out, len(prov["inputs"])
