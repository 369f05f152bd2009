"""Mapping files: how one client's export becomes a canonical record table.

A centre's exports rarely use our column names: headers are Chinese, flags are 是/否, channels
are 电话 or 在线客服, times are ``2026/01/05 09:13:22`` in Beijing time. A mapping file says, per
canonical column, which export header holds it, and how values translate::

    kind: voice                          # the canonical table (ccua/records/_schema.py)
    files: ["*通话记录*.csv"]              # optional: the export files it is for (glob)
    timezone: Asia/Shanghai              # the centre's zone; offsets in the data convert to it
    datetime_formats: ["%Y/%m/%d %H:%M:%S"]   # tried after ISO 8601
    encoding: gbk                        # optional; detected when absent
    sheet: 通话明细                        # optional; Excel sheet (default: the first)
    columns:                             # canonical column: export header
      call_id: 通话流水号
      arrived_at: 进入队列时间
    values:                              # canonical column: {export value: canonical value}
      transferred: {是: true, 否: false}
    constants:                           # columns the export lacks: one value for every row
      channel: voice

Every problem in a mapping file is reported at once, with its line.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccua._limits import check_size
from ccua._yaml import line_of, load_with_lines
from ccua.errors import CcuaError, Problem, ValidationFailed
from ccua.records._schema import KINDS, Kind

DEFAULT_TIMEZONE = "Asia/Shanghai"
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
_KEYS = {
    "kind",
    "files",
    "timezone",
    "datetime_formats",
    "encoding",
    "sheet",
    "columns",
    "values",
    "constants",
    "description",
}


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


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; raise with every problem found."""
    p = Path(path)
    file = str(p)
    check_size(p, "yaml", file=file)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CcuaError("mapping file not found", file=file) from None
    except IsADirectoryError:
        raise CcuaError("is a folder; expected a mapping YAML file", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CcuaError("the mapping file is not UTF-8; save it as UTF-8", file=file) from None
    data, lines = load_with_lines(text, file)
    problems: list[Problem] = []

    def bad(message: str, *loc: str) -> None:
        problems.append(
            Problem(message, file=file, row=line_of(lines, loc), field=".".join(loc) or None)
        )

    if not isinstance(data, dict):
        raise CcuaError("expected a mapping file with kind:, columns: …", file=file)
    for key in sorted(set(data) - _KEYS):
        bad(f"unknown key; keys are {', '.join(sorted(_KEYS))}", str(key))
    kind_name = data.get("kind")
    kind: Kind | None = None
    if kind_name is not None:
        kind = KINDS.get(str(kind_name))
        if kind is None:
            bad(f"`kind` must be one of {', '.join(KINDS)}, got {kind_name!r}", "kind")
    tz = str(data.get("timezone") or DEFAULT_TIMEZONE)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        bad(f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai", "timezone")
    encoding = data.get("encoding")
    if encoding is not None and str(encoding).lower() not in ENCODINGS:
        bad(f"`encoding` must be one of {', '.join(ENCODINGS)}, got {encoding!r}", "encoding")
    formats = data.get("datetime_formats") or []
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        bad("expected a list of strptime formats such as '%Y/%m/%d %H:%M:%S'", "datetime_formats")
        formats = []
    files = data.get("files") or []
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        bad("expected file name patterns such as ['*通话记录*.csv']", "files")
        files = []

    def known(column: str, *loc: str) -> bool:
        if kind is not None and column not in kind.names:
            bad(
                f"{column!r} is not a column of {kind.name} records; columns are "
                f"{', '.join(kind.names)}",
                *loc,
            )
            return False
        return True

    columns: dict[str, str] = {}
    body = data.get("columns") or {}
    if not isinstance(body, dict):
        bad("expected columns: {canonical column: export header}", "columns")
        body = {}
    seen: dict[str, str] = {}
    for canonical, header in body.items():
        canonical = str(canonical)
        if not known(canonical, "columns", canonical):
            continue
        if header is None or not _text(header):
            bad("no export header given", "columns", canonical)
            continue
        header_text = _text(header)
        if header_text in seen:
            bad(
                f"header {header_text!r} is already mapped to {seen[header_text]}",
                "columns",
                canonical,
            )
            continue
        seen[header_text] = canonical
        columns[canonical] = header_text
    values: dict[str, dict[str, str]] = {}
    vbody = data.get("values") or {}
    if not isinstance(vbody, dict):
        bad("expected values: {canonical column: {export value: canonical value}}", "values")
        vbody = {}
    for canonical, table in vbody.items():
        canonical = str(canonical)
        if not known(canonical, "values", canonical):
            continue
        if not isinstance(table, dict):
            bad("expected {export value: canonical value}", "values", canonical)
            continue
        values[canonical] = {_text(k): _text(v) for k, v in table.items()}
    constants: dict[str, str] = {}
    cbody = data.get("constants") or {}
    if not isinstance(cbody, dict):
        bad("expected constants: {canonical column: value}", "constants")
        cbody = {}
    for canonical, value in cbody.items():
        canonical = str(canonical)
        if not known(canonical, "constants", canonical):
            continue
        if canonical in columns:
            bad("is both mapped to a header and given as a constant", "constants", canonical)
            continue
        constants[canonical] = _text(value)
    if problems:
        raise ValidationFailed.of(problems, subject=f"mapping {file}")
    return Mapping(
        kind=kind.name if kind else None,
        files=tuple(str(f) for f in files),
        timezone=tz,
        datetime_formats=tuple(formats),
        encoding=str(encoding).lower() if encoding else None,
        sheet=str(data["sheet"]) if data.get("sheet") is not None else None,
        columns=columns,
        values=values,
        constants=constants,
        path=file,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
