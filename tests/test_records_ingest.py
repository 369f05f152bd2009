"""Ingest: formats and encodings, lazy validation, idempotence, interruption, mappings."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from ccua.errors import CcuaError, ValidationFailed
from ccua.records import RecordsInvalid, RecordsStore, ingest, load_mapping
from ccua.records._ingest import ingest_file
from tests.cli import run

DATA = Path(__file__).parent / "data" / "records"
VOICE = (DATA / "voice.csv").read_text(encoding="utf-8")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def edit(text: str, row: int, column: str, value: str) -> str:
    """Set one cell of a CSV text (row as a spreadsheet counts: the header is row 1)."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def only_error(results) -> CcuaError:
    assert len(results) == 1 and results[0].status == "failed"
    return results[0].error


def rows_of(folder: Path, kind: str) -> list[tuple]:
    files = [str(p) for p in RecordsStore(folder).files(kind)]
    return duckdb.sql(
        f"SELECT * FROM read_parquet({files}, hive_partitioning = true) ORDER BY 1"
    ).fetchall()


# --- formats and encodings -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_centres_send(tmp_path, encoding):
    src = write(tmp_path / "voice.csv", VOICE, encoding)
    [result] = ingest(tmp_path / "rec", [src])
    assert result.error is None and result.written == 8
    assert result.encoding == {"gbk": "gb18030"}.get(encoding, encoding)
    queues = {r[2] for r in rows_of(tmp_path / "rec", "voice")}
    assert queues == {"保全咨询", "理赔服务", "续期缴费", "投诉建议"}


def test_gbk_past_the_first_block_is_still_read_as_gbk(tmp_path):
    # The encoding is told from the first block; a GBK byte further on is caught by the
    # reader and the file is read again as GB18030 (never as broken UTF-8).
    header, first, *_ = VOICE.splitlines()
    cells = first.split(",")
    ascii_rows = [
        ",".join([f"V{n}", "voice", "Q1", *cells[3:13], f"CUST-{n}", "13800138001", "Zhang"])
        for n in range(12_000)
    ]
    late = ",".join(["W1", "voice", "投诉建议", *cells[3:13], "CUST-W1", "13800138002", "李四"])
    body = (header + "\n" + "\n".join(ascii_rows) + "\n").encode("ascii")
    assert len(body) > 1 << 20
    src = tmp_path / "voice.csv"
    src.write_bytes(body + (late + "\n").encode("gbk"))
    [result] = ingest(tmp_path / "rec", [src])
    assert result.error is None and result.encoding == "gb18030"
    assert result.written == 12_001
    assert [r[2] for r in rows_of(tmp_path / "rec", "voice") if r[0] == "W1"] == ["投诉建议"]
    [entry] = RecordsStore(tmp_path / "rec").sources()
    assert entry["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()  # hashed alongside
    assert entry["encoding"] == "gb18030"


def test_excel_and_parquet_sources(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in VOICE.splitlines():
        ws.append([c if c != "" else None for c in line.split(",")])
    ws.cell(row=3, column=4).value = __import__("datetime").datetime(2026, 1, 5, 9, 10)
    wb.save(tmp_path / "voice.xlsx")
    [xlsx] = ingest(tmp_path / "rec", [tmp_path / "voice.xlsx"])
    assert xlsx.error is None and xlsx.written == 8
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{DATA / 'voice.csv'}')) TO "
        f"'{tmp_path / 'voice.parquet'}' (FORMAT parquet)"
    )
    [pq] = ingest(tmp_path / "rec2", [tmp_path / "voice.parquet"])
    assert pq.error is None and pq.written == 8
    # The same calls (pseudonyms differ: each records folder has its own salt).
    assert [r[:13] for r in rows_of(tmp_path / "rec", "voice")] == [
        r[:13] for r in rows_of(tmp_path / "rec2", "voice")
    ]


def test_partitions_by_month_with_canonical_types(tmp_path):
    [result] = ingest(tmp_path / "rec", [DATA / "voice.csv"])
    assert result.months == {"2026-01": 5, "2026-02": 3}  # V5 arrives on 31 January
    store = RecordsStore(tmp_path / "rec")
    files = store.files("voice")
    assert [f.parent.name for f in files] == ["month=2026-01", "month=2026-02"]
    types = dict(
        duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{files[0]}')").fetchall()[i][:2]
        for i in range(16)
    )
    assert types["arrived_at"] == "TIMESTAMP" and types["talk_s"] == "DECIMAL(18,3)"
    assert types["customer_id"] == "BIGINT" and types["transferred"] == "BOOLEAN"


# --- bad files: every problem counted, the first ones shown as file:row:column -------------


def test_wrong_encoding_utf16(tmp_path):
    src = write(tmp_path / "voice.csv", VOICE, "utf-16")
    error = only_error(ingest(tmp_path / "rec", [src]))
    assert "looks like UTF-16" in str(error) and str(src) in str(error)


def test_wrong_encoding_neither_utf8_nor_gbk(tmp_path):
    src = tmp_path / "voice.csv"
    src.write_bytes(VOICE.encode("utf-8") + b"V9,voice,\xff\xfe\xff,\n")
    error = only_error(ingest(tmp_path / "rec", [src]))
    assert "neither UTF-8 nor GBK" in str(error)


def test_missing_column_names_every_missing_one(tmp_path):
    lines = [
        ",".join(c for i, c in enumerate(line.split(",")) if i not in (3, 8))
        for line in VOICE.splitlines()
    ]
    src = write(tmp_path / "voice.csv", "\n".join(lines) + "\n")
    error = only_error(ingest(tmp_path / "rec", [src], kind="voice"))
    assert isinstance(error, ValidationFailed)
    text = str(error)
    assert "missing column arrived_at" in text and "missing column talk_s" in text
    assert f"{src}:1:" in text


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            3,
            "arrived_at",
            "2026-13-45 25:00",
            "arrived_at: expected a time such as 2026-01-05 "
            "09:13:22 (other layouts go under the mapping's datetime_formats) "
            "(got '2026-13-45 25:00')",
        ),
        (4, "arrived_at", "yesterday", "got 'yesterday'"),
        (2, "talk_s", "-5", "talk_s: a duration cannot be negative"),
        (
            2,
            "answered_at",
            "2026-01-05 08:59:00",
            "answered_at: answered before it arrived "
            "(arrived_at='2026-01-05 09:00:00', answered_at='2026-01-05 08:59:00')",
        ),
        (5, "transferred", "maybe", "transferred: expected true or false"),
        (2, "talk_s", "", "talk_s: an answered call needs its talk time"),
        (2, "ended_at", "2026-01-05 09:00:05", "ended_at: ended before it arrived or was answered"),
    ],
)
def test_bad_value_is_located(tmp_path, row, column, value, message):
    src = write(tmp_path / "voice.csv", edit(VOICE, row, column, value))
    error = only_error(ingest(tmp_path / "rec", [src]))
    assert isinstance(error, RecordsInvalid)
    assert error.total == 1 and error.bad_rows == 1 and error.rows == 8
    [problem] = error.problems
    assert problem.file == str(src) and problem.row == row and problem.column == column
    assert message in str(problem)
    assert str(problem).startswith(f"{src}:{row}:{column}: ")
    assert not RecordsStore(tmp_path / "rec").sources()  # nothing was ingested


def test_all_problems_are_counted_and_the_first_ones_shown(tmp_path):
    text = VOICE
    for row in range(2, 10):
        text = edit(text, row, "ended_at", "not a time")
    text = edit(text, 3, "talk_s", "-1")
    src = write(tmp_path / "voice.csv", text)
    error = only_error(ingest(tmp_path / "rec", [src]))
    assert error.total == 9 and error.bad_rows == 8
    assert [p.row for p in error.problems][:3] == [2, 3, 3]
    summary = str(error)
    assert summary.startswith(f"{src}: 9 problems in 8 of 8 rows")
    assert "8  ended_at: expected a time" in summary


def test_wrong_number_of_fields_is_reported_by_line(tmp_path):
    lines = VOICE.splitlines()
    lines[4] = ",".join(lines[4].split(",")[:5])
    src = write(tmp_path / "voice.csv", "\n".join(lines) + "\n")
    error = only_error(ingest(tmp_path / "rec", [src]))
    assert error.problems[0].row == 5
    assert "expected as many fields as the header has" in str(error)


def test_skip_bad_rows_ingests_the_rest_and_counts_them(tmp_path):
    src = write(tmp_path / "voice.csv", edit(VOICE, 3, "talk_s", "-5"))
    [result] = ingest(tmp_path / "rec", [src], skip_bad_rows=True)
    assert result.status == "ingested" and result.skipped == 1 and result.written == 7
    [entry] = RecordsStore(tmp_path / "rec").sources()
    assert entry["skipped_rows"] == 1 and entry["problems"] == 1
    assert "V2" not in {r[0] for r in rows_of(tmp_path / "rec", "voice")}


def test_a_later_value_the_fast_reader_refuses_is_read_the_exact_way(tmp_path):
    # The first rows decide that talk_s is numeric; H:MM:SS further down is still valid.
    src = write(tmp_path / "voice.csv", edit(VOICE, 9, "talk_s", "0:01:40"))
    [result] = ingest(tmp_path / "rec", [src])
    assert result.error is None
    talk = {r[0]: r[8] for r in rows_of(tmp_path / "rec", "voice")}
    assert talk["V8"] == 100


# --- idempotence, replacement, interruption, sources untouched --------------------------


def test_rerun_is_a_no_op_and_sources_are_never_modified(tmp_path):
    src = shutil.copy(DATA / "voice.csv", tmp_path / "voice.csv")
    before = (hashlib.sha256(Path(src).read_bytes()).hexdigest(), os.stat(src).st_mtime_ns)
    [first] = ingest(tmp_path / "rec", [src])
    manifest = (tmp_path / "rec" / "manifest.json").read_text()
    [again] = ingest(tmp_path / "rec", [src])
    assert (first.status, again.status) == ("ingested", "unchanged")
    assert (tmp_path / "rec" / "manifest.json").read_text() == manifest
    assert (hashlib.sha256(Path(src).read_bytes()).hexdigest(), os.stat(src).st_mtime_ns) == before
    assert len(list((tmp_path / "rec").glob("voice/month=*/*.parquet"))) == 2


def test_the_same_size_is_not_the_same_file(tmp_path):
    # A file of an ingested one's size is hashed before the pass; only equal bytes skip it.
    src = write(tmp_path / "voice.csv", VOICE)
    ingest(tmp_path / "rec", [src])
    size = src.stat().st_size
    write(src, VOICE.replace("A1,", "A9,"))  # the export again, one agent id changed
    assert src.stat().st_size == size
    [result] = ingest(tmp_path / "rec", [src])
    assert result.status == "replaced"
    [entry] = RecordsStore(tmp_path / "rec").sources()
    assert entry["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert "A9" in {r[6] for r in rows_of(tmp_path / "rec", "voice")}


def test_a_changed_file_replaces_its_earlier_ingest(tmp_path):
    src = write(tmp_path / "voice.csv", VOICE)
    ingest(tmp_path / "rec", [src])
    write(src, "\n".join(VOICE.splitlines()[:3]) + "\n")  # V1 and V2 only
    [result] = ingest(tmp_path / "rec", [src])
    assert result.status == "replaced"
    assert [r[0] for r in rows_of(tmp_path / "rec", "voice")] == ["V1", "V2"]
    assert len(list((tmp_path / "rec").glob("voice/month=*/*.parquet"))) == 1
    assert len(RecordsStore(tmp_path / "rec").sources()) == 1


def test_interrupted_ingest_leaves_no_half_written_partition(tmp_path):
    first = write(tmp_path / "a.csv", VOICE)
    ingest(tmp_path / "rec", [first])
    before = (tmp_path / "rec" / "manifest.json").read_text()
    second = write(tmp_path / "b.csv", VOICE.replace("V", "W"))

    def stop(_file: str, stage: str, _fraction: float | None) -> None:
        if stage == "writing":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(tmp_path / "rec", [second], progress=stop)
    assert (tmp_path / "rec" / "manifest.json").read_text() == before
    assert not (tmp_path / "rec" / ".lock").exists()
    assert [r[0][0] for r in rows_of(tmp_path / "rec", "voice")] == ["V"] * 8
    [again] = ingest(tmp_path / "rec", [second])
    assert again.status == "ingested" and len(rows_of(tmp_path / "rec", "voice")) == 16
    assert not (tmp_path / "rec" / ".staging").exists()


def test_stray_files_of_an_interrupted_run_are_ignored_then_removed(tmp_path):
    ingest(tmp_path / "rec", [DATA / "voice.csv"])
    stray = tmp_path / "rec" / "voice" / "month=2026-01" / "deadbeef-0.parquet"
    shutil.copy(RecordsStore(tmp_path / "rec").files("voice")[0], stray)
    assert stray not in RecordsStore(tmp_path / "rec").files("voice")
    ingest(tmp_path / "rec", [DATA / "qa.csv"])
    assert not stray.exists()


def test_a_live_lock_is_respected(tmp_path):
    store = RecordsStore(tmp_path / "rec")
    store.root.mkdir()
    (store.root / ".lock").write_text(str(os.getppid()))
    with pytest.raises(CcuaError, match="another ingest"):
        ingest(store.root, [DATA / "voice.csv"])
    (store.root / ".lock").write_text("999999999")  # a dead process: taken over
    assert ingest(store.root, [DATA / "voice.csv"])[0].status == "ingested"


def test_salt_is_created_once_and_kept_private(tmp_path):
    ingest(tmp_path / "rec", [DATA / "voice.csv"])
    salt = tmp_path / "rec" / ".salt"
    text = salt.read_text()
    assert len(text.strip()) == 64 and (salt.stat().st_mode & 0o777) == 0o600
    ingest(tmp_path / "rec", [DATA / "qa.csv"])
    assert salt.read_text() == text


# --- kinds, mappings, time zones ------------------------------------------------------------


def test_kind_is_detected_from_canonical_headers(tmp_path):
    results = ingest(tmp_path / "rec", [DATA])
    assert sorted(r.kind for r in results) == sorted(
        ["voice", "digital", "bot", "agent_states", "schedule", "qa", "survey"]
    )


def test_chinese_gbk_export_through_a_mapping(tmp_path):
    export = DATA / "export"
    mapping = load_mapping(export / "voice.mapping.yaml")
    [result] = ingest(tmp_path / "rec", [export / "voice_calls_2026H1.csv"], mappings=[mapping])
    assert result.error is None and result.encoding == "gb18030"
    assert result.ignored_columns == ["备注"]
    [_canonical] = ingest(tmp_path / "rec2", [DATA / "voice.csv"])
    mapped = rows_of(tmp_path / "rec", "voice")
    plain = rows_of(tmp_path / "rec2", "voice")
    # Same calls; pseudonyms differ only because each folder has its own salt.
    strip = lambda rows: [r[:13] for r in rows]  # noqa: E731
    assert strip(mapped) == strip(plain)


def test_offsets_are_converted_to_the_mapping_time_zone(tmp_path):
    text = VOICE.replace(
        "2026-01-05 09:00:00,2026-01-05 09:00:10", "2026-01-05T01:00:00Z,2026-01-05T09:00:10+08:00"
    )
    src = write(tmp_path / "voice.csv", text)
    [result] = ingest(tmp_path / "rec", [src])
    assert result.error is None
    row = next(r for r in rows_of(tmp_path / "rec", "voice") if r[0] == "V1")
    assert str(row[3]) == "2026-01-05 09:00:00" and str(row[4]) == "2026-01-05 09:00:10"


def test_value_maps_and_constants(tmp_path):
    text = VOICE.replace(",false,", ",否,").replace(",true,", ",是,").replace(",voice,", ",电话,")
    src = write(tmp_path / "voice.csv", text)
    mapping = write(
        tmp_path / "m.yaml",
        "kind: voice\nvalues:\n  channel: {电话: voice}\nconstants:\n  queue: 热线\n",
    )
    lines = [
        ",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in text.splitlines()
    ]
    write(src, "\n".join(lines) + "\n")
    [result] = ingest(tmp_path / "rec", [src], mappings=[load_mapping(mapping)])
    assert result.error is None
    rows = rows_of(tmp_path / "rec", "voice")
    assert {r[1] for r in rows} == {"voice"} and {r[2] for r in rows} == {"热线"}
    assert [r[11] for r in rows][:2] == [False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: calls\n", "`kind` must be one of voice, digital"),
        ("kind: voice\ncolumns: {arrival: 进入时间}\n", "'arrival' is not a column of voice"),
        ("kind: voice\ntimezone: Mars/Olympus\n", "unknown time zone 'Mars/Olympus'"),
        ("kind: voice\ncolumns: {call_id: 流水号, queue: 流水号}\n", "already mapped to call_id"),
        ("kind: voice\nencoding: latin-9\n", "`encoding` must be one of"),
        ("kind: voice\nextra: 1\n", "unknown key"),
    ],
)
def test_mapping_file_problems(tmp_path, text, message):
    path = write(tmp_path / "m.yaml", text)
    with pytest.raises(CcuaError, match=message.replace("(", r"\(")) as exc:
        load_mapping(path)
    assert str(path) in str(exc.value)


def test_mapped_header_missing_from_the_export(tmp_path):
    mapping = write(tmp_path / "m.yaml", "kind: voice\ncolumns: {arrived_at: 进入队列时间}\n")
    error = only_error(
        ingest(tmp_path / "rec", [DATA / "voice.csv"], mappings=[load_mapping(mapping)])
    )
    assert "missing column '进入队列时间' (mapped to arrived_at)" in str(error)


def test_kind_and_mapping_must_agree(tmp_path):
    mapping = load_mapping(write(tmp_path / "m.yaml", "kind: qa\n"))
    error = only_error(
        ingest(tmp_path / "rec", [DATA / "voice.csv"], kind="voice", mappings=[mapping])
    )
    assert "--kind voice but the mapping" in str(error)


def test_unsupported_file_types(tmp_path):
    for name, message in (("calls.xls", "old Excel .xls"), ("calls.json", "expected a .csv")):
        error = only_error(ingest(tmp_path / "rec", [write(tmp_path / name, "x")]))
        assert message in str(error)


def test_ingest_file_needs_the_salt_argument(tmp_path):
    with pytest.raises(TypeError):
        ingest_file(RecordsStore(tmp_path), DATA / "voice.csv")  # type: ignore[call-arg]


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path, monkeypatch):
    (tmp_path / "params" / "acme").mkdir(parents=True)
    (tmp_path / "params" / "acme.yaml").write_text("client: acme\nengagement: acme\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_ingest_command_writes_into_the_client_folder(capsys, client):
    code, out, err = run(capsys, "ingest", "acme", str(DATA / "voice.csv"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["client"] == "acme" and data["files"][0]["status"] == "ingested"
    assert data["measures_cached"] is False  # no engagement folder yet: nothing to compute
    assert (client / "params" / "acme" / "records" / "manifest.json").exists()
    code, out, _ = run(capsys, "records", "status", "params/acme.yaml", "--json")
    assert code == 0 and json.loads(out)["sources"][0]["written"] == 8


def test_ingest_command_uses_the_clients_mappings_folder(capsys, client):
    maps = client / "params" / "acme" / "mappings"
    maps.mkdir()
    shutil.copy(DATA / "export" / "voice.mapping.yaml", maps / "voice.yaml")
    code, _, err = run(capsys, "ingest", "acme", str(DATA / "export"))
    assert code == 0, err


def test_ingest_command_bad_file_exits_1_with_located_problems(capsys, client, tmp_path):
    src = write(tmp_path / "bad.csv", edit(VOICE, 4, "arrived_at", "yesterday"))
    code, _, err = run(capsys, "ingest", "acme", str(src))
    assert code == 1
    assert f"{src}:4:arrived_at:" in err and "Traceback" not in err


def test_ingest_command_unknown_client(capsys, client):
    code, _, err = run(capsys, "ingest", "nobody", str(DATA / "voice.csv"))
    assert code == 1 and "no params file for client 'nobody'" in err


def test_parquet_with_zoned_timestamps_becomes_local_time(tmp_path):
    duckdb.sql(f"""COPY (SELECT 'V1' AS call_id, TIMESTAMPTZ '2026-01-05 01:00:00+00' AS arrived_at,
                          TIMESTAMPTZ '2026-01-05 01:00:10+00' AS answered_at,
                          TIMESTAMPTZ '2026-01-05 01:05:00+00' AS ended_at, 280 AS talk_s)
                   TO '{tmp_path / "v.parquet"}' (FORMAT parquet)""")
    [result] = ingest(tmp_path / "rec", [tmp_path / "v.parquet"])
    assert result.error is None
    [row] = rows_of(tmp_path / "rec", "voice")
    assert str(row[3]) == "2026-01-05 09:00:00"  # Asia/Shanghai, the default
    assert row[8] == 280


def test_unknown_engine_is_named():
    from ccua.records import open_engine

    with pytest.raises(CcuaError, match="`engine` must be one of duckdb, spark, got 'polars'"):
        open_engine("polars")
