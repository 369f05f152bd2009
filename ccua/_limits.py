"""The limits every reader enforces, so that no input can hang ccua or exhaust its memory.

One place for the figures; ``docs/limits.md`` states them for users. A file beyond a limit is
refused with one line naming the file, the limit and what to do, before it is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self

from ccua.errors import CcuaError

MB = 1024 * 1024

#: Largest file of each kind, in bytes.
MAX_BYTES: dict[str, int] = {
    "yaml": 5 * MB,  # params, engagement, targets, checks, ratings, mappings, records.yaml
    "sheet": 20 * MB,  # monthly.csv/xlsx, claimed.csv/xlsx
    "records": 20 * 1024 * MB,  # record exports (CSV, Excel, Parquet): streamed by DuckDB
}

#: Largest record export in Excel: converted in memory-light streaming, but slowly.
MAX_RECORDS_EXCEL_BYTES = 200 * MB

#: Rows of a monthly or claimed sheet (a sheet has one row per input or per month).
MAX_SHEET_ROWS = 10_000
#: Columns of a monthly or claimed sheet.
MAX_SHEET_COLUMNS = 1_000
#: Cells (data rows x header columns) of a sheet: what bounds its memory (a monthly sheet of
#: 150 inputs x 12 columns has 1,800).
MAX_SHEET_CELLS = 200_000

#: YAML: nodes of a document once every alias is expanded, and nesting depth.
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 100

#: Problems one reader lists for one file; beyond it they are counted, not kept.
MAX_PROBLEMS = 200

KIND_WORDS = {"yaml": "YAML file", "sheet": "sheet", "records": "record export"}


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


def check_size(
    path: str | os.PathLike[str], kind: str, *, file: str | None = None, limit: int | None = None
) -> None:
    """Refuse a file larger than the limit of its kind (a missing file is left to the caller)."""
    limit = MAX_BYTES[kind] if limit is None else limit
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    if size > limit:
        raise CcuaError(
            f"the file is {_size(size)}; a {KIND_WORDS.get(kind, kind)} may be at "
            f"most {_size(limit)} (see docs/limits.md)",
            file=file or str(path),
        )


def check_text_size(text: str, kind: str, file: str) -> None:
    """The same limit for text already read (counted in UTF-8 bytes, cheaply bounded)."""
    limit = MAX_BYTES[kind]
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        raise CcuaError(
            f"the text is larger than {_size(limit)}, the most a "
            f"{KIND_WORDS.get(kind, kind)} may be (see docs/limits.md)",
            file=file,
        )


class ProblemCap(list[Any]):
    """A problem list that keeps the first ``MAX_PROBLEMS`` and counts the rest.

    ``close()`` appends one line saying how many more there were. Memory and time stay bounded
    however bad a file is.
    """

    def __init__(self, file: str | None, limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.file = file
        self.limit = limit
        self.dropped = 0

    def append(self, problem: Any) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.dropped += 1

    def __iadd__(self, more: Iterable[Any]) -> Self:  # type: ignore[misc]
        for p in more:
            self.append(p)
        return self

    def extend(self, more: Iterable[Any]) -> None:
        for p in more:
            self.append(p)

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    def close(self) -> list[Any]:
        from ccua.errors import MoreProblems

        out = list(self)
        if self.dropped:
            out.append(
                MoreProblems(
                    f"... and {self.dropped:,} more problems (only the first "
                    f"{self.limit} of a file are listed)",
                    file=self.file,
                    count=self.dropped,
                )
            )
        return out
