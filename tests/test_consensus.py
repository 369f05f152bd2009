"""`ccua consensus`: one ratings file from independent assessors, every resolution recorded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ccua.ratings import load_ratings
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def two_raters(tmp_path, monkeypatch):
    """The demo client with two assessors who differ on two leaves."""
    shutil.copytree(ROOT / "params" / "demo", tmp_path / "params" / "demo")
    shutil.copy(ROOT / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    folder = tmp_path / "params" / "demo"
    shutil.rmtree(folder / "ratings")  # the demo's own two assessors: replaced here
    (folder / "ratings").mkdir()
    base = yaml.safe_load((folder / "ratings.yaml").read_text(encoding="utf-8"))
    wang = json.loads(json.dumps(base))
    chen = json.loads(json.dumps(base))
    chen["items"]["SP1"]["ratings"]["c"]["rating"] = 2  # wang 4
    chen["items"]["DO6"]["ratings"]["c.1"]["rating"] = 5  # wang 3
    chen["items"]["SP1"]["ratings"]["c"]["evidence"] = "现场观察"
    for name, doc in (("wang", wang), ("chen", chen)):
        (folder / "ratings" / f"{name}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    return folder, base


def test_disagreements_must_be_resolved_then_recorded(two_raters, capsys):
    folder, base = two_raters
    before = (folder / "ratings.yaml").read_bytes()
    code, out, _ = run(capsys, "consensus", "demo", "--json")
    got = json.loads(out)
    assert code == 1 and got["written"] is None
    assert {d["leaf"]: d["given"] for d in got["unresolved"]} == {
        "DO6.c.1": {"chen": "5", "wang": "3"},
        "SP1.c": {"chen": "2", "wang": "4"},
    }
    assert (folder / "ratings.yaml").read_bytes() == before  # nothing written

    code, _, err = run(capsys, "consensus", "demo", "--resolve", "SP1.c=3")
    assert code == 1 and "--by" in err  # who and why are required
    code, out, _ = run(
        capsys,
        "consensus",
        "demo",
        "--resolve",
        "SP1.c=3",
        "--resolve",
        "DO6.c.1=4",
        "--by",
        "赵国华",
        "--why",
        "复核现场记录",
        "--json",
    )
    # The existing ratings.yaml holds an assessor's ratings: refused without --force (the
    # error comes as JSON with --json), and the file is untouched.
    assert code == 1 and "--force" in json.loads(out)["error"]
    assert (folder / "ratings.yaml").read_bytes() == before
    code, out, err = run(capsys, "consensus", "demo", "--force", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["resolved"] == ["DO6.c.1", "SP1.c"] and got["unresolved"] == []
    assert (folder / "ratings.before-consensus.yaml").read_bytes() == before  # kept
    consensus = load_ratings(folder / "ratings.yaml")
    sp1c = consensus.items["SP1"].ratings["c"]
    assert sp1c.rating == 3 and sp1c.by == "赵国华"
    assert "复核现场记录" in sp1c.note and "chen 2" in sp1c.note and "wang 4" in sp1c.note
    assert "现场观察" in sp1c.evidence
    assert consensus.items["DO6"].ratings["c.1"].rating == 4
    # Leaves both gave the same rating are taken as they are.
    assert (
        consensus.items["SP1"].ratings["a"].rating == base["items"]["SP1"]["ratings"]["a"]["rating"]
    )
    # The resolutions stay on record for the next build; the run reads the consensus.
    recorded = yaml.safe_load((folder / "consensus.yaml").read_text(encoding="utf-8"))
    assert recorded["resolutions"]["SP1.c"] == {"rating": 3, "by": "赵国华", "why": "复核现场记录"}
    code, out, _ = run(capsys, "consensus", "demo", "--json")  # rebuild: no --force
    assert code == 0
    code, out, err = run(capsys, "check", "params/demo.yaml")
    assert code == 0, out + err


def test_bad_resolution_file_names_the_line(two_raters, capsys):
    folder, _ = two_raters
    (folder / "consensus.yaml").write_text(
        "resolutions:\n  SP1.c: {rating: 9, by: a, why: b}\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "consensus", "demo")
    assert code == 1 and "consensus.yaml:2" in err and "0-5" in err


def test_an_unreadable_ratings_file_is_never_replaced_silently(two_raters, capsys):
    folder, _ = two_raters
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (folder / "ratings.yaml").write_text(laughs, encoding="utf-8")
    before = (folder / "ratings.yaml").read_bytes()
    code, _, _ = run(
        capsys,
        "consensus",
        "demo",
        "--resolve",
        "SP1.c=3",
        "--resolve",
        "DO6.c.1=4",
        "--by",
        "赵国华",
        "--why",
        "复核",
    )
    assert code == 1 and (folder / "ratings.yaml").read_bytes() == before


def test_every_bad_resolution_is_reported_at_once_with_its_line(tmp_path):
    from ccua.consensus import load_resolutions
    from ccua.errors import ValidationFailed

    (tmp_path / "consensus.yaml").write_text(
        "resolutions:\n"
        "  SP1.c: {rating: 9, by: a, why: b}\n"
        "  CB1.a: 3\n"
        "  CB1.b: {rating: 3, by: a, why: b, colour: red}\n"
        "  CB1.c: {na: true}\n"
        "  CB2: {percent: 80, by: 王立新, why: 整项按抽样结果评定}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as exc:
        load_resolutions(tmp_path)
    f = str(tmp_path / "consensus.yaml")
    assert [str(p) for p in exc.value.problems] == [
        f"{f}:2: resolutions.SP1.c.rating: rating must be a whole number 0-5, got 9",
        f"{f}:3: resolutions.CB1.a: a resolution is {{rating: 0-5, by: NAME, why: TEXT}}",
        f"{f}:4: resolutions.CB1.b.colour: unknown key; expected one of by, na, percent, "
        "rating, why",
        f"{f}:5: resolutions.CB1.c: a resolution says who resolved it (by) and why",
    ]
    (tmp_path / "consensus.yaml").write_text(
        "resolutions:\n  CB2: {percent: 80, by: 王立新, why: 整项}\n", encoding="utf-8"
    )
    assert load_resolutions(tmp_path)["CB2"].percent == "80"
