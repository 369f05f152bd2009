"""Record exports DuckDB or Python's CSV reader refuse outright: one CcuaError, no traceback.

Both cases were found by the fuzz suite (tests/test_fuzz_readers.py at FUZZ_SCALE=10).
"""

from __future__ import annotations

from pathlib import Path

from ccua.errors import CcuaError
from ccua.records import ingest

VOICE = (Path(__file__).parent / "data" / "records" / "voice.csv").read_bytes()


def test_a_carriage_return_in_the_header_row(tmp_path):
    src = tmp_path / "v.csv"
    src.write_bytes(b"\r" + VOICE)
    [r] = ingest(tmp_path / "rec", [src])
    assert isinstance(r.error, CcuaError)
    assert str(r.error) == (
        f"{src}:1: cannot read the header row: a stray line break (\\r) in "
        "it; save the file again as CSV UTF-8"
    )


def test_mixed_line_ends_duckdb_refuses(tmp_path):
    src = tmp_path / "v.csv"
    src.write_bytes(VOICE[:76] + b"\r\n" + VOICE[76:])
    [r] = ingest(tmp_path / "rec", [src])
    assert isinstance(r.error, CcuaError), r.error
    text = str(r.error)
    assert text.startswith(f"{src}: cannot read the records: ") and "\n" not in text
    assert "line ends" in text
