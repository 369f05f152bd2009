"""Fuzzing every reader: a damaged file gets the right result or one clear CcuaError.

Seeds are real files (the demo client in params/demo/, the record samples in tests/data/);
hypothesis mutates their bytes (insertions of hostile tokens, deletions, duplicated, dropped
and swapped lines, truncation, bit flips) or, for Excel, their cells. Every case must end, in
a time limit, with a result or a :class:`CcuaError` whose message is not empty: any other
exception, or a hang, fails the test (and hypothesis shrinks it to a minimal file). Nothing
outside a temporary folder may change.

The cases are derandomized (the same on every run) and counted: ``FUZZ_SCALE=4 pytest
tests/test_fuzz_readers.py`` runs four times as many.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from ccua._yaml import load_with_lines
from ccua.engagement._load import _model, load_params, parse_checks, parse_targets
from ccua.engagement._models import Engagement
from ccua.engagement._monthly import parse_claims, parse_monthly
from ccua.engagement._tables import read_sheet
from ccua.errors import CcuaError, Problem
from ccua.inputs import load_engagement
from ccua.ratings import load_ratings
from ccua.records import ingest, load_mapping
from ccua.records._definitions import definitions_path, load_definitions
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]
# The seeds are copied once into a private folder: the cases read them from there, and the
# suite checks at the end that nothing in it (nor in the working folder) changed. (Checking the
# repository's own folders would be flaky while others edit the working tree.)
_SEED_DIR = Path(tempfile.mkdtemp(prefix="ccua-fuzz-seeds-"))
DEMO = Path(shutil.copytree(ROOT / "params" / "demo", _SEED_DIR / "demo"))
shutil.copy(ROOT / "params" / "demo.yaml", _SEED_DIR / "demo.yaml")
RECORDS = Path(shutil.copytree(ROOT / "tests" / "data" / "records", _SEED_DIR / "records"))
FW = load_framework("t-ccua")
MONTHS = [f"2026-0{m}" for m in range(1, 7)]
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
CASE_SECONDS = 10
COUNTS: dict[str, int] = {}
REFUSED: dict[str, int] = {}


pytestmark = pytest.mark.fuzz

# The profile of every fuzz test: derandomized (the same cases on every run, so a failure is
# reproducible), no example database, no deadline (the machine is shared; hangs are caught by
# the per-case alarm instead).
settings.register_profile(
    "ccua-fuzz",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
PROFILE = settings.get_profile("ccua-fuzz")


def fuzz(n: int) -> Callable[[Any], Any]:
    """The profile with ``n`` cases (times ``FUZZ_SCALE``) for one reader's test."""
    return settings(PROFILE, max_examples=max(1, int(n * SCALE)))


class Hang(BaseException):
    """A case ran past its time limit (BaseException: no reader may swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float = CASE_SECONDS) -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise Hang(f"a reader ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(name: str, read: Callable[[], Any]) -> Any:
    """Run one case: its result, or None after a CcuaError with a message."""
    COUNTS[name] = COUNTS.get(name, 0) + 1
    with time_limit():
        try:
            result = read()
        except CcuaError as exc:
            assert str(exc).strip(), f"{type(exc).__name__} without a message"
            REFUSED[name] = REFUSED.get(name, 0) + 1
            return None
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        for p in result[1]:  # problems returned (not raised) are located messages too
            assert isinstance(p, Problem) and p.message.strip()
    return result


# --- mutations -----------------------------------------------------------------------------

TOKENS = [
    b"&a ",
    b"*a",
    b"&a [*a, *a]",
    b"<<: *a",
    b"[",
    b"]",
    b"{",
    b"}",
    b": ",
    b"- ",
    b"\n",
    b"\n  ",
    b"\t",
    b"# ",
    b"'",
    b'"',
    b",",
    b";",
    b"%",
    b"-1",
    b"1e999",
    b"1e400",
    b"-0",
    b"NaN",
    b".inf",
    b"99999999999999999999999999999",
    b"0.5",
    b"2.10",
    b"2026-01",
    b"2026-13",
    b"2026-00",
    b"1899-12-30",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"=SUM(A1:A3)",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary",
    b"~",
    b"null",
    b"true",
    b"no",
    b"\xe4\xb8\xad",
    b"\xd6\xd0",
    b"\r",
    b"\r\n",
    b"\\",
    b"|\n",
    b">-\n",
    b"? ",
    b"@",
    b"`",
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b"0x1F",
    b"1_000",
    b"\xa0",
    b"\xe2\x80\x8b",
    b"[CB1.1]",
    b"[bold]x[/]",
    b"CB1.1",
    b"DO6.9",
    b"items:",
    b"targets:",
    b"min: ",
    b"max: ",
    b"rating: 9",
    b"offered_calls",
    b"call_id",
    b"V1",
    b"\xef\xbc\x88offered_calls\xef\xbc\x89",
]
OPS = (
    "insert",
    "delete",
    "replace",
    "dup_line",
    "drop_line",
    "swap_lines",
    "flip",
    "truncate",
    "insert_line",
)

mutation = st.tuples(
    st.sampled_from(OPS),
    st.integers(0, 2**20),
    st.integers(0, 2**20),
    st.sampled_from(TOKENS),
    st.integers(1, 64),
)
mutations = st.lists(mutation, min_size=1, max_size=4)


def mutate(seed: bytes, muts: list[tuple[str, int, int, bytes, int]]) -> bytes:
    data = seed
    for op, a, b, token, n in muts:
        size = max(len(data), 1)
        pos = a % (size + 1)
        if op == "insert":
            data = data[:pos] + token + data[pos:]
        elif op == "delete":
            data = data[:pos] + data[pos + n :]
        elif op == "replace":
            data = data[:pos] + token + data[pos + len(token) :]
        elif op == "flip":
            if data:
                p = a % len(data)
                data = data[:p] + bytes([data[p] ^ (1 << (b % 8))]) + data[p + 1 :]
        elif op == "truncate":
            data = data[:pos]
        else:
            lines = data.split(b"\n")
            i, j = a % len(lines), b % len(lines)
            if op == "dup_line":
                lines.insert(i, lines[i])
            elif op == "drop_line" and len(lines) > 1:
                del lines[i]
            elif op == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "insert_line":
                lines.insert(i, token.strip(b"\n"))
            data = b"\n".join(lines)
    return data


def seed(path: Path) -> bytes:
    return path.read_bytes()


def head_lines(text: str, n: int) -> bytes:
    return "\n".join(text.splitlines()[:n]).encode("utf-8") + b"\n"


def small_ratings() -> bytes:
    """The demo ratings cut to their first items (the parser is the same; cases are faster)."""
    data, _ = load_with_lines((DEMO / "ratings.yaml").read_text(encoding="utf-8"), "r")
    data["items"] = dict(list(data["items"].items())[:3])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


SEEDS = {
    "params": seed(_SEED_DIR / "demo.yaml"),
    "ratings": small_ratings(),
    "targets": head_lines((DEMO / "targets.yaml").read_text(encoding="utf-8"), 30),
    "checks": seed(DEMO / "checks.yaml"),
    "engagement": seed(DEMO / "engagement.yaml"),
    "monthly": head_lines((DEMO / "monthly.csv").read_text(encoding="utf-8-sig"), 25),
    "claimed": seed(DEMO / "claimed.csv"),
    "mapping": seed(RECORDS / "export" / "voice.mapping.yaml"),
    "voice": seed(RECORDS / "voice.csv"),
}


def snapshot() -> dict[str, tuple[int, int, bytes]]:
    """Every seed file: size, mtime and content."""
    out = {}
    for p in _SEED_DIR.rglob("*"):
        if p.is_file():
            st_ = p.stat()
            out[str(p)] = (st_.st_size, st_.st_mtime_ns, p.read_bytes())
    return out


@pytest.fixture(scope="module", autouse=True)
def nothing_outside_the_temporary_folder_changes() -> Iterator[None]:
    before = snapshot()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="ccua-fuzz-") as tmp:
        os.chdir(tmp)  # a reader that wrote to the working folder would write here
        try:
            yield
        finally:
            os.chdir(cwd)
        assert sorted(os.listdir(tmp)) == [], "a reader wrote into the working folder"
    assert snapshot() == before, "a seed file changed"
    shutil.rmtree(_SEED_DIR, ignore_errors=True)


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- YAML readers ---------------------------------------------------------------------------


@fuzz(200)
@given(muts=mutations)
def test_params(tmp, muts):
    path = write(tmp, "demo.yaml", mutate(SEEDS["params"], muts))
    outcome("params", lambda: load_params(path))


@fuzz(220)
@given(muts=mutations)
def test_ratings(tmp, muts):
    path = write(tmp, "ratings.yaml", mutate(SEEDS["ratings"], muts))
    outcome("ratings", lambda: load_ratings(path, FW))


def _yaml_reader(parse: Callable[..., Any]) -> Callable[[Path], Any]:
    def read(path: Path) -> Any:
        data, lines = load_with_lines(path.read_bytes().decode("utf-8", "replace"), str(path))
        problems: list[Problem] = []
        return parse(data, FW, path, lines, problems), problems

    return read


@fuzz(200)
@given(muts=mutations)
def test_targets(tmp, muts):
    path = write(tmp, "targets.yaml", mutate(SEEDS["targets"], muts))
    outcome("targets", lambda: _yaml_reader(parse_targets)(path))


@fuzz(150)
@given(muts=mutations)
def test_checks(tmp, muts):
    path = write(tmp, "checks.yaml", mutate(SEEDS["checks"], muts))
    outcome("checks", lambda: _yaml_reader(parse_checks)(path))


@fuzz(150)
@given(muts=mutations)
def test_engagement_file(tmp, muts):
    path = write(tmp, "engagement.yaml", mutate(SEEDS["engagement"], muts))

    def read() -> Any:
        data, lines = load_with_lines(path.read_bytes().decode("utf-8", "replace"), str(path))
        problems: list[Problem] = []
        return _model(Engagement, data, path, lines, problems), problems

    outcome("engagement", read)


@fuzz(150)
@given(muts=mutations)
def test_mappings(tmp, muts):
    path = write(tmp, "voice.yaml", mutate(SEEDS["mapping"], muts))
    outcome("mapping", lambda: load_mapping(path))


@fuzz(25)
@given(muts=mutations)
def test_record_definitions(tmp, muts):
    path = write(tmp, "records.yaml", mutate(definitions_path(FW).read_bytes(), muts))
    outcome("definitions", lambda: load_definitions(FW, path))


# --- YAML trees: any value at any place ----------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "CB1.1",
            "DO6.9",
            "SP1",
            "a",
            "2026-01",
            "t-ccua",
            "1e999",
            "min",
            "voice",
            "call_id",
            "",
            "2.10",
            "5%",
        ]
    ),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(
                st.text(max_size=6),
                st.integers(-3, 3),
                st.sampled_from(
                    [
                        "min",
                        "max",
                        "rating",
                        "met",
                        "note",
                        "ratings",
                        "items",
                        "targets",
                        "checks",
                        "columns",
                        "values",
                        "client",
                        "period",
                        "handover",
                        "a",
                        "b",
                    ]
                ),
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=6,
)


def paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += paths(v, (*prefix, i))
    return out


def replaced(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {k: replaced(v, rest, value) if k == head else v for k, v in tree.items()}
    return [replaced(v, rest, value) if i == head else v for i, v in enumerate(tree)]


TREE_READERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "params": ("demo.yaml", load_params),
    "ratings": ("ratings.yaml", lambda p: load_ratings(p, FW)),
    "targets": ("targets.yaml", lambda p: _yaml_reader(parse_targets)(p)),
    "checks": ("checks.yaml", lambda p: _yaml_reader(parse_checks)(p)),
    "engagement": ("engagement.yaml", lambda p: _engagement_reader(p)),
    "mapping": ("voice.yaml", load_mapping),
}
TREES = {name: yaml.safe_load(SEEDS[name]) for name in TREE_READERS}


def _engagement_reader(path: Path) -> Any:
    data, lines = load_with_lines(path.read_bytes().decode("utf-8", "replace"), str(path))
    problems: list[Problem] = []
    return _model(Engagement, data, path, lines, problems), problems


@fuzz(420)
@given(data=st.data())
def test_yaml_trees(tmp, data):
    name = data.draw(st.sampled_from(sorted(TREE_READERS)))
    tree = TREES[name]
    where = data.draw(st.sampled_from(paths(tree)))
    value = data.draw(VALUES)
    file, read = TREE_READERS[name]
    text = yaml.safe_dump(replaced(tree, where, value), allow_unicode=True, sort_keys=False)
    path = write(tmp, file, text.encode("utf-8"))
    outcome(f"{name} tree", lambda: read(path))


# --- sheets -------------------------------------------------------------------------------


@fuzz(300)
@given(muts=mutations)
def test_monthly_csv(tmp, muts):
    path = write(tmp, "monthly.csv", mutate(SEEDS["monthly"], muts))
    outcome("monthly.csv", lambda: parse_monthly(read_sheet(path), FW, MONTHS))


@fuzz(200)
@given(muts=mutations)
def test_claimed_csv(tmp, muts):
    path = write(tmp, "claimed.csv", mutate(SEEDS["claimed"], muts))
    outcome("claimed.csv", lambda: parse_claims(read_sheet(path), FW, MONTHS))


def _rows(data: bytes) -> list[list[Any]]:
    text = data.decode("utf-8-sig")
    rows: list[list[Any]] = []
    for r in csv.reader(io.StringIO(text)):
        rows.append([int(v) if v.isdigit() else v for v in r])
    return rows


MONTHLY_ROWS = _rows(SEEDS["monthly"])
CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=12
    ),
    st.sampled_from(
        ["=SUM(E2:F2)", "2026-01", "全期", "12%", "1e999", "offered_calls", "月份", "  "]
    ),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
CELL_EDIT = st.tuples(
    st.integers(0, 40),
    st.integers(0, 12),
    CELL_VALUES,
    st.sampled_from(["General", "0%", "0.00%", "0.0", "yyyy-mm", "@"]),
)


@fuzz(120)
@given(
    edits=st.lists(CELL_EDIT, max_size=6),
    merge=st.one_of(
        st.none(),
        st.tuples(st.integers(1, 5), st.integers(1, 8), st.integers(0, 2), st.integers(0, 2)),
    ),
)
def test_monthly_xlsx_cells(tmp, edits, merge):
    """Excel workbooks with random cell values, number formats and merged ranges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in MONTHLY_ROWS:
        ws.append(r)
    for row, col, value, fmt in edits:
        cell = ws.cell(row=row + 1, column=col + 1)
        with contextlib.suppress(ValueError, TypeError, IllegalCharacterError):
            # what openpyxl cannot store
            cell.value = value
        cell.number_format = fmt
    if merge:
        r, c, dr, dc = merge
        if dr or dc:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + dr, end_column=c + dc)
    path = tmp / "monthly.xlsx"
    wb.save(path)
    outcome("monthly.xlsx cells", lambda: parse_monthly(read_sheet(path), FW, MONTHS))


XLSX_SEED: bytes | None = None


def xlsx_seed() -> bytes:
    global XLSX_SEED
    if XLSX_SEED is None:
        wb = openpyxl.Workbook()
        for r in MONTHLY_ROWS[:8]:
            wb.active.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        XLSX_SEED = buf.getvalue()
    return XLSX_SEED


@fuzz(120)
@given(
    muts=st.lists(
        st.tuples(
            st.sampled_from(("flip", "delete", "insert", "truncate")),
            st.integers(0, 2**20),
            st.integers(0, 2**20),
            st.sampled_from(TOKENS),
            st.integers(1, 16),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_monthly_xlsx_bytes(tmp, muts):
    """Damaged Excel files (bytes of the zip): refused with a message, never a traceback."""
    path = write(tmp, "monthly.xlsx", mutate(xlsx_seed(), muts))
    outcome("monthly.xlsx bytes", lambda: parse_monthly(read_sheet(path), FW, MONTHS))


@fuzz(60)
@given(
    muts=st.lists(
        st.tuples(st.integers(0, 2**20), st.binary(min_size=1, max_size=4)), min_size=1, max_size=3
    )
)
def test_monthly_xlsx_xml(tmp, muts):
    """Excel files whose sheet XML is damaged inside an intact zip."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(xlsx_seed()))
    path = tmp / "monthly.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for pos, junk in muts:
                    p = pos % (len(data) + 1)
                    data = data[:p] + junk + data[p + len(junk) :]
            out.writestr(item, data)
    outcome("monthly.xlsx xml", lambda: parse_monthly(read_sheet(path), FW, MONTHS))


# --- records --------------------------------------------------------------------------------


@fuzz(50)
@given(muts=mutations)
def test_record_files(tmp, muts):
    with tempfile.TemporaryDirectory(dir=tmp) as case:
        src = write(Path(case), "voice.csv", mutate(SEEDS["voice"], muts))

        def read() -> Any:
            [result] = ingest(Path(case) / "rec", [src])
            if result.error is not None:
                raise result.error
            return result

        outcome("records", read)
        assert {p.name for p in Path(case).iterdir()} <= {"voice.csv", "rec"}
        assert (Path(case) / "voice.csv").read_bytes() == mutate(SEEDS["voice"], muts)


# --- the whole client, one file damaged ----------------------------------------------------

CLIENT_FILES = (
    "engagement.yaml",
    "targets.yaml",
    "checks.yaml",
    "ratings.yaml",
    "monthly.csv",
    "claimed.csv",
)


@pytest.fixture(scope="module")
def client() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ccua-fuzz-client-") as tmp:
        root = Path(tmp)
        shutil.copytree(DEMO, root / "demo")
        shutil.copy(_SEED_DIR / "demo.yaml", root / "demo.yaml")
        yield root


@fuzz(30)
@given(name=st.sampled_from(CLIENT_FILES), muts=mutations)
def test_whole_client(client, name, muts):
    path = client / "demo" / name
    original = (DEMO / name).read_bytes()
    path.write_bytes(mutate(original, muts))
    try:
        outcome("whole client", lambda: load_engagement(client / "demo.yaml"))
    finally:
        path.write_bytes(original)


# --- the right result -----------------------------------------------------------------------


@fuzz(40)
@given(
    order=st.permutations(list(range(1, len(MONTHLY_ROWS)))),
    bom=st.booleans(),
    blank=st.integers(0, len(MONTHLY_ROWS)),
)
def test_monthly_rows_in_any_order_give_the_same_inputs(tmp, order, bom, blank):
    expected, problems = parse_monthly(
        read_sheet(write(tmp, "a.csv", SEEDS["monthly"])), FW, MONTHS
    )
    assert problems == []
    lines = SEEDS["monthly"].decode("utf-8").splitlines()
    body = [lines[i] for i in order]
    body.insert(blank, ",,,,")
    text = "\n".join([lines[0], *body]) + "\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    got, problems = outcome(
        "monthly reordered",
        lambda: parse_monthly(read_sheet(write(tmp, "b.csv", data)), FW, MONTHS),
    )
    assert problems == [] and got.values == expected.values


@fuzz(40)
@given(
    comment=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    blank=st.integers(0, 3),
)
def test_ratings_with_comments_and_blank_lines_read_the_same(tmp, comment, blank):
    expected = load_ratings(write(tmp, "a.yaml", SEEDS["ratings"]), FW)
    data = SEEDS["ratings"] + b"\n" * blank + f"# {comment}\n".encode()
    got = outcome("ratings commented", lambda: load_ratings(write(tmp, "b.yaml", data), FW))
    assert got is not None and got.items == expected.items


def test_zz_fuzz_figures(capsys):
    """How many cases ran (printed; the total is checked when the whole module ran)."""
    total = sum(COUNTS.values())
    with capsys.disabled():
        print(
            f"\nfuzz cases: {total}; per reader (cases/refused with a CcuaError): "
            + ", ".join(f"{k} {v}/{REFUSED.get(k, 0)}" for k, v in COUNTS.items())
        )
    if len(COUNTS) >= 15 and SCALE >= 1:
        assert total >= 2000
