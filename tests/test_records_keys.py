"""Records keys: a call (session, evaluation, ...) is counted once, whatever the files repeat."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ccua.errors import CcuaError
from ccua.records import RecordsInvalid, RecordsStore, ingest
from ccua.records._schema import KINDS
from tests.cli import run

DATA = Path(__file__).parent / "data" / "records"
VOICE = (DATA / "voice.csv").read_text(encoding="utf-8")
LINES = VOICE.splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored_ids(folder: Path) -> list[str]:
    files = [str(p) for p in RecordsStore(folder).files("voice")]
    return [
        r[0]
        for r in duckdb.sql(
            f"SELECT call_id FROM read_parquet({files}) ORDER BY call_id"
        ).fetchall()
    ]


def test_every_kind_has_a_key_of_non_null_columns():
    for k in KINDS.values():
        assert k.key, k.name
        for name in k.key:
            col = k.column(name)
            assert col.required and not col.nullable, (k.name, name)


def test_header_only_csv_is_refused_with_a_clear_message(tmp_path):
    src = write(tmp_path / "empty.csv", LINES[:1])
    [result] = ingest(tmp_path / "rec", [src])
    assert result.status == "failed" and isinstance(result.error, CcuaError)
    assert "header row but no records" in str(result.error)
    assert str(src) in str(result.error)
    assert not RecordsStore(tmp_path / "rec").sources()


def test_a_key_repeated_inside_a_file_is_refused_with_count_and_rows(tmp_path):
    src = write(tmp_path / "dup.csv", [*LINES, LINES[1], LINES[3]])  # V1 and V3 again
    [result] = ingest(tmp_path / "rec", [src])
    err = result.error
    assert isinstance(err, RecordsInvalid) and err.total == 2
    text = str(err)
    assert f"{src}:10:call_id: call_id repeats row 2 (call_id='V1')" in text
    assert f"{src}:11:call_id: call_id repeats row 4 (call_id='V3')" in text
    assert "--dedupe" in text
    assert not RecordsStore(tmp_path / "rec").sources()  # nothing half-ingested


def test_overlapping_exports_are_refused_against_the_earlier_ingest(tmp_path):
    first = write(tmp_path / "jan-a.csv", LINES[:6])  # V1..V5
    second = write(tmp_path / "jan-b.csv", [LINES[0], *LINES[4:]])  # V4..V8
    results = ingest(tmp_path / "rec", [first, second])
    assert results[0].status == "ingested"
    err = results[1].error
    assert isinstance(err, RecordsInvalid) and err.total == 2
    assert f"{second}:2:call_id: call_id already ingested (call_id='V4') from jan-a.csv" in str(err)
    assert stored_ids(tmp_path / "rec") == ["V1", "V2", "V3", "V4", "V5"]


def test_dedupe_keeps_one_and_says_how_many_and_why(tmp_path):
    first = write(tmp_path / "a.csv", LINES[:4])  # V1..V3
    second = write(tmp_path / "b.csv", [LINES[0], *LINES[2:], LINES[5], LINES[5]])
    [a] = ingest(tmp_path / "rec", [first])
    assert a.status == "ingested"
    [b] = ingest(tmp_path / "rec", [second], dedupe=True)
    assert b.error is None, b.error
    # b: V2, V3 (already ingested), V4..V8, V5 twice more (repeats in the file)
    assert (b.duplicates, b.duplicates_earlier, b.duplicates_within) == (4, 2, 2)
    assert b.written == 5
    assert stored_ids(tmp_path / "rec") == [f"V{i}" for i in range(1, 9)]
    [entry] = [s for s in RecordsStore(tmp_path / "rec").sources() if s["name"] == "b.csv"]
    assert entry["duplicates_dropped"] == 4


def test_dedupe_keeps_the_first_row_in_file_order(tmp_path):
    changed = LINES[1].replace("保全咨询", "理赔服务")
    src = write(tmp_path / "d.csv", [LINES[0], LINES[1], changed])
    [r] = ingest(tmp_path / "rec", [src], dedupe=True)
    assert r.written == 1 and r.duplicates == 1
    files = [str(p) for p in RecordsStore(tmp_path / "rec").files("voice")]
    [(queue,)] = duckdb.sql(f"SELECT queue FROM read_parquet({files})").fetchall()
    assert queue == "保全咨询"


def test_reingesting_a_changed_file_is_not_a_duplicate_of_itself(tmp_path):
    src = write(tmp_path / "v.csv", LINES)
    assert ingest(tmp_path / "rec", [src])[0].status == "ingested"
    write(src, [*LINES[:-1], LINES[-1].replace("A2", "A9")])
    [r] = ingest(tmp_path / "rec", [src])
    assert r.status == "replaced" and r.error is None


def test_a_composite_key_agent_states(tmp_path):
    rows = [
        "agent_id,state,started_at,ended_at",
        "A1,ready,2026-01-05 09:00:00,2026-01-05 09:10:00",
        "A1,talking,2026-01-05 09:10:00,2026-01-05 09:20:00",
        "A2,ready,2026-01-05 09:00:00,2026-01-05 09:10:00",
        "A1,break,2026-01-05 09:00:00,2026-01-05 09:05:00",
    ]
    src = write(tmp_path / "s.csv", rows)
    [r] = ingest(tmp_path / "rec", [src])
    assert isinstance(r.error, RecordsInvalid) and r.error.total == 1
    assert f"{src}:5:agent_id: agent_id and started_at repeats row 2" in str(r.error)


@pytest.fixture
def client(tmp_path, monkeypatch):
    (tmp_path / "params" / "acme").mkdir(parents=True)
    (tmp_path / "params" / "acme.yaml").write_text("client: acme\nengagement: acme\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_ingest_command_refuses_then_dedupes(capsys, client):
    src = write(client / "dup.csv", [*LINES, LINES[1]])
    code, _, err = run(capsys, "ingest", "acme", str(src))
    assert code == 1 and "call_id repeats row 2" in err and "Traceback" not in err
    code, out, err = run(capsys, "ingest", "acme", str(src), "--dedupe")
    assert code == 0, err
    assert "1 duplicate records left out (--dedupe): 1 repeated a key earlier in the file" in out
    code, out, _ = run(capsys, "ingest", "acme", str(src), "--dedupe", "--json")
    assert code == 0 and json.loads(out)["files"][0]["status"] == "unchanged"


def test_ingest_command_header_only_csv(capsys, client):
    src = write(client / "empty.csv", LINES[:1])
    code, _, err = run(capsys, "ingest", "acme", str(src))
    assert code == 1 and "no records: nothing to ingest" in err and "Traceback" not in err


def test_records_indicators_refuses_then_dedupes(capsys, tmp_path):
    src = write(tmp_path / "dup.csv", [*LINES, LINES[1]])
    code, _, err = run(capsys, "records", "indicators", str(src))
    assert code == 1 and "call_id repeats row 2" in err
    code, out, err = run(capsys, "records", "indicators", str(src), "--dedupe", "--json")
    assert code == 0, err
    clean = write(tmp_path / "clean.csv", LINES)
    code, expected, _ = run(capsys, "records", "indicators", str(clean), "--json")
    assert code == 0 and json.loads(out) == json.loads(expected)


def test_duplicates_in_excel_and_parquet_exports_name_their_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank first row: the header is row 2
    for line in [*LINES[:4], LINES[2]]:  # V2 on rows 4 and 6
        ws.append(line.split(","))
    wb.save(tmp_path / "v.xlsx")
    [r] = ingest(tmp_path / "rec", [tmp_path / "v.xlsx"])
    assert isinstance(r.error, RecordsInvalid), r.error
    assert f"{tmp_path / 'v.xlsx'}:6:call_id: call_id repeats row 4 (call_id='V2')" in str(r.error)
    src = write(tmp_path / "v.csv", [*LINES[:4], LINES[2]])
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) "
        f"TO '{tmp_path / 'v.parquet'}' (FORMAT parquet)"
    )
    [r] = ingest(tmp_path / "rec3", [tmp_path / "v.parquet"])
    assert isinstance(r.error, RecordsInvalid)
    # Parquet has no header row: rows are records, counted from 1 (as its other problems).
    assert "v.parquet:4:call_id: call_id repeats row 2 (call_id='V2')" in str(r.error)


def test_dedupe_keeps_the_first_in_file_order_in_a_large_file(tmp_path):
    """Enough rows for DuckDB to read the CSV in parallel: still the first row of each key."""
    header = LINES[0]
    base = LINES[1].split(",")
    rows = [header]
    for n in range(60_000):
        cells = list(base)
        cells[0] = f"C{n}"
        cells[2] = "first"
        rows.append(",".join(cells))
    for n in range(0, 60_000, 7):
        cells = list(base)
        cells[0] = f"C{n}"
        cells[2] = "second"
        rows.append(",".join(cells))
    src = write(tmp_path / "big.csv", rows)
    [r] = ingest(tmp_path / "rec", [src], dedupe=True)
    assert r.error is None and r.written == 60_000 and r.duplicates == len(range(0, 60_000, 7))
    files = [str(p) for p in RecordsStore(tmp_path / "rec").files("voice")]
    assert duckdb.sql(f"SELECT DISTINCT queue FROM read_parquet({files})").fetchall() == [
        ("first",)
    ]
