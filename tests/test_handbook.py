"""The handbook: content from the framework data, the HTML site, the PDF and the Quarto book.

Content tests are pure (no pandoc); one full build per framework renders the site and the PDF
(about 3-5 s each) and reads them back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ccua.handbook import build_handbook
from ccua.handbook._content import build_chapters, esc
from ccua.handbook._text import TEXT
from ccua.spec import load_framework
from tests.cli import run

FRAMEWORKS = ["t-ccua", "ccea-guideline"]


def markdown(chapters) -> str:
    return "\n".join(ch.markdown() for ch in chapters)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_every_item_requirement_and_indicator_is_in_the_handbook(framework_id, lang):
    fw = load_framework(framework_id)
    md = markdown(build_chapters(fw, lang))
    for item in fw.items:
        assert f"{{#item-{re.sub(r'[^A-Za-z0-9]+', '-', item.code)}}}" in md, item.code
        assert esc(item.name if lang == "zh" else item.name_en) in md
        for req in item.requirements:
            assert esc(req.text) in md, f"{item.code}.{req.code}"
            for sub in req.subpoints:
                assert esc(sub.text) in md, f"{item.code}.{req.code}.{sub.code}"
    for ind in fw.indicators:
        assert f"{ind.code} {esc(ind.name if lang == 'zh' else ind.name_en)}" in md
        if ind.formula_text:
            assert esc(ind.formula_text) in md, ind.code
        if ind.formula_latex:
            assert f"$${ind.formula_latex}$$" in md, ind.code
    for erratum in fw.errata:  # every erratum is shown somewhere
        assert f"**{esc(erratum.id)}**" in md, erratum.id


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_fixed_text_is_never_mixed(framework_id):
    # (the glossary pairs both languages on purpose: it is left out)
    fw = load_framework(framework_id)
    zh, en = (
        [ch for ch in build_chapters(fw, lang) if ch.slug != "glossary"] for lang in ("zh", "en")
    )
    zh, en = markdown(zh), markdown(en)
    for key in (
        "ch_model",
        "ch_worked",
        "requirements",
        "formula_printed",
        "errata",
        "intro_verbatim",
        "rounding_lead",
    ):
        assert TEXT["zh"][key] in zh and TEXT["zh"][key] not in en, key
        assert TEXT["en"][key] in en and TEXT["en"][key] not in zh, key


def test_points_shares_and_worked_example_come_from_the_data():
    md = markdown(build_chapters(load_framework("t-ccua"), "zh"))
    assert "分值 **12.00** 分，占总分的 **12.00%**" in md  # MI1
    assert "分值 **5.25** 分，占总分的 **5.25%**" in md  # DO2
    assert "| DO3 | 运营计划 | 3.50 | 89 % | 3.115 | 3.12 (恰为半分，进位) |" in md
    assert "**85.56**" in md and "等级为 **良好**" in md and "还差 **9.44** 分" in md
    assert "≤5%" in md  # DO6.9 default


def test_a_new_version_of_the_data_regenerates_the_handbook(mini):
    md = markdown(build_chapters(mini, "zh"))
    assert "A1 甲一" in md and "分值 **40.00** 分，占总分的 **40.00%**" in md
    assert "B1.1 放弃率" in md and "要求甲：" in md


def test_guideline_points_sit_on_areas():
    md = markdown(build_chapters(load_framework("ccea-guideline"), "en"))
    assert "In this framework the points sit on the areas" in md
    assert "69.20" in md  # its example's total


def _text_of_pdf(path: Path) -> tuple[str, list[str]]:
    import shutil
    import subprocess

    import pypdf

    reader = pypdf.PdfReader(str(path))
    if shutil.which("pdftotext"):  # poppler: ten times faster than pypdf on 90 pages
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        text = "\n".join(page.extract_text() or "" for page in reader.pages)

    # top-level bookmarks (a nested list holds a chapter's sections)
    return text, [e.title for e in reader.outline if not isinstance(e, list)]


@pytest.mark.parametrize(("framework_id", "lang"), [("t-ccua", "zh"), ("ccea-guideline", "en")])
def test_build_writes_site_pdf_and_quarto_book(tmp_path, framework_id, lang):
    fw = load_framework(framework_id)
    out = tmp_path / "book"
    book = build_handbook(framework_id, lang, out)
    # the site: one page per chapter, every page links every chapter, a search index
    pages = [out / f"{ch.slug}.html" for ch in book.chapters]
    assert (out / "index.html") in pages and all(p.is_file() for p in pages)
    first = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p.name}"' in first for p in pages)
    index = json.loads((out / "search.json").read_text(encoding="utf-8"))
    js = (out / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert js.startswith("window.CCUA_SEARCH = ")
    first_ind = fw.indicators[0]
    assert any(e["t"].startswith(first_ind.code) for e in index)
    assert "<math" in "".join(p.read_text(encoding="utf-8") for p in pages)  # MathML
    # the PDF: bookmarks per chapter, the text readable (CJK font embedded)
    text, outline = _text_of_pdf(out / "handbook.pdf")
    assert outline == [ch.title for ch in book.chapters]
    item = fw.items[-1]
    assert item.code in text
    assert (item.name if lang == "zh" else item.name_en).split()[0] in text
    # the Quarto book project
    config = yaml.safe_load((out / "quarto" / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["type"] == "book"
    assert config["book"]["chapters"][0] == "index.qmd"
    assert all((out / "quarto" / name).is_file() for name in config["book"]["chapters"])
    assert not (out / "_build").exists()
    # a second build replaces the first
    build_handbook(framework_id, lang, out, pdf=False)


def test_refuses_a_folder_it_did_not_write(tmp_path):
    from ccua.errors import CcuaError

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CcuaError, match="did not write"):
        build_handbook("t-ccua", "zh", tmp_path, pdf=False)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_cli(tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "handbook",
        "--framework",
        "ccea-guideline",
        "--lang",
        "en",
        "--out",
        str(tmp_path / "hb"),
        "--no-pdf",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["framework"] == "ccea-guideline" and data["lang"] == "en"
    assert (tmp_path / "hb" / "index.html").is_file()
    code, _, err = run(capsys, "handbook", "--lang", "fr", "--out", str(tmp_path / "x"))
    assert code == 1 and "--lang must be one of zh, en" in err
