"""The ratings file as a document the forms edit: pure, no widgets, safe to save.

A :class:`RatingsDocument` is what stands between an assessor's clicks and the ratings file
(the format of :mod:`ccua.ratings`). It keeps the promise of the forms that nothing typed is
lost or silently overwritten:

- **Layout survives.** The file is edited with ruamel.yaml round-trip, so comments, order and
  style the assessor wrote by hand stay as they were; only the touched entry changes.
- **Invalid values are never saved.** Every save first validates the exact text it is about to
  write with :func:`ccua.ratings.parse_ratings`. An edit that would make the file invalid (an
  N/A without its note, a hand rating of the indicator requirement without a note) is held
  back, stays visible in the form, and is saved as soon as it becomes valid; the other edits
  are saved meanwhile.
- **Atomic writes.** The file is replaced in one rename (:func:`ccua._io.atomic_write_text`);
  a crash leaves the previous file.
- **Who and when.** Every changed entry carries ``by:`` and ``at:``; every change is also
  appended to ``<name>.history.jsonl`` beside the file *before* the file is replaced (a
  write-ahead log: time, assessor, item, path, old, new), so earlier values can always be found.
- **No silent overwrite.** The file's fingerprint (mtime, size, sha256) is taken at load and
  after each save. If the file on disk no longer matches (a second assessor saved), ``save``
  refuses with :class:`RatingsConflict`; the caller offers :meth:`RatingsDocument.reload`
  (take theirs, re-apply ours where they did not touch the same item) or
  :meth:`RatingsDocument.keep_both` (ours to a sibling copy, then theirs).

Edits are kept as a list of pending operations over the file as last loaded or saved. That
makes "save what is valid, hold back the rest" and "reload theirs, re-apply ours" the same
small loop: apply the operations to a fresh copy of the base and validate.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from ruamel.yaml.comments import CommentedMap

from ccua._io import atomic_write_text
from ccua._yaml import load_with_lines
from ccua.errors import CcuaError, Problem, RatingsError, ValidationFailed
from ccua.forms import _yamltree as yt
from ccua.ratings import (
    ENTRY_KEYS,
    Entry,
    ItemRatings,
    Ratings,
    by_subpoint,
    entry_requirement,
    flat_entries,
    parse_ratings,
)
from ccua.spec import Framework, Item, load_framework

try:  # POSIX: serialise saves of several forms on one machine
    import fcntl
except ImportError:  # pragma: no cover - Windows: the fingerprint check still applies
    fcntl = None  # type: ignore[assignment]

HISTORY_SUFFIX = ".history.jsonl"
ITEM_VALUE_KEYS = ("percent", "rating", "na")  # an item's own value: exclusive with ratings
ITEM_TEXT_KEYS = ("note", "evidence")
Clock = Callable[[], datetime]
_UNSET: Any = object()  # "not given" (None means "remove this field")


class RatingsConflict(RatingsError):
    """The ratings file changed on disk since the form loaded it; nothing was written."""


@dataclass(frozen=True)
class Fingerprint:
    """What the file looked like: changed content means a different sha256 (or size)."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes | None = None) -> Fingerprint | None:
        """The file's fingerprint now (its bytes read, unless given), or None when absent."""
        try:
            data = path.read_bytes() if data is None else data
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        return cls(mtime, len(data), hashlib.sha256(data).hexdigest())

    def same_content(self, other: Fingerprint | None) -> bool:
        return other is not None and (self.size, self.sha256) == (other.size, other.sha256)


@dataclass(frozen=True)
class Edit:
    """One change the assessor made: fields of an item (key None) or of one entry."""

    item: str
    key: str | None  # None: the item itself; "b": requirement; "b.2"
    values: tuple[tuple[str, Any], ...]  # field -> new value; None removes the field
    clear: bool
    by: str
    at: str

    def touches(self, item: str, key: str | None) -> bool:
        """Whether a problem found at (item, key) may come from this edit."""
        if item != self.item:
            return False
        if key is None or self.key is None:
            return True
        return key == self.key or key.split(".")[0] == self.key.split(".")[0]


@dataclass(frozen=True)
class Change:
    """One line of the history log: an entry's (or an item's own) value before and after."""

    item: str
    path: str  # "" for the item itself, else "b" or "b.2"
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class SaveReport:
    saved: bool  # False when there was nothing to write
    changes: tuple[Change, ...] = ()
    held_back: tuple[Problem, ...] = ()  # why some edits are still pending (not saved)


@dataclass(frozen=True)
class ReloadReport:
    reapplied: int  # our pending edits re-applied over the new file
    conflicting_items: tuple[str, ...] = ()  # items changed on disk that we had edited too
    copy: Path | None = None  # where our version was kept, if any was set aside


@dataclass(frozen=True, kw_only=True)
class _Shown:
    """What the form shows of a rated thing (tolerant: read from the tree, valid or not)."""

    rating: int | None = None
    na: bool = False
    note: str = ""
    evidence: str = ""
    by: str = ""
    at: str = ""


@dataclass(frozen=True, kw_only=True)
class EntryView(_Shown):
    exists: bool = False


@dataclass(frozen=True)
class ItemView(_Shown):
    percent: str | None = None
    keys: tuple[str, ...] = field(default_factory=tuple)  # rated entries, flattened (b.2)

    @property
    def has_value(self) -> bool:
        return self.percent is not None or self.rating is not None or self.na


def default_assessor() -> str:
    """The OS user, as the default name recorded in ``by:``."""
    try:
        return getpass.getuser()
    except Exception:  # no user database (some containers)
        return os.environ.get("USER", "") or "assessor"


def history_path(ratings_path: Path) -> Path:
    name = ratings_path.name
    stem = name[: -len(ratings_path.suffix)] if ratings_path.suffix else name
    return ratings_path.with_name(stem + HISTORY_SUFFIX)


def new_file_text(framework: Framework, client: str = "") -> str:
    """A fresh ratings file: framework, client and an empty items map, with a short guide."""
    low, high = framework.scale.levels[0], framework.scale.levels[-1]
    lines = [
        f"# 要求评分 (the assessors' ratings), {framework.name}. Scale: {low.value} {low.label} … "
        f"{high.value} {high.label}.",
        "# Kept by `ccua form`; hand edits are fine: comments and layout are preserved.",
        f"framework: {framework.id}",
    ]
    if client:
        lines.append(f"client: {yt.text_scalar(client)}")
    lines.append("items:")
    return "\n".join(lines) + "\n"


def _texts(leaf: Entry, out: dict[str, Any]) -> dict[str, Any]:
    out.update({k: getattr(leaf, k) for k in ("note", "evidence", "by", "at") if getattr(leaf, k)})
    return out


def _entry_dict(entry: Entry) -> dict[str, Any]:
    return _texts(entry, {"na": True} if entry.na else {"rating": entry.rating})


def _item_dict(ir: ItemRatings) -> dict[str, Any] | None:
    own = {"percent": None if ir.percent is None else str(ir.percent), "rating": ir.rating}
    out = {k: v for k, v in own.items() if v is not None} | ({"na": True} if ir.na else {})
    return _texts(ir, out) or None


def _without_stamp(d: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if d is None else {k: v for k, v in d.items() if k not in ("by", "at")}


def diff(framework: Framework, old: Ratings, new: Ratings) -> list[Change]:
    """What changed between two valid versions, entry by entry, in the framework's order."""
    changes: list[Change] = []
    for item in framework.items:
        o, n = old.items.get(item.code), new.items.get(item.code)
        od, nd = (_item_dict(o) if o else None), (_item_dict(n) if n else None)
        if _without_stamp(od) != _without_stamp(nd):
            changes.append(Change(item.code, "", od, nd))
        o_entries = dict(o.ratings) if o else {}
        n_entries = dict(n.ratings) if n else {}
        order = _entry_order(item)
        for key in sorted(
            set(o_entries) | set(n_entries),
            key=lambda k: (order.index(k) if k in order else len(order), k),
        ):
            oe = _entry_dict(o_entries[key]) if key in o_entries else None
            ne = _entry_dict(n_entries[key]) if key in n_entries else None
            if _without_stamp(oe) != _without_stamp(ne):
                changes.append(Change(item.code, key, oe, ne))
    return changes


def _entry_order(item: Item) -> list[str]:
    order: list[str] = []
    for req in item.requirements:
        order.append(req.code)
        order += [f"{req.code}.{s.code}" for s in req.subpoints]
    return order


def _as_int(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _as_bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _leaf(node: Mapping[str, Any]) -> dict[str, Any]:
    """What any rated node shows: rating, na, note, evidence, by, at (tolerantly read)."""
    texts = {k: _as_text(node.get(k)) for k in ("note", "evidence", "by", "at")}
    return {"rating": _as_int(node.get("rating")), "na": _as_bool(node.get("na")), **texts}


class RatingsDocument:
    """A ratings file open for editing by one assessor (see the module docstring)."""

    def __init__(
        self,
        path: str | Path,
        framework: Framework,
        *,
        assessor: str | None = None,
        client: str = "",
        clock: Clock | None = None,
    ) -> None:
        self.path = Path(path)
        self.framework = framework
        self.client = client
        self._assessor = ""
        self.assessor = assessor or default_assessor()
        self._clock: Clock = clock or (lambda: datetime.now().astimezone())
        self._pending: list[Edit] = []
        self._view: Any = None
        self._load_base()

    # ----------------------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        framework: Framework | None = None,
        *,
        assessor: str | None = None,
        client: str = "",
        clock: Clock | None = None,
    ) -> RatingsDocument:
        """Open a ratings file; the framework defaults to the one the file names."""
        p = Path(path)
        if framework is None:
            if not p.exists():
                raise RatingsError(
                    "no ratings file yet: say which framework it is for", file=str(p)
                )
            data, _ = load_with_lines(p.read_text(encoding="utf-8-sig"), str(p))
            fw_id = data.get("framework") if isinstance(data, Mapping) else None
            if not fw_id:
                raise RatingsError("framework: is missing (e.g. framework: t-ccua)", file=str(p))
            framework = load_framework(str(fw_id))
        return cls(p, framework, assessor=assessor, client=client, clock=clock)

    def _read_disk(self) -> tuple[str, Fingerprint | None]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return new_file_text(self.framework, self.client), None
        except IsADirectoryError:
            raise RatingsError(
                "is a folder; expected a ratings YAML file", file=str(self.path)
            ) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RatingsError(
                "not UTF-8 text; save the file as UTF-8", file=str(self.path)
            ) from None
        return text, Fingerprint.of(self.path, raw)

    def _load_base(self) -> None:
        text, fp = self._read_disk()
        self._saved = self._parse(text)  # an invalid file is refused here, with every problem
        self._base_text = text
        self._base_fp = fp
        self._view = None

    def _parse(self, text: str) -> Ratings:
        data, lines = yt.parse_with_lines(text, str(self.path))
        return parse_ratings(data, self.framework, file=str(self.path), lines=lines)

    # ------------------------------------------------------------------------------ state
    @property
    def assessor(self) -> str:
        return self._assessor

    @assessor.setter
    def assessor(self, name: str) -> None:
        name = (name or "").strip()
        if not name:
            raise CcuaError(
                "the assessor's name is empty; type your name so that every "
                "change says who made it",
                field="assessor",
            )
        self._assessor = name

    @property
    def history_path(self) -> Path:
        return history_path(self.path)

    @property
    def fingerprint(self) -> Fingerprint | None:
        """The file as it was at load or at our last save (None: not on disk yet)."""
        return self._base_fp

    @property
    def exists(self) -> bool:
        return self._base_fp is not None

    @property
    def ratings(self) -> Ratings:
        """The ratings as last loaded or saved (always valid; pending edits not included)."""
        return self._saved

    @property
    def pending(self) -> tuple[Edit, ...]:
        """Edits not yet on disk: unsaved, or held back because they are not valid yet."""
        return tuple(self._pending)

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def _base_tree(self) -> Any:
        tree = yt.load(self._base_text)
        if not isinstance(tree, CommentedMap):  # validated already; an empty file is None
            tree = yt.block_map([("framework", self.framework.id)])
        return tree

    def _view_tree(self) -> Any:
        if self._view is None:
            tree = self._base_tree()
            for edit in self._pending:
                _apply(tree, self.framework, edit)
            self._view = tree
        return self._view

    def _item_node(self, code: str) -> Any:
        items = self._view_tree().get("items")
        if not isinstance(items, Mapping):
            return None
        key = yt.find_key(items, code)
        return None if key is None else items[key]

    def item_view(self, code: str) -> ItemView:
        """The item's own fields and its rated entries, including pending edits."""
        self.framework.item(code)
        node = self._item_node(code)
        if node is None:
            return ItemView()
        if not isinstance(node, Mapping):
            return ItemView(rating=_as_int(node))
        ratings = node.get("ratings")
        keys = tuple(flat_entries(ratings)) if isinstance(ratings, Mapping) else ()
        percent = node.get("percent")
        return ItemView(None if percent is None else str(percent), **_leaf(node), keys=keys)

    def entry(self, code: str, key: str) -> EntryView:
        """One requirement's or sub-point's entry, including pending edits."""
        node = self._item_node(code)
        if not isinstance(node, Mapping) or not isinstance(node.get("ratings"), Mapping):
            return EntryView()
        raw = flat_entries(node["ratings"]).get(key)
        if not isinstance(raw, Mapping):
            return EntryView(rating=_as_int(raw), exists=raw is not None)
        return EntryView(**_leaf(raw), exists=True)

    def has_entries(self, code: str) -> bool:
        """Whether the assessor has put anything at all on this item."""
        return self._item_node(code) is not None

    def problems(self) -> tuple[Problem, ...]:
        """What is wrong with the document as shown (pending edits included); () if valid."""
        try:
            self._parse(yt.dump(self._view_tree()))
        except ValidationFailed as exc:
            return tuple(exc.problems)
        except CcuaError as exc:
            return (exc.problem,)
        return ()

    # ------------------------------------------------------------------------------ edits
    def _stamp(self) -> tuple[str, str]:
        return self.assessor, self._clock().isoformat(timespec="seconds")

    def _check_key(self, code: str, key: str | None) -> Item:
        item = self.framework.item(code)
        if key is not None:
            try:
                entry_requirement(self.framework, item, key)
            except ValueError as exc:
                raise RatingsError(str(exc), field=f"{code}.{key}") from None
        return item

    def _check_rating(self, rating: Any, where: str) -> str:
        scale = self.framework.scale
        if (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not scale.minimum <= rating <= scale.maximum
        ):
            labels = ", ".join(f"{lv.value} {lv.label}" for lv in scale.levels)
            raise RatingsError(
                f"rating must be a whole number {scale.minimum}-{scale.maximum} "
                f"({labels}); got {rating!r}",
                field=where,
            )
        return str(rating)

    def _values(self, where: str, **fields: Any) -> tuple[tuple[str, Any], ...]:
        out: list[tuple[str, Any]] = []
        for name, value in fields.items():
            if value is _UNSET:
                continue
            if name == "rating" and value is not None:
                value = self._check_rating(value, where)
            elif name == "na":
                value = True if value else None
            elif name == "percent" and value is not None:
                value = _percent_text(value, where)
            elif name in ITEM_TEXT_KEYS:
                text = "" if value is None else str(value).strip()
                value = yt.text_scalar(text) if text else None
            out.append((name, value))
        return tuple(out)

    def _push(self, edit: Edit) -> None:
        self._pending.append(edit)
        if self._view is not None:
            _apply(self._view, self.framework, edit)

    def set_entry(
        self,
        code: str,
        key: str,
        *,
        rating: Any = _UNSET,
        na: Any = _UNSET,
        note: Any = _UNSET,
        evidence: Any = _UNSET,
    ) -> None:
        """Change a requirement's or sub-point's entry; only the fields passed change.

        ``rating=4`` rates it (and clears N/A); ``na=True`` marks it not applicable (and
        clears the rating); ``note``/``evidence`` set text ('' removes it). Rating a
        requirement as a whole removes its sub-point ratings and vice versa; rating any entry
        removes an item's own value (override): the history log keeps what was removed.
        """
        self._check_key(code, key)
        values = self._values(f"{code}.{key}", rating=rating, na=na, note=note, evidence=evidence)
        if not values:
            return
        by, at = self._stamp()
        self._push(Edit(code, key, values, False, by, at))

    def clear_entry(self, code: str, key: str) -> None:
        """Remove an entry (back to unrated)."""
        self._check_key(code, key)
        by, at = self._stamp()
        self._push(Edit(code, key, (), True, by, at))

    def set_item(self, code: str, **fields: Any) -> None:
        """Change the item's own fields: ``percent`` (override, with ``note``), ``rating``
        (frameworks rated per item), ``na``, ``note``, ``evidence``; ``None`` removes a field.

        Giving the item its own value (percent, rating or N/A) replaces its requirement ratings;
        they stay in the history log.
        """
        self._check_key(code, None)
        unknown = sorted(set(fields) - {*ITEM_VALUE_KEYS, *ITEM_TEXT_KEYS})
        if unknown:
            raise CcuaError(
                f"unknown item field {unknown[0]!r}; expected one of "
                f"{', '.join((*ITEM_VALUE_KEYS, *ITEM_TEXT_KEYS))}"
            )
        if fields.get("rating") is not None and "item" not in self.framework.scoring.rating_levels:
            lv = self.framework.levels
            raise RatingsError(
                f"{self.framework.id} rates {lv.requirement.en_plural}, not whole "
                f"{lv.item.en_plural}; override the percent with a note instead",
                field=f"{code}.rating",
            )
        values = self._values(code, **fields)
        by, at = self._stamp()
        self._push(Edit(code, None, values, False, by, at))

    # ------------------------------------------------------------------------------ disk
    @contextlib.contextmanager
    def _locked(self) -> Iterator[IO[str]]:
        """Hold the history log open for appending, locked, while we check and write."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.history_path, "a", encoding="utf-8") as log:
            if fcntl is not None:
                fcntl.flock(log.fileno(), fcntl.LOCK_EX)
            try:
                yield log
            finally:
                if fcntl is not None:
                    fcntl.flock(log.fileno(), fcntl.LOCK_UN)

    def changed_on_disk(self) -> bool:
        """Whether the file on disk is no longer the one we loaded or last saved."""
        now = Fingerprint.of(self.path)
        if self._base_fp is None:
            return now is not None
        return not self._base_fp.same_content(now)

    def _conflict(self) -> RatingsConflict:
        who = _last_writer(self.history_path, self.assessor)
        by = f" (last saved by {who})" if who else ""
        return RatingsConflict(
            f"the file changed on disk since it was loaded{by}; nothing was overwritten",
            file=str(self.path),
            hint="reload it (your edits to other items are re-applied) or keep both "
            "(yours go to a copy beside it)",
        )

    def _build(self, edits: Sequence[Edit]) -> tuple[str, Ratings, list[Edit], tuple[Problem, ...]]:
        """Apply edits to the base; hold back those that make the file invalid."""
        active = list(edits)
        held: list[Edit] = []
        problems: tuple[Problem, ...] = ()
        while True:
            tree = self._base_tree()
            for edit in active:
                _apply(tree, self.framework, edit)
            text = yt.dump(tree)
            try:
                return text, self._parse(text), held, problems
            except ValidationFailed as exc:
                problems = tuple(exc.problems)
                spots = [self._spot(p) for p in exc.problems]
                culprits = [e for e in active if any(s is None or e.touches(*s) for s in spots)]
                if not culprits:
                    raise
                held += culprits
                active = [e for e in active if not any(e is c for c in culprits)]
                held.sort(key=lambda e: [id(x) for x in edits].index(id(e)))

    def _spot(self, problem: Problem) -> tuple[str, str | None] | None:
        """(item, entry key) a problem is about, from its field path; None if unknown."""
        fld = problem.field or ""
        if not fld.startswith("items."):
            return None
        rest = fld[len("items.") :]
        codes = sorted((i.code for i in self.framework.items), key=len, reverse=True)
        for code in codes:
            if rest == code or rest.startswith(code + "."):
                tail = rest[len(code) + 1 :]
                if not tail.startswith("ratings."):
                    return code, None
                key = tail[len("ratings.") :]
                head, _, last = key.rpartition(".")
                if head and last in ENTRY_KEYS:
                    key = head
                return code, key or None
        return None

    def save(self) -> SaveReport:
        """Write the valid pending edits; raise RatingsConflict if the file changed on disk."""
        with self._locked() as log:
            if self.changed_on_disk():
                raise self._conflict()
            if not self._pending and self.exists:
                return SaveReport(False)
            # Fast path: the view (base + every pending edit) is valid and is what we write.
            # Only when it is not are the edits replayed one by one over the base (_build).
            text = yt.dump(self._view_tree())
            held: list[Edit] = []
            problems: tuple[Problem, ...] = ()
            try:
                ratings = self._parse(text)
            except ValidationFailed:
                text, ratings, held, problems = self._build(self._pending)
            if text == self._base_text and self.exists:
                self._pending = held
                return SaveReport(False, (), problems)
            changes = diff(self.framework, self._saved, ratings)
            if changes:
                self._log(log, *({"file": self.path.name, **asdict(c)} for c in changes))
            atomic_write_text(self.path, text)
            self._base_text = text
            self._saved = ratings
            self._base_fp = Fingerprint.of(self.path, text.encode("utf-8"))
            self._pending = held
            if held:  # the view stays base + held edits; rebuild it in that order
                self._view = None
        return SaveReport(True, tuple(changes), problems if held else ())

    def _log(self, log: IO[str], *records: dict[str, Any]) -> None:
        """Append records to the history log, each with when and by whom."""
        at = self._clock().isoformat(timespec="seconds")
        _append(log, [{"at": at, "by": self.assessor, **r} for r in records])

    def copy_path(self) -> Path:
        """A sibling file for our version: ``ratings.<assessor>-<time>.yaml``, never existing."""
        who = re.sub(r"[^\w-]+", "_", self.assessor).strip("_") or "assessor"
        when = self._clock().strftime("%Y%m%dT%H%M%S")
        stem = self.path.stem
        candidate = self.path.with_name(f"{stem}.{who}-{when}{self.path.suffix}")
        n = 2
        while candidate.exists():
            candidate = self.path.with_name(f"{stem}.{who}-{when}-{n}{self.path.suffix}")
            n += 1
        return candidate

    def save_copy(self) -> Path:
        """Keep our version (the file as loaded plus every pending edit) in a sibling file."""
        target = self.copy_path()
        body = yt.dump(self._view_tree())
        problems = self.problems()
        header = [
            f"# Kept by ccua forms for {self.assessor} at "
            f"{self._clock().isoformat(timespec='seconds')}: this assessor's version of "
            f"{self.path.name}, set aside because the file had changed on disk."
        ]
        if problems:
            header.append("# Not valid as it stands (edits that were still being typed):")
            header += [f"#   - {p.field or ''}: {p.message}" for p in problems]
        atomic_write_text(target, "\n".join(header) + "\n" + body)
        with self._locked() as log:
            copy = {"event": "copy", "of": self.path.name, "pending": len(self._pending)}
            self._log(log, {"file": target.name, **copy})
        return target

    def reload(self, *, reapply: bool = True) -> ReloadReport:
        """Take the file as it is on disk now.

        With ``reapply`` our pending edits are re-applied on top, except those on items the
        other version changed too; whatever is not re-applied is first kept in a copy
        (:meth:`save_copy`), so nothing typed is lost. Raises ValidationFailed, leaving the
        document as it was, if the file on disk is not valid.
        """
        text, fp = self._read_disk()
        theirs = self._parse(text)
        conflicting = sorted(
            {
                e.item
                for e in self._pending
                if theirs.items.get(e.item) != self._saved.items.get(e.item)
            },
            key=[i.code for i in self.framework.items].index,
        )
        keep = [e for e in self._pending if e.item not in conflicting] if reapply else []
        copy_file = self.save_copy() if len(keep) < len(self._pending) else None
        self._base_text, self._base_fp, self._saved = text, fp, theirs
        self._pending = keep
        self._view = None
        return ReloadReport(len(keep), tuple(conflicting), copy_file)

    def keep_both(self) -> Path:
        """Our version to a sibling copy; then continue on the file as it is on disk."""
        target = self.save_copy()
        pending, self._pending = self._pending, []
        try:
            self.reload(reapply=False)
        except CcuaError:
            self._pending = pending
            raise
        return target


def _append(log: IO[str], records: Sequence[dict[str, Any]]) -> None:
    """Append JSON lines to the history, durably, before the file they describe is written.

    A process killed in the middle of an earlier append may have left half a line; start on a
    fresh line so that only that half line is unreadable, never the next record.
    """
    log.flush()
    with open(log.name, "rb") as tail:
        tail.seek(0, os.SEEK_END)
        if tail.tell():
            tail.seek(-1, os.SEEK_END)
            if tail.read(1) != b"\n":
                log.write("\n")
    log.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    log.flush()
    os.fsync(log.fileno())


def _percent_text(value: Any, where: str) -> str:
    try:
        dec = Decimal(str(value).strip())
    except InvalidOperation:
        raise RatingsError(
            f"percent must be a number 0-100, got {value!r}", field=f"{where}.percent"
        ) from None
    if not dec.is_finite() or not 0 <= dec <= 100:
        raise RatingsError(
            f"percent must be between 0 and 100, got {value}", field=f"{where}.percent"
        )
    return format(dec.normalize(), "f")


def _last_writer(history: Path, me: str) -> str:
    """The last other assessor in the history log, to say who changed the file."""
    try:
        lines = history.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in reversed(lines[-200:]):
        with contextlib.suppress(ValueError):
            by = json.loads(line).get("by", "")
            if by and by != me:
                return str(by)
    return ""


# --------------------------------------------------------------------------- tree edits
def _block(node: Any, key: str) -> CommentedMap:
    """``node[key]`` as a mapping in block style (``items: {}`` in a hand-made file), made
    one if it is not."""
    value = node.get(key)
    if not isinstance(value, CommentedMap):
        value = yt.block_map(list(value.items()) if isinstance(value, Mapping) else [])
        node[key] = value
    elif value.fa.flow_style():
        value.fa.set_block_style()
    return value


def _item_map(items: CommentedMap, framework: Framework, code: str) -> CommentedMap:
    key = yt.find_key(items, code)
    if key is None:
        node = yt.block_map()
        yt.insert_ordered(items, code, node, [i.code for i in framework.items])
        return node
    node = items[key]
    if not isinstance(node, CommentedMap):  # "1.1": 4 (an item rated as a whole)
        node = yt.block_map([("rating", node)] if node is not None else [])
        items[key] = node
    return node


def _flatten_requirement(ratings: CommentedMap, req_code: str) -> None:
    """``b: {1: 3, 2: 4}`` becomes ``b.1: 3`` and ``b.2: 4`` before an edit touches b."""
    key = yt.find_key(ratings, req_code)
    if key is None:
        return
    value = ratings[key]
    if not by_subpoint(value):
        return
    pos = list(ratings).index(key)
    del ratings[key]
    for offset, (sub, sub_value) in enumerate(value.items()):
        ratings.insert(pos + offset, f"{req_code}.{sub}", sub_value)


def _set_own(node: CommentedMap, key: str, value: Any) -> None:
    """Set one of the item's own fields, keeping them above its ``ratings:`` block."""
    if key in node:
        node[key] = value
        return
    ratings = yt.find_key(node, "ratings")
    if ratings is None:
        node[key] = value
    else:
        node.insert(list(node).index(ratings), key, value)


def _drop(mapping: CommentedMap, key: str) -> None:
    existing = yt.find_key(mapping, key)
    if existing is not None:
        del mapping[existing]


def _apply(tree: Any, framework: Framework, edit: Edit) -> None:
    """Apply one edit to a round-trip tree in place (see RatingsDocument.set_entry)."""
    items = _block(tree, "items")
    node = _item_map(items, framework, edit.item)
    if edit.key is None:
        _apply_own(node, edit)
    else:
        _apply_entry(node, framework.item(edit.item), edit.key, edit)
    if not any(str(k) not in ("by", "at") for k in node):
        _drop(items, edit.item)


def _apply_own(node: CommentedMap, edit: Edit) -> None:
    """The item's own fields; its own value replaces its entries."""
    values = dict(edit.values)
    if any(values.get(k) is not None for k in ITEM_VALUE_KEYS):
        for k in (*ITEM_VALUE_KEYS, "ratings"):
            if k not in values:
                _drop(node, k)
    for k, v in values.items():
        if v is None:
            _drop(node, k)
        else:
            _set_own(node, k, v)
    _set_own(node, "by", yt.text_scalar(edit.by))
    _set_own(node, "at", edit.at)


def _apply_entry(node: CommentedMap, item: Item, key: str, edit: Edit) -> None:
    """One entry; a value replaces the item's own value and the other way of rating the
    requirement (as a whole or by sub-points, never both)."""
    values = dict(edit.values)
    req_code = key.split(".")[0]
    gives_value = values.get("rating") is not None or values.get("na") is True
    if gives_value:
        for k in ITEM_VALUE_KEYS:
            _drop(node, k)
    if node.fa.flow_style():  # a block ratings map only fits in a block item
        node.fa.set_block_style()
    ratings = _block(node, "ratings")
    _flatten_requirement(ratings, req_code)
    if gives_value:
        for existing in list(ratings):
            k = str(existing)
            if (k == req_code) if "." in key else k.startswith(req_code + "."):
                del ratings[existing]
    existing = yt.find_key(ratings, key)
    if edit.clear:
        if existing is not None:
            del ratings[existing]
    else:
        entry = ratings[existing] if existing is not None else None
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap([("rating", entry)] if entry is not None else [])
            if existing is None:
                yt.insert_ordered(ratings, key, entry, _entry_order(item))
            else:
                ratings[existing] = entry
        for k, v in values.items():
            if v is None:
                _drop(entry, k)
            else:
                entry[k] = v
        if values.get("rating") is not None:
            _drop(entry, "na")
        if values.get("na") is True:
            _drop(entry, "rating")
        # keep the keys in the ratings format's order: value, note, evidence, by, at
        first = ("rating", "na", "note", "evidence")
        ordered = [(k, entry[k]) for k in first if k in entry]
        ordered += [(k, v) for k, v in entry.items() if k not in (*first, "by", "at")]
        entry.clear()
        for k, v in ordered:
            entry[k] = v
        entry["by"], entry["at"] = yt.text_scalar(edit.by), edit.at
        yt.set_style(entry)
    if not ratings:
        _drop(node, "ratings")
