"""Round-trip YAML for ratings files: edit one entry, keep everything else as the assessor wrote it.

ruamel.yaml's round-trip mode keeps comments, key order, flow or block style and quoting. Two
adjustments make it safe for ratings files:

- Numbers stay text. ruamel would read the guideline's item ``2.10`` as the float 2.1 (and
  write it back as ``2.1`` once touched). This module's resolver does not resolve ints or
  floats, so every scalar the assessor typed comes back byte for byte; meaning (ratings,
  percents) is always taken from :func:`ccua.ratings.parse_ratings` on the dumped text, never
  from this tree.
- Text we add is quoted whenever a standard YAML reader would not read it back as the same
  text (a note ``12`` or ``true``), so other tools see what the assessor typed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ccua._yaml import construct_mapping, index_lines, load_with_lines

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_STANDARD = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


class _TextNumbersResolver(VersionedResolver):
    """Resolves everything ruamel does except ints and floats, which stay text."""

    @property
    def versioned_resolver(self) -> Any:
        table = super().versioned_resolver
        filtered: dict[int, Any] = self.__dict__.setdefault("_ccua_filtered", {})
        if id(table) not in filtered:  # the table lives as long as this resolver
            filtered[id(table)] = {
                ch: [(tag, rx) for tag, rx in rules if tag not in _NUMBER_TAGS]
                for ch, rules in table.items()
            }
        return filtered[id(table)]


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Resolver = _TextNumbersResolver
    y.preserve_quotes = True
    y.width = 4096  # never fold an assessor's note across lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(text: str) -> Any:
    """Parse text into a round-trip tree (mappings are CommentedMap, scalars mostly str)."""
    return _yaml().load(text)


def dump(tree: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    return buf.getvalue()


def reads_back_as_text(text: str) -> bool:
    """True when a standard YAML reader reads this plain scalar back as the same string."""
    return _STANDARD.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def text_scalar(text: str) -> str:
    """A scalar for text the assessor typed: literal block when multi-line, quoted if needed."""
    if "\n" in text:
        return LiteralScalarString(text)
    if not reads_back_as_text(text) or text != text.strip():
        return DoubleQuotedScalarString(text)
    return text


def key_scalar(code: str) -> str:
    """An item or entry key; quoted when a plain reader would take it for a number (2.10)."""
    return code if reads_back_as_text(code) else DoubleQuotedScalarString(code)


def block_map(pairs: Iterable[tuple[str, Any]] = ()) -> CommentedMap:
    m = CommentedMap(pairs)
    m.fa.set_block_style()
    return m


def set_style(entry: CommentedMap) -> None:
    """Short entries on one line (``a: {rating: 4, by: 王立新, at: ...}``); long text as blocks."""
    multiline = any(isinstance(v, str) and "\n" in v for v in entry.values())
    if multiline:
        entry.fa.set_block_style()
    else:
        entry.fa.set_flow_style()


def insert_ordered(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Insert ``key`` before the first existing key that comes after it in ``order``."""
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    for pos, existing in enumerate(mapping):
        if rank.get(str(existing), len(order)) > mine:
            mapping.insert(pos, key_scalar(key), value)
            return
    mapping[key_scalar(key)] = value


def find_key(mapping: Mapping[Any, Any], key: str) -> Any | None:
    """The mapping's own key object equal to ``key`` as text (keys may be quoted strings)."""
    for existing in mapping:
        if str(existing) == key:
            return existing
    return None


def to_plain(node: Any) -> Any:
    """A tree as plain Python (dicts, lists, str, bool, None) for comparisons and JSON."""
    if isinstance(node, Mapping):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if node is None or isinstance(node, bool):
        return node
    if hasattr(node, "isoformat"):
        return node.isoformat()
    return str(node)


def parse_with_lines(text: str, file: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """:func:`ccua._yaml.load_with_lines`, composed once and by libyaml when it is installed.

    The form validates the whole file on every click, so this is on the path of every save;
    libyaml composes an order of magnitude faster than pure Python. Keys keep their text
    (``2.10``) exactly as in ccua._yaml. A YAML error is reported by ccua._yaml itself, so the
    message is the same either way.
    """
    loader_class = _FAST_LOADER
    if loader_class is None:
        return load_with_lines(text, file)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        return load_with_lines(text, file)  # raises the usual one-line CcuaError
    finally:
        loader.dispose()
    lines: dict[tuple[str, ...], int] = {}
    index_lines(node, (), lines)
    return data, lines


def _fast_loader() -> Any:
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _CKeyTextLoader(yaml.CSafeLoader):
        pass

    _CKeyTextLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping
    )
    return _CKeyTextLoader


_FAST_LOADER = _fast_loader()
