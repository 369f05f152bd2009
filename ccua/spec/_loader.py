"""Load a framework folder into frozen models and check that it holds together.

A framework lives in ``ccua/frameworks/<id>/``::

    framework.yaml      id, names, version, levels, scoring rules, categories, groups,
                        grades, and the order of the items
    measures.yaml       the named inputs that indicator formulas take
    errata.yaml         every deviation from, and ambiguity in, the printed standard
    items/<CODE>.yaml   one file per item: points, requirements, indicators

Rating scales are shared between frameworks: ``ccua/frameworks/scales/<id>.yaml``.

Every check runs before anything is reported, so an author sees all problems at once, each
with the file it is in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ccua.errors import Problem, SpecError, ValidationFailed
from ccua.formulas import REGISTRY
from ccua.spec._models import Framework

FRAMEWORKS_DIR = Path(str(resources.files("ccua") / "frameworks"))
DEFAULT_FRAMEWORK = "t-ccua"


def available_frameworks(root: Path = FRAMEWORKS_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "framework.yaml").is_file())


def _read_yaml(path: Path, root: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError("file is missing", file=_rel(path, root)) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise SpecError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                        file=_rel(path, root), row=row) from exc


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _pydantic_problems(exc: ValidationError, file: str, prefix: str = "") -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        problems.append(Problem(err["msg"], file=file, field=f"{prefix}{loc}" if prefix else loc))
    return problems


def load_framework(framework_id: str = DEFAULT_FRAMEWORK, root: Path | None = None) -> Framework:
    """Load and validate a framework by id (cached for the bundled frameworks)."""
    if root is None:
        return _load_bundled(framework_id)
    return _load(framework_id, root)


@cache
def _load_bundled(framework_id: str) -> Framework:
    return _load(framework_id, FRAMEWORKS_DIR)


def _load(framework_id: str, root: Path) -> Framework:
    folder = root / framework_id
    if not (folder / "framework.yaml").is_file():
        known = ", ".join(available_frameworks(root)) or "none"
        raise SpecError(f"unknown framework {framework_id!r}; available: {known}",
                        field="framework")
    head = _read_yaml(folder / "framework.yaml", root) or {}
    if not isinstance(head, dict):
        raise SpecError("expected a mapping", file=_rel(folder / "framework.yaml", root))
    problems: list[Problem] = []
    fw_file = _rel(folder / "framework.yaml", root)

    scale_id = head.get("scale")
    scale = _read_yaml(root / "scales" / f"{scale_id}.yaml", root) if scale_id else None
    measures = _read_yaml(folder / "measures.yaml", root) if (folder / "measures.yaml").exists() \
        else []
    errata = _read_yaml(folder / "errata.yaml", root) if (folder / "errata.yaml").exists() else []

    item_codes = head.get("items") or []
    items: list[Any] = []
    item_files: dict[str, str] = {}
    for code in item_codes:
        path = folder / "items" / f"{code}.yaml"
        data = _read_yaml(path, root)
        item_files[str(code)] = _rel(path, root)
        if isinstance(data, dict) and str(data.get("code")) != str(code):
            problems.append(Problem(f"file declares code {data.get('code')!r}, expected {code!r}",
                                    file=_rel(path, root), field="code"))
        items.append(data)
    stray = sorted(p.stem for p in (folder / "items").glob("*.yaml") if p.stem not in
                   {str(c) for c in item_codes}) if (folder / "items").is_dir() else []
    for code in stray:
        problems.append(Problem(f"items/{code}.yaml is not listed under items:", file=fw_file,
                                field="items"))

    raw = {**{k: v for k, v in head.items() if k != "items"}, "scale": scale,
           "measures": measures or [], "errata": errata or [], "items": items}
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        # Attribute each structural error to the file it came from.
        for err in exc.errors():
            loc = err["loc"]
            file, field = fw_file, ".".join(str(p) for p in loc)
            if loc and loc[0] == "items" and len(loc) > 1 and isinstance(loc[1], int) \
                    and loc[1] < len(item_codes):
                file = item_files.get(str(item_codes[loc[1]]), fw_file)
                field = ".".join(str(p) for p in loc[2:])
            elif loc and loc[0] == "measures":
                file = _rel(folder / "measures.yaml", root)
            elif loc and loc[0] == "errata":
                file = _rel(folder / "errata.yaml", root)
            elif loc and loc[0] == "scale":
                file = _rel(root / "scales" / f"{scale_id}.yaml", root)
            problems.append(Problem(err["msg"], file=file, field=field or None))
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}") from None

    problems += check_framework(framework, fw_file=fw_file, item_files=item_files,
                                measures_file=_rel(folder / "measures.yaml", root),
                                errata_file=_rel(folder / "errata.yaml", root))
    if framework.id != framework_id:
        problems.append(Problem(f"id is {framework.id!r} but the folder is {framework_id!r}",
                                file=fw_file, field="id"))
    if problems:
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}")
    return framework


def _duplicates(codes: Iterable[str]) -> list[str]:
    return sorted(code for code, n in Counter(codes).items() if n > 1)


def check_framework(fw: Framework, *, fw_file: str = "framework.yaml",
                    item_files: dict[str, str] | None = None,
                    measures_file: str = "measures.yaml",
                    errata_file: str = "errata.yaml") -> list[Problem]:
    """Every cross-reference and sum that pydantic cannot check on its own."""
    item_files = item_files or {}
    p: list[Problem] = []

    def item_file(code: str) -> str:
        return item_files.get(code, fw_file)

    for what, codes, file in (
        ("category", [c.code for c in fw.categories], fw_file),
        (fw.levels.group.en, [g.code for g in fw.groups], fw_file),
        ("item", [i.code for i in fw.items], fw_file),
        ("indicator", [i.code for i in fw.indicators], fw_file),
        ("measure", [m.code for m in fw.measures], measures_file),
        ("grade", [g.code for g in fw.grades], fw_file),
        ("erratum", [e.id for e in fw.errata], errata_file),
    ):
        for dup in _duplicates(codes):
            p.append(Problem(f"duplicate {what} code {dup!r}", file=file))

    # Scale: contiguous integer levels.
    values = sorted(level.value for level in fw.scale.levels)
    if values != list(range(values[0], values[-1] + 1)) if values else True:
        p.append(Problem(f"scale levels must be contiguous integers, got {values}",
                         field="scale"))

    # Categories and groups.
    category_codes = {c.code for c in fw.categories}
    for group in fw.groups:
        if group.category is not None and group.category not in category_codes:
            p.append(Problem(f"{group.code}: unknown category {group.category!r}", file=fw_file,
                             field="groups"))
        if fw.categories and group.category is None:
            p.append(Problem(f"{group.code}: no category", file=fw_file, field="groups"))
    group_codes = {g.code for g in fw.groups}
    for group in fw.groups:
        if not fw.items_of(group.code):
            p.append(Problem(f"{group.code} has no items", file=fw_file, field="groups"))

    # Points: positive, on the declared level only, summing to the total.
    scored = fw.items if fw.scoring.points_at == "item" else fw.groups
    other = fw.groups if fw.scoring.points_at == "item" else fw.items
    total = sum((s.points or 0 for s in scored), start=0)
    for node in scored:
        file = item_file(node.code) if fw.scoring.points_at == "item" else fw_file
        if node.points is None:
            p.append(Problem(f"{node.code} has no points", file=file, field="points"))
        elif node.points <= 0:
            p.append(Problem(f"{node.code}: points must be positive, got {node.points}",
                             file=file, field="points"))
    for node in other:
        if node.points is not None:
            p.append(Problem(f"{node.code}: points belong on the {fw.scoring.points_at} level",
                             file=item_file(node.code), field="points"))
    if total != fw.scoring.total_points:
        p.append(Problem(f"points sum to {total}, expected {fw.scoring.total_points}",
                         file=fw_file, field="points"))

    # Items: group, requirements, indicator requirement, indicators.
    measure_codes = {m.code for m in fw.measures}
    indicator_codes = {i.code for i in fw.indicators}
    used_measures: set[str] = set()
    for item in fw.items:
        file = item_file(item.code)
        if item.group not in group_codes:
            p.append(Problem(f"unknown {fw.levels.group.en} {item.group!r}", file=file,
                             field="group"))
        for dup in _duplicates(r.code for r in item.requirements):
            p.append(Problem(f"duplicate requirement code {dup!r}", file=file,
                             field="requirements"))
        for req in item.requirements:
            for dup in _duplicates(s.code for s in req.subpoints):
                p.append(Problem(f"requirement {req.code}: duplicate sub-point {dup!r}",
                                 file=file, field="requirements"))
            if req.kind == "indicator" and req.subpoints:
                p.append(Problem(f"requirement {req.code}: the indicator requirement has no "
                                 "sub-points", file=file, field="requirements"))
        n_ind = sum(1 for r in item.requirements if r.kind == "indicator")
        if fw.scoring.indicator_requirement:
            if n_ind != 1:
                p.append(Problem(f"{item.code} must have exactly one indicator requirement "
                                 f"(kind: indicator), found {n_ind}", file=file,
                                 field="requirements"))
            elif item.requirements[-1].kind != "indicator":
                p.append(Problem(f"{item.code}: the indicator requirement must come last",
                                 file=file, field="requirements"))
        elif n_ind:
            p.append(Problem(f"{item.code}: this framework has no indicator requirement "
                             "(scoring.indicator_requirement is false)", file=file,
                             field="requirements"))
        if not item.requirements and "item" not in fw.scoring.rating_levels:
            p.append(Problem(f"{item.code} has no requirements to rate", file=file,
                             field="requirements"))
        for position, ind in enumerate(item.indicators, start=1):
            where = f"indicators.{ind.code}"
            if ind.code != f"{item.code}.{position}":
                p.append(Problem(f"indicator {ind.code!r} is number {position} of {item.code}; "
                                 f"expected code {item.code}.{position}", file=file,
                                 field=where))
            shape = REGISTRY.get(ind.function)
            if shape is None:
                p.append(Problem(f"unknown formula function {ind.function!r}; known: "
                                 f"{', '.join(sorted(REGISTRY))}", file=file, field=where))
            elif not shape.accepts(len(ind.inputs)):
                p.append(Problem(f"function {ind.function} takes {shape.arity_text()} inputs, "
                                 f"{len(ind.inputs)} given", file=file, field=where))
            for name in ind.inputs:
                used_measures.add(name)
                if name not in measure_codes:
                    p.append(Problem(f"formula input {name!r} is not declared in measures.yaml",
                                     file=file, field=where))
            if (ind.kind == "documentary") != (ind.function == "documentary"):
                p.append(Problem("kind documentary and function documentary go together",
                                 file=file, field=where))
            if ind.kind != "documentary" and ind.unit is None:
                p.append(Problem("a computed indicator needs a unit", file=file, field=where))
            if ind.same_as is not None:
                if ind.same_as not in indicator_codes:
                    p.append(Problem(f"same_as {ind.same_as!r} is not an indicator", file=file,
                                     field=where))
                else:
                    twin = fw.indicator(ind.same_as)
                    if (twin.function, twin.inputs) != (ind.function, ind.inputs):
                        p.append(Problem(f"same_as {ind.same_as} but the formula differs",
                                         file=file, field=where))
    for code in sorted(measure_codes - used_measures):
        p.append(Problem(f"measure {code!r} is used by no indicator", file=measures_file))

    # Grades: distinct thresholds; the lowest grade starts at zero.
    if fw.grades:
        mins = [g.min for g in fw.grades]
        if len(set(mins)) != len(mins):
            p.append(Problem("two grades share a threshold", file=fw_file, field="grades"))
        if min(mins) != 0:
            p.append(Problem("the lowest grade must start at 0", file=fw_file, field="grades"))

    # Chapters cover every group exactly once.
    chapter_groups = [g for ch in fw.chapters for g in ch.groups]
    if sorted(chapter_groups) != sorted(group_codes):
        p.append(Problem("chapters must cover every group exactly once", file=fw_file,
                         field="chapters"))

    # Errata point at things that exist.
    known = ({i.code for i in fw.items} | indicator_codes | group_codes | measure_codes
             | {g.code for g in fw.grades} | {"framework"}
             | {f"{i.code}.{r.code}" for i in fw.items for r in i.requirements})
    for erratum in fw.errata:
        for subject in erratum.subjects:
            if subject not in known and not subject.startswith("§"):
                p.append(Problem(f"erratum {erratum.id}: unknown subject {subject!r}",
                                 file=errata_file))
    return p
