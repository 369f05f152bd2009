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

import hashlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator

from ccua._limits import check_size
from ccua._yaml import Schema, invalid, load_with_lines, validate
from ccua.errors import CcuaError
from ccua.records._mapped import DEFAULT_TIMEZONE, ENCODINGS, Mapping
from ccua.records._schema import KINDS


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


_EXAMPLES = {
    "files": "expected file name patterns such as ['*通话记录*.csv']",
    "datetime_formats": "expected a list of strptime formats such as '%Y/%m/%d %H:%M:%S'",
    "columns": "expected columns: {canonical column: export header}",
    "values": "expected values: {canonical column: {export value: canonical value}}",
    "constants": "expected constants: {canonical column: value}",
}


class _MappingFile(Schema):
    """The schema of a mapping file; each rule reports where it fails, all at once."""

    kind: str | None = None
    files: tuple[str, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    datetime_formats: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    description: Any = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str | None:
        if value is not None and str(value) not in KINDS:
            raise ValueError(f"`kind` must be one of {', '.join(KINDS)}, got {value!r}")
        return None if value is None else str(value)

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone(cls, value: Any) -> str:
        tz = str(value or DEFAULT_TIMEZONE)
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai"
            ) from None
        return tz

    @field_validator("encoding", mode="before")
    @classmethod
    def _encoding(cls, value: Any) -> str | None:
        if value is not None and str(value).lower() not in ENCODINGS:
            raise ValueError(f"`encoding` must be one of {', '.join(ENCODINGS)}, got {value!r}")
        return str(value).lower() if value else None

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet(cls, value: Any) -> str | None:
        return None if value is None else str(value)

    @field_validator("files", "datetime_formats", mode="before")
    @classmethod
    def _patterns(cls, value: Any, info: ValidationInfo) -> tuple[str, ...]:
        value = [value] if isinstance(value, str) else value or []
        need = "%" if info.field_name == "datetime_formats" else ""
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v and need in v for v in value
        ):
            raise ValueError(_EXAMPLES[str(info.field_name)])
        return tuple(value)

    @field_validator("columns", "values", "constants", mode="before")
    @classmethod
    def _by_column(cls, value: Any, info: ValidationInfo) -> dict[str, Any]:
        """Canonical columns of the file's kind; export headers and values as text."""
        if not isinstance(value, dict | None):
            raise ValueError(_EXAMPLES[str(info.field_name)])
        kind = KINDS.get(info.data.get("kind") or "")
        out: dict[str, Any] = {}
        found: list[tuple[tuple[str, ...], str]] = []
        for canonical, given in (value or {}).items():
            if kind is not None and canonical not in kind.names:
                why = f"{canonical!r} is not a column of {kind.name} records; columns are "
                found.append(((canonical,), why + ", ".join(kind.names)))
            elif info.field_name == "values" and not isinstance(given, dict):
                found.append(((canonical,), "expected {export value: canonical value}"))
            elif info.field_name == "values":
                out[canonical] = {_text(k): _text(v) for k, v in given.items()}
            elif info.field_name == "columns" and (given is None or not _text(given)):
                found.append(((canonical,), "no export header given"))
            elif info.field_name == "constants" and canonical in info.data.get("columns", {}):
                found.append(((canonical,), "is both mapped to a header and given as a constant"))
            else:
                out[canonical] = _text(given)
        if info.field_name == "columns":
            seen: dict[str, str] = {}
            for canonical, header in list(out.items()):  # the first mapping of a header wins
                if header in seen:
                    why = f"header {header!r} is already mapped to {seen[header]}"
                    found.append(((canonical,), why))
                    del out[canonical]
                seen.setdefault(header, canonical)
        if found:
            raise invalid(*found)
        return out


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
    if not isinstance(data, dict):
        raise CcuaError("expected a mapping file with kind:, columns: …", file=file)
    body = validate(_MappingFile, data, file=file, lines=lines, subject=f"mapping {file}")
    fields = body.model_dump(exclude={"description"})
    return Mapping(**fields, path=file, sha256=hashlib.sha256(raw).hexdigest())
