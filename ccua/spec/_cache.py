"""A compiled cache of the bundled frameworks: validated once, then unpickled in milliseconds.

Parsing and validating a framework's YAML (about 30 files) takes a tenth of a second or more;
a command such as ``ccua score`` needs a few milliseconds for the rest of its work. So the
validated :class:`~ccua.spec.Framework` is pickled into the user's cache folder, under a name
that carries a hash of everything the result depends on:

- every ``*.yaml`` file of the framework's folder and of the shared ``scales/`` folder (their
  relative paths and bytes),
- the source of the code that builds and checks it (``ccua/spec/_models.py``, ``_loader.py``,
  ``ccua/formulas.py``), ccua's version, and the Python and pydantic versions.

Change any of them and the key changes: the framework is validated afresh, and the file of the
old key is removed (another install of ccua, with its frameworks elsewhere, keeps its own). The
cache is only ever a shortcut: a folder that cannot be written, a file that is truncated,
corrupt, of another version or not a framework, is ignored (and rewritten when possible), and
the framework is loaded from its YAML as if there were no cache. The folder is
``$CCUA_CACHE_DIR``, else ``$XDG_CACHE_HOME/ccua``, else ``~/.cache/ccua``; it is used only when
it belongs to the user and others cannot write to it (a pickle is code). ``CCUA_NO_CACHE=1``
switches the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1
_SOURCES = ("spec/_models.py", "spec/_loader.py", "spec/_cache.py", "formulas.py")


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get("CCUA_NO_CACHE"):
        return None
    base = os.environ.get("CCUA_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "ccua"


def safe_folder(folder: Path) -> bool:
    """The folder exists (created 0700 if need be), is the user's and only the user's."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def framework_key(framework_id: str, root: Path) -> str:
    """The content hash a cached framework is filed under (see the module docstring)."""
    import pydantic

    from ccua import __version__

    h = hashlib.sha256()
    for part in (
        f"ccua-framework-cache {CACHE_FORMAT}",
        __version__,
        sys.version,
        pydantic.VERSION,
        framework_id,
    ):
        h.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parents[1]
    for rel in _SOURCES:
        h.update(rel.encode() + b"\0" + (package / rel).read_bytes() + b"\0")
    for folder in (root / framework_id, root / "scales"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cached_framework(framework_id: str, root: Path, load: Callable[[], Any], kind: type) -> Any:
    """``load()``'s framework, from the cache when its key matches, else loaded and stored."""
    folder = cache_dir()
    if folder is None:
        return load()
    try:
        key = framework_key(framework_id, root)
    except OSError:
        return load()  # a file vanished while hashing: the loader will say which
    # The name carries the frameworks' folder too: two installs of ccua (two checkouts, two
    # virtual environments) keep a file each instead of replacing each other's at every call.
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:8]
    path = folder / f"framework-{framework_id}-{where}-{key[:40]}.pickle"
    if safe_folder(folder):
        try:
            with path.open("rb") as fh:
                fw = pickle.load(fh)
        except Exception:  # missing, truncated, corrupt, from another version: rebuild
            pass
        else:
            if isinstance(fw, kind) and getattr(fw, "id", None) == framework_id:
                return fw
    fw = load()  # validation errors propagate; invalid frameworks are not cached
    if safe_folder(folder):
        _store(path, fw)
    return fw


def _store(path: Path, value: Any) -> None:
    """Write atomically (a reader never sees half a file); any failure leaves no cache."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"):
            if old != path:  # earlier keys of the same framework in the same install
                old.unlink(missing_ok=True)
    except Exception:  # read-only folder, disk full, unpicklable: no cache
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


__all__ = ["cache_dir", "cached_framework", "framework_key", "safe_folder"]
