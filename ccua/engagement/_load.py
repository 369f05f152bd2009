"""Load and validate a client's params file and engagement folder, reporting every problem.

Nothing is computed here; this is the "validate the inputs first" step of ``ccua run``. Every
problem names its file, and where it can, the row or line, the field and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ccua._num import NotANumber, to_fraction
from ccua._yaml import line_of, load_with_lines, read_yaml_text, validate
from ccua.engagement._models import Check, Engagement, Params, Target
from ccua.engagement._monthly import Claim, MonthlyInputs, parse_claims, parse_monthly
from ccua.engagement._tables import read_sheet
from ccua.errors import CcuaError, Problem, ValidationFailed
from ccua.evidence import Register, load_register
from ccua.ratings import Ratings, load_ratings
from ccua.spec import Framework, Indicator, load_framework

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

ENGAGEMENT_FILE = "engagement.yaml"
TARGETS_FILE = "targets.yaml"
CHECKS_FILE = "checks.yaml"
RATINGS_FILE = "ratings.yaml"
ASSESSORS_DIR = "ratings"  # ratings/NAME.yaml: one assessor's independent ratings
MONTHLY_STEM = "monthly"
CLAIMED_STEM = "claimed"
SHEET_SUFFIXES = (".xlsx", ".csv")


@dataclass
class EngagementData:
    """Everything one client's assessment is computed from."""

    params_file: Path
    params: Params
    folder: Path
    framework: Framework
    engagement: Engagement
    targets: dict[str, Target]
    checks: dict[str, Check]
    inputs: MonthlyInputs
    claims: list[Claim]
    ratings: Ratings
    files: dict[str, Path] = field(default_factory=dict)
    # What the loader noticed but did not stop for (e.g. sheet values replaced by records).
    warnings: list[str] = field(default_factory=list)
    # Independent ratings, one file per assessor (ratings/NAME.yaml), for the agreement
    # figures; the ratings scored are ``ratings`` (their consensus).
    assessor_ratings: dict[str, Ratings] = field(default_factory=dict)
    # The evidence register (evidence.yaml), when the engagement keeps one.
    evidence: Register | None = None

    @property
    def months(self) -> list[str]:
        return self.engagement.background.period.months

    @property
    def output(self) -> Path:
        if self.params.output:
            return (self.params_file.parent / self.params.output).resolve()
        return (Path.cwd() / "runs" / self.params.client).resolve()


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, dict]:
    """A YAML file's data and line map; a file that cannot be read is a problem (None, {})."""
    return _caught(problems, lambda: load_with_lines(read_yaml_text(path), str(path))) or (None, {})


def _caught(problems: list[Problem], read: Callable[[], T]) -> T | None:
    """``read()``, or None with its problems added (every one of a ValidationFailed)."""
    try:
        return read()
    except ValidationFailed as exc:
        problems += exc.problems
    except CcuaError as exc:
        problems.append(exc.problem)
    return None


def _model(
    cls: type[M],
    data: Any,
    path: Path,
    lines: dict,
    problems: list[Problem],
    at: tuple[str, ...] = (),
) -> M | None:
    """``cls`` validated by the shared path (ccua._yaml.validate); its problems added."""
    try:
        return validate(cls, {} if data is None else data, file=str(path), lines=lines, at=at)
    except ValidationFailed as exc:
        problems += exc.problems
        return None


def load_params(path: str | Path) -> Params:
    p = Path(path)
    problems: list[Problem] = []
    if p.is_dir():
        raise CcuaError("is a folder; expected a params file such as params/demo.yaml", file=str(p))
    data, lines = _read_yaml(p, problems)
    params = _model(Params, data, p, lines, problems) if not problems else None
    if problems or params is None:
        raise ValidationFailed.of(problems, subject=str(p))
    return params


def _find_sheet(folder: Path, stem: str, problems: list[Problem] | None = None) -> Path | None:
    found = [folder / f"{stem}{s}" for s in SHEET_SUFFIXES if (folder / f"{stem}{s}").exists()]
    if len(found) > 1 and problems is not None:
        problems.append(
            Problem(
                f"both {' and '.join(f.name for f in found)} are here and only "
                "one would be read: keep the one with the data, remove or rename "
                "the other",
                file=str(folder),
            )
        )
    return found[0] if found else None


_SHAPES = {"targets": "{CODE: {min: ..., max: ...}}", "checks": "{CODE: {met: true, note: ...}}"}


def _entries(
    data: Any, key: str, framework: Framework, path: Path, lines: dict, problems: list[Problem]
) -> Iterator[tuple[Indicator, Any, tuple[str, ...], Callable[[str], Problem]]]:
    """The entries of a targets or checks file (under ``key:`` or at the top) that name an
    indicator: the indicator, its value, where it is, and how to place a problem of it."""
    body = data.get(key, data) if isinstance(data, Mapping) else data
    if body is None:  # no file, or "key:" with every entry still commented out (ccua new)
        return
    if not isinstance(body, Mapping):
        problems.append(Problem(f"expected {key}: {_SHAPES[key]}", file=str(path)))
        return
    known = {i.code: i for i in framework.indicators}
    for code, raw in body.items():
        loc = (key, str(code)) if key in data else (str(code),)
        at = partial(Problem, file=str(path), row=line_of(lines, loc), field=str(code))
        if (ind := known.get(str(code))) is not None:
            yield ind, raw, loc, at
        else:  # (the targets' message names the framework)
            fw = f" in {framework.id}" if key == "targets" else ""
            problems.append(at(f"no indicator {str(code)!r}{fw}"))


def parse_targets(
    data: Any,
    framework: Framework,
    path: Path,
    lines: dict,
    problems: list[Problem],
    vet: Callable[[Indicator, Target, Any], str | None] | None = None,
) -> dict[str, Target]:
    """The targets of a targets file; ``vet`` may refuse one, saying why."""
    targets: dict[str, Target] = {}
    for ind, raw, loc, at in _entries(data, "targets", framework, path, lines, problems):
        if ind.is_documentary:
            why = f"record the assessor's check in {CHECKS_FILE}, not a target"
            problems.append(at(f"{ind.code} is documentary: {why}"))
            continue
        raw, wrong = _target_bounds(raw, ind)
        target = None if wrong else _model(Target, raw, path, lines, problems, at=loc)
        if wrong or (target is not None and target.min is None and target.max is None):
            problems.append(at(wrong or "a target needs min or max"))
        elif target is not None and vet is not None and (refused := vet(ind, target, raw)):
            problems.append(at(refused))
        elif target is not None:
            targets[ind.code] = target
    return targets


def _target_bounds(raw: Any, ind: Indicator) -> tuple[Any, str | None]:
    """A target as {min:, max:}: a bare number is the bound its direction asks for."""
    if isinstance(raw, Mapping):
        return raw, None
    try:
        to_fraction(raw)
    except NotANumber:
        return raw, f"expected a number or {{min:, max:}}, got {raw!r}"
    bound = {"higher": "min", "lower": "max"}.get(ind.direction)
    if bound is None:
        why = f"has direction {ind.direction}: give min and/or max explicitly"
        return raw, f"{ind.code} {ind.name} {why}"
    return {bound: raw}, None


def parse_checks(
    data: Any, framework: Framework, path: Path, lines: dict, problems: list[Problem]
) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for ind, raw, loc, at in _entries(data, "checks", framework, path, lines, problems):
        if not ind.is_documentary:
            why = "is computed from data; checks are for documentary indicators"
            problems.append(at(f"{ind.code} {ind.name} {why}"))
        elif (check := _model(Check, raw, path, lines, problems, at=loc)) is not None:
            checks[ind.code] = check
    return checks


@dataclass
class Reading:
    """Where a client's files are, while they are read: what an :data:`Overlay` needs."""

    params_file: Path
    params: Params
    folder: Path
    framework: Framework
    months: list[str]
    files: dict[str, Path]
    problems: list[Problem]


# Lays other inputs over the monthly sheet (ccua.inputs: the ingested records); returns the
# inputs and the warnings naming what was replaced, adds files read and problems to ``reading``.
Overlay = Callable[[MonthlyInputs, Reading], tuple[MonthlyInputs, list[str]]]


def read_engagement(
    params_path: str | Path, overlay: Overlay | None
) -> tuple[EngagementData | None, list[Problem], bool]:
    """Read a client's files, collecting every problem instead of stopping at the first.

    Returns what could be read, the problems, and whether the ratings could be read (when
    not, ``data.ratings`` is empty). ``data`` is None when engagement.yaml cannot be read
    (without its period nothing else can be checked). A bad params file or a missing
    engagement folder still raises: nothing else can be found without them. ``overlay``
    (when the period and the sheet are there) lays other inputs over the monthly sheet;
    :func:`ccua.inputs.load_engagement` passes the ingested records.
    """
    params_file = Path(params_path).resolve()
    params = load_params(params_path)
    folder = (params_file.parent / params.engagement).resolve()
    if not folder.is_dir():
        raise CcuaError(
            f"engagement folder {params.engagement!r} not found (looked in {folder})",
            file=str(params_path),
            field="engagement",
        )
    problems: list[Problem] = []
    eng_path = folder / ENGAGEMENT_FILE
    engagement, framework = _read_engagement_file(eng_path, params, params_path, problems)
    targets, checks = _read_targets_and_checks(folder, framework, problems)
    months = engagement.background.period.months if engagement else None
    files: dict[str, Path] = {"engagement": eng_path, "targets": folder / TARGETS_FILE}
    inputs, m_path = _read_monthly(folder, framework, months, files, problems)
    warnings: list[str] = []
    if months and m_path is not None and overlay is not None:
        reading = Reading(params_file, params, folder, framework, months, files, problems)
        inputs, warnings = overlay(inputs, reading)
    claims = _read_claims(folder, framework, months, files, problems)
    ratings = _read_ratings(folder / RATINGS_FILE, framework, files, problems)
    assessors = _assessor_ratings(folder, framework, files, problems)
    register = _read_register(folder, files, problems)
    if engagement is None:
        return None, problems, ratings is not None
    data = EngagementData(
        params_file=params_file,
        params=params,
        folder=folder,
        framework=framework,
        engagement=engagement,
        targets=targets,
        checks=checks,
        inputs=inputs,
        claims=claims,
        ratings=ratings or Ratings(framework=framework.id, items={}),
        files=files,
        warnings=warnings,
        assessor_ratings=assessors,
        evidence=register,
    )
    return data, problems, ratings is not None


def _read_engagement_file(
    eng_path: Path, params: Params, params_path: str | Path, problems: list[Problem]
) -> tuple[Engagement | None, Framework]:
    """engagement.yaml, checked against the params file, and the framework it names."""
    eng_data, eng_lines = _read_yaml(eng_path, problems)
    engagement = (
        _model(Engagement, eng_data, eng_path, eng_lines, problems)
        if eng_data is not None
        else None
    )
    fw_id = (engagement.framework if engagement else None) or params.framework or "t-ccua"
    if params.framework and engagement and params.framework != engagement.framework:
        problems.append(
            Problem(
                f"params say framework {params.framework!r} but "
                f"{ENGAGEMENT_FILE} says {engagement.framework!r}",
                file=str(params_path),
                field="framework",
            )
        )
    if engagement and engagement.client != params.client:
        problems.append(
            Problem(
                f"client is {engagement.client!r} here but {params.client!r} in {params_path}",
                file=str(eng_path),
                row=line_of(eng_lines, ("client",)),
                field="client",
            )
        )
    try:
        framework = load_framework(fw_id)
    except CcuaError as exc:
        raise CcuaError(exc.problem.message, file=str(eng_path), field="framework") from None
    if engagement:
        problems += _item_problems(engagement, framework, eng_path, eng_lines)
    return engagement, framework


def _item_problems(
    engagement: Engagement, framework: Framework, eng_path: Path, eng_lines: dict
) -> list[Problem]:
    """The items engagement.yaml names (hand-over rows, key points) against the framework."""

    def problem(message: str, *loc: str) -> Problem:
        return Problem(
            message, file=str(eng_path), row=line_of(eng_lines, loc), field=".".join(loc)
        )

    order = [i.code for i in framework.items]
    out = [
        problem(f"no item {c!r} in {framework.id}", "handover", c)
        for c in engagement.handover
        if c not in order
    ]
    out += [
        problem(f"no hand-over row (E.3) for item {c}", "handover")
        for c in order
        if c not in engagement.handover
    ]
    out += [
        problem(f"no item {kp.item!r}", "key_points", str(n), "item")
        for n, kp in enumerate(engagement.key_points)
        if kp.item and kp.item not in order
    ]
    return out


def _read_targets_and_checks(
    folder: Path, framework: Framework, problems: list[Problem]
) -> tuple[dict[str, Target], dict[str, Check]]:
    t_path = folder / TARGETS_FILE
    t_data, t_lines = _read_yaml(t_path, problems)
    targets = parse_targets(t_data, framework, t_path, t_lines, problems)
    checks: dict[str, Check] = {}
    c_path = folder / CHECKS_FILE
    if c_path.exists():
        c_data, c_lines = _read_yaml(c_path, problems)
        checks = parse_checks(c_data, framework, c_path, c_lines, problems)
    return targets, checks


def _read_monthly(
    folder: Path,
    framework: Framework,
    months: list[str] | None,
    files: dict[str, Path],
    problems: list[Problem],
) -> tuple[MonthlyInputs, Path | None]:
    """The monthly sheet's inputs (7.2 c) and where it is (None: there is none)."""
    m_path = _find_sheet(folder, MONTHLY_STEM, problems)
    if m_path is None:
        problems.append(
            Problem(
                f"no {MONTHLY_STEM}.xlsx or {MONTHLY_STEM}.csv (the monthly "
                "indicator inputs, 7.2 c)",
                file=str(folder),
            )
        )
        return MonthlyInputs(), None
    files["monthly"] = m_path
    try:
        sheet = read_sheet(m_path)
        inputs, more = parse_monthly(sheet, framework, months)
    except CcuaError as exc:
        problems.append(exc.problem)
        return MonthlyInputs(), m_path
    problems += more
    if not inputs.values and not more and framework.measures:
        # The template as ccua new wrote it: nothing to compute the indicators from.
        problems.append(
            Problem(
                "no monthly values yet: fill in the month columns with "
                "the centre's data for the period (7.2 c)",
                file=sheet.file,
            )
        )
    return inputs, m_path


def _read_claims(
    folder: Path,
    framework: Framework,
    months: list[str] | None,
    files: dict[str, Path],
    problems: list[Problem],
) -> list[Claim]:
    """The centre's claimed values (claimed.xlsx/csv), when there are any."""
    cl_path = _find_sheet(folder, CLAIMED_STEM, problems)
    if cl_path is None or not months:
        return []
    files["claimed"] = cl_path
    parsed = _caught(problems, lambda: parse_claims(read_sheet(cl_path), framework, months))
    if parsed is None:
        return []
    problems += parsed[1]
    return parsed[0]


def _read_ratings(
    r_path: Path, framework: Framework, files: dict[str, Path], problems: list[Problem]
) -> Ratings | None:
    """The ratings scored (ratings.yaml); None when they cannot be read."""
    ratings = _caught(problems, lambda: load_ratings(r_path, framework))
    if ratings is None:
        return None
    files["ratings"] = r_path
    if not ratings.items:
        # A fresh client (ccua new): the scoring would stop at every requirement anyway.
        problems.append(
            Problem(
                f"no {framework.levels.item.en} is rated yet: rate them "
                "under items: (see the comments in the file)",
                file=str(r_path),
                field="items",
            )
        )
    return ratings


def _read_register(
    folder: Path, files: dict[str, Path], problems: list[Problem]
) -> Register | None:
    """The evidence register (evidence.yaml), when the engagement keeps one."""
    register = _caught(problems, lambda: load_register(folder))
    if register is None or not register.path.is_file():
        return None
    files["evidence"] = register.path
    return register


def _assessor_ratings(
    folder: Path, framework: Framework, files: dict[str, Path], problems: list[Problem]
) -> dict[str, Ratings]:
    """The independent ratings files ``ratings/NAME.yaml`` (docs/assessors.md), by name."""
    out: dict[str, Ratings] = {}
    assessors = folder / ASSESSORS_DIR
    if not assessors.is_dir():
        return out
    for path in sorted(assessors.glob("*.yaml")):
        if (ratings := _caught(problems, partial(load_ratings, path, framework))) is not None:
            out[path.stem] = ratings
            files[f"{ASSESSORS_DIR}/{path.name}"] = path
    return out


RECORDS_DIR = "records"


def records_folder(params: Params, params_file: Path, folder: Path) -> Path:
    """Where a client's ingested records live: the params file's ``records:`` (relative to
    the params file), else ``records/`` in the engagement folder, where ``ccua ingest`` puts
    them."""
    if params.records:
        return (params_file.parent / params.records).resolve()
    return folder / RECORDS_DIR
