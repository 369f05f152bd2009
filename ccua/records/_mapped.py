"""The mapping an ingest applies: a plain record, without the file schema that checks it.

Kept apart from :mod:`ccua.records._mapping` (which validates mapping files with pydantic) so
that ingesting a canonical export never imports the validation machinery (docs/speed.md,
goal 5).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TIMEZONE = "Asia/Shanghai"
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")


@dataclass(frozen=True)
class Mapping:
    """A parsed, validated mapping file (or the identity mapping of a canonical export)."""

    kind: str | None = None
    files: tuple[str, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    datetime_formats: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> export header
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    sha256: str | None = None

    def applies_to(self, file: Path) -> bool:
        return not self.files or any(fnmatch.fnmatch(file.name, p) for p in self.files)

    def header_for(self, column: str) -> str:
        """The export header that holds a canonical column (its own name when unmapped)."""
        return self.columns.get(column, column)


IDENTITY = Mapping()
