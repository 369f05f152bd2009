"""Personal data of the centre's customers never leaves ingest.

Customer ids, phone numbers and names are replaced by salted pseudonyms as the rows are read;
the raw values are in no stored file, no output and no message. Parquet pages are compressed,
so stored files are checked by reading every value back, and every other file byte by byte.
"""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path

import duckdb
import pytest

from ccua.cli import main
from ccua.records import RecordsStore, ingest, load_mapping, monthly_inputs

DATA = Path(__file__).parent / "data" / "records"


def personal_values() -> set[str]:
    out: set[str] = set()
    for name in ("voice.csv", "digital.csv", "bot.csv", "survey.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out |= {
                    row[c] for c in ("customer_id", "caller_number", "customer_name") if row.get(c)
                }
    assert len(out) >= 10
    return out


PERSONAL = personal_values()


def leaks_in_folder(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            rows = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
            text = "\n".join(str(v) for row in rows for v in row)
        else:
            raw = path.read_bytes()
            text = raw.decode("utf-8", errors="replace") + raw.decode("gb18030", "replace")
        found += [f"{path.name}: {p}" for p in PERSONAL if p in text]
    return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("privacy") / "records"
    results = ingest(root, [DATA], mappings=[])
    mapping = load_mapping(DATA / "export" / "voice.mapping.yaml")
    results += ingest(root / "export", [DATA / "export"], mappings=[mapping])
    assert all(r.error is None for r in results)
    return root


def test_no_personal_value_is_stored(folder):
    assert leaks_in_folder(folder) == []


def test_pseudonyms_keep_customers_countable(folder):
    files = [str(p) for p in RecordsStore(folder).files("voice")]
    ids = duckdb.sql(
        f"SELECT call_id, customer_id, caller_number FROM read_parquet({files})"
    ).fetchall()
    by_call = {c: (cust, phone) for c, cust, phone in ids}
    assert by_call["V1"] == by_call["V2"] == by_call["V6"]  # the same customer
    assert by_call["V1"] != by_call["V3"]
    assert by_call["V8"] == (None, None)  # no customer, no pseudonym
    assert all(isinstance(c, int) and c >= 0 for c, _ in by_call.values() if c is not None)


def test_each_engagement_has_its_own_salt(folder, tmp_path):
    other = tmp_path / "other"
    ingest(other, [DATA / "voice.csv"])

    def pseudonym(root: Path) -> int:
        files = [str(p) for p in RecordsStore(root).files("voice")]
        return duckdb.sql(
            f"SELECT customer_id FROM read_parquet({files}) WHERE call_id = 'V1'"
        ).fetchall()[0][0]

    assert pseudonym(folder) != pseudonym(other)
    assert (folder / ".salt").read_text() != (other / ".salt").read_text()


def test_outputs_and_messages_carry_no_personal_value(folder, tccua, capsys, tmp_path):
    inputs = monthly_inputs(folder, tccua, ["2026-01", "2026-02"])
    text = repr(inputs.values)
    main_out = []
    for args in (
        ["records", "indicators", str(folder), "--json"],
        ["records", "indicators", str(DATA / "voice.csv")],
    ):
        with contextlib.suppress(SystemExit):
            main(args)
        main_out.append(capsys.readouterr().out)
    # A bad row whose customer fields are filled: the message shows the bad cell only.
    lines = (DATA / "voice.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2026-01-05 09:00:10", "2026-01-05 08:00:00")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [result] = ingest(tmp_path / "rec", [bad])
    message = str(result.error)
    assert "answered before it arrived" in message
    everything = text + "".join(main_out) + message + json.dumps(RecordsStore(folder).manifest())
    assert [p for p in PERSONAL if p in everything] == []
    assert leaks_in_folder(tmp_path / "rec") == []
