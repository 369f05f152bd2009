"""The assessor's own settings, outside any client folder: the name the forms record as ``by:``."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ccua._io import atomic_write_text

CONFIG_FILE = "forms.json"


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/ccua`` (default ``~/.config/ccua``): per user, never per client."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ccua"


def remembered_assessor() -> str | None:
    try:
        data = json.loads((config_dir() / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("assessor") if isinstance(data, dict) else None
    return str(name).strip() or None if name else None


def remember_assessor(name: str) -> None:
    """Remember the name for the next form; a read-only home only means it is not remembered."""
    path = config_dir() / CONFIG_FILE
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
        data["assessor"] = name
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
