"""The evidence register of an engagement: what each rating rests on.

``evidence.yaml`` in the engagement folder lists each document, interview, observation or data
extract the assessors relied on, with an id that ratings cite (``evidence: E003`` or
``evidence: E003, E007``); attached files live in ``evidence/`` beside it with their sha256::

    evidence:
      - id: E001
        title: 运营管理规范（2026版）
        kind: document          # document | interview | observation | data
        date: 2026-09-16
        owner: 王立新
        file: evidence/运营管理规范.pdf
        sha256: 3b1f…

Free-text evidence in a rating is still read, and flagged so that it can be registered.
Evidence leaves the engagement folder only as ids and titles: files and their contents are
never copied into a run or a report.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ccua._io import atomic_write_text, sha256_file
from ccua._yaml import line_of, load_with_lines, read_yaml_text, validate
from ccua.errors import CcuaError, Problem
from ccua.ratings import Ratings

REGISTER_FILE = "evidence.yaml"
EVIDENCE_DIR = "evidence"
KINDS = ("document", "interview", "observation", "data")
ID_PATTERN = re.compile(r"^E\d{3,}$")
_CITATION = re.compile(r"\bE\d{3,}\b")


class EvidenceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN.pattern, description="E001, E002, …")
    title: str = Field(min_length=1)
    kind: Literal["document", "interview", "observation", "data"]
    date: dt.date | None = None
    owner: str = ""
    file: str = Field("", description="attached file, relative to the engagement folder")
    sha256: str = Field("", pattern=r"^([0-9a-f]{64})?$")


class _RegisterFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: list[EvidenceEntry] = []


@dataclass(frozen=True)
class Register:
    path: Path
    entries: tuple[EvidenceEntry, ...]

    def get(self, evidence_id: str) -> EvidenceEntry | None:
        return next((e for e in self.entries if e.id == evidence_id), None)

    def next_id(self) -> str:
        numbers = [int(e.id[1:]) for e in self.entries]
        return f"E{(max(numbers) + 1 if numbers else 1):03d}"


def load_register(folder: Path) -> Register:
    """The register of an engagement folder (empty when there is no evidence.yaml)."""
    path = folder / REGISTER_FILE
    if not path.is_file():
        return Register(path, ())
    text = read_yaml_text(path)
    data, lines = load_with_lines(text, str(path))
    subject = f"{path}: evidence register"
    parsed = validate(_RegisterFile, data or {}, file=str(path), lines=lines, subject=subject)
    seen: set[str] = set()
    for i, entry in enumerate(parsed.evidence):
        if entry.id in seen:
            raise CcuaError(
                f"evidence id {entry.id} is used twice",
                file=str(path),
                row=line_of(lines, ("evidence", str(i), "id")),
                field=f"evidence.{i}.id",
            )
        seen.add(entry.id)
    return Register(path, tuple(parsed.evidence))


HEADER = (
    "# 测评证据登记 (evidence register): ratings cite these ids; files live in "
    "evidence/.\n# Added to by `ccua evidence add`, which keeps what you write here.\n"
)


def _with_entry(path: Path, entry: EvidenceEntry) -> str:
    """The register's text with ``entry`` appended; comments and layout kept (round trip)."""
    from io import StringIO

    from ruamel.yaml import YAML

    row = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in entry.model_dump().items()
        if v not in ("", None)
    }
    yaml = YAML()
    yaml.width = 4096
    text = read_yaml_text(path) if path.is_file() else HEADER + "evidence: []\n"
    tree = yaml.load(text) or {}
    if tree.get("evidence") is None:
        tree["evidence"] = []
    tree["evidence"].append(row)
    out = StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def add_evidence(
    folder: Path,
    *,
    title: str,
    kind: str,
    file: Path | None = None,
    owner: str = "",
    when: dt.date | None = None,
) -> EvidenceEntry:
    """Register a piece of evidence (and attach a copy of ``file``); return its entry.

    The register is rewritten atomically; an attached file is copied, never moved, and never
    overwrites a different file of the same name.
    """
    if kind not in KINDS:
        raise CcuaError(f"--kind must be one of {', '.join(KINDS)}; got {kind!r}", field="kind")
    if not title.strip():
        raise CcuaError("--title must not be empty", field="title")
    register = load_register(folder)
    rel = digest = ""
    if file is not None:
        if not file.is_file():
            raise CcuaError("file not found", file=str(file))
        digest = sha256_file(file)
        same = next((e for e in register.entries if e.sha256 == digest), None)
        if same is not None:
            raise CcuaError(
                f"this file is already registered as {same.id} ({same.title})", file=str(file)
            )
        target_dir = folder / EVIDENCE_DIR
        target_dir.mkdir(exist_ok=True)
        target = target_dir / file.name
        n = 1
        while target.exists() and sha256_file(target) != digest:
            n += 1
            target = target_dir / f"{file.stem}-{n}{file.suffix}"
        if not target.exists():
            shutil.copy2(file, target)
        rel = target.relative_to(folder).as_posix()
    entry = EvidenceEntry(
        id=register.next_id(),
        title=title.strip(),
        kind=kind,
        date=when or dt.date.today(),
        owner=owner,
        file=rel,
        sha256=digest,
    )
    atomic_write_text(register.path, _with_entry(register.path, entry))
    return entry


def cited_ids(text: str) -> list[str]:
    """The register ids a rating's evidence text cites (``E003, E007``)."""
    return _CITATION.findall(text or "")


@dataclass(frozen=True)
class Citation:
    where: str  # ITEM.LEAF or ITEM
    text: str
    ids: tuple[str, ...]
    unknown: tuple[str, ...]  # ids cited that the register lacks
    free_text: bool  # text that cites no id


def citations(ratings: Ratings, register: Register) -> list[Citation]:
    """Every evidence text in a ratings file, resolved against the register."""
    out: list[Citation] = []

    def one(where: str, text: str) -> None:
        if not text:
            return
        ids = tuple(cited_ids(text))
        unknown = tuple(i for i in ids if register.get(i) is None)
        leftover = _CITATION.sub("", text).strip(" ,;，；、")
        out.append(Citation(where, text, ids, unknown, free_text=bool(leftover) and not ids))

    for code, item in ratings.items.items():
        one(code, item.evidence)
        for key, entry in item.ratings.items():
            one(f"{code}.{key}", entry.evidence)
    return out


def citation_problems(ratings: Ratings, register: Register) -> tuple[list[Problem], list[str]]:
    """Ids the register lacks (problems) and free-text evidence (warnings)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    for c in citations(ratings, register):
        missing = f"which is not in {REGISTER_FILE}"
        problems += [
            Problem(f"cites evidence {i}, {missing}", file=ratings.source, field=c.where)
            for i in c.unknown
        ]
        if c.free_text:
            warnings.append(
                f"{ratings.source}: {c.where}: evidence is free text "
                f"({c.text!r}), not an id of {REGISTER_FILE}: register it with "
                "`ccua evidence add`"
            )
    return problems, warnings


def titles_by_item(ratings: Ratings, register: Register) -> Mapping[str, list[str]]:
    """Per item, the titles of the evidence its ratings cite (for the report's annex)."""
    out: dict[str, list[str]] = {}
    for c in citations(ratings, register):
        item = c.where.split(".", 1)[0]
        for evidence_id in c.ids:
            entry = register.get(evidence_id)
            if entry is not None:
                label = f"{entry.id} {entry.title}"
                if label not in out.setdefault(item, []):
                    out[item].append(label)
    return out
