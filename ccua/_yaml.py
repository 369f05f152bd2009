"""YAML reading that keeps what the user wrote, and knows where they wrote it.

Two traps of plain ``yaml.safe_load`` for our files: item codes of the guideline (``2.10``) are
read as floats (``2.1``), colliding with item ``2.1``; and errors lose their line numbers. This
loader keeps every mapping key as the exact text written and records the line of every key, so
that validation can say ``ratings.yaml:42: items.CB1.ratings.b.3: ...``.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationError,
)
from pydantic_core import InitErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ccua._limits import MAX_YAML_DEPTH, MAX_YAML_NODES, check_text_size
from ccua._num import shown
from ccua.errors import CcuaError, Problem, ValidationFailed

M = TypeVar("M", bound=BaseModel)

Path_ = tuple[str, ...]


class _KeyTextLoader(yaml.SafeLoader):
    pass


def construct_mapping(loader: _KeyTextLoader, node: MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain name or number, not a mapping or a list",
                key_node.start_mark,
            )
        key = key_node.value
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


_KeyTextLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


class _FastKeyTextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's parser (when PyYAML has it): the same nodes, lines and
    data, composed about ten times faster. Any problem is reported by the pure-Python
    loader, whose messages the tests and docs know."""


_FastKeyTextLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping
)


def bound_nodes(node: Node | None, file: str | None = None) -> int:
    """Refuse a document too large once its aliases are expanded, too deep, or recursive.

    Aliases are allowed (an anchor reused a few times is ordinary YAML), but "billion laughs"
    (aliases of aliases, each level multiplying the last) would make every walk over the data
    exponential. Sizes are computed once per distinct node, so this check is linear in the text.
    Returns the number of nodes of the expanded document.
    """
    if node is None:
        return 0
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def refuse(n: Node, why: str) -> CcuaError:
        return CcuaError(why, file=file, row=n.start_mark.line + 1)

    def size(n: Node, depth: int) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise refuse(
                n,
                "an alias refers to the mapping or list that contains it (recursive "
                "YAML is not allowed)",
            )
        if depth > MAX_YAML_DEPTH:
            raise refuse(n, f"nested more than {MAX_YAML_DEPTH} levels deep")
        total = 1
        if isinstance(n, (MappingNode, SequenceNode)):
            active.add(key)
            children = (
                [c for pair in n.value for c in pair] if isinstance(n, MappingNode) else n.value
            )
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_YAML_NODES:
                    raise refuse(
                        n,
                        f"more than {MAX_YAML_NODES:,} values once its aliases (*name)"
                        " are expanded; write the values out instead of nesting "
                        "aliases (see docs/limits.md)",
                    )
            active.discard(key)
        sizes[key] = total
        return total

    return size(node, 0)


def index_lines(
    node: Node | None, path: Path_, lines: dict[Path_, int], file: str | None = None
) -> None:
    if node is None:
        return
    if not path:
        bound_nodes(node, file)
    _index(node, path, lines)


def _index(node: Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines)
    elif isinstance(node, SequenceNode):
        for i, child in enumerate(node.value):
            _index(child, (*path, str(i)), lines)


def load_with_lines(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and the line number of every key path.

    The text is composed once, checked against the limits (size, aliases, depth: see
    :func:`bound_nodes`), then constructed; a bad document is one :class:`CcuaError` naming
    the file and line.
    """
    check_text_size(text, "yaml", file)
    fast = _compose_fast(text, file)
    node, data = fast if fast is not None else _compose(text, file)
    lines: dict[Path_, int] = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


def _compose_fast(text: str, file: str) -> tuple[Node | None, Any] | None:
    """Node and data by libyaml; None on any problem (:func:`_compose` then names it)."""
    loader = _FastKeyTextLoader(text)
    try:
        node = loader.get_single_node()
        bound_nodes(node, file)
        return node, (loader.construct_document(node) if node is not None else None)
    except (yaml.YAMLError, CcuaError, RecursionError):
        return None
    finally:
        loader.dispose()


def _compose(text: str, file: str) -> tuple[Node | None, Any]:
    loader: _KeyTextLoader | None = None
    try:
        loader = _KeyTextLoader(text)
        node = loader.get_single_node()
        bound_nodes(node, file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        row = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, int) else 0
        raise CcuaError(
            f"not valid YAML: the character U+{char:04X} is not allowed (control "
            "characters cannot appear in YAML)",
            file=file,
            row=row,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CcuaError(f"not valid YAML: {problem}", file=file, row=row) from None
    except RecursionError:
        raise CcuaError(f"nested too deeply (at most {MAX_YAML_DEPTH} levels)", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, data


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the deepest key of ``path`` that exists."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def fast_load(text: str, file: str) -> Any:
    """Plain ``yaml.safe_load`` (by libyaml when installed) within the same limits.

    For files whose keys need no exact text and whose lines are only wanted on a problem; a
    YAML error is reported by :func:`load_with_lines`, naming the line.
    """
    check_text_size(text, "yaml", file)
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    except yaml.YAMLError:
        return load_with_lines(text, file)[0]
    try:
        node = loader.get_single_node()
        bound_nodes(node, file)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        pass
    except RecursionError:
        raise CcuaError(f"nested too deeply (at most {MAX_YAML_DEPTH} levels)", file=file) from None
    finally:
        loader.dispose()
    return load_with_lines(text, file)[0]


def read_yaml_text(path: Any, file: str | None = None) -> str:
    """The text of a YAML file (UTF-8, with or without BOM), refused beyond the size limit."""
    from pathlib import Path

    from ccua._limits import check_size

    p = Path(path)
    name = file or str(path)
    check_size(p, "yaml", file=name)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CcuaError("file not found", file=name) from None
    except IsADirectoryError:
        raise CcuaError("is a folder; expected a YAML file", file=name) from None
    except UnicodeDecodeError:
        raise CcuaError("not UTF-8 text; save the file as UTF-8", file=name) from None


# --- One validation path: a file is a pydantic schema object; its errors become Problems ------


class Schema(BaseModel):
    """The base of every input file's schema object: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def invalid(*found: tuple[Path_, str]) -> ValidationError:
    """Several problems from one validator, each ``(loc, message)`` at its own place below
    the validator's (pydantic prefixes it): raise the result."""
    details = [
        InitErrorDetails(type="value_error", loc=loc, input=None, ctx={"error": ValueError(why)})
        for loc, why in found
    ]
    return ValidationError.from_exception_data("invalid", details)


def keyed(what: str) -> BeforeValidator:
    """Hand each value of a mapping over with its key, as ``(key, value)``: the rules that
    need the code a key names (an item of the framework, a requirement of the item) then run
    where the value is, and report there. ``what`` is the message for a value not a mapping."""

    def pair(raw: object) -> object:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise ValueError(what)
        return {str(k): (str(k), v) for k, v in raw.items()}

    return BeforeValidator(pair)


class worded:  # lower case: used like pydantic's markers, Annotated[str, worded(...)]
    """A text that must match ``pattern`` (searched, as ``Field(pattern=...)`` does); else
    ``words (got 'the text')``, instead of the regular expression pydantic would print. The
    JSON Schema keeps the pattern, for other tools."""

    def __init__(self, pattern: str, words: str) -> None:
        self.pattern, self.words = pattern, words

    def _match(self, text: str) -> str:
        if not re.search(self.pattern, text):
            raise ValueError(f"{self.words} (got {text!r})")
        return text

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self._match, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        out = handler(schema)
        out["pattern"] = self.pattern
        return out


def validate(
    model: type[M],
    data: Any,
    *,
    file: str,
    lines: dict[Path_, int] | Callable[[], dict[Path_, int]],
    context: dict[str, Any] | None = None,
    subject: str | None = None,
    at: Path_ = (),
) -> M:
    """``model.model_validate(data)``, or :class:`ValidationFailed` with every problem at once.

    ``lines`` is the YAML line map (:func:`load_with_lines`), or a function giving it when a
    problem needs it (a file read by :func:`fast_load`); ``at`` is where ``data`` sits in the
    file (a part validated on its own, e.g. ``("targets", "CB1.1")``).
    """
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        found = problems_of(
            exc, file, lines() if callable(lines) else lines, model, lambda loc: (file, at + loc)
        )
        raise ValidationFailed.of(found, subject=subject or file) from None


def problems_of(
    exc: ValidationError,
    file: str,
    lines: dict[Path_, int],
    model: Any = None,
    where: Callable[[Path_], tuple[str, Path_]] | None = None,
) -> list[Problem]:
    """Every error of a ``ValidationError`` as a :class:`Problem`, in line order: the file,
    the line of the deepest key the user wrote, the field, and what was expected.

    ``where`` places an error's path in the files: the file and the path within it (a model
    assembled from several files, a part of a file validated on its own)."""
    out = []
    for err in exc.errors():
        loc = tuple(str(part) for part in err["loc"])
        message = _message(err, model, loc[:-1])
        in_file, at = where(loc) if where else (file, loc)
        row = _row(lines, at)
        out.append(Problem(message, file=in_file, row=row, field=".".join(at) or None))
    return sorted(out, key=lambda p: (p.row is None, p.row or 0))


_WHEN = (datetime.date, datetime.time, datetime.timedelta)  # shown as the date, not datetime(...)


def _message(err: Any, model: Any, parent: Path_) -> str:
    kind, given = err["type"], err.get("input")
    if kind == "extra_forbidden":
        keys = _keys_at(model, parent)
        return f"unknown key; expected one of {', '.join(keys)}" if keys else "unknown key"
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "dict_type", "list_type"):
        message = "expected a list" if kind == "list_type" else "expected a mapping (key: value)"
    else:
        message = str(err["msg"]).removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error") or isinstance(given, (dict, list, tuple)):
        return message  # our own messages say what they got
    text = shown(given) if isinstance(given, _WHEN) else repr(given)
    return f"{message} (got {text if len(text) <= 60 else text[:57] + '...'})"


def _row(lines: dict[Path_, int], loc: Path_) -> int | None:
    """The line of the deepest key of ``loc`` written in the file; ``b.1`` may be written
    nested (``b: {1: 3}``), so the loc split at its dots is tried too."""
    best: tuple[int, int | None] = (-1, None)
    for path in (loc, tuple(".".join(loc).split("."))):
        for end in range(len(path), best[0], -1):
            if path[:end] in lines:
                best = (end, lines[path[:end]])
                break
    return best[1]


def _keys_at(model: Any, loc: Path_) -> list[str]:
    """The keys the schema allows at ``loc``, through models, dicts, lists, tuples, optional
    values and the input models named by ``PlainValidator(json_schema_input_type=...)``."""

    def schema(tp: Any, metadata: Any = ()) -> Any:
        if typing.get_origin(tp) is typing.Annotated:
            return schema(tp.__origin__, (*tp.__metadata__, *metadata))
        if typing.get_origin(tp) in (typing.Union, types.UnionType):  # X | None: X
            given = [a for a in typing.get_args(tp) if a is not type(None)]
            return schema(given[0], metadata) if len(given) == 1 else tp
        inputs = [m.json_schema_input_type for m in metadata if isinstance(m, PlainValidator)]
        return schema(inputs[0]) if inputs and inputs[0] is not Any else tp

    node = schema(model)
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = {(f.alias or n): f for n, f in node.model_fields.items()}.get(part)
            node = schema(field.annotation, field.metadata) if field else None
        elif typing.get_origin(node) in (dict, list, tuple):  # tuple[X, ...]: X
            node = schema([a for a in typing.get_args(node) if a is not Ellipsis][-1])
        else:
            return []
    if isinstance(node, type) and issubclass(node, BaseModel):
        return sorted(f.alias or n for n, f in node.model_fields.items())
    return []
