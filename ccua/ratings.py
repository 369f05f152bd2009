"""Ratings files: the assessor's judgement, as YAML.

A ratings file names its framework and maps item codes to either an item override or ratings
per requirement or sub-point::

    framework: t-ccua
    items:
      SP1: {percent: 85, note: 表E.5 示例}          # item override (a note is mandatory)
      CB1:
        note: 业务能力的总体发现（可选）
        ratings:
          a: 4                                      # requirement a rated as a whole
          b.1: 3                                    # requirement b rated by sub-point
          b.2: {rating: 4, note: 访谈确认, evidence: 运营管理规范 第3章}
          c: {na: true, note: 不适用：该中心无营销业务}   # not applicable (note mandatory)
          e: {rating: 3, note: 无数据，人工评定}      # indicator requirement rated by hand

Frameworks rated per item (the guideline) also accept ``"1.1": {rating: 4}`` or ``"1.1": 4``.
Optional top-level keys: ``weights`` (custom points per scored unit, 可定制化原则),
``requirement_weights`` (per item, per requirement), ``title``, ``client``, ``assessor``.

Parsing validates everything against the framework and reports every problem at once, each
with its file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ccua._limits import check_size
from ccua._num import NotANumber, to_fraction
from ccua._yaml import line_of, load_with_lines
from ccua.errors import CcuaError, Problem, RatingsError, ValidationFailed
from ccua.spec import Framework, Item, load_framework

TOP_KEYS = {
    "framework",
    "schema",
    "title",
    "client",
    "assessor",
    "weights",
    "requirement_weights",
    "items",
}
ITEM_KEYS = {"percent", "rating", "na", "note", "evidence", "ratings", "by", "at"}
ENTRY_KEYS = {"rating", "na", "note", "evidence", "by", "at"}
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One rating of a requirement or sub-point (or of an item, where items are rated)."""

    rating: int | None = None
    na: bool = False
    note: str = ""
    evidence: str = ""
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class ItemRatings:
    code: str
    percent: Decimal | None = None
    rating: int | None = None
    na: bool = False
    note: str = ""
    evidence: str = ""
    by: str | None = None
    at: str | None = None
    ratings: Mapping[str, Entry] = field(default_factory=dict)

    @property
    def is_override(self) -> bool:
        return self.percent is not None


@dataclass(frozen=True)
class Ratings:
    framework: str
    items: Mapping[str, ItemRatings]
    weights: Mapping[str, Decimal] = field(default_factory=dict)
    requirement_weights: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    title: str = ""
    client: str = ""
    assessor: str = ""
    source: str | None = None


class _Collector:
    def __init__(self, file: str, lines: dict[tuple[str, ...], int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple[str, ...], message: str) -> None:
        self.problems.append(
            Problem(
                message, file=self.file, row=line_of(self.lines, path), field=".".join(path) or None
            )
        )


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _rating(fw: Framework, value: object, path: tuple[str, ...], c: _Collector) -> int | None:
    lo, hi = fw.scale.minimum, fw.scale.maximum
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        labels = ", ".join(f"{lv.value} {lv.label}" for lv in fw.scale.levels)
        c.add(path, f"rating must be a whole number {lo}-{hi} ({labels}); got {value!r}")
        return None
    return value


def _entry(
    fw: Framework,
    raw: object,
    path: tuple[str, ...],
    c: _Collector,
    note_required_reason: str | None,
) -> Entry | None:
    if not isinstance(raw, Mapping):
        if raw is None:
            c.add(path, "no rating given")
            return None
        rating = _rating(fw, raw, path, c)
        if rating is not None and note_required_reason:
            c.add(path, f"a note is mandatory: {note_required_reason}")
        return Entry(rating=rating) if rating is not None else None
    unknown = sorted(set(raw) - ENTRY_KEYS)
    for key in unknown:
        c.add((*path, str(key)), f"unknown key; expected one of {', '.join(sorted(ENTRY_KEYS))}")
    na = bool(raw.get("na", False))
    note = _text(raw.get("note"))
    rating = None
    if na:
        if raw.get("rating") is not None:
            c.add(path, "give either a rating or na: true, not both")
        if not note:
            c.add(path, "a note is mandatory when a requirement is marked not applicable")
    elif "rating" not in raw or raw.get("rating") is None:
        c.add(path, "no rating given (rating: 0-5, or na: true with a note)")
        return None
    else:
        rating = _rating(fw, raw["rating"], (*path, "rating"), c)
        if rating is not None and note_required_reason and not note:
            c.add(path, f"a note is mandatory: {note_required_reason}")
    return Entry(
        rating=rating,
        na=na,
        note=note,
        evidence=_text(raw.get("evidence")),
        by=_text(raw.get("by")) or None,
        at=_text(raw.get("at")) or None,
    )


def _item(
    fw: Framework, item: Item, raw: object, path: tuple[str, ...], c: _Collector
) -> ItemRatings | None:
    item_rated = "item" in fw.scoring.rating_levels
    if not isinstance(raw, Mapping):
        if item_rated and raw is not None:
            whole = _rating(fw, raw, path, c)
            return ItemRatings(item.code, rating=whole) if whole is not None else None
        c.add(path, "expected {percent: P, note: ...} or {ratings: {a: 4, b.1: 3, ...}}")
        return None
    for key in sorted(set(raw) - ITEM_KEYS):
        c.add((*path, str(key)), f"unknown key; expected one of {', '.join(sorted(ITEM_KEYS))}")
    note = _text(raw.get("note"))
    given = [k for k in ("percent", "rating", "ratings") if raw.get(k) is not None]
    if raw.get("na"):
        given.append("na")
    if len(given) > 1:
        c.add(path, f"give one of percent, rating or ratings, not {' and '.join(given)}")
        return None
    percent: Decimal | None = None
    rating: int | None = None
    if raw.get("percent") is not None:
        try:
            frac = to_fraction(raw["percent"])
        except NotANumber as exc:
            c.add((*path, "percent"), str(exc))
            return None
        if not 0 <= frac <= 100:
            c.add((*path, "percent"), f"percent must be between 0 and 100, got {raw['percent']}")
            return None
        if not note:
            c.add(path, "an item override (percent) needs a note saying why")
        percent = (
            Decimal(str(raw["percent"]))
            if not isinstance(raw["percent"], Decimal)
            else raw["percent"]
        )
    if raw.get("na"):
        if not note:
            c.add(path, "a note is mandatory when an item is marked not applicable")
        return ItemRatings(item.code, na=True, note=note)
    if raw.get("rating") is not None:
        if not item_rated:
            c.add(
                (*path, "rating"),
                f"{fw.id} rates {fw.levels.requirement.en_plural}, not whole "
                f"{fw.levels.item.en_plural}: use ratings: {{a: 4, ...}} or percent with a note",
            )
            return None
        rating = _rating(fw, raw["rating"], (*path, "rating"), c)
    entries: dict[str, Entry] = {}
    ratings_raw = raw.get("ratings")
    if ratings_raw is not None:
        if not isinstance(ratings_raw, Mapping):
            c.add((*path, "ratings"), "expected a mapping of requirement codes to ratings")
        else:
            entries = _requirement_entries(fw, item, ratings_raw, (*path, "ratings"), c)
    return ItemRatings(
        item.code,
        percent=percent,
        rating=rating,
        note=note,
        evidence=_text(raw.get("evidence")),
        by=_text(raw.get("by")) or None,
        at=_text(raw.get("at")) or None,
        ratings=entries,
    )


def _requirement_entries(
    fw: Framework, item: Item, raw: Mapping[str, Any], path: tuple[str, ...], c: _Collector
) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    levels = fw.scoring.rating_levels
    # Accept the nested form too: b: {1: 3, 2: 4} means b.1 and b.2.
    flat: dict[str, tuple[object, tuple[str, ...]]] = {}
    for key, value in raw.items():
        key = str(key)
        if isinstance(value, Mapping) and value and all(str(k).isdigit() for k in value):
            for sub, sub_value in value.items():
                flat[f"{key}.{sub}"] = (sub_value, (*path, key, str(sub)))
        else:
            flat[key] = (value, (*path, key))
    directly = {k for k in flat if "." not in k}
    for key, (value, kpath) in flat.items():
        req_code, _, sub_code = key.partition(".")
        try:
            req = item.requirement(req_code)
        except KeyError:
            known = ", ".join(r.code for r in item.requirements)
            c.add(kpath, f"{item.code} has no requirement {req_code!r} (requirements: {known})")
            continue
        reason = None
        if req.kind == "indicator":
            reason = (
                "the indicator requirement is rated from the data; a hand rating "
                "overrides it and must say why"
            )
        if sub_code:
            if "subpoint" not in levels:
                c.add(kpath, f"{fw.id} does not rate sub-points")
                continue
            if sub_code not in {s.code for s in req.subpoints}:
                known = ", ".join(s.code for s in req.subpoints) or "none"
                c.add(
                    kpath,
                    f"requirement {item.code}.{req.code} has no sub-point {sub_code!r} "
                    f"(sub-points: {known})",
                )
                continue
            if req_code in directly:
                c.add(
                    kpath,
                    f"requirement {req_code} is rated both as a whole and by sub-point; keep one",
                )
                continue
        elif "requirement" not in levels:
            c.add(kpath, f"{fw.id} does not rate requirements as a whole")
            continue
        entry = _entry(fw, value, kpath, c, reason)
        if entry is not None:
            entries[key] = entry
    return entries


def _weights(raw: object, path: tuple[str, ...], c: _Collector) -> dict[str, Decimal]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        c.add(path, "expected a mapping of codes to points")
        return {}
    out: dict[str, Decimal] = {}
    for key, value in raw.items():
        try:
            frac = to_fraction(value)
        except NotANumber as exc:
            c.add((*path, str(key)), str(exc))
            continue
        if frac <= 0:
            c.add((*path, str(key)), f"weights must be positive, got {value}")
            continue
        out[str(key)] = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return out


def parse_ratings(
    data: object,
    framework: Framework | None = None,
    *,
    file: str = "ratings",
    lines: dict[tuple[str, ...], int] | None = None,
) -> Ratings:
    """Validate parsed YAML against its framework; raise ValidationFailed with every problem."""
    c = _Collector(file, lines or {})
    if not isinstance(data, Mapping):
        raise RatingsError("expected a mapping with framework: and items:", file=file)
    fw_id = _text(data.get("framework"))
    if not fw_id:
        raise RatingsError(
            "framework: is missing (e.g. framework: t-ccua)", file=file, row=1, field="framework"
        )
    if framework is None:
        try:
            framework = load_framework(fw_id)
        except CcuaError as exc:
            raise RatingsError(
                str(exc.problem.message),
                file=file,
                row=line_of(c.lines, ("framework",)),
                field="framework",
            ) from None
    elif framework.id != fw_id:
        raise RatingsError(
            f"this file is for framework {fw_id!r}, expected {framework.id!r}",
            file=file,
            row=line_of(c.lines, ("framework",)),
            field="framework",
        )
    for key in sorted(set(map(str, data)) - TOP_KEYS):
        c.add((key,), f"unknown key; expected one of {', '.join(sorted(TOP_KEYS))}")
    items_raw = data.get("items")
    items: dict[str, ItemRatings] = {}
    if items_raw is None:
        items_raw = {}
    if not isinstance(items_raw, Mapping):
        c.add(("items",), "expected a mapping of item codes")
        items_raw = {}
    codes = {i.code for i in framework.items}
    for code, raw in items_raw.items():
        code = str(code)
        if code not in codes:
            c.add(("items", code), f"no item {code!r} in {framework.id}")
            continue
        parsed = _item(framework, framework.item(code), raw, ("items", code), c)
        if parsed is not None:
            items[code] = parsed
    weights = _weights(data.get("weights"), ("weights",), c)
    scored_codes = (
        codes if framework.scoring.points_at == "item" else {g.code for g in framework.groups}
    )
    for code in weights:
        if code not in scored_codes:
            c.add(
                ("weights", code),
                f"weights apply to {framework.scoring.points_at} codes; {code!r} is not one",
            )
    req_weights: dict[str, dict[str, Decimal]] = {}
    rw_raw = data.get("requirement_weights")
    if isinstance(rw_raw, Mapping):
        for code, raw in rw_raw.items():
            code = str(code)
            if code not in codes:
                c.add(("requirement_weights", code), f"no item {code!r} in {framework.id}")
                continue
            ws = _weights(raw, ("requirement_weights", code), c)
            reqs = {r.code for r in framework.item(code).requirements}
            for r in ws:
                if r not in reqs:
                    c.add(("requirement_weights", code, r), f"{code} has no requirement {r!r}")
            req_weights[code] = ws
    elif rw_raw is not None:
        c.add(("requirement_weights",), "expected a mapping of item codes")
    if c.problems:
        ordered = sorted(c.problems, key=lambda p: (p.row is None, p.row or 0))
        raise ValidationFailed.of(ordered, subject=file)
    return Ratings(
        framework=framework.id,
        items=items,
        weights=weights,
        requirement_weights=req_weights,
        title=_text(data.get("title")),
        client=_text(data.get("client")),
        assessor=_text(data.get("assessor")),
        source=file,
    )


def load_ratings(path: str | Path, framework: Framework | None = None) -> Ratings:
    """Read and validate a ratings file."""
    p = Path(path)
    check_size(p, "yaml", file=str(path))
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RatingsError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise RatingsError("not UTF-8 text; save the file as UTF-8", file=str(path)) from None
    except IsADirectoryError:
        raise RatingsError("is a folder; expected a ratings YAML file", file=str(path)) from None
    data, lines = load_with_lines(text, str(path))
    return parse_ratings(data, framework, file=str(path), lines=lines)
