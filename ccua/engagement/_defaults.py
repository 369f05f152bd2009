"""Documented default targets: what an indicator is held to when the centre has no target.

T/CCUA gives formulas but no target values. A framework may ship
``<framework folder>/default_targets.yaml`` (the targets.yaml format) with a default for the
indicators where a defensible source exists, each with its ``basis``. ``ccua new`` copies them
into a client's targets.yaml marked ``source: default``, so that the report can say which
targets are the centre's own and which are defaults.

The file is part of the framework, so a mistake in it is a :class:`~ccua.errors.SpecError`
naming the file, not a problem of one client's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ccua._yaml import load_with_lines
from ccua.engagement._load import parse_targets
from ccua.engagement._models import Target
from ccua.errors import CcuaError, Problem, SpecError
from ccua.spec import FRAMEWORKS_DIR, Framework, Indicator

DEFAULT_TARGETS_FILE = "default_targets.yaml"

# Which bounds a default must give, by direction: one default per indicator, pointing the way
# the indicator improves, so that a default can never reward the wrong direction.
_BOUNDS = {"higher": ("min",), "lower": ("max",), "band": ("min", "max")}


def default_targets_path(framework: Framework, root: Path | None = None) -> Path:
    """Where a framework's default targets live (``root`` is the frameworks folder)."""
    return (root or FRAMEWORKS_DIR) / framework.id / DEFAULT_TARGETS_FILE


def _not_a_default(indicator: Indicator, target: Target, raw: object) -> str | None:
    """Why a parsed target cannot be a documented default, or None when it can."""
    wanted = _BOUNDS.get(indicator.direction)
    given = tuple(b for b in ("min", "max") if getattr(target, b) is not None)
    name = f"{indicator.code} {indicator.name}"
    if wanted is None:
        return f"{name} has no direction (reported only); it takes no default target"
    if given != wanted:
        return (
            f"{name} is direction {indicator.direction}: its default gives "
            f"{' and '.join(wanted)}, not {' and '.join(given) or 'nothing'}"
        )
    if isinstance(raw, Mapping) and raw.get("source") not in (None, "default"):
        return f"a default target is source: default, not {raw.get('source')!r}"
    if not target.basis:
        return "a default target needs its basis: where the number comes from"
    return None


def default_targets(framework: Framework, root: Path | None = None) -> dict[str, Target]:
    """The framework's documented default targets, each marked ``source: default``.

    Frameworks without the file have no defaults (``{}``). Raise :class:`SpecError` listing
    every problem of the file: unknown or documentary codes, a band with one bound, a bound
    against the indicator's direction, a default for an indicator with no direction, or a
    default without its basis.
    """
    path = default_targets_path(framework, root)
    if not path.is_file():
        return {}
    try:
        data, lines = load_with_lines(path.read_text(encoding="utf-8"), str(path))
    except CcuaError as exc:
        raise SpecError(exc.problem.message, file=str(path), row=exc.problem.row) from None
    problems: list[Problem] = []
    parsed = parse_targets(data, framework, path, lines, problems, vet=_not_a_default)
    if problems:
        if len(problems) == 1:
            p = problems[0]
            raise SpecError(p.message, file=p.file, row=p.row, field=p.field)
        listed = "\n".join(f"  - {p}" for p in problems)
        raise SpecError(
            f"{len(problems)} problems in the default targets:\n{listed}", file=str(path)
        )
    return {code: t.model_copy(update={"source": "default"}) for code, t in parsed.items()}
