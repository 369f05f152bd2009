"""``ccua verify``: recompute a run from the inputs it recorded and compare, byte for byte.

A run folder's results.json ends with its provenance (ccua.provenance): the inputs' folder
relative to the run, every input file with its sha256, the code and the environment. Verifying
reads the inputs from there (or from inside an archive made by ``ccua archive``), recomputes
results.json in process (no notebooks, no report) and compares it with the recorded one. When
they differ it says why: which input files changed (by name), which parts of the code or
environment differ (a package version, the commit), and which values moved (the total, the
grade, the items and indicators).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ccua.errors import CcuaError
from ccua.provenance import add_to, sha256_file

RESULTS_FILE = "results.json"
ARCHIVE_MANIFEST = "ccua-archive.json"
ARCHIVE_FORMAT = 1
MAX_VALUE_LINES = 40


@dataclass(frozen=True)
class Difference:
    kind: str  # input | code | environment | value | recompute
    what: str  # a file name, a dotted field, a value's path
    recorded: Any = None
    now: Any = None
    note: str = ""


@dataclass
class Verification:
    run: str
    identical: bool
    differences: list[Difference] = field(default_factory=list)
    moved_items: list[str] = field(default_factory=list)
    moved_indicators: list[str] = field(default_factory=list)
    inputs_checked: int = 0

    def of(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]

    def passed(self, ignore_environment: bool = False) -> bool:
        if self.identical:
            return True
        if not ignore_environment:
            return False
        return not [d for d in self.differences if d.kind not in ("code", "environment")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "identical": self.identical,
            "inputs_checked": self.inputs_checked,
            "moved": {"items": self.moved_items, "indicators": self.moved_indicators},
            "differences": [asdict(d) for d in self.differences],
        }


# ---------------------------------------------------------------- where the run is
def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CcuaError(
            "has no results.json",
            file=str(path.parent),
            hint="give a run folder written by  ccua run params/CLIENT.yaml",
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CcuaError(f"is not valid JSON ({exc})", file=str(path)) from None
    if not isinstance(data, dict) or data.get("schema") != "ccua.results":
        raise CcuaError("is not a ccua results file", file=str(path))
    return data


def provenance_of(results: dict[str, Any], file: Path) -> dict[str, Any]:
    prov = results.get("provenance")
    if not isinstance(prov, dict) or not isinstance(prov.get("inputs"), list):
        raise CcuaError(
            "records no provenance (the run was made before ccua recorded one)",
            file=str(file),
            hint="re-run the client to record it",
        )
    return prov


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return (
        bool(parts)
        and not Path(name).is_absolute()
        and ".." not in parts
        and not name.startswith(("/", "\\"))
    )


@contextmanager
def opened_run(path: str | Path) -> Iterator[tuple[Path, str]]:
    """The run folder to verify: the folder itself, or an archive unpacked in a temporary
    folder (removed afterwards). Yields the folder and how to name it to the user."""
    p = Path(path)
    if p.is_dir():
        yield p, str(path)
        return
    if not p.exists():
        raise CcuaError(
            "not found",
            file=str(path),
            hint="give a run folder (runs/CLIENT) or an archive (ccua archive)",
        )
    if not zipfile.is_zipfile(p):
        raise CcuaError("is neither a run folder nor a ccua archive (.zip)", file=str(path))
    with tempfile.TemporaryDirectory(prefix="ccua-verify-") as tmp:
        run = extract_archive(p, Path(tmp))
        yield run, str(path)


def extract_archive(archive: Path, into: Path) -> Path:
    """Unpack an archive made by ``ccua archive``; return its run folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            if ARCHIVE_MANIFEST not in names:
                raise CcuaError(f"is not a ccua archive (no {ARCHIVE_MANIFEST})", file=str(archive))
            bad = [n for n in names if not _safe_member(n)]
            if bad:
                raise CcuaError(
                    f"holds a member outside the archive folder: {bad[0]!r}", file=str(archive)
                )
            manifest = json.loads(zf.read(ARCHIVE_MANIFEST).decode("utf-8"))
            if manifest.get("format") != ARCHIVE_FORMAT:
                raise CcuaError(
                    f"archive format {manifest.get('format')!r}; this ccua reads {ARCHIVE_FORMAT}",
                    file=str(archive),
                )
            zf.extractall(into)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CcuaError(f"is a damaged archive ({exc})", file=str(archive)) from None
    run = into / manifest["run"]
    if (manifest["run"] != "." and not _safe_member(manifest["run"])) or not (
        run / RESULTS_FILE
    ).is_file():
        raise CcuaError(
            f"names a run folder it does not hold ({manifest['run']!r})", file=str(archive)
        )
    return run


# ---------------------------------------------------------------- comparing
def _key(entry: Any) -> str | None:
    if isinstance(entry, dict):
        for k in ("code", "id", "month"):
            if isinstance(entry.get(k), (str, int)):
                return str(entry[k])
    return None


def diff_values(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Leaf differences between two JSON values, lists of coded entries matched by code."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append((sub, None, b[k]))
            elif k not in b:
                out.append((sub, a[k], None))
            else:
                out += diff_values(a[k], b[k], sub)
        return out
    if isinstance(a, list) and isinstance(b, list):
        keys_a, keys_b = [_key(x) for x in a], [_key(x) for x in b]
        if all(None not in ks and len(set(ks)) == len(ks) for ks in (keys_a, keys_b)):
            by_b = dict(zip(keys_b, b, strict=True))
            out = []
            for k, x in zip(keys_a, a, strict=True):
                out += (
                    diff_values(x, by_b[k], f"{path}[{k}]")
                    if k in by_b
                    else [(f"{path}[{k}]", x, None)]
                )
            out += [
                (f"{path}[{k}]", None, y)
                for k, y in zip(keys_b, b, strict=True)
                if k not in set(keys_a)
            ]
            return out
        if len(a) != len(b):
            return [(path, a, b)]
        out = []
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff_values(x, y, f"{path}[{n}]")
        return out
    return [] if a == b and type(a) is type(b) else [(path, a, b)]


def _flat(d: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        return {prefix: d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}.{k}"))
    return out


def _compare_provenance(old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    out = []
    for kind, key in (("code", "ccua"), ("code", "framework"), ("environment", "environment")):
        a, b = _flat(old.get(key) or {}, key), _flat(new.get(key) or {}, key)
        for name in list(a) + [n for n in b if n not in a]:
            if a.get(name) != b.get(name):
                out.append(Difference(kind, name, a.get(name), b.get(name)))
    return out


def _check_inputs(prov: dict[str, Any], root: Path) -> tuple[list[Difference], int]:
    out = []
    for entry in prov["inputs"]:
        path = root / entry["path"]
        now = sha256_file(path) if path.is_file() else None
        if now != entry["sha256"]:
            why = "is missing" if now is None else "changed since the run"
            note = f"{entry.get('role', 'input')} file {why}"
            out.append(Difference("input", entry["path"], entry["sha256"], now, note))
    return out, len(prov["inputs"])


def _moved(diffs: list[tuple[str, Any, Any]]) -> tuple[list[str], list[str]]:
    items: list[str] = []
    indicators: list[str] = []
    for path, _, _ in diffs:
        for prefix, bucket in (("assessment.items[", items), ("indicators[", indicators)):
            if bucket is items and path.rsplit(".", 1)[-1] not in ("score", "percent"):
                continue  # an item's share of the total moves with any other item
            if path.startswith(prefix):
                code = path[len(prefix) :].split("]", 1)[0]
                if code not in bucket:
                    bucket.append(code)
    return items, indicators


def verify_run(path: str | Path) -> Verification:
    """Recompute the run at ``path`` (a run folder or an archive) and compare."""
    from ccua.inputs import load_engagement
    from ccua.results import build_results, dumps

    with opened_run(path) as (run_dir, name):
        results_file = run_dir / RESULTS_FILE
        recorded_text = results_file.read_text(encoding="utf-8") if results_file.is_file() else None
        recorded = read_json(results_file)
        prov = provenance_of(recorded, results_file)
        root = (run_dir / prov.get("root", ".")).resolve()
        check = Verification(run=name, identical=False)
        inputs, check.inputs_checked = _check_inputs(prov, root)
        check.differences += inputs
        params = next((e["path"] for e in prov["inputs"] if e.get("role") == "params"), None)
        if params is None:
            raise CcuaError("records no params file among its inputs", file=str(results_file))
        try:
            data = load_engagement(root / params)
            now = add_to(build_results(data).data, data, run_dir)
        except CcuaError as exc:
            note = f"could not recompute the run: {exc}"
            check.differences.append(Difference("recompute", str(params), note=note))
            return check
        now_text = dumps(now)
        check.identical = now_text == recorded_text
        if check.identical:
            return check
        check.differences += _compare_provenance(prov, now["provenance"])
        if not inputs:
            old_inputs = {e["path"] for e in prov["inputs"]}
            for e in now["provenance"]["inputs"]:
                if e["path"] not in old_inputs:
                    note = f"{e.get('role', 'input')} file read now but not recorded"
                    check.differences.append(
                        Difference("input", e["path"], None, e["sha256"], note)
                    )
        old_values = {k: v for k, v in recorded.items() if k != "provenance"}
        new_values = {k: v for k, v in json.loads(now_text).items() if k != "provenance"}
        values = diff_values(old_values, new_values)
        check.moved_items, check.moved_indicators = _moved(values)
        check.differences += [Difference("value", p, a, b) for p, a, b in values]
        if not check.differences:  # same content, other bytes (e.g. reformatted by hand)
            note = "the text differs (formatting) though the values are the same"
            check.differences.append(Difference("value", RESULTS_FILE, note=note))
        return check


# ---------------------------------------------------------------- words
def _short(v: Any) -> str:
    if isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v):
        return v[:12]
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return text if len(text) <= 60 else text[:57] + "..."


def describe(v: Verification, ignore_environment: bool = False) -> list[str]:
    """Plain lines for a person: the verdict first, then why."""
    if v.identical:
        return [
            f"{v.run}: verified — results.json recomputed from its {v.inputs_checked} "
            "recorded input files is identical, byte for byte"
        ]
    passed = v.passed(ignore_environment)
    head = (
        f"{v.run}: values verified, but the code or environment differs (ignored)"
        if passed
        else f"{v.run}: NOT verified — the recomputed results.json differs"
    )
    lines = [head]
    for d in v.of("recompute"):
        lines.append(f"  {d.note}")
    inputs = v.of("input")
    if inputs:
        lines.append(f"  inputs ({len(inputs)} of {v.inputs_checked} differ):")
        lines += [f"    {d.what}: {d.note}" for d in inputs]
    for kind, title in (("code", "code"), ("environment", "environment")):
        ds = v.of(kind)
        if ds:
            lines.append(f"  {title}:")
            lines += [f"    {d.what}: {_short(d.recorded)} → {_short(d.now)}" for d in ds]
    values = v.of("value")
    if values:
        lines.append(f"  values ({len(values)} differ):")
        if v.moved_items:
            lines.append(f"    items whose score moved: {', '.join(v.moved_items)}")
        if v.moved_indicators:
            lines.append(f"    indicators that moved: {', '.join(v.moved_indicators)}")
        key = [
            d
            for d in values
            if d.what.startswith("assessment.")
            and d.what.split(".")[-1] in ("total", "grade", "score")
        ]
        rest = [d for d in values if d not in key]
        for d in (key + rest)[:MAX_VALUE_LINES]:
            lines.append(
                f"    {d.what}: {_short(d.recorded)} → {_short(d.now)}"
                + (f" ({d.note})" if d.note else "")
            )
        if len(values) > MAX_VALUE_LINES:
            lines.append(f"    … and {len(values) - MAX_VALUE_LINES} more (--json lists all)")
    return lines
