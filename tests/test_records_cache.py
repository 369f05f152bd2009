"""The monthly measures of a records folder are cached by a hash of their inputs.

Every test compares the cached path with a computation that bypasses the cache
(``CCUA_NO_CACHE=1``): the values must be identical, exactly, and the cache must be used when
nothing changed and ignored when anything the measures depend on changed.
"""

from __future__ import annotations

import json
import os
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from ccua.records import RecordsStore, _cache, _inputs, ingest, monthly_inputs
from ccua.records._synth import Plan, write_records

MONTHS = ["2026-01", "2026-02", "2026-03"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    write_records(out, Plan(calls=4_000, months=3), messy_voice=False)
    return out


@pytest.fixture
def folder(exports: Path, tmp_path: Path) -> Path:
    records = tmp_path / "records"
    results = ingest(records, [exports])
    assert all(r.error is None for r in results)
    return records


def fresh(folder: Path, fw, months=MONTHS, **kw):
    """The measures computed without the cache."""
    old = os.environ.get("CCUA_NO_CACHE")
    os.environ["CCUA_NO_CACHE"] = "1"
    try:
        return monthly_inputs(folder, fw, months, **kw)
    finally:
        if old is None:
            del os.environ["CCUA_NO_CACHE"]
        else:
            os.environ["CCUA_NO_CACHE"] = old


def same(a, b) -> None:
    assert a.values == b.values and a.values
    assert a.origin == b.origin and a.sources == b.sources
    assert a.defaults == b.defaults and a.defaults
    for row in a.values.values():
        assert all(type(v) is Fraction for v in row.values())


def entries(folder: Path) -> list[Path]:
    return sorted((folder / _cache.FOLDER).glob("measures-*.json"))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the engine computed the measures."""
    calls: list[int] = []
    real = _inputs._measure_rows

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_inputs, "_measure_rows", spy)
    return calls


def test_the_second_load_comes_from_the_cache_with_identical_values(folder, tccua, counted):
    want = fresh(folder, tccua, service_level_seconds=20)
    assert counted == [1] and entries(folder) == []  # CCUA_NO_CACHE: nothing written
    first = monthly_inputs(folder, tccua, MONTHS, service_level_seconds=20)
    assert counted == [1, 1] and len(entries(folder)) == 1
    second = monthly_inputs(folder, tccua, MONTHS, service_level_seconds=20)
    assert counted == [1, 1]  # not computed again
    same(first, want)
    same(second, want)
    # Exact values that are not integers survive the round trip (hours from seconds).
    assert any(v.denominator > 1 for row in second.values.values() for v in row.values())
    # The file holds measures only: no record, no identifier.
    text = entries(folder)[0].read_text(encoding="utf-8")
    assert set(json.loads(text)) == {"format", "key", "rows"}


@pytest.mark.parametrize(
    "change",
    [
        {"service_level_seconds": 30},
        {"standard_workday_hours": 7.5},
        {"months": MONTHS[:2]},
    ],
)
def test_another_setting_or_period_is_computed_afresh(folder, tccua, counted, change):
    monthly_inputs(folder, tccua, MONTHS)
    months = change.pop("months", MONTHS)
    got = monthly_inputs(folder, tccua, months, **change)
    assert counted == [1, 1]
    same(got, fresh(folder, tccua, months, **change))
    assert len(entries(folder)) == 2
    monthly_inputs(folder, tccua, MONTHS)  # the first is still there
    assert len(counted) == 3


def test_equal_settings_written_differently_share_an_entry(folder, tccua, counted):
    monthly_inputs(folder, tccua, MONTHS, standard_workday_hours=8)
    from decimal import Decimal

    monthly_inputs(folder, tccua, list(reversed(MONTHS)), standard_workday_hours=Decimal("8.0"))
    assert counted == [1]


def test_new_records_invalidate_the_cache(folder, exports, tccua, counted, tmp_path):
    monthly_inputs(folder, tccua, MONTHS)
    more = tmp_path / "more"
    write_records(more, Plan(calls=500, months=1, seed=99), kinds=("qa",), messy_voice=False)
    csv = more / "qa_evaluations.csv"  # evaluations of their own (ids not ingested yet)
    csv.write_text(csv.read_text(encoding="utf-8").replace('"Q', '"R'), encoding="utf-8")
    (result,) = ingest(folder, [csv])
    assert result.error is None
    got = monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1]
    same(got, fresh(folder, tccua))


def test_a_partition_changed_behind_the_manifest_invalidates_the_cache(folder, tccua, counted):
    monthly_inputs(folder, tccua, MONTHS)
    store = RecordsStore(folder)
    part = store.files("voice", ["2026-01"])[0]
    other = store.files("voice", ["2026-02"])[0]
    shutil.copyfile(other, part)  # another month's calls in January's place
    got = monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1]
    same(got, fresh(folder, tccua))


def test_another_definitions_file_invalidates_the_cache(folder, tccua, counted, monkeypatch):
    monthly_inputs(folder, tccua, MONTHS)
    real = _inputs.definitions_path(tccua)
    copy = folder.parent / "records.yaml"
    copy.write_text(real.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(_inputs, "definitions_path", lambda fw: copy)
    monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1]


def _bad_value(text: str) -> str:
    data = json.loads(text)
    data["rows"][0][2] = "1.5e3"  # not an exact fraction as the cache writes them
    return json.dumps(data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[: len(t) // 2],  # truncated
        lambda t: "not json",
        lambda t: t.replace('"format": 1', '"format": 99'),
        lambda t: t.replace('"key": "', '"key": "0'),
        lambda t: _bad_value(t),
    ],
)
def test_a_damaged_entry_is_ignored_and_rewritten(folder, tccua, counted, damage):
    want = monthly_inputs(folder, tccua, MONTHS)
    (entry,) = entries(folder)
    entry.write_text(damage(entry.read_text(encoding="utf-8")), encoding="utf-8")
    got = monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1]
    same(got, want)
    assert json.loads(entry.read_text(encoding="utf-8"))["format"] == _cache.FORMAT
    monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1]  # rewritten: used again


def test_a_cached_value_is_what_the_file_says(folder, tccua):
    """The cache is really read: an edited value (with the right key) comes back."""
    monthly_inputs(folder, tccua, MONTHS)
    (entry,) = entries(folder)
    data = json.loads(entry.read_text(encoding="utf-8"))
    month, measure, value, _ = data["rows"][0]
    data["rows"][0][2] = str(Fraction(value) + Fraction(1, 3))
    entry.write_text(json.dumps(data), encoding="utf-8")
    got = monthly_inputs(folder, tccua, MONTHS)
    assert got.get(month, measure) == Fraction(value) + Fraction(1, 3)


def test_no_cache_when_switched_off_or_unwritable(folder, tccua, counted):
    fresh(folder, tccua)
    fresh(folder, tccua)
    assert counted == [1, 1] and not (folder / _cache.FOLDER).exists()
    (folder / _cache.FOLDER).write_text("in the way", encoding="utf-8")  # no folder possible
    got = monthly_inputs(folder, tccua, MONTHS)
    assert counted == [1, 1, 1]
    same(got, fresh(folder, tccua))


def test_an_engine_object_or_own_definitions_are_never_cached(folder, tccua, counted):
    from ccua.records._engine import open_engine
    from ccua.records._inputs import definitions_for

    engine = open_engine("duckdb")
    try:
        monthly_inputs(folder, tccua, MONTHS, engine=engine)
    finally:
        engine.close()
    monthly_inputs(folder, tccua, MONTHS, definitions=definitions_for(tccua))
    assert counted == [1, 1] and entries(folder) == []


def test_an_ingest_during_the_computation_leaves_no_entry(folder, tccua, monkeypatch):
    store = RecordsStore(folder)
    real = _inputs._measure_rows

    def meanwhile(*args, **kwargs):
        rows = real(*args, **kwargs)
        manifest = store.manifest()
        manifest["sources"] = manifest["sources"][1:]  # as if an ingest committed meanwhile
        store.commit(manifest)
        return rows

    monkeypatch.setattr(_inputs, "_measure_rows", meanwhile)
    monthly_inputs(folder, tccua, MONTHS)
    assert entries(folder) == []


def test_only_a_few_entries_are_kept(folder, tccua):
    for seconds in range(10, 10 + _cache.KEEP + 3):
        monthly_inputs(folder, tccua, MONTHS, service_level_seconds=seconds)
    assert len(entries(folder)) == _cache.KEEP


def test_the_engagement_loads_the_same_with_and_without_the_cache(tmp_path, exports):
    """What the form, `ccua check` and `ccua run` see: load_engagement of a client with records."""
    from ccua.inputs import load_engagement

    root = Path(__file__).resolve().parents[1]
    if not (root / "params" / "demo.yaml").exists():
        pytest.skip("the bundled demo client is not in this checkout")
    shutil.copytree(root / "params" / "demo", tmp_path / "params" / "demo")
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    params = tmp_path / "params" / "demo.yaml"
    records = tmp_path / "params" / "demo" / "records"
    assert all(r.error is None for r in ingest(records, [exports]))
    os.environ["CCUA_NO_CACHE"] = "1"
    try:
        want = load_engagement(params)
    finally:
        del os.environ["CCUA_NO_CACHE"]
    cold = load_engagement(params)
    assert len(entries(records)) == 1
    warm = load_engagement(params)
    for got in (cold, warm):
        assert got.inputs.values == want.inputs.values
        assert got.inputs.origin == want.inputs.origin
        assert got.warnings == want.warnings and want.warnings


def test_ccua_ingest_leaves_the_measures_cached_for_the_form(tmp_path, exports, capsys, counted):
    """The first form/check/run after an ingest finds the measures computed (goal 4)."""
    from ccua.inputs import load_engagement
    from tests.cli import run

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "params" / "demo", tmp_path / "params" / "demo")
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    params = tmp_path / "params" / "demo.yaml"
    code, out, err = run(capsys, "ingest", str(params), str(exports), "--json")
    assert code == 0, err
    assert json.loads(out)["measures_cached"] is True and counted == [1]
    assert len(entries(tmp_path / "params" / "demo" / "records")) == 1
    assert load_engagement(params).inputs.origin and counted == [1]  # from the cache
    code, out, err = run(capsys, "ingest", str(params), str(exports), "--json")
    assert code == 0 and json.loads(out)["measures_cached"] is False  # nothing new written
