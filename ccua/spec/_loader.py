"""Load a framework folder into frozen models and check that it holds together.

A framework lives in ``ccua/frameworks/<id>/``::

    framework.yaml      id, names, version, levels, scoring rules, categories, groups,
                        grades, and the order of the items
    measures.yaml       the named inputs that indicator formulas take
    errata.yaml         every deviation from, and ambiguity in, the printed standard
    items/<CODE>.yaml   one file per item: points, requirements, indicators

and, optionally, what some standards print beside their items (all framework-level)::

    indicators.yaml     indicators that belong to no single item (guideline table A.1)
    terms.yaml          defined terms that name measurable quantities, and abbreviations
    kpi_table.yaml      a KPI table to fill per period, referencing indicators
    thresholds.yaml     measurable requirements: quantity, operator, value, unit, window
    rules.yaml          rules over indicators' monthly series (guideline §6.5 k)

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

from ccua._yaml import bound_nodes
from ccua.errors import Problem, SpecError, ValidationFailed
from ccua.formulas import REGISTRY
from ccua.spec._cache import cached_framework
from ccua.spec._models import Framework, Indicator

FRAMEWORKS_DIR = Path(str(resources.files("ccua") / "frameworks"))
DEFAULT_FRAMEWORK = "t-ccua"
OPTIONAL_FILES = {
    "indicators": "indicators.yaml",
    "terms": "terms.yaml",
    "kpi_table": "kpi_table.yaml",
    "thresholds": "thresholds.yaml",
    "rules": "rules.yaml",
}


def available_frameworks(root: Path = FRAMEWORKS_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "framework.yaml").is_file())


def _read_yaml(path: Path, root: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError("file is missing", file=_rel(path, root)) from exc
    try:
        # Aliases bounded before anything walks the data (ccua._yaml.bound_nodes).
        bound_nodes(yaml.compose(text, Loader=yaml.SafeLoader), _rel(path, root))
        return yaml.safe_load(text)
    except RecursionError:
        raise SpecError("nested too deeply", file=_rel(path, root)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise SpecError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", file=_rel(path, root), row=row
        ) from exc


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
    # Validated once per version of the files and code, then unpickled (ccua/spec/_cache.py).
    if not (FRAMEWORKS_DIR / framework_id / "framework.yaml").is_file():
        return _load(framework_id, FRAMEWORKS_DIR)  # the loader's "unknown framework"
    return cached_framework(
        framework_id, FRAMEWORKS_DIR, lambda: _load(framework_id, FRAMEWORKS_DIR), Framework
    )


def _load(framework_id: str, root: Path) -> Framework:
    folder = root / framework_id
    if not (folder / "framework.yaml").is_file():
        known = ", ".join(available_frameworks(root)) or "none"
        raise SpecError(
            f"unknown framework {framework_id!r}; available: {known}", field="framework"
        )
    head = _read_yaml(folder / "framework.yaml", root) or {}
    if not isinstance(head, dict):
        raise SpecError("expected a mapping", file=_rel(folder / "framework.yaml", root))
    problems: list[Problem] = []
    fw_file = _rel(folder / "framework.yaml", root)

    scale_id = head.get("scale")
    scale = _read_yaml(root / "scales" / f"{scale_id}.yaml", root) if scale_id else None
    measures = (
        _read_yaml(folder / "measures.yaml", root) if (folder / "measures.yaml").exists() else []
    )
    errata = _read_yaml(folder / "errata.yaml", root) if (folder / "errata.yaml").exists() else []
    optional: dict[str, Any] = {}
    for key, name in OPTIONAL_FILES.items():
        if (folder / name).exists():
            optional[key] = _read_yaml(folder / name, root)
    terms_file = optional.pop("terms", None)
    if isinstance(terms_file, dict):
        optional["terms"] = terms_file.get("terms") or []
        optional["abbreviations"] = terms_file.get("abbreviations") or []
    elif terms_file is not None:
        problems.append(
            Problem(
                "expected a mapping with terms: and abbreviations:",
                file=_rel(folder / OPTIONAL_FILES["terms"], root),
            )
        )

    item_codes = head.get("items") or []
    items: list[Any] = []
    item_files: dict[str, str] = {}
    for code in item_codes:
        path = folder / "items" / f"{code}.yaml"
        data = _read_yaml(path, root)
        item_files[str(code)] = _rel(path, root)
        if isinstance(data, dict) and str(data.get("code")) != str(code):
            problems.append(
                Problem(
                    f"file declares code {data.get('code')!r}, expected {code!r}",
                    file=_rel(path, root),
                    field="code",
                )
            )
        items.append(data)
    stray = (
        sorted(
            p.stem
            for p in (folder / "items").glob("*.yaml")
            if p.stem not in {str(c) for c in item_codes}
        )
        if (folder / "items").is_dir()
        else []
    )
    for code in stray:
        problems.append(
            Problem(f"items/{code}.yaml is not listed under items:", file=fw_file, field="items")
        )

    raw = {
        **{k: v for k, v in head.items() if k != "items"},
        "scale": scale,
        "measures": measures or [],
        "errata": errata or [],
        "items": items,
        **{k: v for k, v in optional.items() if v is not None},
    }
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        # Attribute each structural error to the file it came from.
        for err in exc.errors():
            loc = err["loc"]
            file, field = fw_file, ".".join(str(p) for p in loc)
            if (
                loc
                and loc[0] == "items"
                and len(loc) > 1
                and isinstance(loc[1], int)
                and loc[1] < len(item_codes)
            ):
                file = item_files.get(str(item_codes[loc[1]]), fw_file)
                field = ".".join(str(p) for p in loc[2:])
            elif loc and loc[0] == "measures":
                file = _rel(folder / "measures.yaml", root)
            elif loc and loc[0] == "errata":
                file = _rel(folder / "errata.yaml", root)
            elif loc and loc[0] == "scale":
                file = _rel(root / "scales" / f"{scale_id}.yaml", root)
            elif loc and str(loc[0]) in OPTIONAL_FILES:
                file = _rel(folder / OPTIONAL_FILES[str(loc[0])], root)
            elif loc and loc[0] == "abbreviations":
                file = _rel(folder / OPTIONAL_FILES["terms"], root)
            problems.append(Problem(err["msg"], file=file, field=field or None))
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}") from None

    problems += check_framework(
        framework,
        fw_file=fw_file,
        item_files=item_files,
        measures_file=_rel(folder / "measures.yaml", root),
        errata_file=_rel(folder / "errata.yaml", root),
        files={key: _rel(folder / name, root) for key, name in OPTIONAL_FILES.items()},
    )
    if framework.id != framework_id:
        problems.append(
            Problem(
                f"id is {framework.id!r} but the folder is {framework_id!r}",
                file=fw_file,
                field="id",
            )
        )
    if problems:
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}")
    return framework


def _duplicates(codes: Iterable[str]) -> list[str]:
    return sorted(code for code, n in Counter(codes).items() if n > 1)


def check_framework(
    fw: Framework,
    *,
    fw_file: str = "framework.yaml",
    item_files: dict[str, str] | None = None,
    measures_file: str = "measures.yaml",
    errata_file: str = "errata.yaml",
    files: dict[str, str] | None = None,
) -> list[Problem]:
    """Every cross-reference and sum that pydantic cannot check on its own."""
    item_files = item_files or {}
    files = {**OPTIONAL_FILES, **(files or {})}
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
        p.append(Problem(f"scale levels must be contiguous integers, got {values}", field="scale"))

    # Categories and groups.
    category_codes = {c.code for c in fw.categories}
    for group in fw.groups:
        if group.category is not None and group.category not in category_codes:
            p.append(
                Problem(
                    f"{group.code}: unknown category {group.category!r}",
                    file=fw_file,
                    field="groups",
                )
            )
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
            p.append(
                Problem(
                    f"{node.code}: points must be positive, got {node.points}",
                    file=file,
                    field="points",
                )
            )
    for node in other:
        if node.points is not None:
            p.append(
                Problem(
                    f"{node.code}: points belong on the {fw.scoring.points_at} level",
                    file=item_file(node.code),
                    field="points",
                )
            )
    if total != fw.scoring.total_points:
        p.append(
            Problem(
                f"points sum to {total}, expected {fw.scoring.total_points}",
                file=fw_file,
                field="points",
            )
        )

    # Items: group, requirements, indicator requirement, indicators.
    measure_codes = {m.code for m in fw.measures}
    indicator_codes = {i.code for i in fw.indicators}
    used_measures: set[str] = set()
    for item in fw.items:
        file = item_file(item.code)
        if item.group not in group_codes:
            p.append(
                Problem(f"unknown {fw.levels.group.en} {item.group!r}", file=file, field="group")
            )
        for dup in _duplicates(r.code for r in item.requirements):
            p.append(
                Problem(f"duplicate requirement code {dup!r}", file=file, field="requirements")
            )
        for req in item.requirements:
            for dup in _duplicates(s.code for s in req.subpoints):
                p.append(
                    Problem(
                        f"requirement {req.code}: duplicate sub-point {dup!r}",
                        file=file,
                        field="requirements",
                    )
                )
            if req.kind == "indicator" and req.subpoints:
                p.append(
                    Problem(
                        f"requirement {req.code}: the indicator requirement has no sub-points",
                        file=file,
                        field="requirements",
                    )
                )
        n_ind = sum(1 for r in item.requirements if r.kind == "indicator")
        if fw.scoring.indicator_requirement:
            if n_ind != 1:
                p.append(
                    Problem(
                        f"{item.code} must have exactly one indicator requirement "
                        f"(kind: indicator), found {n_ind}",
                        file=file,
                        field="requirements",
                    )
                )
            elif item.requirements[-1].kind != "indicator":
                p.append(
                    Problem(
                        f"{item.code}: the indicator requirement must come last",
                        file=file,
                        field="requirements",
                    )
                )
        elif n_ind:
            p.append(
                Problem(
                    f"{item.code}: this framework has no indicator requirement "
                    "(scoring.indicator_requirement is false)",
                    file=file,
                    field="requirements",
                )
            )
        if not item.requirements and "item" not in fw.scoring.rating_levels:
            p.append(
                Problem(f"{item.code} has no requirements to rate", file=file, field="requirements")
            )
        for position, ind in enumerate(item.indicators, start=1):
            where = f"indicators.{ind.code}"
            if ind.code != f"{item.code}.{position}":
                p.append(
                    Problem(
                        f"indicator {ind.code!r} is number {position} of {item.code}; "
                        f"expected code {item.code}.{position}",
                        file=file,
                        field=where,
                    )
                )
            if ind.scope != "item" or ind.used_by:
                p.append(
                    Problem(
                        "an item's indicator has neither scope nor used_by (they are "
                        "for indicators.yaml)",
                        file=file,
                        field=where,
                    )
                )
            p += _indicator_problems(
                fw, ind, file, where, measure_codes, indicator_codes, used_measures
            )
    item_codes = {i.code for i in fw.items}
    for ind in fw.framework_indicators:
        where = f"indicators.{ind.code}"
        file = files["indicators"]
        if ind.code in item_codes or ind.code.rsplit(".", 1)[0] in item_codes:
            p.append(
                Problem(
                    f"framework-level indicator {ind.code!r} would read as an item's "
                    "(<item>.<n>); choose a code of its own",
                    file=file,
                    field=where,
                )
            )
        for code in ind.used_by:
            if code not in item_codes:
                p.append(Problem(f"used_by: no item {code!r}", file=file, field=where))
        p += _indicator_problems(
            fw, ind, file, where, measure_codes, indicator_codes, used_measures
        )
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
        p.append(
            Problem("chapters must cover every group exactly once", file=fw_file, field="chapters")
        )

    p += _check_terms_tables_rules(fw, files, indicator_codes)

    # Errata point at things that exist.
    known = (
        {i.code for i in fw.items}
        | indicator_codes
        | group_codes
        | measure_codes
        | {g.code for g in fw.grades}
        | {"framework"}
        | {f"{i.code}.{r.code}" for i in fw.items for r in i.requirements}
        | {t.id for t in fw.thresholds}
        | {r.id for r in fw.rules}
        | (
            {"kpi_table"} | {f"kpi_table.{g.code}" for g in fw.kpi_table.groups}
            if fw.kpi_table
            else set()
        )
    )
    for erratum in fw.errata:
        for subject in erratum.subjects:
            if subject not in known and not subject.startswith("§"):
                p.append(
                    Problem(f"erratum {erratum.id}: unknown subject {subject!r}", file=errata_file)
                )
    return p


def _indicator_problems(
    fw: Framework,
    ind: Indicator,
    file: str,
    where: str,
    measure_codes: set[str],
    indicator_codes: set[str],
    used_measures: set[str],
) -> list[Problem]:
    """The checks every indicator must pass, wherever it is listed."""
    p: list[Problem] = []
    shape = REGISTRY.get(ind.function)
    if shape is None:
        p.append(
            Problem(
                f"unknown formula function {ind.function!r}; known: {', '.join(sorted(REGISTRY))}",
                file=file,
                field=where,
            )
        )
    elif not shape.accepts(len(ind.inputs)):
        p.append(
            Problem(
                f"function {ind.function} takes {shape.arity_text()} inputs, "
                f"{len(ind.inputs)} given",
                file=file,
                field=where,
            )
        )
    for name in ind.inputs:
        used_measures.add(name)
        if name not in measure_codes:
            p.append(
                Problem(
                    f"formula input {name!r} is not declared in measures.yaml",
                    file=file,
                    field=where,
                )
            )
    if (ind.kind == "documentary") != (ind.function == "documentary"):
        p.append(
            Problem("kind documentary and function documentary go together", file=file, field=where)
        )
    if ind.kind != "documentary" and ind.unit is None:
        p.append(Problem("a computed indicator needs a unit", file=file, field=where))
    if ind.same_as is not None:
        if ind.same_as not in indicator_codes:
            p.append(
                Problem(f"same_as {ind.same_as!r} is not an indicator", file=file, field=where)
            )
        else:
            twin = fw.indicator(ind.same_as)
            if (twin.function, twin.inputs) != (ind.function, ind.inputs):
                p.append(
                    Problem(
                        f"same_as {ind.same_as} but the formula differs", file=file, field=where
                    )
                )
    if ind.term is not None and ind.term not in {t.clause for t in fw.terms}:
        p.append(Problem(f"term {ind.term!r} is not in terms.yaml", file=file, field=where))
    return p


def _check_terms_tables_rules(
    fw: Framework, files: dict[str, str], indicator_codes: set[str]
) -> list[Problem]:
    """Terms, the KPI table, thresholds and rules reference what exists."""
    p: list[Problem] = []
    item_codes = {i.code for i in fw.items}
    clauses = {t.clause for t in fw.terms}

    def requirement_exists(item: str | None, requirement: str | None) -> bool:
        if item is None or item not in item_codes:
            return False
        return requirement is None or requirement in {r.code for r in fw.item(item).requirements}

    for what, codes, file in (
        ("term", [t.clause for t in fw.terms], files["terms"]),
        ("abbreviation", [a.abbr for a in fw.abbreviations], files["terms"]),
        ("threshold", [t.id for t in fw.thresholds], files["thresholds"]),
        ("rule", [r.id for r in fw.rules], files["rules"]),
    ):
        for dup in _duplicates(codes):
            p.append(Problem(f"duplicate {what} {dup!r}", file=file))

    for term in fw.terms:
        if term.indicator is not None:
            if term.indicator not in indicator_codes:
                p.append(
                    Problem(
                        f"term {term.clause}: no indicator {term.indicator!r}",
                        file=files["terms"],
                        field="terms",
                    )
                )
            elif fw.indicator(term.indicator).term != term.clause:
                p.append(
                    Problem(
                        f"term {term.clause} names indicator {term.indicator}, whose "
                        f"term is not {term.clause}",
                        file=files["terms"],
                        field="terms",
                    )
                )

    table = fw.kpi_table
    if table is not None:
        file = files["kpi_table"]
        for dup in _duplicates(g.code for g in table.groups):
            p.append(Problem(f"duplicate KPI group {dup!r}", file=file, field="groups"))
        for dup in _duplicates(table.kpis):
            p.append(Problem(f"KPI {dup!r} is listed twice", file=file, field="groups"))
        for code in table.kpis:
            if code not in indicator_codes:
                p.append(
                    Problem(
                        f"KPI {code!r} is not an indicator (indicators.yaml or an "
                        "item's indicators)",
                        file=file,
                        field="groups",
                    )
                )
        roles = [c.role for c in table.columns]
        if roles.count("kpi") != 1 or roles.count("current") != 1:
            p.append(
                Problem(
                    "columns: exactly one kpi column and one current column",
                    file=file,
                    field="columns",
                )
            )

    for th in fw.thresholds:
        file, where = files["thresholds"], f"thresholds.{th.id}"
        if th.item is not None and th.item not in item_codes:
            p.append(Problem(f"no item {th.item!r}", file=file, field=where))
        elif th.requirement is not None and not requirement_exists(th.item, th.requirement):
            p.append(Problem(f"no requirement {th.item}.{th.requirement}", file=file, field=where))
        if th.requirement is not None and th.item is None:
            p.append(Problem("a requirement needs its item", file=file, field=where))
        if th.term is not None and th.term not in clauses:
            p.append(Problem(f"no term {th.term!r}", file=file, field=where))
        if th.indicator is not None and th.indicator not in indicator_codes:
            p.append(Problem(f"no indicator {th.indicator!r}", file=file, field=where))
        if th.kind == "requirement" and th.item is None:
            p.append(
                Problem("a threshold of kind requirement names its item", file=file, field=where)
            )

    for rule in fw.rules:
        file, where = files["rules"], f"rules.{rule.id}"
        if not requirement_exists(rule.item, rule.requirement):
            p.append(
                Problem(
                    f"evidence for {rule.evidence_for}, which is not a requirement",
                    file=file,
                    field=where,
                )
            )
        if not 0 < rule.required_share <= 1:
            p.append(
                Problem(
                    f"required_share must be in (0, 1], got {rule.required_share}",
                    file=file,
                    field=where,
                )
            )
        if rule.scope == "kpi_table" and fw.kpi_table is None:
            p.append(
                Problem(
                    "scope kpi_table but the framework has no kpi_table.yaml",
                    file=file,
                    field=where,
                )
            )
    return p
