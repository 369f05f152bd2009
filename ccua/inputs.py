"""A client's inputs: the engagement folder, with the ingested records over its monthly sheet.

:mod:`ccua.engagement` reads the files an assessor keeps (params, engagement.yaml, the
monthly sheet, ratings); :mod:`ccua.records` recomputes the monthly measures from the centre's
own records. This module, above both, puts them together for ``ccua run``, ``ccua check``,
the forms and the CLI.
"""

from __future__ import annotations

from pathlib import Path

from ccua.engagement import (
    EngagementData,
    MonthlyInputs,
    Reading,
    load_params,
    read_engagement,
    records_folder,
)
from ccua.errors import CcuaError, Problem, ValidationFailed
from ccua.records import RecordsStore, merge_inputs, monthly_inputs


def load_engagement(params_path: str | Path) -> EngagementData:
    """Read and validate everything a client's run needs; raise with every problem found."""
    data, problems, _ = collect_engagement(params_path)
    if problems or data is None:
        raise ValidationFailed.of(problems, subject=f"client {load_params(params_path).client}")
    return data


def collect_engagement(
    params_path: str | Path,
) -> tuple[EngagementData | None, list[Problem], bool]:
    """What could be read, every problem, and whether the ratings could be read
    (:func:`ccua.engagement.read_engagement` with the records laid over the sheet)."""
    return read_engagement(params_path, lay_records_over)


def warm_records(params_path: str | Path) -> bool:
    """Compute the client's monthly measures from its records now, so that the next form,
    check or run finds them in the cache (ccua/records/_cache.py) instead of going over every
    record. Called at the end of ``ccua ingest``; whatever is still missing from the
    engagement folder is for ``ccua check`` to report, so problems here are not raised.
    True when the records were read."""
    try:
        data, _, _ = collect_engagement(params_path)
    except CcuaError:
        return False
    return data is not None and "records" in data.files


def lay_records_over(sheet: MonthlyInputs, reading: Reading) -> tuple[MonthlyInputs, list[str]]:
    """The monthly sheet with the measures recomputed from ingested records laid over it.

    Records win where both give a month's measure (真实性: the centre's own records, not its
    summary); the warnings name every sheet value replaced. No records folder: the sheet
    alone, as before.
    """
    params = reading.params
    where = records_folder(params, reading.params_file, reading.folder)
    if not RecordsStore(where).exists():
        if params.records:
            reading.problems.append(
                Problem(
                    f"no ingested records in {where}; run `ccua ingest "
                    f"{params.client} FILE...` or remove records:",
                    file=str(reading.params_file),
                    field="records",
                )
            )
        return sheet, []
    reading.files["records"] = where
    try:
        records = monthly_inputs(
            where,
            reading.framework,
            reading.months,
            service_level_seconds=params.service_level_seconds,
        )
    except CcuaError as exc:
        reading.problems.append(exc.problem)
        return sheet, []
    return merge_inputs(sheet, records, framework=reading.framework)
