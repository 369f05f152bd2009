"""A client's folder of ingested records: partitions, manifest, salt and lock.

Layout (``params/<client>/records/``)::

    manifest.json                    what was ingested: one entry per source file
    .salt                            the engagement's secret salt (never printed, never shared)
    .lock                            held while an ingest runs
    .staging/                        work in progress; removed when an ingest ends
    voice/month=2026-01/<sha>-0.parquet
    digital/month=2026-01/...

The manifest is the commit point: a Parquet file counts only once the manifest lists it, and
the manifest is replaced atomically. An ingest interrupted at any moment therefore leaves the
previous state intact (its stray files are ignored by readers and removed by the next ingest).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ccua._io import atomic_write_text
from ccua.errors import CcuaError

MANIFEST = "manifest.json"
SALT = ".salt"
LOCK = ".lock"
STAGING = ".staging"
MANIFEST_VERSION = 1


class RecordsStore:
    """One engagement's records folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # --- reading -------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": MANIFEST_VERSION, "sources": []}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CcuaError(
                f"the records manifest is damaged ({exc}); re-run ccua ingest into a new folder",
                file=str(path),
            ) from None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            raise CcuaError(f"unsupported manifest version {data.get('version')!r}", file=str(path))
        return data

    def sources(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [s for s in self.manifest()["sources"] if kind is None or s["kind"] == kind]

    def files(self, kind: str, months: list[str] | None = None) -> list[Path]:
        """The committed Parquet files of a kind (optionally only these months)."""
        wanted = set(months) if months is not None else None
        out = []
        for source in self.sources(kind):
            for rel in source["files"]:
                month = rel.split("month=", 1)[1].split("/", 1)[0]
                if wanted is None or month in wanted:
                    out.append(self.root / rel)
        return sorted(out)

    def months(self, kind: str | None = None) -> list[str]:
        found = {m for s in self.sources(kind) for m in s.get("months", {})}
        return sorted(found)

    def exists(self) -> bool:
        return (self.root / MANIFEST).exists()

    # --- writing -------------------------------------------------------------------------
    def commit(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(
            self.root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
        )

    def salt(self) -> str:
        """The engagement's salt: created once, kept private (mode 0600), never printed."""
        path = self.root / SALT
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            text = path.read_text(encoding="ascii").strip()
            if len(text) < 32:
                raise CcuaError(
                    "the salt file is damaged; restore it from a backup (records "
                    "ingested with another salt cannot be joined with new ones)",
                    file=str(path),
                ) from None
            return text
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        return path.read_text(encoding="ascii").strip()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock; a lock left by a dead process is taken over."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                break
            except FileExistsError:
                holder = _pid(path)
                if holder is not None and _alive(holder) and holder != os.getpid():
                    raise CcuaError(
                        f"another ingest (process {holder}) is writing these "
                        "records; wait for it to finish",
                        file=str(self.root),
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        else:  # pragma: no cover - two dead holders in a row
            raise CcuaError("cannot take the records lock", file=str(path))
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def staging(self, name: str) -> Path:
        folder = self.root / STAGING / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder

    def clean_staging(self) -> None:
        shutil.rmtree(self.root / STAGING, ignore_errors=True)

    def clean(self) -> list[Path]:
        """Remove what an interrupted ingest left: staging and files no manifest lists."""
        removed: list[Path] = []
        staging = self.root / STAGING
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
        listed = {str(self.root / rel) for s in self.sources() for rel in s["files"]}
        for path in self.root.glob("*/month=*/*.parquet"):
            if str(path) not in listed:
                path.unlink()
                removed.append(path)
        return removed


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
