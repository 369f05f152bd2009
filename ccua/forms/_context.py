"""What a form needs besides the ratings file: the client, its framework, and what the data says.

The form must open even when the client's data is not complete yet (the forms are used during
document review, often before the monthly sheet arrives). So the params file and the
engagement folder are resolved here step by step, and the data is loaded with the same
validation ``ccua run`` applies (:func:`ccua.inputs.load_engagement`); if that fails the
form says why and the indicator requirement is rated by hand, with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ccua._yaml import load_with_lines
from ccua.engagement import ENGAGEMENT_FILE, RATINGS_FILE, load_params
from ccua.errors import CcuaError, ValidationFailed
from ccua.inputs import load_engagement
from ccua.period import period_of
from ccua.scoring import Attainment, rating_from_attainment
from ccua.spec import DEFAULT_FRAMEWORK, Framework, load_framework


@dataclass(frozen=True)
class IndicatorData:
    """What the client's data says about the indicator requirements (GUIDE §3.2)."""

    attainment: Mapping[str, Attainment] = field(default_factory=dict)
    problem: str | None = None  # why there is no data, when there is none
    # True when only the ratings file stopped the data from loading (a fresh client has no
    # rating yet, and the run refuses that): the form loads the data again after a save.
    waiting_for_ratings: bool = False

    def rating(self, framework: Framework, item: str) -> Fraction | None:
        """The rating computed from the data, or None when nothing can be evaluated."""
        att = self.attainment.get(item)
        if att is None or att.share is None:
            return None
        return rating_from_attainment(att.share, framework)


@dataclass(frozen=True)
class FormContext:
    params_file: Path
    client: str
    folder: Path
    framework: Framework
    # Relative to the folder: the client's ratings.yaml, or one assessor's file in independent
    # mode (ratings/<assessor>.yaml; ccua/forms/_team.py).
    ratings_file: str = RATINGS_FILE

    @property
    def ratings_path(self) -> Path:
        return self.folder / self.ratings_file


def _declared_framework(path: Path) -> str | None:
    """The ``framework:`` a YAML file names, if it is readable and names one."""
    try:
        data, _ = load_with_lines(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, UnicodeDecodeError, CcuaError):
        return None
    value = data.get("framework") if isinstance(data, Mapping) else None
    return str(value) if value else None


def open_context(params_file: str | Path) -> FormContext:
    """Resolve a client's params file into its folder and framework, without needing its data."""
    path = Path(params_file)
    params = load_params(path)
    folder = (path.resolve().parent / params.engagement).resolve()
    if not folder.is_dir():
        raise CcuaError(
            f"engagement folder {params.engagement!r} not found (looked in {folder})",
            file=str(path),
            field="engagement",
        )
    fw_id = (
        params.framework
        or _declared_framework(folder / ENGAGEMENT_FILE)
        or _declared_framework(folder / RATINGS_FILE)
        or DEFAULT_FRAMEWORK
    )
    return FormContext(path.resolve(), params.client, folder, load_framework(fw_id))


def indicator_data(context: FormContext) -> IndicatorData:
    """Attainment per item from the client's data, or the reason there is none yet."""
    try:
        data = load_engagement(context.params_file)
    except ValidationFailed as exc:
        ratings = context.ratings_path.resolve()
        only_ratings = bool(exc.problems) and all(
            p.file is not None and Path(p.file).resolve() == ratings for p in exc.problems
        )
        return IndicatorData(problem=str(exc), waiting_for_ratings=only_ratings)
    except CcuaError as exc:
        return IndicatorData(problem=str(exc))
    if data.framework.id != context.framework.id:
        return IndicatorData(
            problem=f"the data is for {data.framework.id}, the form for {context.framework.id}"
        )
    d = data
    period = period_of(d)
    return IndicatorData(attainment=dict(period.attainment))
