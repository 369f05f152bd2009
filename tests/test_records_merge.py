"""Records laid over the monthly sheet: records win, warnings say what they replaced.

The end-to-end test takes the bundled demo client, generates and ingests its records, and
computes the assessment from the merged inputs exactly as ``ccua run`` will once the
engagement loader calls :func:`ccua.records.monthly_inputs` and :func:`merge_inputs`.
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction as F
from pathlib import Path

import pytest

from ccua.engagement import MonthlyInputs, Source
from ccua.inputs import load_engagement
from ccua.period import indicators_over_period
from ccua.records import ingest, load_mapping, merge_inputs, monthly_inputs
from ccua.records._inputs import RecordInputs
from ccua.records._synth import Plan, write_records
from ccua.results import build_results, dumps

ROOT = Path(__file__).resolve().parents[1]


def sheet_with(values: dict[tuple[str, str], int]) -> MonthlyInputs:
    sheet = MonthlyInputs()
    for n, ((month, measure), value) in enumerate(values.items(), start=2):
        sheet.set(month, measure, F(value), Source("monthly.csv", n, "C"))
    return sheet


def test_records_win_and_every_replacement_is_named():
    sheet = sheet_with(
        {
            ("2026-01", "offered_calls"): 1000,
            ("2026-01", "abandoned_calls"): 50,
            ("2026-02", "offered_calls"): 900,
            ("2026-01", "leavers_in_period"): 3,
        }
    )
    records = RecordInputs()
    records.set("2026-01", "offered_calls", F(1010), origin="records")
    records.set("2026-01", "abandoned_calls", F(50), origin="records")  # the same value
    records.set("2026-03", "offered_calls", F(800), origin="records")  # a month the sheet lacks
    merged, warnings = merge_inputs(sheet, records)
    assert merged.get("2026-01", "offered_calls") == 1010
    assert merged.get("2026-02", "offered_calls") == 900  # kept: no record
    assert merged.get("2026-03", "offered_calls") == 800
    assert warnings == [
        "2026-01 offered_calls: the sheet's 1000 (monthly.csv:2:C) is replaced "
        "by 1010 recomputed from records"
    ]
    assert merged.origin["offered_calls"] == "mixed"
    assert merged.origin["abandoned_calls"] == "records"
    assert merged.origin["leavers_in_period"] == "sheet"
    assert ("2026-01", "offered_calls") not in merged.sources
    assert sheet.get("2026-01", "offered_calls") == 1000  # the sheet is untouched


def test_a_setting_from_the_sheet_beats_the_records_default():
    sheet = sheet_with({("2026-01", "standard_agent_workday_hours"): 7})
    records = RecordInputs()
    for month in ("2026-01", "2026-02"):
        records.set(month, "standard_agent_workday_hours", F(8), origin="records")
        records.defaults.add((month, "standard_agent_workday_hours"))
    merged, warnings = merge_inputs(sheet, records)
    assert merged.get("2026-01", "standard_agent_workday_hours") == 7
    assert merged.get("2026-02", "standard_agent_workday_hours") == 8  # no sheet value
    assert warnings == []


def test_mixed_sources_within_one_indicator_are_flagged(tccua):
    sheet = sheet_with({("2026-01", "abandoned_calls"): 50, ("2026-01", "offered_calls"): 900})
    records = RecordInputs()
    records.set("2026-01", "offered_calls", F(1000), origin="records")
    _, warnings = merge_inputs(sheet, records, framework=tccua)
    assert (
        "2026-01 DO6.9 放弃率: offered_calls from records but abandoned_calls from the "
        "sheet; check that they count the same contacts" in warnings
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo client, copied, with 30,000 synthetic calls' worth of records ingested."""
    if not (ROOT / "params" / "demo.yaml").exists():
        pytest.skip("the bundled demo client is not in this checkout")
    base = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "params" / "demo", base / "params" / "demo")
    shutil.copy(ROOT / "params" / "demo.yaml", base / "params" / "demo.yaml")
    data = load_engagement(base / "params" / "demo.yaml")
    period = data.engagement.background.period
    exports = base / "exports"
    write_records(exports, Plan(calls=30_000, start=period.start, months=len(data.months)))
    folder = base / "params" / "demo" / "records"
    results = ingest(folder, [exports], mappings=[load_mapping(exports / "mapping" / "voice.yaml")])
    assert all(r.error is None for r in results)
    return data, folder, exports


def test_demo_assessment_from_records(demo):
    data, folder, _ = demo
    fw = data.framework
    records = monthly_inputs(
        folder, fw, data.months, service_level_seconds=data.params.service_level_seconds
    )
    merged, warnings = merge_inputs(data.inputs, records, framework=fw)
    assert any(w.startswith(f"{data.months[0]} offered_calls: the sheet's ") for w in warnings)
    period = indicators_over_period(
        fw, data.months, merged, data.targets, data.checks, data.claims, data.params.tolerance
    )
    assert period.problems == ()
    do69 = period.indicators["DO6.9"]
    assert do69.origin == "records"
    # The period value is the ratio of the records' sums, not of the sheet's.
    abandoned = sum(records.get(m, "abandoned_calls") for m in data.months)
    offered = sum(records.get(m, "offered_calls") for m in data.months)
    assert do69.period == abandoned / offered * 100
    assert period.indicators["DO7.1"].origin == "sheet"  # records do not give it
    # Reconciliation now checks the centre's claims against the recomputed records.
    claims = [r for r in do69.reconciliation if r.month is None]
    assert claims and all(r.recomputed == do69.period for r in claims)
    # And the whole assessment computes from the merged inputs.
    data.inputs = merged
    result = build_results(data)
    by_code = {i["code"]: i for i in result.data["indicators"]}
    assert by_code["DO6.13"]["origin"] == "records"
    assert result.data["assessment"]["total"] is not None


def test_records_never_leave_personal_data_in_results(demo):
    import csv

    data, folder, exports = demo
    with (exports / "voice_calls.csv").open(encoding="gb18030", newline="") as fh:
        rows = list(csv.DictReader(fh))
    personal = {r[h] for r in rows[:500] for h in ("客户编号", "来电号码", "客户姓名")}
    records = monthly_inputs(folder, data.framework, data.months)
    merged, warnings = merge_inputs(data.inputs, records, framework=data.framework)
    data.inputs = merged
    text = dumps(build_results(data).data) + "\n".join(warnings)
    assert not [p for p in personal if p in text]


def test_ccua_run_computes_from_ingested_records(demo, tmp_path, capsys):
    """`ccua demo-data` + `ccua ingest` + `ccua run`: the run lays the records over the sheet
    by itself, exactly as the manual merge above, and says so."""
    from tests.cli import run

    data, folder, _ = demo
    params = folder.parents[1] / "demo.yaml"
    records = monthly_inputs(
        folder, data.framework, data.months, service_level_seconds=data.params.service_level_seconds
    )
    fresh = load_engagement(params)
    # (the fixture's `data` may have been merged by the tests above: reload the sheet alone)
    merged, warnings = merge_inputs(load_sheet_only(params), records, framework=data.framework)
    assert fresh.files["records"] == folder
    assert fresh.warnings == warnings and warnings
    assert fresh.inputs.values == merged.values
    out = tmp_path / "run"
    code, printed, _ = run(
        capsys, "run", str(params), "--no-notebooks", "--output", str(out), "--json"
    )
    assert code == 0 and json.loads(printed)["status"] == "ok"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["input_warnings"] == warnings
    origin = {i["code"]: i["origin"] for i in results["indicators"]}
    assert origin["DO6.9"] == "records" and origin["DO7.1"] == "sheet"


def load_sheet_only(params: Path) -> MonthlyInputs:
    """The same client's inputs from its monthly sheet alone (records moved aside)."""
    folder = params.parent / "demo" / "records"
    aside = folder.with_name("records.aside")
    folder.rename(aside)
    try:
        return load_engagement(params).inputs
    finally:
        aside.rename(folder)


def test_a_records_folder_named_in_the_params_must_hold_records(tmp_path):
    from ccua.errors import ValidationFailed

    shutil.copytree(ROOT / "params" / "demo", tmp_path / "demo")
    params = tmp_path / "demo.yaml"
    params.write_text(
        (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8") + "records: exports/records\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as failed:
        load_engagement(params)
    (problem,) = failed.value.problems
    assert (problem.file, problem.field) == (str(params), "records")
    assert "no ingested records in" in problem.message and "ccua ingest demo" in problem.message
