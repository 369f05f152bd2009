"""The monthly measures of a records folder, kept beside the records under a hash of their inputs.

Recomputing the measures reads every ingested record (seconds for ten million); the form,
``ccua check`` and ``ccua run`` of the same client ask for the same result again and again.
So :func:`ccua.records.monthly_inputs` keeps what it computed in ``records/.cache/``, in a file
named after a SHA-256 of everything the result depends on:

- the records: the manifest's bytes (each ingested file's sha256, mapping, rows and the
  partitions written) and the size and modification time of every partition it lists;
- the measure definitions file (``records.yaml``) and the framework's id, version and measures;
- the months asked for, the service-level threshold, the standard working day and the engine;
- ccua's version, the DuckDB version and the source of the code that computes the measures.

Change any of them and the key changes: the measures are computed afresh and the new file
replaces the oldest. The file is JSON (no code is ever loaded from it), values are exact
fractions written as text (``"123/7"``), and it carries its own key, so a file that is
truncated, edited, of another format or another key is ignored and rewritten. It is written
atomically, and only when the manifest did not change while the measures were computed (an
ingest running at the same time). A folder that cannot be written means no cache; so does
``CCUA_NO_CACHE=1``. Nothing but these measures is stored: no record, no identifier.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ccua._io import atomic_write_text
from ccua.records._store import MANIFEST, RecordsStore
from ccua.spec import Framework

FOLDER = ".cache"
FORMAT = 1
KEEP = 4  # entries kept per records folder (other months, thresholds)
_SOURCES = ("_cache.py", "_inputs.py", "_definitions.py", "_engine.py", "_schema.py", "_store.py")
_VALUE = re.compile(r"-?[0-9]+(/[1-9][0-9]*)?")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")

Row = tuple[str, str, Fraction, bool]  # month, measure, exact value, from a run setting


def enabled() -> bool:
    return not os.environ.get("CCUA_NO_CACHE")


def _duckdb_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("duckdb")
    except PackageNotFoundError:  # pragma: no cover - duckdb is a dependency
        return "-"


def manifest_bytes(store: RecordsStore) -> bytes:
    """The manifest as stored (b"" when there is none)."""
    try:
        return (store.root / MANIFEST).read_bytes()
    except FileNotFoundError:
        return b""


def measures_key(
    store: RecordsStore,
    manifest: bytes,
    framework: Framework,
    definitions_file: Path,
    months: Sequence[str],
    settings: Sequence[tuple[str, Any]],
    engine: str,
) -> str | None:
    """The hash the measures are filed under (see the module docstring), or None when an input
    cannot be read (the computation will then say what is wrong)."""
    from ccua import __version__

    h = hashlib.sha256()

    def part(*items: object) -> None:
        for item in items:
            h.update(item if isinstance(item, bytes) else str(item).encode())
            h.update(b"\0")

    part(f"ccua-measures-cache {FORMAT}", __version__, _duckdb_version(), engine)
    part(framework.id, framework.version, repr(framework.measures))
    part(*sorted(set(months)), "|", *(f"{k}={v}" for k, v in settings))
    here = Path(__file__).parent
    try:
        for name in _SOURCES:
            part(name, (here / name).read_bytes())
        part(definitions_file.read_bytes(), manifest)
        data = json.loads(manifest)
        for rel in sorted(r for s in data["sources"] for r in s["files"]):
            st = (store.root / rel).stat()
            part(rel, st.st_size, st.st_mtime_ns)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return h.hexdigest()


def setting(value: int | float | Decimal | None) -> str:
    """A run setting as the key sees it: equal numbers give equal text (8, 8.0, Decimal('8'))."""
    return "-" if value is None else str(Fraction(str(value)))


def _path(store: RecordsStore, key: str) -> Path:
    return store.root / FOLDER / f"measures-{key[:40]}.json"


def load(store: RecordsStore, key: str) -> list[Row] | None:
    """The cached rows under ``key``, or None (missing, unreadable, damaged, other key)."""
    try:
        data = json.loads(_path(store, key).read_text(encoding="utf-8"))
        if data["format"] != FORMAT or data["key"] != key:
            return None
        rows: list[Row] = []
        for month, measure, value, default in data["rows"]:
            texts = isinstance(month, str) and isinstance(measure, str) and isinstance(value, str)
            if not texts or not isinstance(default, bool):
                return None
            if not _MONTH.fullmatch(month) or not _VALUE.fullmatch(value):
                return None
            rows.append((month, measure, Fraction(value), default))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return rows


def save(store: RecordsStore, key: str, rows: Sequence[Row], manifest: bytes) -> None:
    """File ``rows`` under ``key`` if the records did not change meanwhile; never raises."""
    if manifest_bytes(store) != manifest:
        return  # an ingest committed while the measures were computed: they may be stale
    data = {"format": FORMAT, "key": key, "rows": [[m, code, str(v), d] for m, code, v, d in rows]}
    path = _path(store, key)
    with contextlib.suppress(OSError):
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=0) + "\n")
        others = sorted(
            (p for p in path.parent.glob("measures-*.json") if p != path),
            key=lambda p: p.stat().st_mtime_ns,
        )
        for old in others[: max(0, len(others) - (KEEP - 1))]:
            old.unlink(missing_ok=True)


__all__ = ["enabled", "load", "manifest_bytes", "measures_key", "save", "setting"]
