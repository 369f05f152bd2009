"""YAML reading that keeps what the user wrote, and knows where they wrote it.

Two traps of plain ``yaml.safe_load`` for our files: item codes of the guideline (``2.10``) are
read as floats (``2.1``), colliding with item ``2.1``; and errors lose their line numbers. This
loader keeps every mapping key as the exact text written and records the line of every key, so
that validation can say ``ratings.yaml:42: items.CB1.ratings.b.3: ...``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ccua.errors import CcuaError

Path_ = tuple[str, ...]


class _KeyTextLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _KeyTextLoader, node: MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else \
            loader.construct_object(key_node, deep=deep)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


_KeyTextLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_lines(node: Node | None, path: Path_, lines: dict[Path_, int]) -> None:
    if node is None:
        return
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines)
    elif isinstance(node, SequenceNode):
        for i, child in enumerate(node.value):
            _index_lines(child, (*path, str(i)), lines)


def load_with_lines(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and the line number of every key path."""
    try:
        node = yaml.compose(text, Loader=_KeyTextLoader)
        data = yaml.load(text, Loader=_KeyTextLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CcuaError(f"not valid YAML: {problem}", file=file, row=row) from None
    lines: dict[Path_, int] = {}
    _index_lines(node, (), lines)
    return data, lines


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the deepest key of ``path`` that exists."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
