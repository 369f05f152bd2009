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
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ccua._limits import check_size
from ccua._num import NotANumber, to_fraction
from ccua._yaml import Schema, keyed, line_of, load_with_lines, validate
from ccua.errors import CcuaError, RatingsError
from ccua.spec import Framework, Item, Requirement, load_framework

SCHEMA_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One rating of a requirement or sub-point (or of an item, where items are rated)."""

    rating: int | None = None
    na: bool = False
    note: str = ""
    evidence: str = ""
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class ItemRatings(Entry):
    """An item: an override (percent), its own rating or na, or ratings per entry."""

    code: str
    percent: Decimal | None = None
    ratings: Mapping[str, Entry] = field(default_factory=dict)


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


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _ctx(info: ValidationInfo, key: str) -> Any:
    return (info.context or {})[key]


def _rating(value: object, info: ValidationInfo) -> int:
    fw: Framework = _ctx(info, "framework")
    lo, hi = fw.scale.minimum, fw.scale.maximum
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        labels = ", ".join(f"{lv.value} {lv.label}" for lv in fw.scale.levels)
        raise ValueError(f"rating must be a whole number {lo}-{hi} ({labels}); got {value!r}")
    return value


def _number(value: object, what: str, ok: Any) -> Decimal:
    try:
        frac = to_fraction(value)
    except NotANumber as exc:
        raise ValueError(str(exc)) from None
    if not ok(frac):
        raise ValueError(f"{what}, got {value}")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _percent(value: object) -> Decimal:
    return _number(value, "percent must be between 0 and 100", lambda f: 0 <= f <= 100)


def _points(value: object) -> Decimal:
    return _number(value, "weights must be positive", lambda f: f > 0)


def _item_of(code: str, info: ValidationInfo) -> Item:
    fw: Framework = _ctx(info, "framework")
    if code not in {i.code for i in fw.items}:
        raise ValueError(f"no item {code!r} in {fw.id}")
    return fw.item(code)


Text = Annotated[str, BeforeValidator(_text)]
Stamp = Annotated[str | None, BeforeValidator(lambda v: _text(v) or None)]
Rating = Annotated[int, PlainValidator(_rating)]


class _Leaf(Schema):
    """What any rated thing may carry: a rating or na, a note, evidence, who and when."""

    rating: Rating | None = None
    na: bool = False
    note: Text = ""
    evidence: Text = ""
    by: Stamp = None
    at: Stamp = None


ENTRY_KEYS = set(_Leaf.model_fields)


class _EntryIn(_Leaf):
    """A requirement or sub-point written as a mapping (``{rating: 4, note: ...}``)."""

    @model_validator(mode="after")
    def _rated_or_na(self) -> _EntryIn:
        found = []
        if self.na and self.rating is not None:
            found.append("give either a rating or na: true, not both")
        if self.na and not self.note:
            found.append("a note is mandatory when a requirement is marked not applicable")
        if not self.na and self.rating is None:
            found.append("no rating given (rating: 0-5, or na: true with a note)")
        if found:
            raise ValueError("; ".join(found))
        return self


def entry_requirement(fw: Framework, item: Item, key: str) -> Requirement:
    """The requirement an entry key (``b``, or ``b.2`` for a sub-point) names, where the
    framework rates at that level; ValueError saying what is wrong otherwise."""
    req_code, _, sub = key.partition(".")
    if req_code not in {r.code for r in item.requirements}:
        known = ", ".join(r.code for r in item.requirements)
        raise ValueError(f"{item.code} has no requirement {req_code!r} (requirements: {known})")
    req = item.requirement(req_code)
    if sub and "subpoint" not in fw.scoring.rating_levels:
        raise ValueError(f"{fw.id} does not rate sub-points")
    if sub and sub not in {s.code for s in req.subpoints}:
        known = ", ".join(s.code for s in req.subpoints) or "none"
        raise ValueError(
            f"requirement {item.code}.{req.code} has no sub-point {sub!r} (sub-points: {known})"
        )
    if not sub and "requirement" not in fw.scoring.rating_levels:
        raise ValueError(f"{fw.id} does not rate requirements as a whole")
    return req


def _entry(keyed: tuple[str, object, frozenset[str]], info: ValidationInfo) -> Entry:
    """One entry of an item's ``ratings``: its code exists and is rated at a level the
    framework rates; a hand rating of an indicator requirement says why."""
    key, raw, whole = keyed
    req = entry_requirement(_ctx(info, "framework"), _ctx(info, "item"), key)
    if "." in key and req.code in whole:
        raise ValueError(
            f"requirement {req.code} is rated both as a whole and by sub-point; keep one"
        )
    if raw is None:
        raise ValueError("no rating given")
    if isinstance(raw, Mapping):
        entry = Entry(**dict(_EntryIn.model_validate(raw, context=info.context)))
    else:
        entry = Entry(rating=_rating(raw, info))
    if req.kind == "indicator" and entry.rating is not None and not entry.note:
        raise ValueError(
            "a note is mandatory: the indicator requirement is rated from the data; a hand "
            "rating overrides it and must say why"
        )
    return entry


def by_subpoint(value: object) -> bool:
    """Whether a requirement's value is its sub-points' ratings (``b: {1: 3, 2: 4}``)."""
    return isinstance(value, Mapping) and bool(value) and all(str(k).isdigit() for k in value)


def flat_entries(ratings: Mapping[Any, Any]) -> dict[str, Any]:
    """Entry key -> value; ``b: {1: 3, 2: 4}`` read as ``b.1`` and ``b.2``."""
    flat: dict[str, Any] = {}
    for key, value in ratings.items():
        if by_subpoint(value):
            flat.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            flat[str(key)] = value
    return flat


def _flatten(raw: object) -> object:
    """Each entry arrives with its key and the keys rated as a whole."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("expected a mapping of requirement codes to ratings")
    flat = flat_entries(raw)
    whole = frozenset(k for k in flat if "." not in k)
    return {k: (k, v, whole) for k, v in flat.items()}


class _ItemIn(_Leaf):
    """An item: an override (percent with a note), a whole-item rating where the framework
    rates items, na with a note, or ratings per requirement or sub-point."""

    percent: Annotated[Decimal, PlainValidator(_percent)] | None = None
    ratings: Annotated[
        dict[str, Annotated[Entry, PlainValidator(_entry, json_schema_input_type=_EntryIn)]],
        BeforeValidator(_flatten),
    ] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _one_way(cls, raw: Any) -> Any:
        given = [k for k in ("percent", "rating", "ratings") if raw.get(k) is not None]
        if raw.get("na"):
            given.append("na")
        if len(given) > 1:
            raise ValueError(f"give one of percent, rating or ratings, not {' and '.join(given)}")
        return raw

    @field_validator("rating", mode="before")
    @classmethod
    def _item_rated(cls, value: object, info: ValidationInfo) -> object:
        fw: Framework = _ctx(info, "framework")
        if value is not None and "item" not in fw.scoring.rating_levels:
            raise ValueError(
                f"{fw.id} rates {fw.levels.requirement.en_plural}, not whole "
                f"{fw.levels.item.en_plural}: use ratings: {{a: 4, ...}} or percent with a note"
            )
        return value

    @model_validator(mode="after")
    def _noted(self) -> _ItemIn:
        if self.percent is not None and not self.note:
            raise ValueError("an item override (percent) needs a note saying why")
        if self.na and not self.note:
            raise ValueError("a note is mandatory when an item is marked not applicable")
        return self


def _item(keyed: tuple[str, object], info: ValidationInfo) -> ItemRatings:
    code, raw = keyed
    item = _item_of(code, info)
    if isinstance(raw, Mapping):
        body = _ItemIn.model_validate(raw, context={**(info.context or {}), "item": item})
        return ItemRatings(code, **dict(body))
    if raw is not None and "item" in _ctx(info, "framework").scoring.rating_levels:
        return ItemRatings(code, rating=_rating(raw, info))
    raise ValueError("expected {percent: P, note: ...} or {ratings: {a: 4, b.1: 3, ...}}")


def _weight(keyed: tuple[str, object], info: ValidationInfo) -> Decimal:
    code, raw = keyed
    points = _points(raw)
    fw: Framework = _ctx(info, "framework")
    at = fw.scoring.points_at
    if code not in {u.code for u in (fw.items if at == "item" else fw.groups)}:
        raise ValueError(f"weights apply to {at} codes; {code!r} is not one")
    return points


def _requirement_weight(keyed: tuple[str, object], info: ValidationInfo) -> Decimal:
    code, raw = keyed
    points = _points(raw)
    item: Item = _ctx(info, "item")
    if code not in {r.code for r in item.requirements}:
        raise ValueError(f"{item.code} has no requirement {code!r}")
    return points


_REQUIREMENT_WEIGHTS: TypeAdapter[dict[str, Decimal]] = TypeAdapter(
    Annotated[
        dict[str, Annotated[Decimal, PlainValidator(_requirement_weight)]],
        keyed("expected a mapping of codes to points"),
    ]
)


def _item_weights(keyed: tuple[str, object], info: ValidationInfo) -> dict[str, Decimal]:
    code, raw = keyed
    context = {**(info.context or {}), "item": _item_of(code, info)}
    return _REQUIREMENT_WEIGHTS.validate_python(raw, context=context)


class _RatingsFile(Schema):
    """The schema of a ratings file; validated with the framework as context."""

    framework: Text
    schema_: Any = Field(None, alias="schema")
    title: Text = ""
    client: Text = ""
    assessor: Text = ""
    weights: Annotated[
        dict[str, Annotated[Decimal, PlainValidator(_weight)]],
        keyed("expected a mapping of codes to points"),
    ] = Field(default_factory=dict)
    requirement_weights: Annotated[
        dict[str, Annotated[dict[str, Decimal], PlainValidator(_item_weights)]],
        keyed("expected a mapping of item codes"),
    ] = Field(default_factory=dict)
    items: Annotated[
        dict[str, Annotated[ItemRatings, PlainValidator(_item, json_schema_input_type=_ItemIn)]],
        keyed("expected a mapping of item codes"),
    ] = Field(default_factory=dict)


def _framework_of(
    data: Mapping[str, Any], framework: Framework | None, file: str, lines: dict
) -> Framework:
    """The framework the file names: the one given, or loaded by its id."""
    fw_id = _text(data.get("framework"))
    where: dict[str, Any] = dict(file=file, row=line_of(lines, ("framework",)), field="framework")
    if not fw_id:
        raise RatingsError("framework: is missing (e.g. framework: t-ccua)", **{**where, "row": 1})
    if framework is None:
        try:
            return load_framework(fw_id)
        except CcuaError as exc:
            raise RatingsError(str(exc.problem.message), **where) from None
    if framework.id != fw_id:
        raise RatingsError(
            f"this file is for framework {fw_id!r}, expected {framework.id!r}", **where
        )
    return framework


def parse_ratings(
    data: object,
    framework: Framework | None = None,
    *,
    file: str = "ratings",
    lines: dict[tuple[str, ...], int] | None = None,
) -> Ratings:
    """Validate parsed YAML against its framework; raise ValidationFailed with every problem."""
    if not isinstance(data, Mapping):
        raise RatingsError("expected a mapping with framework: and items:", file=file)
    framework = _framework_of(data, framework, file, lines or {})
    context = {"framework": framework}
    body = validate(_RatingsFile, data, file=file, lines=lines or {}, context=context)
    return Ratings(
        framework.id,
        body.items,
        body.weights,
        body.requirement_weights,
        body.title,
        body.client,
        body.assessor,
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
