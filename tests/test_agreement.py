"""`ccua agreement`: inter-assessor agreement checked against scikit-learn and krippendorff."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml

from ccua.agreement import cohen_kappa_quadratic, krippendorff_alpha_ordinal
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
DEMO_RATINGS = ROOT / "params" / "demo" / "ratings.yaml"


def _perturbed(seed: int, name: str, moves=(-2, -1, 0, 0, 0, 1)) -> dict:
    """The demo's ratings as a second assessor might give them: each leaf moved a little."""
    rnd = random.Random(seed)
    doc = yaml.safe_load(DEMO_RATINGS.read_text(encoding="utf-8"))
    doc["assessor"] = name
    for item in doc["items"].values():
        for key, entry in (item.get("ratings") or {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("rating"), int):
                entry["rating"] = min(5, max(0, entry["rating"] + rnd.choice(moves)))
            elif isinstance(entry, int):
                item["ratings"][key] = min(5, max(0, entry + rnd.choice(moves)))
    return doc


def _leaf_values(doc: dict) -> dict[str, int]:
    out = {}
    for code, item in doc["items"].items():
        for key, entry in (item.get("ratings") or {}).items():
            value = entry.get("rating") if isinstance(entry, dict) else entry
            if isinstance(value, int) and not (isinstance(entry, dict) and entry.get("na")):
                out[f"{code}.{key}"] = value
    return out


@pytest.fixture()
def two_assessors(tmp_path):
    a = _perturbed(1, "甲", moves=(0,))
    b = _perturbed(2, "乙")
    paths = []
    for name, doc in (("a", a), ("b", b)):
        p = tmp_path / f"{name}.yaml"
        p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        paths.append(p)
    return paths, a, b


def test_kappa_matches_scikit_learn(two_assessors, capsys):
    from sklearn.metrics import cohen_kappa_score

    (pa, pb), a, b = two_assessors
    code, out, _ = run(capsys, "agreement", str(pa), str(pb), "--json")
    assert code == 0
    got = json.loads(out)
    va, vb = _leaf_values(a), _leaf_values(b)
    shared = sorted(set(va) & set(vb))
    x, y = [va[k] for k in shared], [vb[k] for k in shared]
    assert got["pairs"] == len(shared) > 50
    ref = cohen_kappa_score(x, y, weights="quadratic", labels=list(range(6)))
    assert got["weighted_kappa"] == round(ref, 4)
    assert got["exact_agreement"] == round(
        sum(p == q for p, q in zip(x, y, strict=True)) / len(x), 4
    )
    assert got["within_one"] == round(
        sum(abs(p - q) <= 1 for p, q in zip(x, y, strict=True)) / len(x), 4
    )
    # Disagreements of 2 or more, most points at stake first.
    stakes = [Decimal(d["points_at_stake"]) for d in got["disagreements"]]
    assert stakes == sorted(stakes, reverse=True)
    assert all(d["spread"] >= 2 for d in got["disagreements"])
    assert {d["leaf"] for d in got["disagreements"]} == {
        k for k in shared if abs(va[k] - vb[k]) >= 2
    }
    assert set(got["by_domain"]) == {"SP", "CB", "DO", "MI"}
    assert sum(d["pairs"] for d in got["by_domain"].values()) == got["pairs"]


def test_alpha_matches_krippendorff_for_three_files(tmp_path, capsys):
    import krippendorff

    docs = [_perturbed(s, n) for s, n in ((3, "甲"), (4, "乙"), (5, "丙"))]
    paths = []
    for i, doc in enumerate(docs):
        p = tmp_path / f"r{i}.yaml"
        p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        paths.append(str(p))
    code, out, _ = run(capsys, "agreement", *paths, "--json")
    assert code == 0
    got = json.loads(out)
    values = [_leaf_values(d) for d in docs]
    shared = sorted(set(values[0]) & set(values[1]) & set(values[2]))
    data = np.array([[v[k] for k in shared] for v in values])
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
    assert got["alpha_ordinal"] == round(ref, 4)
    assert got["weighted_kappa"] is None  # defined for two files only
    assert len(got["pairwise_weighted_kappa"]) == 3


@pytest.mark.parametrize("seed", range(6))
def test_statistics_against_references_on_random_data(seed):
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    rnd = random.Random(seed)
    a = [rnd.randint(0, 5) for _ in range(30)]
    b = [min(5, max(0, x + rnd.choice([-2, -1, 0, 1]))) for x in a]
    c = [min(5, max(0, x + rnd.choice([-1, 0, 1]))) for x in a]
    assert cohen_kappa_quadratic(a, b) == pytest.approx(
        cohen_kappa_score(a, b, weights="quadratic", labels=list(range(6))), abs=1e-12
    )
    assert krippendorff_alpha_ordinal(list(zip(a, b, c, strict=True))) == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([a, b, c]), level_of_measurement="ordinal"),
        abs=1e-12,
    )


def test_client_mode_reads_one_file_per_assessor(tmp_path, capsys, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "params" / "demo", tmp_path / "params" / "demo")
    shutil.copy(ROOT / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    folder = tmp_path / "params" / "demo" / "ratings"
    shutil.rmtree(folder)  # the demo's own two assessors: replaced here
    folder.mkdir()
    for name, seed in (("wang", 1), ("chen", 2)):
        (folder / f"{name}.yaml").write_text(
            yaml.safe_dump(_perturbed(seed, name), allow_unicode=True), encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "agreement", "demo")
    assert code == 0, err
    assert "assessors: chen, wang" in out and "α (ordinal)" in out


def test_one_file_is_a_clear_error(two_assessors, capsys):
    (pa, _), _, _ = two_assessors
    code, _, err = run(capsys, "agreement", str(pa))
    assert code == 1 and "at least two" in err
