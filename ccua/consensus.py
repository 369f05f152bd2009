"""Consensus of independent assessors: one ratings file from several, every resolution recorded.

Each assessor rates in ``ratings/ASSESSOR.yaml``. Where they all give the same rating (or all
mark a leaf not applicable) the consensus takes it. Where they differ, the team resolves it:
a resolution names the leaf, the rating agreed, who resolved it and why, and is kept in
``consensus.yaml`` beside the ratings (the form's consensus mode writes it; it can be edited
by hand)::

    resolutions:
      DO6.c.1: {rating: 4, by: 王立新, why: 复核绩效执行记录后取 4}
      CB4: {percent: 80, by: 王立新, why: 整项按抽样结果评定}

``build_consensus`` returns the consensus ratings document (what ``ccua run`` reads as
``ratings.yaml``) or the leaves still unresolved. Each consensus entry's note records what it
replaced: ``共识：复核绩效执行记录后取 4（原评分：wang 3；chen 5）``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainValidator, model_validator

from ccua._io import atomic_write_text
from ccua._yaml import Schema, keyed, load_with_lines, read_yaml_text, validate
from ccua.engagement import ASSESSORS_DIR
from ccua.errors import CcuaError
from ccua.ratings import Entry, ItemRatings, Ratings, Text, load_ratings
from ccua.spec import Framework, load_framework

CONSENSUS_FILE = "consensus.yaml"
CONSENSUS_ASSESSOR = "consensus"


@dataclass(frozen=True)
class Resolution:
    key: str  # ITEM.LEAF, or ITEM for a whole-item rating or override
    rating: int | None = None
    na: bool = False
    percent: str | None = None
    by: str = ""
    why: str = ""


@dataclass(frozen=True)
class Disagreement:
    key: str
    given: Mapping[str, str]  # assessor → what they gave ("3", "n/a", "85%", "—")


@dataclass(frozen=True)
class ConsensusResult:
    document: dict[str, Any] | None  # the consensus ratings file; None while unresolved
    agreed: int
    resolved: tuple[str, ...]
    unresolved: tuple[Disagreement, ...]


def assessor_files(folder: Path) -> list[Path]:
    """The independent ratings files of an engagement folder (``ratings/*.yaml``)."""
    return sorted((folder / ASSESSORS_DIR).glob("*.yaml"))


def load_assessors(files: Sequence[Path]) -> tuple[Framework, list[Ratings]]:
    """The assessors' ratings files, each checked against the framework the first names."""
    first = load_ratings(files[0])
    framework = load_framework(first.framework)
    return framework, [first, *(load_ratings(f, framework) for f in files[1:])]


def _value(percent: str | None, na: bool, rating: int | None) -> dict[str, Any]:
    """An item's own value: an override, not applicable, or a rating (in that order)."""
    if percent is not None:
        return {"percent": percent}
    return {"na": True} if na else {"rating": rating}


def _rating(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5:
        raise ValueError(f"rating must be a whole number 0-5, got {value!r}")
    return value


class _ResolutionIn(Schema):
    """``{rating: 0-5 | na: true | percent: P, by: NAME, why: TEXT}``."""

    rating: Annotated[int, PlainValidator(_rating)] | None = None
    na: bool = False
    percent: Annotated[str, BeforeValidator(str)] | None = None
    by: Text = ""
    why: Text = ""

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise ValueError("a resolution is {rating: 0-5, by: NAME, why: TEXT}")
        return raw

    @model_validator(mode="after")
    def _complete(self) -> _ResolutionIn:
        if not self.by or not self.why:
            raise ValueError("a resolution says who resolved it (by) and why")
        if self.rating is None and not self.na and self.percent is None:
            raise ValueError("a resolution gives a rating, na: true or a percent")
        return self


def _resolution(keyed: tuple[str, Any]) -> Resolution:
    key, raw = keyed
    return Resolution(key, **dict(_ResolutionIn.model_validate(raw)))


class _ConsensusFile(Schema):
    resolutions: Annotated[
        dict[
            str,
            Annotated[
                Resolution, PlainValidator(_resolution, json_schema_input_type=_ResolutionIn)
            ],
        ],
        keyed("`resolutions:` must map ITEM.LEAF to {rating, by, why}"),
    ] = Field(default_factory=dict)


def load_resolutions(folder: Path) -> dict[str, Resolution]:
    """The resolutions recorded in ``consensus.yaml``; every problem at once, with its line."""
    path = folder / CONSENSUS_FILE
    if not path.is_file():
        return {}
    data, lines = load_with_lines(read_yaml_text(path), str(path))
    if not isinstance(data, Mapping):
        data = {}
    return dict(validate(_ConsensusFile, data, file=str(path), lines=lines).resolutions)


def save_resolution(folder: Path, resolution: Resolution) -> None:
    """Add or replace one resolution in consensus.yaml (round trip, atomic)."""
    from io import StringIO

    from ruamel.yaml import YAML

    path = folder / CONSENSUS_FILE
    yaml = YAML()
    yaml.width = 4096
    text = (
        read_yaml_text(path)
        if path.is_file()
        else "# 共识记录 (consensus resolutions): ITEM.LEAF: {rating, by, why}\nresolutions: {}\n"
    )
    tree = yaml.load(text) or {}
    if tree.get("resolutions") is None:
        tree["resolutions"] = {}
    value = _value(resolution.percent, resolution.na, resolution.rating)
    tree["resolutions"][resolution.key] = {**value, "by": resolution.by, "why": resolution.why}
    out = StringIO()
    yaml.dump(tree, out)
    atomic_write_text(path, out.getvalue())


def _given(entry: Entry | None) -> str:
    if entry is None:
        return "—"
    if entry.na:
        return "n/a"
    return "—" if entry.rating is None else str(entry.rating)


def _item_given(item: ItemRatings | None) -> str | None:
    """What an assessor gave the item as a whole (override or item rating), if anything."""
    if item is None:
        return None
    if item.percent is not None:
        return f"{item.percent}%"
    if item.rating is not None:
        return f"rating {item.rating}"
    if item.na:
        return "n/a"
    return None


def leaf_table(files: Sequence[Ratings], names: Sequence[str]) -> dict[str, dict[str, str]]:
    """ITEM or ITEM.LEAF → assessor → what they gave, over the union of what anyone rated."""
    table: dict[str, dict[str, str]] = {}
    for ratings, name in zip(files, names, strict=True):
        for code, item in ratings.items.items():
            whole = _item_given(item)
            if whole is not None:
                table.setdefault(code, {})[name] = whole
            for key, entry in item.ratings.items():
                table.setdefault(f"{code}.{key}", {})[name] = _given(entry)
    for row in table.values():
        for name in names:
            row.setdefault(name, "—")
    return table


def _entry_from(files: Sequence[Ratings], code: str, key: str) -> list[Entry]:
    out = []
    for f in files:
        item = f.items.get(code)
        if item is not None and key in item.ratings:
            out.append(item.ratings[key])
    return out


def build_consensus(
    framework_id: str,
    files: Sequence[Ratings],
    names: Sequence[str],
    resolutions: Mapping[str, Resolution],
    *,
    title: str = "",
) -> ConsensusResult:
    """The consensus ratings document, or the disagreements still to resolve."""
    table = leaf_table(files, names)
    items: dict[str, dict[str, Any]] = {}
    unresolved: list[Disagreement] = []
    resolved: list[str] = []
    agreed = 0
    for key in sorted(table, key=lambda k: (k.split(".", 1)[0], k)):
        given = table[key]
        code, _, leaf = key.partition(".")
        values = set(given.values())
        resolution = resolutions.get(key)
        if resolution is None and (len(values) > 1 or "—" in values):
            unresolved.append(Disagreement(key, given))
            continue
        item = items.setdefault(code, {})
        replaced = "；".join(f"{n} {v}" for n, v in given.items())
        if resolution is not None:
            resolved.append(key)
            note = f"共识：{resolution.why}（原评分：{replaced}；{resolution.by} 裁定）"
            by = resolution.by
        else:
            agreed += 1
            note = ""
            by = CONSENSUS_ASSESSOR
        if not leaf:  # the item as a whole
            if resolution is not None:
                value = _value(resolution.percent, resolution.na, resolution.rating)
                item.update(value, note=note, by=by)
            else:
                first = files[0].items[code]
                percent = None if first.percent is None else str(first.percent)
                item.update(_value(percent, first.na, first.rating))
                if percent is not None or first.na:
                    item["note"] = first.note or "各测评员一致"
            continue
        sample = _entry_from(files, code, leaf)
        entry: dict[str, Any]
        if resolution is not None:
            entry = {"na": True} if resolution.na else {"rating": resolution.rating}
            entry["note"] = note
        elif sample[0].na:
            entry = {"na": True, "note": sample[0].note or "各测评员一致：不适用"}
        else:
            entry = {"rating": sample[0].rating}
            notes = [e.note for e in sample if e.note]
            if notes:
                entry["note"] = "；".join(dict.fromkeys(notes))
        evidence = [e.evidence for e in sample if e.evidence]
        if evidence:
            entry["evidence"] = "; ".join(dict.fromkeys(evidence))
        entry["by"] = by
        item.setdefault("ratings", {})[leaf] = entry
    if unresolved:
        return ConsensusResult(None, agreed, tuple(resolved), tuple(unresolved))
    document = {
        "framework": framework_id,
        "title": title,
        "assessor": CONSENSUS_ASSESSOR,
        "items": items,
    }
    return ConsensusResult(document, agreed, tuple(resolved), ())


def write_consensus(
    path: Path, document: Mapping[str, Any], sources: Sequence[str], *, force: bool = False
) -> Path | None:
    """Write the consensus as the client's ratings file; keep a copy of a hand-made one.

    A ratings file that is not a consensus (its ``assessor:`` is someone else) is never
    overwritten without ``force``; with ``force`` it is first copied beside itself.
    """
    import yaml

    kept = None
    if path.is_file():
        try:  # read within the limits of every YAML reader (aliases, size, depth)
            current, _ = load_with_lines(read_yaml_text(path), str(path))
        except CcuaError:
            current = {"items": "unreadable"}  # not ours to judge: kept unless --force
        is_consensus = isinstance(current, dict) and current.get("assessor") == (CONSENSUS_ASSESSOR)
        has_ratings = isinstance(current, dict) and bool(current.get("items"))
        if has_ratings and not is_consensus:
            if not force:
                raise CcuaError(
                    "holds ratings that are not a consensus; use --force to "
                    f"replace it (a copy is kept as {path.stem}.before-consensus"
                    f"{path.suffix})",
                    file=str(path),
                )
            kept = path.with_name(f"{path.stem}.before-consensus{path.suffix}")
            n = 1
            while kept.exists():
                n += 1
                kept = path.with_name(f"{path.stem}.before-consensus-{n}{path.suffix}")
            kept.write_bytes(path.read_bytes())
    head = (
        "# 共识评分 (consensus ratings), built by `ccua consensus` from "
        + ", ".join(sources)
        + ".\n# Edit the assessors' files or consensus.yaml and build "
        "again rather than editing this file.\n"
    )
    atomic_write_text(
        path, head + yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False)
    )
    return kept
