"""The crosswalk between the guideline and T/CCUA: references resolve, coverage is complete,
broken files are refused, and the projection matches hand computation."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from ccua.crosswalk import CROSSWALK_DIR, find_crosswalk, load_crosswalk, project
from ccua.errors import CcuaError, ValidationFailed
from ccua.ratings import load_ratings, parse_ratings
from ccua.scoring import score
from ccua.spec import load_framework
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
WORKED = ROOT / "params" / "worked-example.ratings.yaml"
GL, TC = "ccea-guideline", "t-ccua"


@pytest.fixture(scope="module")
def cw():
    return load_crosswalk(GL, TC)


@pytest.fixture(scope="module")
def gl():
    return load_framework(GL)


@pytest.fixture(scope="module")
def tc():
    return load_framework(TC)


def _raw() -> dict:
    return yaml.safe_load((CROSSWALK_DIR / f"{GL}__{TC}.yaml").read_text("utf-8"))


def test_every_reference_resolves_in_both_frameworks(gl, tc):
    raw = _raw()
    gl_items, tc_items = {i.code for i in gl.items}, {i.code for i in tc.items}
    gl_inds, tc_inds = {i.code for i in gl.indicators}, {i.code for i in tc.indicators}
    for link in raw["items"]:
        assert link["from"] in gl_items and set(link["to"]) <= tc_items, link["from"]
    for link in raw["indicators"]:
        assert link["from"] in gl_inds and set(link["to"]) <= tc_inds, link["from"]


def test_every_item_and_kpi_appears_once_mapped_or_explained(gl):
    raw = _raw()
    assert [lk["from"] for lk in raw["items"]] == [i.code for i in gl.items]
    kpis = [lk["from"] for lk in raw["indicators"]]
    assert len(kpis) == len(set(kpis)) and set(gl.kpi_table.kpis) <= set(kpis)
    for link in raw["items"] + raw["indicators"]:
        if link["to"]:
            assert link.get("fit") or link.get("match"), link["from"]
        else:
            assert link["none"].strip(), link["from"]


def test_the_mappings_the_issue_names(cw):
    items = {r.code: {c for c, _ in r.targets} for r in cw.item_rows(GL)}
    assert items["3.1"] == {"MI1", "DO3"}
    inds = {r.code: [c for c, _ in r.targets] for r in cw.indicator_rows(GL)}
    assert inds["A3.4"] == ["DO6.9"]  # 电话放弃率 → 放弃率
    assert inds["A4.5"] == ["DO6.13"]  # 服务水平 → 语音渠道服务水平
    assert inds["A4.1"] == ["CB1.3"]  # 平均应答速度 → 应答速度
    unmatched = [r.code for r in cw.item_rows(GL) if not r.targets]
    assert unmatched == [
        "1.4",
        "1.6",
        "1.7",
        "2.6",
        "2.10",
        "3.8",
        "7.7",
        "9.1",
        "9.2",
        "9.3",
        "9.4",
    ]


def test_the_reverse_direction_is_derived(cw, tc):
    rows = cw.item_rows(TC)
    assert [r.code for r in rows] == [i.code for i in tc.items]
    assert all(r.targets for r in rows)  # every T/CCUA item is reached
    do3 = next(r for r in rows if r.code == "DO3")
    assert [c for c, _ in do3.targets] == ["1.3", "3.1", "3.2", "3.7", "8.4"]
    inds = {r.code: r for r in cw.indicator_rows(TC)}
    assert len(inds) == 88 and [c for c, _ in inds["DO6.9"].targets] == ["A3.4"]
    assert not inds["MI2.10"].targets and "no KPI of ccea-guideline" in inds["MI2.10"].none


def _broken(tmp_path: Path, change) -> str:
    raw = _raw()
    change(raw)
    (tmp_path / f"{GL}__{TC}.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as exc:
        load_crosswalk(GL, TC, root=tmp_path)
    return str(exc.value)


def test_broken_crosswalks_are_refused_with_every_problem(tmp_path):
    def change(raw):
        raw["items"][0]["to"] = ["SP1", "XX9"]  # unknown T/CCUA item
        raw["items"].pop(1)  # 1.2 missing
        raw["items"][3]["fit"] = None  # 1.5 mapped without a fit
        raw["indicators"][0]["to"] = ["DO6.5"]  # percent vs seconds
        raw["indicators"][1]["none"] = ""  # unmatched without a reason
        raw["indicators"].append(dict(raw["indicators"][5]))  # a KPI twice

    text = _broken(tmp_path, change)
    for message in (
        "1.1: no item 'XX9' in t-ccua",
        "item 1.2 of ccea-guideline appears 0 times",
        "1.5: a mapped entry needs a fit and no none:",
        "A1.1 (percent) and DO6.5 (seconds) are in different units",
        "A1.2: an entry without counterpart needs none: with the reason",
        "KPI A3.2 of ccea-guideline appears 2 times",
    ):
        assert message in text, message


def test_crosswalk_problems_name_the_line_and_field(tmp_path):
    file = f"crosswalk/{GL}__{TC}.yaml"

    def line_of(text: str) -> int:
        lines = (tmp_path / f"{GL}__{TC}.yaml").read_text(encoding="utf-8").splitlines()
        return next(n for n, t in enumerate(lines, 1) if text in t)

    text = _broken(tmp_path, lambda raw: raw["items"][0].update(colour="red"))
    assert (
        f"{file}:{line_of('colour:')}: items.0.colour: unknown key; expected one of fit, from, "
        "none, note, to"
    ) in text
    text = _broken(tmp_path, lambda raw: raw["items"][2].update(to=["XX9"]))
    at = line_of("from: '1.3'") - 1  # the entry's first line (- fit: full; keys sorted)
    assert f"{file}:{at}: items.2: 1.3: no item 'XX9' in t-ccua" in text


def test_finding_a_crosswalk():
    cw, side = find_crosswalk(TC)
    assert side == TC and {cw.first.id, cw.second.id} == {GL, TC}
    assert find_crosswalk()[1] == GL  # the side the file is written from
    with pytest.raises(CcuaError, match="no crosswalk joins nope"):
        find_crosswalk("nope")
    with pytest.raises(CcuaError, match="both 't-ccua'"):
        find_crosswalk(TC, TC)


# -- the projection
def test_guideline_everywhere_4_projects_to_80(cw, gl):
    a = score(gl, parse_ratings({"framework": GL, "items": {i.code: 4 for i in gl.items}}, gl))
    p = project(a, cw)
    assert p.target == TC and p.complete and not p.missing
    assert all(i.fulfilment == Fraction(4, 5) for i in p.items)
    assert p.estimated_score == p.rescaled_total == Decimal("80.00")
    assert p.indicative_grade.name == "良好" and p.grade_source == TC


def test_a_target_item_takes_the_mean_of_its_sources(cw, gl):
    # DO3 is covered by 1.3, 3.1, 3.2, 3.7 and 8.4: rated 5, 4, 3, 2, 1 → mean 3 → 60 %
    # → DO3 score 3.50 × 0.6 = 2.10; MI1 ← 3.1 (4) and 6.3 (3) → 7/10 → 12 × 0.7 = 8.40
    items = {i.code: 3 for i in gl.items}
    items.update({"1.3": 5, "3.1": 4, "3.2": 3, "3.7": 2, "8.4": 1})
    p = project(score(gl, parse_ratings({"framework": GL, "items": items}, gl)), cw)
    by_code = {i.code: i for i in p.items}
    assert by_code["DO3"].sources == ("1.3", "3.1", "3.2", "3.7", "8.4")
    assert by_code["DO3"].fulfilment == Fraction(3, 5) and by_code["DO3"].score == Decimal("2.10")
    assert by_code["MI1"].sources == ("3.1", "6.3") and by_code["MI1"].score == Decimal("8.40")
    assert by_code["DO3"].partial is False  # 1.3, 3.1 and 3.2 fit fully


def test_t_ccua_worked_example_projects_onto_the_guideline(cw, tc):
    p = project(score(tc, load_ratings(WORKED)), cw)
    assert p.source == TC and p.target == GL and not p.complete
    items = {i.code: i for i in p.items}
    # 3.1 ← MI1 90 %, DO3 89 % → 89.5 % → rating 4.475 → 4.48
    assert items["3.1"].fulfilment == Fraction(179, 200) and items["3.1"].rating == Decimal("4.48")
    # area 1: 1.1 ← SP1 85, SP2 89 → 87; 1.2 ← SP3 87, SP1 85 → 86; 1.3 ← DO3 89; 1.5 ← CB4 81;
    # 1.4, 1.6, 1.7 have no counterpart → mean 85.75 % → 10 × 0.8575 = 8.575 → 8.58 (half-up)
    area1 = p.groups[0]
    assert area1.score == Decimal("8.58") and area1.covered_points == Decimal(10)
    # area 9 has no counterpart at all: its 7 points are not covered
    assert p.groups[8].score is None and p.covered_points == Decimal(93)
    assert [r.code for r in p.missing] == [
        "1.4",
        "1.6",
        "1.7",
        "2.6",
        "2.10",
        "3.8",
        "7.7",
        "9.1",
        "9.2",
        "9.3",
        "9.4",
    ]
    assert all(r.none for r in p.missing)
    assert p.estimated_score == sum(g.score for g in p.groups if g.score is not None)
    assert p.rescaled_total == (p.estimated_score * 100 / 93).quantize(Decimal("0.01"))
    assert p.grade_source == TC  # via comparison_grades


def test_indicator_values_carry_over(cw, tc):
    p = project(
        score(tc, load_ratings(WORKED)),
        cw,
        indicator_values={"DO6.9": Fraction(9, 2), "CB1.3": Fraction(18)},
    )
    kpis = {k.code: k for k in p.kpis}
    assert (kpis["A3.4"].value, kpis["A3.4"].source, kpis["A3.4"].match) == (
        Fraction(9, 2),
        "DO6.9",
        "similar",
    )
    assert (kpis["A4.1"].value, kpis["A4.1"].match) == (18, "same")
    assert kpis["A1.2"].value is None and "repeat-purchase" in kpis["A1.2"].reason
    assert kpis["A4.5"].value is None and "no value of DO6.13" in kpis["A4.5"].reason


# -- the command line


def test_crosswalk_json(capsys):
    code, out, _ = run(capsys, "crosswalk", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["from"], data["to"]) == (GL, TC)
    assert len(data["items"]) == 57 and len(data["indicators"]) == 38
    assert data["items"][0] == {
        "code": "1.1",
        "name": "呼叫中心战略指导方针",
        "to": [{"code": "SP1", "name": "战略目标"}, {"code": "SP2", "name": "规划重点"}],
        "grade": "full",
        "note": data["items"][0]["note"],
        "none": "",
    }
    assert "1.4" in data["unmatched"]["items"] and "A1.2" in data["unmatched"]["indicators"]
    code, out, _ = run(capsys, "crosswalk", "--from", TC, "--json")
    data = json.loads(out)
    assert code == 0 and data["to"] == GL and data["unmatched"]["items"] == []


def test_crosswalk_table_and_projection(capsys):
    code, out, _ = run(capsys, "crosswalk")
    assert code == 0 and "57 个评审细项：46 个有对应，11 个无对应（1.4、" in out
    assert "without counterpart" not in out and " code " not in out  # notes are English data
    code, out, _ = run(capsys, "crosswalk", "--lang", "en")
    assert code == 0 and "57 items: 46 mapped, 11 without counterpart (1.4, " in out
    assert "1.1    Call-centre strategic" in out and "呼叫中心战略指导方针" not in out
    assert "对应" not in out and "评审细项" not in out
    code, out, _ = run(capsys, "crosswalk", "--ratings", str(WORKED), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "estimate" and (data["from"], data["to"]) == (TC, GL)
    assert data["covered_points"] == 93 and len(data["missing"]) == 11
    code, out, _ = run(capsys, "crosswalk", "--ratings", str(WORKED))
    assert code == 0 and "不是测评得分" in out and "缺少证据" in out
    assert "估计计分 78.57 / 可推算分值 93.00（共 100.00）" in out
    code, out, _ = run(capsys, "crosswalk", "--ratings", str(WORKED), "--lang", "en")
    assert code == 0 and "Estimated score 78.57 / points estimable 93.00 (of 100.00)" in out
    assert re.search(r"[\u4e00-\u9fff]", out) is None, "Chinese in the English projection"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crosswalk", "--from", "nope"], "no crosswalk joins nope"),
        (
            ["crosswalk", "--ratings", str(WORKED), "--from", GL],
            "--from ccea-guideline but the ratings file is for t-ccua",
        ),
    ],
)
def test_bad_input_is_one_line(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
