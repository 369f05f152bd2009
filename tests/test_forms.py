"""Assessor forms: the ratings document (model) and the widgets driven from Python.

Every expected score below is computed by hand in the comment beside it. The client comes from
tests/engagement_fixture.py; its data rates two indicator requirements (GUIDE §3.2):
CB1.3 应答速度 24 s against ≤30 s → CB1: 1 of 1 met → rating 5; DO6.9 放弃率 4 % ≤ 5 % and
DO6.13 服务水平 80 % ≥ 80 % → DO6: 2 of 2 met → rating 5. No other item has a target.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from ccua.errors import CcuaError, RatingsError, ValidationFailed
from ccua.forms import (
    RatingsConflict,
    RatingsDocument,
    build_form,
    indicator_data,
    open_context,
    open_document,
    progress,
    remembered_assessor,
)
from ccua.forms._app import launcher_notebook
from ccua.forms._widgets import NA, IndicatorRow
from ccua.ratings import load_ratings
from ccua.spec import load_framework
from tests.engagement_fixture import make_client

ROOT = Path(__file__).resolve().parents[1]
CST = timezone(timedelta(hours=8))


class Clock:
    """A clock that moves one minute per reading, so every stamp is known in advance."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 16, 9, 0, tzinfo=CST)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The remembered assessor name goes to a temporary config folder, never the real home.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(scope="module")
def tccua():
    return load_framework("t-ccua")


@pytest.fixture(scope="module")
def guideline():
    return load_framework("ccea-guideline")


@pytest.fixture
def params(tmp_path: Path) -> Path:
    """A client with data but nothing rated yet."""
    return make_client(tmp_path, ratings={"framework": "t-ccua"})


def ratings_file(params: Path) -> Path:
    return params.parent / "acme" / "ratings.yaml"


def history_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- the document
def test_edits_round_trip_through_the_file(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="王立新", client="acme", clock=Clock())
    doc.set_entry("CB1", "a.1", rating=4, evidence="运营管理规范 第3章")
    doc.set_entry("CB1", "b", na=True, note="不适用：无新业务")
    doc.set_entry("CB1", "e", rating=2, note="数据不全，人工评定")
    doc.set_item("SP1", percent="85.5", note="表E.5 示例")
    report = doc.save()
    assert report.saved and not report.held_back

    parsed = load_ratings(path, tccua)
    cb1 = parsed.items["CB1"].ratings
    assert (cb1["a.1"].rating, cb1["a.1"].evidence) == (4, "运营管理规范 第3章")
    assert (cb1["b"].na, cb1["b"].note) == (True, "不适用：无新业务")
    assert (cb1["e"].rating, cb1["e"].note) == (2, "数据不全，人工评定")
    assert parsed.items["SP1"].percent == Decimal("85.5")
    # who and when on every changed entry: the clock ticks once per edit (09:01 … 09:04)
    assert (cb1["a.1"].by, cb1["a.1"].at) == ("王立新", "2026-09-16T09:01:00+08:00")
    assert (cb1["e"].by, cb1["e"].at) == ("王立新", "2026-09-16T09:03:00+08:00")
    assert parsed.items["SP1"].at == "2026-09-16T09:04:00+08:00"

    again = RatingsDocument.open(path, assessor="someone else")  # framework from the file
    assert again.entry("CB1", "a.1").rating == 4
    assert again.entry("CB1", "b").na and again.entry("CB1", "b").note == "不适用：无新业务"
    assert again.item_view("SP1").percent == "85.5"
    assert again.ratings.items == parsed.items
    assert not again.dirty and not again.changed_on_disk()


def test_hand_written_comments_and_layout_survive_an_edit(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    original = (
        "# 要求评分 — kept by hand\n"
        "framework: t-ccua\n"
        "title: 测评 要求评分   # the title\n"
        "items:\n"
        "  SP1: {percent: 85.50, note: 表E.5 示例}   # override\n"
        "  CB1:\n"
        "    ratings:\n"
        "      a: {1: 3, 2: 4, 3: 5}   # nested form\n"
        "      b.1: 3\n"
        "      b.2: 3   # interview\n"
    )
    path.write_text(original, encoding="utf-8")
    doc = RatingsDocument(path, tccua, assessor="陈思远", clock=Clock())
    doc.set_entry("CB1", "b.2", rating=4)
    doc.save()
    lines = path.read_text(encoding="utf-8").splitlines()
    before = original.splitlines()
    # Every line but the edited one is unchanged, comments and the 85.50 spelling included.
    assert lines[:9] == before[:9]
    assert lines[9].startswith(
        "      b.2: {rating: 4, by: 陈思远, at: '2026-09-16T09:01:00+08:00'}"
    )
    assert "# interview" in lines[9]
    assert len(lines) == len(before)


def test_guideline_item_codes_stay_text_and_whole_items_can_be_rated(tmp_path: Path, guideline):
    path = tmp_path / "ratings.yaml"
    path.write_text("framework: ccea-guideline\nitems:\n  2.1: 3\n", encoding="utf-8")
    doc = RatingsDocument(path, guideline, assessor="王立新", clock=Clock())
    doc.set_item("2.10", rating=4)  # 2.10 is not 2.1: a float reader would merge them
    doc.set_entry("1.1", "a.10", rating=2)
    doc.set_item("9.1", na=True, note="不涉及用户权益")
    doc.save()
    parsed = load_ratings(path, guideline)
    assert parsed.items["2.1"].rating == 3 and parsed.items["2.10"].rating == 4
    assert parsed.items["1.1"].ratings["a.10"].rating == 2
    assert parsed.items["9.1"].na
    text = path.read_text(encoding="utf-8")
    assert "  2.1: 3\n" in text and '  "2.10":' in text  # quoted: any YAML reader agrees


def test_invalid_values_cannot_be_saved(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="王立新")
    with pytest.raises(RatingsError, match=r"rating must be a whole number 0-5 \(0 完全不遵守"):
        doc.set_entry("CB1", "a.1", rating=7)
    with pytest.raises(RatingsError, match="rating must be a whole number"):
        doc.set_entry("CB1", "a.1", rating="4")
    with pytest.raises(RatingsError, match="percent must be between 0 and 100, got 120"):
        doc.set_item("SP1", percent=120, note="x")
    with pytest.raises(RatingsError, match="CB1 has no requirement 'z'"):
        doc.set_entry("CB1", "z", rating=3)
    with pytest.raises(RatingsError, match="requirement CB1.a has no sub-point '9'"):
        doc.set_entry("CB1", "a.9", rating=3)
    with pytest.raises(RatingsError, match="t-ccua rates requirements, not whole items"):
        doc.set_item("SP1", rating=3)
    with pytest.raises(CcuaError, match="assessor's name is empty"):
        doc.assessor = "  "
    assert not doc.dirty


def test_an_invalid_edit_is_held_back_and_the_rest_saved(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="王立新")
    doc.set_entry("CB1", "b.1", na=True)  # N/A needs a note
    doc.set_entry("CB1", "e", rating=4)  # a hand rating of the data needs a note
    doc.set_entry("SP2", "a", rating=3)  # fine
    report = doc.save()
    assert report.saved
    messages = sorted(p.message for p in report.held_back)
    assert any("mandatory when a requirement is marked not applicable" in m for m in messages)
    assert any("the indicator requirement is rated from the data" in m for m in messages)
    on_disk = load_ratings(path, tccua)
    assert set(on_disk.items) == {"SP2"}  # neither CB1 entry reached the file
    assert len(doc.pending) == 2 and doc.entry("CB1", "b.1").na  # but the form still shows them
    doc.set_entry("CB1", "b.1", note="不适用：无此业务")
    doc.set_entry("CB1", "e", note="数据口径不一致，人工评定")
    report = doc.save()
    assert report.saved and not report.held_back and not doc.pending
    on_disk = load_ratings(path, tccua)
    assert on_disk.items["CB1"].ratings["b.1"].na
    assert on_disk.items["CB1"].ratings["e"].rating == 4


def test_whole_requirement_and_subpoints_exclude_each_other(tmp_path: Path, tccua):
    doc = RatingsDocument(tmp_path / "r.yaml", tccua, assessor="a")
    doc.set_entry("CB1", "a.1", rating=3)
    doc.set_entry("CB1", "a.2", rating=4)
    doc.set_entry("CB1", "a", rating=2)
    assert doc.item_view("CB1").keys == ("a",)
    doc.set_entry("CB1", "a.3", rating=5)
    assert doc.item_view("CB1").keys == ("a.3",)
    assert doc.save().saved


def test_override_replaces_ratings_and_history_keeps_them(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="王立新", clock=Clock())
    doc.set_entry("DO8", "a.1", rating=3)
    doc.save()
    doc.set_item("DO8", percent=65, note="表E.5 示例")
    doc.save()
    item = load_ratings(path, tccua).items["DO8"]
    assert item.percent == Decimal(65) and not item.ratings
    lines = history_lines(doc.history_path)
    removed = [r for r in lines if r["path"] == "a.1" and r["new"] is None]
    assert removed and removed[0]["old"]["rating"] == 3  # the replaced rating is in the log
    assert any(r["path"] == "" and r["new"]["percent"] == "65" for r in lines)


def test_history_is_append_only_with_old_and_new(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="王立新", clock=Clock())
    doc.set_entry("SP1", "a", rating=3)
    doc.save()
    first = doc.history_path.read_bytes()
    doc.assessor = "陈思远"
    doc.set_entry("SP1", "a", rating=4, note="复核后上调")
    doc.save()
    assert doc.history_path.read_bytes().startswith(first)
    lines = history_lines(doc.history_path)
    assert [(r["by"], r["item"], r["path"]) for r in lines] == [
        ("王立新", "SP1", "a"),
        ("陈思远", "SP1", "a"),
    ]
    assert lines[0]["old"] is None and lines[0]["new"]["rating"] == 3
    assert lines[1]["old"]["rating"] == 3 and lines[1]["old"]["by"] == "王立新"
    # clock readings: 09:01 stamp, 09:02 log line, 09:03 the second stamp
    assert lines[1]["new"] == {
        "rating": 4,
        "note": "复核后上调",
        "by": "陈思远",
        "at": "2026-09-16T09:03:00+08:00",
    }
    assert all(r["file"] == "ratings.yaml" for r in lines)


def test_a_half_written_history_line_does_not_swallow_the_next(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="a")
    doc.history_path.write_text('{"at": "2026-09-16", "by": "x", "it', encoding="utf-8")
    doc.set_entry("SP1", "a", rating=3)
    doc.save()
    lines = doc.history_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"at": "2026-09-16", "by": "x", "it'
    assert json.loads(lines[1])["path"] == "a"


def test_concurrent_change_is_detected_and_never_overwritten(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    RatingsDocument(path, tccua, assessor="setup").save()
    mine = RatingsDocument(path, tccua, assessor="王立新")
    theirs = RatingsDocument(path, tccua, assessor="陈思远")
    theirs.set_entry("SP1", "a", rating=5)
    theirs.save()
    their_bytes = path.read_bytes()

    assert mine.changed_on_disk()
    mine.set_entry("CB1", "a.1", rating=2)
    with pytest.raises(
        RatingsConflict, match="changed on disk .*last saved by 陈思远.*nothing was overwritten"
    ):
        mine.save()
    assert path.read_bytes() == their_bytes and mine.dirty

    report = mine.reload()  # a different item: re-applied over theirs
    assert report.reapplied == 1 and report.conflicting_items == () and report.copy is None
    mine.save()
    both = load_ratings(path, tccua)
    assert both.items["SP1"].ratings["a"].rating == 5
    assert both.items["CB1"].ratings["a.1"].rating == 2


def test_same_item_conflict_keeps_our_version_in_a_copy(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    RatingsDocument(path, tccua, assessor="setup").save()
    mine = RatingsDocument(path, tccua, assessor="王立新", clock=Clock())
    theirs = RatingsDocument(path, tccua, assessor="陈思远")
    theirs.set_entry("SP1", "a", rating=5)
    theirs.save()
    mine.set_entry("SP1", "a", rating=1)
    mine.set_entry("SP2", "a", rating=3)
    report = mine.reload()
    assert report.conflicting_items == ("SP1",) and report.reapplied == 1
    assert report.copy is not None and report.copy.name == "ratings.王立新-20260916T090300.yaml"
    kept = load_ratings(report.copy, tccua)  # our version, valid, beside the file
    assert kept.items["SP1"].ratings["a"].rating == 1
    assert mine.entry("SP1", "a").rating == 5  # the form now shows theirs …
    mine.save()
    on_disk = load_ratings(path, tccua)  # … and saves our other item over it
    assert on_disk.items["SP1"].ratings["a"].rating == 5
    assert on_disk.items["SP2"].ratings["a"].rating == 3
    assert any(r.get("event") == "copy" for r in history_lines(mine.history_path))


def test_keep_both(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    RatingsDocument(path, tccua, assessor="setup").save()
    mine = RatingsDocument(path, tccua, assessor="王立新")
    theirs = RatingsDocument(path, tccua, assessor="陈思远")
    theirs.set_entry("SP3", "b", rating=4)
    theirs.save()
    mine.set_entry("SP3", "b", rating=2)
    copy = mine.keep_both()
    assert load_ratings(copy, tccua).items["SP3"].ratings["b"].rating == 2
    assert load_ratings(path, tccua).items["SP3"].ratings["b"].rating == 4
    assert not mine.dirty and not mine.changed_on_disk()
    assert mine.entry("SP3", "b").rating == 4


def test_touching_the_file_without_changing_it_is_not_a_conflict(tmp_path: Path, tccua):
    import os

    path = tmp_path / "ratings.yaml"
    doc = RatingsDocument(path, tccua, assessor="a")
    doc.save()
    before = doc.fingerprint
    assert before is not None and before.size == path.stat().st_size
    os.utime(path, ns=(before.mtime_ns + 10**9, before.mtime_ns + 10**9))
    assert not doc.changed_on_disk()
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert doc.changed_on_disk()


def test_an_invalid_file_is_refused_with_every_problem(tmp_path: Path, tccua):
    path = tmp_path / "ratings.yaml"
    path.write_text(
        "framework: t-ccua\nitems:\n  SP1: {percent: 120}\n  XX9: 3\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as exc:
        RatingsDocument(path, tccua, assessor="a")
    assert len(exc.value.problems) >= 2
    assert "ratings.yaml:3" in str(exc.value) and "no item 'XX9'" in str(exc.value)


# --------------------------------------------------------------------------- data and scores
def test_indicator_data_rates_from_attainment(params: Path, tccua):
    context, doc = open_document(params, assessor="a")
    data = indicator_data(context)
    # A fresh client: the run refuses a ratings file without any rating, so the form waits.
    assert data.waiting_for_ratings and not data.attainment
    doc.set_entry("SP1", "a", rating=3)
    doc.save()
    data = indicator_data(context)
    assert data.problem is None
    assert (data.attainment["CB1"].met, data.attainment["CB1"].evaluable) == (1, 1)
    assert (data.attainment["DO6"].met, data.attainment["DO6"].evaluable) == (2, 2)
    assert data.rating(tccua, "CB1") == Fraction(5)  # 100 % met → top of the scale
    assert data.rating(tccua, "SP1") is None  # no target: rated by hand


def test_no_monthly_data_means_hand_rating(params: Path):
    (params.parent / "acme" / "monthly.csv").unlink()
    context, _ = open_document(params, assessor="a")
    data = indicator_data(context)
    assert not data.waiting_for_ratings and not data.attainment
    assert "monthly" in (data.problem or "")


def test_progress_and_live_item_score(params: Path, tccua):
    context, doc = open_document(params, assessor="a")
    for key in ("a.1", "a.2", "a.3", "b.1", "b.2", "c.1", "c.2", "d.1"):
        doc.set_entry("CB1", key, rating=3)
    doc.save()
    data = indicator_data(context)
    state = progress(tccua, doc.ratings, data.attainment, {"CB1"})
    assert state.item("CB1").state == "partial" and state.item("CB1").percent is None
    doc.set_entry("CB1", "d.2", rating=4)
    doc.save()
    state = progress(tccua, doc.ratings, data.attainment, {"CB1"})
    # a = 3, b = 3, c = 3, d = (3 + 4) / 2 = 3.5, e = 5 (data): mean 17.5 / 5 = 3.5 → 70 %;
    # score 5.00 × 70 % = 3.50
    assert state.item("CB1").state == "complete"
    assert state.item("CB1").percent == Decimal("70.00")
    assert state.item("CB1").score == Decimal("3.50")
    assert state.complete == 1 and state.total == 19
    assert state.item("SP1").state == "empty" and state.item("SP1").label == "○ SP1 战略目标"


# --------------------------------------------------------------------------- widgets
def test_widgets_set_save_reload_compare(params: Path):
    form = build_form(params, assessor="王立新", start="CB1")
    assert list(form.rows) == ["a.1", "a.2", "a.3", "b.1", "b.2", "c.1", "c.2", "d.1", "d.2", "e"]
    labels = [label for label, _ in form.rows["a.1"].rating.options]
    assert labels == [
        "0 完全不遵守",
        "1 很少遵循标准",
        "2 部分遵循标准",
        "3 遵循标准",
        "4 部分超过遵循标准",
        "5 完全超过遵循标准",
        "不适用 N/A",
    ]
    form.rows["a.1"].rating.value = 4
    form.rows["a.1"].evidence.value = "运营管理规范 第3章"
    form.rows["a.2"].rating.value = NA
    assert "Not saved yet" in form.status.value and "mandatory" in form.status.value
    form.rows["a.2"].note.value = "不适用：无此业务"
    assert "Saved" in form.status.value
    form.panel.note.value = "业务能力：总体良好"

    on_disk = load_ratings(ratings_file(params))
    cb1 = on_disk.items["CB1"]
    assert cb1.ratings["a.1"].rating == 4 and cb1.ratings["a.1"].evidence == "运营管理规范 第3章"
    assert cb1.ratings["a.2"].na and cb1.note == "业务能力：总体良好"

    reopened = build_form(params, assessor="陈思远", start="CB1")
    assert reopened.rows["a.1"].rating.value == 4
    assert reopened.rows["a.1"].evidence.value == "运营管理规范 第3章"
    assert reopened.rows["a.2"].rating.value == NA
    assert reopened.rows["a.2"].note.value == "不适用：无此业务"
    assert reopened.panel.note.value == "业务能力：总体良好"
    assert reopened.rows["a.3"].rating.value is None
    assert "王立新" in reopened.rows["a.1"].meta.value


def test_reopening_continues_where_the_assessor_left_off(params: Path):
    form = build_form(params, assessor="王立新")
    assert form.item.code == "SP1"
    form.go("DO3")
    form.rows["a.1"].rating.value = 3
    assert build_form(params, assessor="王立新").item.code == "DO3"
    assert build_form(params, assessor="someone new").item.code == "SP1"


def test_indicator_row_reads_the_data_and_needs_a_note_to_override(params: Path):
    form = build_form(params, assessor="王立新", start="DO6")
    form.rows["a.1"].rating.value = 3  # the first save lets the data load
    row = form.rows["e"]
    assert isinstance(row, IndicatorRow) and row.has_data
    assert "2 of 2 indicators meet their targets (100.00%)" in row.info.value
    assert "rating <b>5.00</b>" in row.info.value
    assert row.rating.disabled  # read-only unless overridden
    row.by_hand.value = True
    assert not row.rating.disabled
    row.rating.value = 4
    assert "Not saved yet" in form.status.value
    assert "e" not in load_ratings(ratings_file(params)).items["DO6"].ratings
    row.note.value = "数据口径与中心报表不一致"
    entry = load_ratings(ratings_file(params)).items["DO6"].ratings["e"]
    assert (entry.rating, entry.note) == (4, "数据口径与中心报表不一致")
    row.by_hand.value = False  # back to the data: the override is removed
    assert "e" not in load_ratings(ratings_file(params)).items["DO6"].ratings


def test_indicator_row_without_data_is_rated_by_hand(params: Path):
    form = build_form(params, assessor="王立新", start="SP2")
    form.rows["a"].rating.value = 3
    row = form.rows["d"]
    assert not row.has_data and not row.rating.disabled
    assert "No indicator of this item can be evaluated" in row.info.value
    row.note.value = "战略文件齐备"
    row.rating.value = 3
    assert load_ratings(ratings_file(params)).items["SP2"].ratings["d"].rating == 3


def test_item_override_in_the_form(params: Path):
    form = build_form(params, assessor="王立新", start="DO8")
    form.panel.override.value = True
    form.panel.percent.value = "65"
    assert "Not saved yet" in form.status.value and "needs a note" in form.status.value
    form.panel.note.value = "表E.5 示例"
    item = load_ratings(ratings_file(params)).items["DO8"]
    assert item.percent == Decimal(65) and item.note == "表E.5 示例"
    # DO8 has 1.75 points: 1.75 × 65 % = 1.1375 → 1.14 (half-up)
    assert "65.00%" in form.result.value and "<b>1.14</b> / 1.75" in form.result.value
    form.panel.percent.value = "abc"
    assert "percent must be a number 0-100, got 'abc'" in html.unescape(form.status.value)
    assert load_ratings(ratings_file(params)).items["DO8"].percent == Decimal(65)


def test_form_detects_a_concurrent_change_and_reloads(params: Path):
    form = build_form(params, assessor="王立新", start="SP1")
    form.rows["a"].rating.value = 3
    other = RatingsDocument(ratings_file(params), form.framework, assessor="陈思远")
    other.set_entry("SP2", "b", rating=5)
    other.save()
    form.rows["b"].rating.value = 4
    assert "changed on disk" in form.status.value and "陈思远" in form.status.value
    assert form.conflict_box.layout.display == "flex"
    assert "b" not in load_ratings(ratings_file(params)).items["SP1"].ratings
    form.reload_button.click()
    assert form.conflict_box.layout.display == "none"
    on_disk = load_ratings(ratings_file(params))
    assert on_disk.items["SP1"].ratings["b"].rating == 4  # ours, re-applied
    assert on_disk.items["SP2"].ratings["b"].rating == 5  # theirs, kept


def test_form_keep_both(params: Path):
    form = build_form(params, assessor="王立新", start="SP1")
    form.rows["a"].rating.value = 3
    other = RatingsDocument(ratings_file(params), form.framework, assessor="陈思远")
    other.set_entry("SP1", "a", rating=5)
    other.save()
    form.rows["a"].rating.value = 1
    form.keep_both_button.click()
    copies = sorted(ratings_file(params).parent.glob("ratings.王立新-*.yaml"))
    assert len(copies) == 1
    assert load_ratings(copies[0]).items["SP1"].ratings["a"].rating == 1
    assert load_ratings(ratings_file(params)).items["SP1"].ratings["a"].rating == 5
    assert form.rows["a"].rating.value == 5 and "kept in" in form.status.value


def test_assessor_name_is_recorded_and_remembered(params: Path):
    form = build_form(params, assessor="王立新", start="SP1")
    form.assessor.value = "陈思远"
    form.rows["a"].rating.value = 2
    assert load_ratings(ratings_file(params)).items["SP1"].ratings["a"].by == "陈思远"
    assert remembered_assessor() == "陈思远"
    assert build_form(params).doc.assessor == "陈思远"
    form.assessor.value = "   "
    assert "name is empty" in form.status.value and form.assessor.value == "陈思远"


def test_navigation_and_jump_list(params: Path):
    form = build_form(params, assessor="王立新", start="SP1")
    form.prev_button.click()
    assert form.item.code == "MI3"  # wraps around
    form.next_button.click()
    form.next_button.click()
    assert form.item.code == "SP2"
    form.jump.value = "DO5"
    assert form.item.code == "DO5" and next(iter(form.rows)) == "a.1"
    form.rows["a.1"].rating.value = 3
    labels = {code: label for label, code in form.jump.options}
    assert labels["DO5"] == "◐ DO5 质量管理" and labels["SP1"] == "○ SP1 战略目标"
    assert "rated 已评 <b>0</b> / 19" in form.progress_text.value


def test_rate_all_19_items_in_the_form_then_run_scores_it(params: Path, tmp_path: Path):
    """An assessor rates everything "3 遵循标准" (indicator requirements without data by hand,
    with a note); ``ccua run`` then scores the saved file.

    Hand computation: every item is 60 % except CB1 and DO6, whose indicator requirement is 5
    from the data: (4 × 3 + 5) / 5 = 3.4 → 68 %. CB1 5 × 68 % = 3.40; DO6 7 × 68 % = 4.76;
    the other 88 points × 60 % = 52.80 (each item score is exact to the cent). Total 60.96, 合格.
    """
    from ccua.runner import run_client

    form = build_form(params, assessor="王立新", start="SP1")
    for item in form.framework.items:
        form.jump.value = item.code
        for row in form.rows.values():
            if isinstance(row, IndicatorRow):
                if row.has_data:
                    continue
                row.note.value = "无目标值，人工评定"
            row.rating.value = 3
    assert form.state.complete == 19 and "rated 已评 <b>19</b> / 19" in form.progress_text.value
    assert form.state.assessment is not None and form.state.assessment.total == Decimal("60.96")

    summary = run_client(params, output=tmp_path / "run", notebooks=False, report=False)
    assert summary.status == "ok" and summary.total == 60.96 and summary.grade == "合格"
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    items = {i["code"]: i for i in results["assessment"]["items"]}
    assert items["CB1"]["score"] == 3.40 and items["DO6"]["score"] == 4.76
    assert items["MI1"]["score"] == 7.20  # 12 × 60 %


def test_guideline_form_rates_whole_items(tmp_path: Path, guideline):
    from tests.engagement_fixture import engagement_data

    params = make_client(
        tmp_path,
        framework=guideline,
        ratings={"framework": "ccea-guideline"},
        engagement=engagement_data(guideline),
        targets={"targets": {}},
    )
    (params.parent / "acme" / "monthly.csv").unlink()
    form = build_form(params, assessor="王立新", start="2.10")
    assert form.panel.whole is not None
    assert [code for code in form.rows] == ["a", "b", "c", "d", "e"]
    form.panel.whole.value = 4
    item = load_ratings(ratings_file(params), guideline).items["2.10"]
    assert item.rating == 4
    # Area 2 (15 points) has ten items; only 2.10 is rated: mean 4 / 5 = 80 % → 12.00 so far.
    assert "80.00%" in form.result.value and "12.00 / 15.00" in form.result.value
    form.jump.value = "1.1"  # requirement a has ten numbered sub-points: a row for each
    assert list(form.rows) == [f"a.{n}" for n in range(1, 11)] + ["b", "c", "d"]


def test_bad_params_file_is_one_clear_error(tmp_path: Path):
    with pytest.raises(CcuaError, match="file not found"):
        open_context(tmp_path / "missing.yaml")


# --------------------------------------------------------------------------- batch runs
def test_batch_runs_never_load_widgets():
    code = (
        "import sys, ccua.runner, ccua.results, ccua.cli\n"
        "bad = [m for m in ('ipywidgets', 'ccua.forms', 'voila') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_the_runner_never_executes_the_form_notebook(tmp_path: Path):
    from ccua.inputs import load_engagement
    from ccua.runner import notebook_jobs

    params = make_client(tmp_path)  # fully rated: the run accepts it
    jobs = notebook_jobs(load_engagement(params), ROOT / "notebooks")
    assert jobs and all(job.template.name != "ratings_form.ipynb" for job in jobs)


def test_form_notebook_is_committed_without_outputs_and_has_a_parameters_cell():
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "ratings_form.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert code[0].source.startswith("params_file = ")
    assert code[1].source.strip().endswith("ccua.forms.show(params_file)")


def test_the_form_notebook_runs_and_shows_the_widgets(params: Path, tmp_path: Path):
    """The JupyterLab notebook executes (parameters injected) and outputs one widget view."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / "ratings_form.ipynb", as_version=4)
    nb.cells[1].source = f"params_file = {str(params)!r}"
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1 and not [o for o in outputs if o.output_type == "error"]


def test_launcher_notebook_quotes_any_path(tmp_path: Path):
    import nbformat

    odd = tmp_path / "客户 \"x\" 'y'\\z.yaml"
    nb = nbformat.reads(launcher_notebook(odd), as_version=4)
    source = nb.cells[0].source
    compiled = compile(source, "launcher", "exec")
    assert "show" in compiled.co_names
    assert repr(str(odd.resolve())) in source


# --------------------------------------------------------------------------- ccua form
def run_cli(capsys, *args: str) -> tuple[int, str]:
    from ccua.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_ccua_form_bad_params_is_one_line(capsys, tmp_path: Path):
    code, err = run_cli(capsys, "form", str(tmp_path / "nope.yaml"), "--no-browser")
    assert code == 1 and err.startswith("error: ") and "file not found" in err
    assert "Traceback" not in err


def test_ccua_form_refuses_a_busy_port(capsys, params: Path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = run_cli(capsys, "form", str(params), "--port", str(port), "--no-browser")
    assert code == 1 and f"port {port} is in use" in err


@pytest.mark.parametrize("name", ["params/demo/ratings.yaml", "params/worked-example.ratings.yaml"])
def test_committed_ratings_files_round_trip_unchanged(name: str):
    from ccua.forms import _yamltree

    path = ROOT / name
    if not path.exists():
        pytest.skip(f"{name} is not in this checkout")
    text = path.read_text(encoding="utf-8")
    assert _yamltree.dump(_yamltree.load(text)) == text
