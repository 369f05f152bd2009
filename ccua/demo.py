"""The bundled demo clients: one per framework, written from data by one generator.

A framework with a demo has a folder ``ccua/demos/<framework id>/``: what the fictional centre
wrote (``params.yaml``, ``engagement.yaml`` and files copied as they are, such as the checks of
documentary indicators and the evidence register) and ``demo.yaml``, the generator's settings:
the seed, the centre's monthly figures as profiles and stories, its own targets, how the
assessors rate, what its own report claims. What the framework decides (which indicators and
inputs, which requirements are rated, the default targets, a hand-over row per item) is read
from the framework.

Deterministic: ``demo_files(framework)`` always gives the same bytes (tests compare them with
the committed ``params/`` files); other seeds and client names give other synthetic centres
(batches, the demo portfolio). Names, phone numbers and addresses are invented; there are no
customer records.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from itertools import takewhile
from pathlib import Path
from typing import Any

import yaml

from ccua._io import atomic_write_text
from ccua.errors import CcuaError
from ccua.formulas import shape
from ccua.scaffold import UNIT_LABELS
from ccua.spec import Framework, Indicator, load_framework

DEMOS = Path(__file__).parent / "demos"
DEFAULT_FRAMEWORK = "t-ccua"


def demo_frameworks() -> list[str]:
    """The frameworks with a bundled demo client, T/CCUA first."""
    ids = [p.name for p in DEMOS.iterdir() if (p / "demo.yaml").is_file()]
    return sorted(ids, key=lambda i: (i != DEFAULT_FRAMEWORK, i))


@dataclass(frozen=True)
class Demo:
    """One framework's demo client: its folder, its settings (demo.yaml) and its months."""

    framework: Framework
    folder: Path
    settings: dict[str, Any]
    engagement: dict[str, Any]

    def read(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")

    @property
    def client(self) -> str:
        return str(self.engagement["client"])

    @property
    def months(self) -> list[str]:
        from ccua.engagement import month_range

        period = self.engagement["background"]["period"]
        return month_range(period["start"], period["end"])


def load_demo(framework: Framework | str = DEFAULT_FRAMEWORK) -> Demo:
    """The demo client of a framework (its id or the loaded framework)."""
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    folder = DEMOS / fw.id
    if not (folder / "demo.yaml").is_file():
        raise CcuaError(
            f"framework {fw.id!r} has no demo client; there are: {', '.join(demo_frameworks())}"
        )
    text = (folder / "engagement.yaml").read_text(encoding="utf-8")
    fills = {"framework": fw.name, "groups": len(fw.groups), "items": len(fw.items)}
    for key, value in fills.items():
        text = text.replace("{" + key + "}", str(value))
    settings = yaml.safe_load((folder / "demo.yaml").read_text(encoding="utf-8"))
    return Demo(fw, folder, settings, yaml.safe_load(text))


def _dump(header: str, data: object) -> str:
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return "\ufeff" + buf.getvalue()  # UTF-8 with BOM, as Excel writes it


def _plain(value: object) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------- the monthly sheet


def _profile(
    spec: Mapping[str, Any], key: str, index: int, rng: random.Random, ceiling: float | None = None
) -> float:
    """The month's value on a (first month, last month) line, with seeded noise."""
    start, end = spec["profile"][key]
    value = start + (end - start) * index / (len(spec["seasonal"]) - 1)
    spread = abs(end - start) * spec["noise"][0] + abs(start) * spec["noise"][1]
    if ceiling is not None:  # a share close to 100 % stays below it
        spread = min(spread, (ceiling - max(start, end)) / 2)
    return value + rng.uniform(-spread, spread)


def _quantities(
    spec: Mapping[str, Any], days: int, index: int, rng: random.Random
) -> dict[str, int]:
    """The month's quantities of ``spec["quantities"]``, in their order (integers)."""
    out: dict[str, int] = {}

    def value(key: str) -> float:
        story = spec.get("story", {})
        return story[key][index] if key in story else _profile(spec, key, index, rng)

    for measure, step in spec.get("quantities", {}).items():
        if "per_day" in step:
            total: float = step["per_day"] * days * spec["seasonal"][index]
        else:
            total = sum(out[m] for m in step["of"])
        if "noise" in step:
            out[measure] = round(total * rng.uniform(*step["noise"]))
        elif "times" in step:
            out[measure] = round(total * value(step["times"]))
        elif "percent" in step:
            out[measure] = round(total * value(step["percent"]) / 100)
        else:
            out[measure] = round(total * (100 / value(step["rest"]) - 1))
    return out


def _reported(
    spec: Mapping[str, Any], ind: Indicator, days: int, index: int, values: dict, rng: random.Random
) -> object:
    """A value the centre reports as it is (formula "value"); None: not reported."""
    if ind.code in spec.get("counts", {}):  # a count per day
        scale = days * spec["seasonal"][index]
        return round(spec["counts"][ind.code] * scale * rng.uniform(0.9, 1.1))
    if ind.code in spec.get("per_day", {}):
        return round(values[spec["per_day"][ind.code]] / days)
    if ind.code in spec.get("not_reported", ()):
        return None
    decimals = spec["decimals"].get(ind.unit or "", 1)
    if min(spec["profile"].get(ind.code, (0, 0))) >= 99:  # availabilities: 99.95, not 100
        decimals = 2
    if ind.code in spec.get("story", {}):
        value = spec["story"][ind.code][index]
        decimals = 0 if ind.kind == "count" else decimals
    else:
        ceiling = 100.0 if ind.unit == "percent" else None
        value = _profile(spec, ind.code, index, rng, ceiling)
    if value is None:
        return None
    return _plain(f"{value:.{decimals}f}") if decimals else str(round(value))


def _by_shape(
    spec: Mapping[str, Any],
    ind: Indicator,
    rate: float,
    index: int,
    values: dict,
    base: Callable[[str], int],
    rng: random.Random,
) -> None:
    """The inputs of one computed indicator, from its rate and the month's bases."""
    fn, inputs = ind.function, ind.inputs
    if fn == "share_of_sum":  # e.g. leavers of (headcount at the start + hires)
        stock = spec["stocks"][ind.code]
        part, start_code, added_code = inputs
        start = values.setdefault(start_code, stock["start"] + stock["growth"] * index)
        spread = stock["spread"]
        added = values.setdefault(added_code, stock["added"] + rng.randint(-spread, spread))
        values[part] = round((start + added) * rate / 100)
    elif fn == "share":
        w = base(inputs[1])
        values[inputs[0]] = min(w, round(w * rate / 100))
    elif fn == "complement_share":
        w = base(inputs[1])
        values[inputs[0]] = min(w, round(w * (1 - rate / 100)))
    elif fn == "remainder_share":
        whole, *parts = inputs
        missing = round(base(whole) * (1 - rate / 100))
        weights = spec["remainder_split"][: len(parts)] if len(parts) > 1 else [1.0]
        for p, weight in zip(parts, weights, strict=True):
            values[p] = round(missing * weight)
    elif fn == "ratio_percent":
        values[inputs[0]] = round(base(inputs[1]) * rate / 100)
    elif fn == "sum_share":
        *parts, whole = inputs
        w = base(whole)
        for p, weight in zip(parts, spec["sum_split"], strict=True):
            values[p] = round(w * rate / 100 * weight)
    elif fn == "mean":
        values[inputs[0]] = round(base(inputs[1]) * rate)
    elif fn == "sum_mean":
        *totals, count = inputs
        c = base(count)
        values[totals[0]] = round(c * rate * 0.8)
        values[totals[1]] = round(c * rate * 0.2)
    elif fn == "per_fte":
        volume, work, standard = inputs
        values[volume] = round(rate * base(work) / base(standard))
    else:
        raise CcuaError(f"demo: no generator for shape {fn}", indicator=ind.code)


def _base(
    spec: Mapping[str, Any], values: dict, rng: random.Random, scale: float, days: int, code: str
) -> int:
    """A "whole" quantity of the month: drawn once (±2 %), then shared by every indicator."""
    if code in spec.get("constants", {}):
        return values.setdefault(code, round(spec["constants"][code]))
    if code in spec.get("per_calendar_day", {}):
        return values.setdefault(code, spec["per_calendar_day"][code] * days)
    if code not in values:
        noise = rng.uniform(0.98, 1.02)
        values[code] = max(1, round(spec["daily"][code] * scale * noise))
    return int(values[code])


def monthly_sheet(demo: Demo, seed: int | None = None) -> dict[str, dict[str, object]]:
    """values[month][measure] as the centre writes them in its sheet (absent: no value)."""
    spec = demo.settings["monthly"]
    rng = random.Random(demo.settings["seed"] if seed is None else seed)
    out: dict[str, dict[str, object]] = {}
    for index, month in enumerate(demo.months):
        days = calendar.monthrange(*map(int, month.split("-")))[1]
        scale = days * spec["seasonal"][index]
        values: dict[str, Any] = _quantities(spec, days, index, rng)
        base = partial(_base, spec, values, rng, scale, days)
        for ind in demo.framework.indicators:
            if ind.is_documentary or all(i in values for i in ind.inputs):
                continue
            if ind.function == "value":
                value = _reported(spec, ind, days, index, values, rng)
                if value is not None:
                    values[ind.inputs[0]] = value
            else:
                rate = _profile(spec, ind.code, index, rng)
                _by_shape(spec, ind, rate, index, values, base, rng)
        out[month] = values
    return out


def monthly_inputs(
    framework: Framework | str = DEFAULT_FRAMEWORK, seed: int | None = None
) -> dict[str, dict[str, int]]:
    """values[month][measure] of the demo centre's sheet, the whole numbers only."""
    sheet = monthly_sheet(load_demo(framework), seed)
    return {
        month: {m: int(str(v)) for m, v in values.items() if str(v).isdigit()}
        for month, values in sheet.items()
    }


def monthly_csv(demo: Demo, sheet: dict[str, dict[str, object]]) -> str:
    """The monthly sheet: one row per measure, a column per month; blank where not measured."""
    used_by: dict[str, list[str]] = {}
    for ind in demo.framework.indicators:
        for m in ind.inputs:
            used_by.setdefault(m, []).append(ind.code)
    rows: list[list[object]] = [["指标", "code", "输入项", "单位", *demo.months]]
    for measure in demo.framework.measures:
        code = measure.code
        if code not in used_by or all(code not in sheet[m] for m in demo.months):
            continue
        row = [" ".join(used_by[code]), code, measure.name, UNIT_LABELS[measure.unit]]
        rows.append([*row, *(sheet[m].get(code, "") for m in demo.months)])
    return _csv(rows)


def period_value(
    framework: Framework, code: str, sheet: dict[str, dict[str, object]], months: list[str]
) -> Fraction:
    """An indicator over some months, as ccua computes it (for the claims the centre makes)."""
    from ccua.period import aggregate

    ind = framework.indicator(code)
    with_data = [m for m in months if all(i in sheet[m] for i in ind.inputs)]
    agg = [
        aggregate(framework, i, [Fraction(str(sheet[m][i])) for m in with_data]) for i in ind.inputs
    ]
    fn = shape(ind.function).compute
    assert fn is not None
    return fn(agg)


def claimed_csv(demo: Demo, sheet: dict[str, dict[str, object]]) -> str:
    """What the centre's own report claims: true to one decimal, except one."""
    spec, fw, months = demo.settings["claims"], demo.framework, demo.months
    rows: list[list[object]] = [["指标代码", "月份", "声称值", "来源"]]
    for code in spec["codes"]:
        value = period_value(fw, code, sheet, months)
        rows.append([code, "全期", f"{float(value):.1f}", spec["report"]])
    off = spec["misstated"]
    value = period_value(fw, off["code"], sheet, months)
    rows.append([off["code"], "全期", f"{float(value) + off['by']:.1f}", spec["report"]])
    monthly = spec["monthly"]
    for month in months[-3:]:
        value = period_value(fw, monthly["code"], sheet, [month])
        rows.append(
            [monthly["code"], month, f"{float(value):.{monthly['decimals']}f}", monthly["source"]]
        )
    return _csv(rows)


# ---------------------------------------------------------------- targets


def _default_targets(demo: Demo) -> dict[str, dict[str, object]]:
    """The framework's default targets: its documented defaults, else the first threshold it
    prints for an indicator (in the indicator's unit)."""
    from ccua.engagement import default_targets as documented

    spec = demo.settings["targets"]
    out: dict[str, dict[str, object]] = {}
    for th in demo.framework.thresholds if "threshold_basis" in spec else ():
        if th.indicator is None or th.indicator in out:
            continue
        if th.unit != demo.framework.indicator(th.indicator).unit:
            continue
        if th.operator == "between":
            assert th.range is not None
            bounds: dict[str, object] = {"min": th.range[0], "max": th.range[1]}
        else:
            bounds = {"min" if th.operator in (">=", ">") else "max": th.value}
        kind = spec["threshold_kinds"][th.kind]
        basis = spec["threshold_basis"].format(section=th.section, kind=kind, text=th.text)
        out[th.indicator] = {**bounds, "basis": basis}
    for code, t in documented(demo.framework).items():
        out[code] = {"min": t.min, "max": t.max, "basis": t.basis}
    return out


def targets_yaml(demo: Demo) -> str:
    """The centre's own targets; where it has none, the framework's default (``default``)."""
    spec = demo.settings["targets"]
    defaults = _default_targets(demo) if "default" in spec["centre"].values() else {}
    lines = [spec["header"] + "targets:"]
    for code, target in spec["centre"].items():
        source = "default" if target == "default" else "centre"
        bounds = defaults[code] if target == "default" else {**target, "basis": spec["basis"]}
        fields = [f"{k}: {_plain(bounds[k])}" for k in ("min", "max") if bounds.get(k) is not None]
        lines.append(
            f"  {code}: {{{', '.join(fields)}, source: {source}, basis: {bounds['basis']}}}"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- ratings


def _stamps(stamp: Mapping[str, Any]) -> Iterator[str]:
    """When each rating is entered: one every ``step`` minutes of the assessors' days."""
    minute = 0
    while True:
        minute += stamp["step"]
        day = stamp["first_day"] + minute // stamp["day_minutes"]
        hour = 9 + (minute // 60) % stamp["hours"]
        yield f"{stamp['month']}-{day:02d}T{hour:02d}:{minute % 60:02d}:00+08:00"


def ratings_yaml(demo: Demo, seed: int | None = None) -> str:
    """Every item rated: as a whole with a note, or by requirement or sub-point."""
    spec, fw = demo.settings["ratings"], demo.framework
    rng = random.Random((demo.settings["seed"] if seed is None else seed) + 1)
    if "evidence" in spec:
        evidence = spec["evidence"]
    else:  # cite the register: "E001 title"
        register = yaml.safe_load(demo.read("evidence.yaml"))["evidence"]
        evidence = [f"{e['id']} {e['title']}" for e in register]
    assessors, na, low = spec["assessors"], spec.get("not_applicable", {}), spec["low_notes"]
    rule_targets = {(r.item, r.requirement) for r in fw.rules}
    times = _stamps(spec["stamp"])

    def draw(code: str, group: str) -> int:
        mean = spec["maturity"][code] if code in spec["maturity"] else spec["maturity"][group]
        return max(1, min(5, round(rng.gauss(mean, 0.7))))

    items: dict[str, object] = {}
    for n, item in enumerate(fw.items):
        if item.code in na:
            items[item.code] = {"na": True, "note": na[item.code]}
            continue
        has_rule = any(i == item.code for i, _ in rule_targets)
        if spec.get("whole_share") and not has_rule and rng.random() < spec["whole_share"]:
            rating = draw(item.code, item.group)
            whole = spec["whole_notes"]
            note = whole[n % len(whole)] if rating > 2 else rng.choice(low)
            items[item.code] = {"rating": rating, "note": note, "evidence": rng.choice(evidence)}
            continue
        ratings: dict[str, object] = {}
        for req in item.requirements:
            if req.kind == "indicator":
                continue  # rated from the data
            share = spec.get("subpoint_share")
            by_subpoint = bool(req.subpoints) and (share is None or rng.random() < share)
            paths = [f"{req.code}.{s.code}" for s in req.subpoints] if by_subpoint else [req.code]
            for path in paths:
                if f"{item.code} {path}" in na:
                    ratings[path] = {"na": True, "note": na[f"{item.code} {path}"]}
                    continue
                at = next(times)
                if (item.code, req.code) in rule_targets:
                    ratings[path] = {**spec["rule"], "by": assessors[0], "at": at}
                    continue
                r = draw(item.code, item.group)
                by = assessors[len(ratings) % 2]
                entry = {"rating": r, "evidence": rng.choice(evidence), "by": by, "at": at}
                if r <= 2:
                    entry["note"] = rng.choice(low)
                ratings[path] = entry
        items[item.code] = {"ratings": ratings}
    doc = {"framework": fw.id, "title": spec["title"], "assessor": "、".join(assessors)}
    return _dump(spec["header"], {**doc, "items": items})


def assessor_ratings_yaml(framework: Framework, ratings_text: str, assessor: str, seed: int) -> str:
    """One assessor's independent ratings before the consensus (ratings/NAME.yaml): the
    agreed ratings, with this assessor's own departures from them."""
    rng = random.Random(seed)
    # Mostly the agreed rating; now and then a point either way, for one of them two.
    moves = [0] * 24 + [-1, 1, -1, 1] + ([2, -2] if seed % 2 else [])
    agreed = yaml.safe_load(ratings_text)
    items: dict[str, object] = {}
    for code, item in agreed["items"].items():
        own: dict[str, object] = {}
        for key, entry in item["ratings"].items():
            if entry.get("na"):
                own[key] = {"na": True, "note": entry["note"]}
                continue
            r = entry["rating"] + rng.choice(moves)
            own[key] = {"rating": max(0, min(5, r)), "evidence": entry["evidence"]}
        items[code] = {"ratings": own}
    doc = {"framework": framework.id, "title": agreed["title"], "assessor": assessor}
    header = f"# {assessor} 的独立评分 (independent ratings; docs/assessors.md).\n"
    return _dump(header, {**doc, "items": items})


# ---------------------------------------------------------------- the engagement


def engagement_yaml(demo: Demo, client: str) -> str:
    """The engagement as the centre and the assessors wrote it, a hand-over row per item."""
    spec = demo.settings["handover"]
    handover: dict[str, object] = {}
    for n, item in enumerate(demo.framework.items):
        pages = spec["pages"][n % len(spec["pages"])]
        pages += spec.get("pages_per_requirement", 0) * len(item.requirements)
        row = {**spec["row"], "pages": pages}
        row.update(spec.get("groups", {}).get(item.group, {}))
        row.update(spec.get("items", {}).get(item.code, {}))
        handover[item.code] = row
    text = demo.read("engagement.yaml")
    header = "".join(takewhile(lambda line: line.startswith("#"), text.splitlines(True)))
    return _dump(header, {**demo.engagement, "client": client, "handover": handover})


def demo_files(
    framework: Framework | str | None = None, seed: int | None = None, client: str | None = None
) -> dict[str, str]:
    """A demo client's files, as text, keyed by path relative to the params folder.

    Other seeds and names give other synthetic clients (batch tests and benchmarks).
    """
    demo = load_demo(framework or DEFAULT_FRAMEWORK)
    name = client or demo.client
    seed = demo.settings["seed"] if seed is None else seed
    sheet = monthly_sheet(demo, seed)
    ratings = ratings_yaml(demo, seed)
    own = re.compile(rf"^(client|engagement): {re.escape(demo.client)}\b", re.M)
    made = {
        "engagement.yaml": lambda: engagement_yaml(demo, name),
        "targets.yaml": lambda: targets_yaml(demo),
        "monthly.csv": lambda: monthly_csv(demo, sheet),
        "claimed.csv": lambda: claimed_csv(demo, sheet),
        "ratings.yaml": lambda: ratings,
    }
    files = {f"{name}.yaml": own.sub(rf"\1: {name}", demo.read("params.yaml"))}
    for file in demo.settings["files"]:  # generated, or copied as they are
        files[f"{name}/{file}"] = made[file]() if file in made else demo.read(file)
    if demo.settings["ratings"].get("independent"):
        for n, assessor in enumerate(demo.settings["ratings"]["assessors"], start=7):
            text = assessor_ratings_yaml(demo.framework, ratings, assessor, seed + n)
            files[f"{name}/ratings/{assessor}.yaml"] = text
    return files


def write_demo(
    params_dir: Path,
    *,
    framework: Framework | str | None = None,
    force: bool = False,
    seed: int | None = None,
    client: str | None = None,
    files: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write a demo client under ``params_dir``; refuse to overwrite edited files.

    ``files`` (path relative to ``params_dir`` -> text) writes other generated files (the
    demo portfolio's) with the same care.
    """
    files = demo_files(framework, seed=seed, client=client) if files is None else files
    for rel, text in files.items():
        path = params_dir / rel
        if path.exists() and not force and path.read_text(encoding="utf-8") != text:
            raise CcuaError(
                "exists and differs from the generated demo; pass --force to "
                "replace it (your changes would be lost)",
                file=str(path),
            )
    written = []
    for rel, text in files.items():
        path = params_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        written.append(path)
    return written
