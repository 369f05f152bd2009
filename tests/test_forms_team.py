"""Several assessors in the forms: independent files, submission, consensus mode (widgets)."""

from __future__ import annotations

import datetime

import pytest
import yaml

from ccua.forms import build_form
from ccua.forms._context import open_context
from ccua.forms._team import ConsensusForm, assessor_slug, submit, submitted
from ccua.ratings import load_ratings
from tests.engagement_fixture import make_client


@pytest.fixture()
def params(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return make_client(tmp_path, ratings={"framework": "t-ccua"})


def _rate(form, values: dict[str, int]) -> None:
    for key, value in values.items():
        form.rows[key].rating.value = value


def test_each_assessor_rates_in_a_file_of_their_own(params):
    folder = params.parent / "acme"
    wang = build_form(params, assessor="王立新", independent=True, start="SP1")
    _rate(wang, {"a": 4, "b": 5})
    chen = build_form(params, assessor="陈思远", independent=True, start="SP1")
    # The second assessor sees none of the first one's ratings.
    assert chen.rows["a"].rating.value is None and chen.rows["b"].rating.value is None
    _rate(chen, {"a": 2, "b": 5})
    files = sorted(p.name for p in (folder / "ratings").glob("*.yaml"))
    assert files == ["王立新.yaml", "陈思远.yaml"]
    assert load_ratings(folder / "ratings" / "王立新.yaml").items["SP1"].ratings["a"].rating == 4
    assert load_ratings(folder / "ratings" / "陈思远.yaml").items["SP1"].ratings["a"].rating == 2
    # The shared ratings.yaml is not touched by independent rating.
    assert yaml.safe_load((folder / "ratings.yaml").read_text(encoding="utf-8")) == {
        "framework": "t-ccua"
    }
    # Submission: recorded with the file's hash; a later change makes it stale.
    path = folder / "ratings" / "王立新.yaml"
    record = submit(path, "王立新")
    assert submitted(path) == record
    _rate(wang, {"a": 3})
    assert submitted(path) is None


def test_consensus_mode_records_resolutions_and_builds_ratings(params):
    folder = params.parent / "acme"
    for who, a in (("王立新", 4), ("陈思远", 2)):
        form = build_form(params, assessor=who, independent=True, start="SP1")
        _rate(form, {"a": a, "b": 5})
    consensus = ConsensusForm(open_context(params), assessor="赵国华")
    rows = [r for r in consensus.rows.children if "ccua-leaf" in r._dom_classes]
    assert [r._dom_classes[-1] for r in rows] == ["ccua-leaf-SP1-a"]
    # Every leaf side by side on demand: the agreed one (b) too.
    consensus.show_all.value = True
    shown = [r._dom_classes[-1] for r in consensus.rows.children if "ccua-leaf" in r._dom_classes]
    assert shown == ["ccua-leaf-SP1-a", "ccua-leaf-SP1-b"]
    consensus.show_all.value = False
    assert not consensus.build()  # SP1.a is not resolved yet
    assert "SP1.a" in consensus.status.value
    label, choice, why, record, done = rows[0].children
    assert "王立新: <b>4</b>" in label.value and "陈思远: <b>2</b>" in label.value
    choice.value = 3
    why.value = "复核访谈纪要"
    record.click()
    assert done.value == "✓"
    # The fixture's ratings.yaml holds no ratings: the consensus may replace it.
    assert consensus.build(), consensus.status.value
    result = load_ratings(folder / "ratings.yaml")
    entry = result.items["SP1"].ratings["a"]
    assert entry.rating == 3 and entry.by == "赵国华" and "复核访谈纪要" in entry.note
    assert result.items["SP1"].ratings["b"].rating == 5


def test_assessor_names_become_safe_file_names():
    assert assessor_slug("王立新") == "王立新"
    assert assessor_slug("../../etc/passwd") == "etc_passwd"
    from ccua.errors import CcuaError

    with pytest.raises(CcuaError, match="no letter or digit"):
        assessor_slug("///")


def test_form_offers_the_register_and_registers_a_file(params):
    folder = params.parent / "acme"
    form = build_form(params, assessor="王立新", start="SP1")
    assert form.rows["a"].evidence.options == ()
    form.upload.value = (
        {
            "name": "访谈纪要.pdf",
            "type": "application/pdf",
            "size": 9,
            "content": memoryview(b"%PDF-demo"),
            "last_modified": datetime.datetime(2026, 9, 16, tzinfo=datetime.UTC),
        },
    )
    form.evidence_title.value = "访谈纪要 2026-09-16"
    form.evidence_kind.value = "interview"
    assert form.register_evidence() == "E001"
    assert (folder / "evidence" / "访谈纪要.pdf").read_bytes() == b"%PDF-demo"
    assert form.rows["a"].evidence.options == ("E001 访谈纪要 2026-09-16",)
    form.rows["a"].rating.value = 4
    form.rows["a"].evidence.value = "E001 访谈纪要 2026-09-16"
    entry = load_ratings(folder / "ratings.yaml").items["SP1"].ratings["a"]
    assert entry.evidence == "E001 访谈纪要 2026-09-16"
    # A title is required; the form says so instead of failing.
    assert form.register_evidence() is None and "--title" in form.status.value
