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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ccua._yaml import fast_load, line_of, load_with_lines, problems_of, read_yaml_text
from ccua.errors import CcuaError, Problem, SpecError, ValidationFailed
from ccua.formulas import REGISTRY
from ccua.spec._cache import cached_framework
from ccua.spec._models import Framework, Indicator, Item, Rule, Threshold

FRAMEWORKS_DIR = Path(str(resources.files("ccua") / "frameworks"))
DEFAULT_FRAMEWORK = "t-ccua"
OPTIONAL_FILES = {
    "indicators": "indicators.yaml",
    "terms": "terms.yaml",
    "kpi_table": "kpi_table.yaml",
    "thresholds": "thresholds.yaml",
    "rules": "rules.yaml",
}
# Every file of a framework but framework.yaml and the items, by the key it is read under.
PART_FILES = {"measures": "measures.yaml", "errata": "errata.yaml", **OPTIONAL_FILES}


def available_frameworks(root: Path = FRAMEWORKS_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "framework.yaml").is_file())


def _read_yaml(path: Path, root: Path) -> Any:
    file = _rel(path, root)
    try:  # within the limits (size, aliases, depth: ccua._yaml)
        return fast_load(read_yaml_text(path, file), file)
    except CcuaError as exc:
        raise SpecError(exc.problem.message, file=file, row=exc.problem.row) from None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


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
    files = {key: _rel(folder / name, root) for key, name in PART_FILES.items()}
    files["scale"] = _rel(root / "scales" / f"{head.get('scale')}.yaml", root)
    where = _Files(fw_file=_rel(folder / "framework.yaml", root), files=files)
    item_codes = head.get("items") or []
    raw = {
        **{k: v for k, v in head.items() if k != "items"},
        **_read_parts(head, folder, root, where, problems),
        "items": _read_items(item_codes, folder, root, where, problems),
    }
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        place = partial(_structural_place, item_codes=item_codes, where=where)
        problems += _with_lines(problems_of(exc, where.fw_file, {}, Framework, place), root, where)
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}") from None
    problems += [problem for check in CHECKS for problem in check(framework, where)]
    if framework.id != framework_id:
        problems.append(
            Problem(
                f"id is {framework.id!r} but the folder is {framework_id!r}",
                file=where.fw_file,
                field="id",
            )
        )
    if problems:
        raise ValidationFailed.of(problems, subject=f"framework {framework_id}")
    return framework


@dataclass
class _Files:
    """Which file each part of a framework comes from, to say where a problem is."""

    fw_file: str = "framework.yaml"
    item_files: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=lambda: {**PART_FILES, "scale": "scale.yaml"})

    def item(self, code: str) -> str:
        return self.item_files.get(code, self.fw_file)


def _read_parts(
    head: dict, folder: Path, root: Path, where: _Files, problems: list[Problem]
) -> dict[str, Any]:
    """The scale, measures, errata and the optional files, as the framework model takes them."""
    scale_id = head.get("scale")
    parts: dict[str, Any] = {
        "scale": _read_yaml(root / "scales" / f"{scale_id}.yaml", root) if scale_id else None
    }
    for key in ("measures", "errata"):
        path = folder / f"{key}.yaml"
        parts[key] = (_read_yaml(path, root) if path.exists() else None) or []
    optional = {
        key: _read_yaml(folder / name, root)
        for key, name in OPTIONAL_FILES.items()
        if (folder / name).exists()
    }
    terms_file = optional.pop("terms", None)
    if isinstance(terms_file, dict):
        optional["terms"] = terms_file.get("terms") or []
        optional["abbreviations"] = terms_file.get("abbreviations") or []
    elif terms_file is not None:
        problems.append(
            Problem("expected a mapping with terms: and abbreviations:", file=where.files["terms"])
        )
    return parts | {k: v for k, v in optional.items() if v is not None}


def _read_items(
    item_codes: list, folder: Path, root: Path, where: _Files, problems: list[Problem]
) -> list[Any]:
    """items/<CODE>.yaml in the order framework.yaml lists them; a file not listed is a problem."""
    items: list[Any] = []
    for code in item_codes:
        path = folder / "items" / f"{code}.yaml"
        data = _read_yaml(path, root)
        where.item_files[str(code)] = _rel(path, root)
        if isinstance(data, dict) and str(data.get("code")) != str(code):
            problems.append(
                Problem(
                    f"file declares code {data.get('code')!r}, expected {code!r}",
                    file=_rel(path, root),
                    field="code",
                )
            )
        items.append(data)
    listed = {str(c) for c in item_codes}
    stray = sorted(p.stem for p in (folder / "items").glob("*.yaml") if p.stem not in listed)
    problems += [
        Problem(f"items/{code}.yaml is not listed under items:", file=where.fw_file, field="items")
        for code in stray
    ]
    return items


def _structural_place(
    loc: tuple[str, ...], item_codes: list, where: _Files
) -> tuple[str, tuple[str, ...]]:
    """The file a part of the whole framework came from, and the path within it."""
    head = loc[0] if loc else ""
    if head == "items" and len(loc) > 1 and loc[1].isdigit() and int(loc[1]) < len(item_codes):
        return where.item(str(item_codes[int(loc[1])])), loc[2:]
    if head in where.files or head == "abbreviations":
        return where.files["terms" if head == "abbreviations" else head], loc
    return where.fw_file, loc


def _with_lines(problems: list[Problem], root: Path, where: _Files) -> list[Problem]:
    """Each problem at the line of its field, its file read again for the lines (only when
    the framework has a problem)."""
    values = set(where.files.values())
    lines: dict[str, dict] = {}
    out = []
    for p in problems:
        if not (p.file and p.field):
            out.append(p)
            continue
        if p.file not in lines:
            try:
                text = read_yaml_text(root.parent / p.file, p.file)
                lines[p.file] = load_with_lines(text, p.file)[1]
            except CcuaError:
                lines[p.file] = {}
        at = tuple(p.field.split("."))
        if p.file in values and p.file != where.files["terms"]:
            at = at[1:]  # the file holds the value of its key
        out.append(replace(p, row=line_of(lines[p.file], at)))
    return out


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
    """Every cross-reference and sum that pydantic cannot check on its own: the checks of
    :data:`CHECKS` in order, every problem of all of them."""
    parts = {"measures": measures_file, "errata": errata_file, **(files or {})}
    where = _Files(fw_file=fw_file, item_files=item_files or {}, files={**_Files().files, **parts})
    return [problem for check in CHECKS for problem in check(fw, where)]


def _check_duplicate_codes(fw: Framework, where: _Files) -> list[Problem]:
    return [
        Problem(f"duplicate {what} code {dup!r}", file=file)
        for what, codes, file in (
            ("category", [c.code for c in fw.categories], where.fw_file),
            (fw.levels.group.en, [g.code for g in fw.groups], where.fw_file),
            ("item", [i.code for i in fw.items], where.fw_file),
            ("indicator", [i.code for i in fw.indicators], where.fw_file),
            ("measure", [m.code for m in fw.measures], where.files["measures"]),
            ("grade", [g.code for g in fw.grades], where.fw_file),
            ("erratum", [e.id for e in fw.errata], where.files["errata"]),
        )
        for dup in _duplicates(codes)
    ]


def _check_scale(fw: Framework, where: _Files) -> list[Problem]:
    """Contiguous integer levels."""
    values = sorted(level.value for level in fw.scale.levels)
    if values and values == list(range(values[0], values[-1] + 1)):
        return []
    return [Problem(f"scale levels must be contiguous integers, got {values}", field="scale")]


def _check_groups(fw: Framework, where: _Files) -> list[Problem]:
    """Every group in a known category (when there are categories) and with items."""
    at = partial(Problem, file=where.fw_file, field="groups")
    p: list[Problem] = []
    category_codes = {c.code for c in fw.categories}
    for group in fw.groups:
        if group.category is not None and group.category not in category_codes:
            p.append(at(f"{group.code}: unknown category {group.category!r}"))
        if fw.categories and group.category is None:
            p.append(at(f"{group.code}: no category"))
    return p + [at(f"{g.code} has no items") for g in fw.groups if not fw.items_of(g.code)]


def _check_points(fw: Framework, where: _Files) -> list[Problem]:
    """Points: positive, on the declared level only, summing to the total."""
    at_item = fw.scoring.points_at == "item"
    scored = fw.items if at_item else fw.groups
    other = fw.groups if at_item else fw.items
    p: list[Problem] = []
    for node in scored:
        at = partial(Problem, file=where.item(node.code) if at_item else where.fw_file)
        if node.points is None:
            p.append(at(f"{node.code} has no points", field="points"))
        elif node.points <= 0:
            p.append(at(f"{node.code}: points must be positive, got {node.points}", field="points"))
    p += [
        Problem(
            f"{node.code}: points belong on the {fw.scoring.points_at} level",
            file=where.item(node.code),
            field="points",
        )
        for node in other
        if node.points is not None
    ]
    total = sum((s.points or 0 for s in scored), start=0)
    if total != fw.scoring.total_points:
        message = f"points sum to {total}, expected {fw.scoring.total_points}"
        p.append(Problem(message, file=where.fw_file, field="points"))
    return p


def _check_items(fw: Framework, where: _Files) -> list[Problem]:
    """Each item: its group, its requirements, its indicators."""
    group_codes = {g.code for g in fw.groups}
    p: list[Problem] = []
    for item in fw.items:
        file = where.item(item.code)
        if item.group not in group_codes:
            p.append(
                Problem(f"unknown {fw.levels.group.en} {item.group!r}", file=file, field="group")
            )
        p += _requirement_problems(fw, item, file)
        p += _item_indicator_problems(fw, item, file)
    return p


def _requirement_problems(fw: Framework, item: Item, file: str) -> list[Problem]:
    """Distinct codes, and the indicator requirement where the scoring wants it."""

    def problem(message: str) -> Problem:
        return Problem(message, file=file, field="requirements")

    p = [
        problem(f"duplicate requirement code {d!r}")
        for d in _duplicates(r.code for r in item.requirements)
    ]
    for req in item.requirements:
        p += [
            problem(f"requirement {req.code}: duplicate sub-point {dup!r}")
            for dup in _duplicates(s.code for s in req.subpoints)
        ]
        if req.kind == "indicator" and req.subpoints:
            p.append(
                problem(f"requirement {req.code}: the indicator requirement has no sub-points")
            )
    n_ind = sum(1 for r in item.requirements if r.kind == "indicator")
    if fw.scoring.indicator_requirement and n_ind != 1:
        p.append(
            problem(
                f"{item.code} must have exactly one indicator requirement "
                f"(kind: indicator), found {n_ind}"
            )
        )
    elif fw.scoring.indicator_requirement and item.requirements[-1].kind != "indicator":
        p.append(problem(f"{item.code}: the indicator requirement must come last"))
    elif not fw.scoring.indicator_requirement and n_ind:
        p.append(
            problem(
                f"{item.code}: this framework has no indicator requirement "
                "(scoring.indicator_requirement is false)"
            )
        )
    if not item.requirements and "item" not in fw.scoring.rating_levels:
        p.append(problem(f"{item.code} has no requirements to rate"))
    return p


def _item_indicator_problems(fw: Framework, item: Item, file: str) -> list[Problem]:
    """An item's indicators: numbered <item>.<n>, no scope of their own, and sound."""
    p: list[Problem] = []
    for position, ind in enumerate(item.indicators, start=1):
        at = partial(Problem, file=file, field=f"indicators.{ind.code}")
        if ind.code != f"{item.code}.{position}":
            p.append(
                at(
                    f"indicator {ind.code!r} is number {position} of {item.code}; "
                    f"expected code {item.code}.{position}"
                )
            )
        if ind.scope != "item" or ind.used_by:
            p.append(
                at(
                    "an item's indicator has neither scope nor used_by (they are "
                    "for indicators.yaml)"
                )
            )
        p += _indicator_problems(fw, ind, file, f"indicators.{ind.code}")
    return p


def _check_framework_indicators(fw: Framework, where: _Files) -> list[Problem]:
    """Indicators of no single item (indicators.yaml): their own codes, known items."""
    item_codes = {i.code for i in fw.items}
    file = where.files["indicators"]
    p: list[Problem] = []
    for ind in fw.framework_indicators:
        at = partial(Problem, file=file, field=f"indicators.{ind.code}")
        if ind.code in item_codes or ind.code.rsplit(".", 1)[0] in item_codes:
            p.append(
                at(
                    f"framework-level indicator {ind.code!r} would read as an item's "
                    "(<item>.<n>); choose a code of its own"
                )
            )
        p += [at(f"used_by: no item {code!r}") for code in ind.used_by if code not in item_codes]
        p += _indicator_problems(fw, ind, file, f"indicators.{ind.code}")
    return p


def _check_measures_used(fw: Framework, where: _Files) -> list[Problem]:
    used = {name for ind in fw.indicators for name in ind.inputs}
    return [
        Problem(f"measure {code!r} is used by no indicator", file=where.files["measures"])
        for code in sorted({m.code for m in fw.measures} - used)
    ]


def _check_grades(fw: Framework, where: _Files) -> list[Problem]:
    """Distinct thresholds; the lowest grade starts at zero."""
    if not fw.grades:
        return []
    mins = [g.min for g in fw.grades]
    p = []
    if len(set(mins)) != len(mins):
        p.append(Problem("two grades share a threshold", file=where.fw_file, field="grades"))
    if min(mins) != 0:
        p.append(Problem("the lowest grade must start at 0", file=where.fw_file, field="grades"))
    return p


def _check_chapters(fw: Framework, where: _Files) -> list[Problem]:
    """Chapters cover every group exactly once."""
    chapter_groups = [g for ch in fw.chapters for g in ch.groups]
    if sorted(chapter_groups) == sorted(g.code for g in fw.groups):
        return []
    return [
        Problem(
            "chapters must cover every group exactly once", file=where.fw_file, field="chapters"
        )
    ]


def _indicator_problems(fw: Framework, ind: Indicator, file: str, where: str) -> list[Problem]:
    """The checks every indicator must pass, wherever it is listed."""
    found: list[str] = []
    shape = REGISTRY.get(ind.function)
    if shape is None:
        known = ", ".join(sorted(REGISTRY))
        found.append(f"unknown formula function {ind.function!r}; known: {known}")
    elif not shape.accepts(len(ind.inputs)):
        found.append(
            f"function {ind.function} takes {shape.arity_text()} inputs, {len(ind.inputs)} given"
        )
    measure_codes = {m.code for m in fw.measures}
    found += [
        f"formula input {name!r} is not declared in measures.yaml"
        for name in ind.inputs
        if name not in measure_codes
    ]
    if (ind.kind == "documentary") != (ind.function == "documentary"):
        found.append("kind documentary and function documentary go together")
    if ind.kind != "documentary" and ind.unit is None:
        found.append("a computed indicator needs a unit")
    if ind.same_as is not None and ind.same_as not in {i.code for i in fw.indicators}:
        found.append(f"same_as {ind.same_as!r} is not an indicator")
    elif ind.same_as is not None:
        twin = fw.indicator(ind.same_as)
        if (twin.function, twin.inputs) != (ind.function, ind.inputs):
            found.append(f"same_as {ind.same_as} but the formula differs")
    if ind.term is not None and ind.term not in {t.clause for t in fw.terms}:
        found.append(f"term {ind.term!r} is not in terms.yaml")
    return [Problem(message, file=file, field=where) for message in found]


def _check_duplicate_entries(fw: Framework, where: _Files) -> list[Problem]:
    files = where.files
    return [
        Problem(f"duplicate {what} {dup!r}", file=file)
        for what, codes, file in (
            ("term", [t.clause for t in fw.terms], files["terms"]),
            ("abbreviation", [a.abbr for a in fw.abbreviations], files["terms"]),
            ("threshold", [t.id for t in fw.thresholds], files["thresholds"]),
            ("rule", [r.id for r in fw.rules], files["rules"]),
        )
        for dup in _duplicates(codes)
    ]


def _check_terms(fw: Framework, where: _Files) -> list[Problem]:
    """A term naming an indicator names one whose term it is."""
    indicator_codes = {i.code for i in fw.indicators}
    p: list[Problem] = []
    for term in fw.terms:
        if term.indicator is None:
            continue
        if term.indicator not in indicator_codes:
            message = f"term {term.clause}: no indicator {term.indicator!r}"
        elif fw.indicator(term.indicator).term != term.clause:
            message = (
                f"term {term.clause} names indicator {term.indicator}, whose "
                f"term is not {term.clause}"
            )
        else:
            continue
        p.append(Problem(message, file=where.files["terms"], field="terms"))
    return p


def _check_kpi_table(fw: Framework, where: _Files) -> list[Problem]:
    """The KPI table's groups and KPIs once each, KPIs that are indicators, its two columns."""
    table = fw.kpi_table
    if table is None:
        return []
    at = partial(Problem, file=where.files["kpi_table"], field="groups")
    indicator_codes = {i.code for i in fw.indicators}
    p = [at(f"duplicate KPI group {dup!r}") for dup in _duplicates(g.code for g in table.groups)]
    p += [at(f"KPI {dup!r} is listed twice") for dup in _duplicates(table.kpis)]
    p += [
        at(f"KPI {code!r} is not an indicator (indicators.yaml or an item's indicators)")
        for code in table.kpis
        if code not in indicator_codes
    ]
    roles = [c.role for c in table.columns]
    if roles.count("kpi") != 1 or roles.count("current") != 1:
        p.append(at("columns: exactly one kpi column and one current column", field="columns"))
    return p


def _requirement_exists(fw: Framework, item: str | None, requirement: str | None) -> bool:
    if item is None or item not in {i.code for i in fw.items}:
        return False
    return requirement is None or requirement in {r.code for r in fw.item(item).requirements}


def _each(key: str, entries: Iterable[Any], where: _Files, found: Callable) -> list[Problem]:
    """The problems ``found(entry)`` yields for each entry of ``key``'s file, at ``key.<id>``."""
    file = where.files[key]
    return [Problem(m, file=file, field=f"{key}.{e.id}") for e in entries for m in found(e)]


def _check_thresholds(fw: Framework, where: _Files) -> list[Problem]:
    """Thresholds name items, requirements, terms and indicators that exist."""
    item_codes = {i.code for i in fw.items}
    clauses = {t.clause for t in fw.terms}
    indicator_codes = {i.code for i in fw.indicators}

    def found(th: Threshold) -> Iterator[str]:
        if th.item is not None and th.item not in item_codes:
            yield f"no item {th.item!r}"
        elif th.requirement is not None and not _requirement_exists(fw, th.item, th.requirement):
            yield f"no requirement {th.item}.{th.requirement}"
        if th.requirement is not None and th.item is None:
            yield "a requirement needs its item"
        if th.term is not None and th.term not in clauses:
            yield f"no term {th.term!r}"
        if th.indicator is not None and th.indicator not in indicator_codes:
            yield f"no indicator {th.indicator!r}"
        if th.kind == "requirement" and th.item is None:
            yield "a threshold of kind requirement names its item"

    return _each("thresholds", fw.thresholds, where, found)


def _check_rules(fw: Framework, where: _Files) -> list[Problem]:
    """Rules are evidence for a requirement that exists, with a share in (0, 1]."""

    def found(rule: Rule) -> Iterator[str]:
        if not _requirement_exists(fw, rule.item, rule.requirement):
            yield f"evidence for {rule.evidence_for}, which is not a requirement"
        if not 0 < rule.required_share <= 1:
            yield f"required_share must be in (0, 1], got {rule.required_share}"
        if rule.scope == "kpi_table" and fw.kpi_table is None:
            yield "scope kpi_table but the framework has no kpi_table.yaml"

    return _each("rules", fw.rules, where, found)


def _check_errata(fw: Framework, where: _Files) -> list[Problem]:
    """Errata point at things that exist."""
    known = (
        {i.code for i in fw.items}
        | {i.code for i in fw.indicators}
        | {g.code for g in fw.groups}
        | {m.code for m in fw.measures}
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
    return [
        Problem(f"erratum {erratum.id}: unknown subject {subject!r}", file=where.files["errata"])
        for erratum in fw.errata
        for subject in erratum.subjects
        if subject not in known and not subject.startswith("§")
    ]


# The checks of a framework, in the order their problems are reported.
CHECKS: tuple[Callable[[Framework, _Files], list[Problem]], ...] = (
    _check_duplicate_codes,
    _check_scale,
    _check_groups,
    _check_points,
    _check_items,
    _check_framework_indicators,
    _check_measures_used,
    _check_grades,
    _check_chapters,
    _check_duplicate_entries,
    _check_terms,
    _check_kpi_table,
    _check_thresholds,
    _check_rules,
    _check_errata,
)
