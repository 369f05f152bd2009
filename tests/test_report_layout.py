"""Layout checks of the client report, read from the PDF itself (issue 13, build point 4).

Both demos (T/CCUA: params/demo.yaml; the older guideline: params/demo-guideline.yaml) are
run once per test session, notebooks and charts included, and their report.pdf is read with
pypdfium2 (characters with their boxes and weights, the ruling lines of the tables, the
bookmarks). Checked:

* no table cell whose text wraps to a last line of one or two characters;
* every page that continues a table starts with the "（续）" line and repeats the header; on
  the continuation pages of 表 4 and 表 5 the first row repeats the merged labels (类别, 能力域,
  能力项 or 评审范围, 评审细项) and the item's score;
* nothing is drawn outside the text block but the running header and footer (a chart taller
  than the page would run into the footer);
* every section of the report is a bookmark, and the PDF opens on a table of contents;
* key pages (cover, table of contents, 表 5's first continuation page, 表 6, the verdict, the
  first chart page) look like the reference images in tests/data/report-reference/, within
  a tolerance: layout drift shows in review. After an intended change of the layout, refresh
  them with  scripts/update-report-reference  and commit the new images.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ccua.runner import run_client

pdfium = pytest.importorskip("pypdfium2")
pdfium_raw = pytest.importorskip("pypdfium2.raw")

ROOT = Path(__file__).resolve().parents[1]
DEMOS = {
    "demo": ROOT / "params" / "demo.yaml",
    "guideline": ROOT / "params" / "demo-guideline.yaml",
}
REFERENCE = ROOT / "tests" / "data" / "report-reference"
UPDATE = os.environ.get("CCUA_UPDATE_REFERENCE") == "1"
REFERENCE_DPI = 20
TOLERANCE = 1.0  # mean absolute difference of grey levels (0-255): a block moved, a page reflowed

# The page (A4) and the text block of templates/ccua.typ, in PDF points (origin bottom left).
PAGE_H = 841.89
TEXT_BOTTOM = 70.87  # 2.5 cm
TEXT_TOP = PAGE_H - 76.54  # 2.7 cm (glyph boxes of the first line reach a little above it)
HEADER_RULE = PAGE_H - 53.6  # the running header's rule, in the top margin
CONT = ("（续）", "(cont.)")
FOOTER = {"zh": r"第\d+页共\d+页", "en": r"Page\d+of\d+"}  # in the report's language
_ZH_LABELS = (("类别", "能力域", "能力项"), ("评审范围", "评审细项"))
_EN_LABELS = (("Category", "Domain", "Item"), ("Area", "Item"))
LABELS = {
    "表5测评要求计分表": _ZH_LABELS,
    "表4测评资料反馈表": _ZH_LABELS,
    "Table5Requirementratingsandscores": _EN_LABELS,
    "Table4Feedbackonassessmentdocuments": _EN_LABELS,
}
# Pages compared with the references: found by their text, in each language.
KEY_PAGES = {
    "zh": {
        "table5-cont": "表 5 测评要求计分表（续）",
        "table6": "表 6 测评计分表",
        "verdict": "三、评测结论",
        "chart": "计分图",
    },
    "en": {
        "table5-cont": "Table 5 Requirement ratings and scores (cont.)",
        "table6": "Table 6 Score table",
        "verdict": "3 Conclusion",
        "chart": "Score charts",
    },
}


def squash(text: str) -> str:
    """Text without whitespace, typographic apostrophes as typed (pandoc makes them curly)."""
    return re.sub(r"\s+", "", text).replace("’", "'").replace("‘", "'")


# --- the PDF as characters and lines ----------------------------------------------------------


@dataclass
class Char:
    ch: str
    left: float
    bottom: float
    right: float
    top: float
    bold: bool
    baseline: float

    @property
    def size(self) -> float:
        return max(self.top - self.bottom, 1.0)


@dataclass
class Line:
    """A visual line of text: characters on one baseline, left to right."""

    chars: list[Char]

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)

    @property
    def left(self) -> float:
        return min(c.left for c in self.chars)

    @property
    def right(self) -> float:
        return max(c.right for c in self.chars)

    @property
    def top(self) -> float:
        return max(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return min(c.bottom for c in self.chars)

    @property
    def size(self) -> float:
        return max(c.size for c in self.chars)


@dataclass
class Page:
    number: int
    chars: list[Char]
    hrules: list[tuple[float, float, float]]  # (y, x0, x1): table rules and borders
    vrules: list[tuple[float, float, float]]  # (x, y0, y1)
    shapes: list[tuple[float, float, float, float]]  # every drawing: (left, bottom, right, top)
    text: str = ""
    lines: list[Line] = field(default_factory=list)

    def body_lines(self) -> list[Line]:
        """The lines of the text block (not the running header and footer)."""
        return [
            ln
            for ln in self.lines
            if min(c.baseline for c in ln.chars) >= TEXT_BOTTOM - 1 and ln.top < HEADER_RULE
        ]


def _lines(chars: list[Char]) -> list[Line]:
    """Characters grouped into visual lines, split where a gap or a rule separates them."""
    out: list[list[Char]] = []
    for c in sorted(chars, key=lambda c: (-round(c.baseline, 0), c.left)):
        if out and abs(c.baseline - out[-1][0].baseline) < 0.3 * out[-1][0].size:
            out[-1].append(c)
        else:
            out.append([c])
    return [Line(sorted(cs, key=lambda c: c.left)) for cs in out]


def read_pdf(path: Path) -> tuple[list[Page], list[str]]:
    pdf = pdfium.PdfDocument(str(path))
    pages: list[Page] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            chars = []
            for k in range(tp.count_chars()):
                ch = tp.get_text_range(k, 1)
                if not ch.strip():
                    continue
                left, bottom, right, top = tp.get_charbox(k)
                weight = pdfium_raw.FPDFText_GetFontWeight(tp.raw, k)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_raw.FPDFText_GetCharOrigin(tp.raw, k, ctypes.byref(x), ctypes.byref(y))
                chars.append(Char(ch, left, bottom, right, top, weight >= 600, y.value))
            hrules, vrules, shapes = [], [], []
            for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_PATH], max_depth=8):
                left, bottom, right, top = obj.get_bounds()
                shapes.append((left, bottom, right, top))
                if top - bottom < 1.5 and right - left > 3:
                    hrules.append(((top + bottom) / 2, left, right))
                elif right - left < 1.5 and top - bottom > 3:
                    vrules.append(((left + right) / 2, bottom, top))
            text = tp.get_text_range()
            pages.append(Page(i + 1, chars, hrules, vrules, shapes, text, _lines(chars)))
        toc = [item.get_title() or "" for item in pdf.get_toc()]
    finally:
        pdf.close()
    return pages, toc


@dataclass
class Report:
    run: Path
    pages: list[Page]
    bookmarks: list[str]
    lang: str = "zh"

    @property
    def pdf(self) -> Path:
        return self.run / ("report.pdf" if self.lang == "zh" else f"report.{self.lang}.pdf")

    @property
    def source(self) -> Path:
        return self.run / ("report.qmd" if self.lang == "zh" else f"report.{self.lang}.qmd")

    def find(self, needle: str, after: int = 0) -> int | None:
        """The first page after ``after`` whose text holds ``needle`` (whitespace ignored)."""
        wanted = squash(needle)
        return next((p.number for p in self.pages[after:] if wanted in squash(p.text)), None)


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> dict[str, Report]:
    """Both demos run once for the session (notebooks and report), then rendered in English
    (the English notebooks are executed for it): four PDFs."""
    from ccua.report import render_report

    out = {}
    for name, params in DEMOS.items():
        run = tmp_path_factory.mktemp("layout") / name
        run_client(params, output=run)
        render_report(run, "pdf", engine="pandoc", lang="en")
        for lang in ("zh", "en"):
            report = Report(run, [], [], lang)
            report.pages, report.bookmarks = read_pdf(report.pdf)
            out[name if lang == "zh" else f"{name}-{lang}"] = report
    return out


@pytest.fixture(params=[*DEMOS, *(f"{d}-en" for d in DEMOS)])
def report(request, reports) -> Report:
    return reports[request.param]


# --- the checks ----------------------------------------------------------------------------------


def _cell_bounds(page: Page, line: Line) -> tuple[float, float] | None:
    """The ruling lines left and right of a line of text, if it sits in a table cell."""
    mid = (line.top + line.bottom) / 2
    spanning = [x for x, y0, y1 in page.vrules if y0 - 1 <= mid <= y1 + 1]
    left = [x for x in spanning if x <= line.left + 0.5]
    right = [x for x in spanning if x >= line.right - 0.5]
    if not left or not right:
        return None
    return max(left), min(right)


def _rule_between(page: Page, upper: Line, lower: Line, x0: float, x1: float) -> bool:
    return any(
        lower.top - 0.5 <= y <= upper.bottom + 0.5 and a <= x1 and b >= x0
        for y, a, b in page.hrules
    )


def wrapped_orphans(page: Page) -> list[str]:
    """Lines of one or two characters that a table cell's text wrapped onto."""
    found = []
    lines = page.body_lines()
    for n, line in enumerate(lines):
        if len(line.chars) > 2 or n == 0:
            continue
        cell = _cell_bounds(page, line)
        if cell is None:
            continue
        x0, x1 = cell
        above = [
            u
            for u in lines[:n]
            if u.bottom > line.top - 0.5
            and u.bottom - line.top < 1.2 * line.size
            and u.left >= x0 - 0.5
            and u.right <= x1 + 0.5
        ]
        if not above:
            continue
        upper = min(above, key=lambda u: u.bottom)
        upper_chars = [c for c in upper.chars if x0 - 0.5 <= c.left and c.right <= x1 + 0.5]
        if not upper_chars or _rule_between(page, upper, line, x0, x1):
            continue
        width = max(c.right for c in upper_chars) - min(c.left for c in upper_chars)
        if width >= (x1 - x0) - 9 - 1.6 * upper.size:  # the line above is full: a wrap
            found.append(f"p{page.number}: {''.join(c.ch for c in upper_chars)}/{line.text}")
    return found


def test_no_table_cell_wraps_to_a_line_of_one_or_two_characters(report):
    found = [f for page in report.pages for f in wrapped_orphans(page)]
    assert found == [], found


def _top_of_table(page: Page) -> tuple[float, list[Line]] | None:
    """The first table rule in the text block and the lines above it, if the page has one."""
    rules = [y for y, x0, x1 in page.hrules if TEXT_BOTTOM <= y <= TEXT_TOP and x1 - x0 > 100]
    if not rules:
        return None
    first = max(rules)
    return first, [ln for ln in page.body_lines() if ln.bottom > first]


def _ends_in_table(page: Page) -> bool:
    """Whether the page's last drawing in the text block is a table rule with nothing below."""
    rules = [y for y, x0, x1 in page.hrules if TEXT_BOTTOM <= y <= TEXT_TOP and x1 - x0 > 100]
    if not rules:
        return False
    last = min(rules)
    return not any(ln.top < last - 0.5 for ln in page.body_lines())


def _in_table(page: Page, line: Line) -> bool:
    return _cell_bounds(page, line) is not None


def _last_header(page: Page) -> str | None:
    """The text of the last table header on a page (a bold line inside ruled cells)."""
    heads = sorted(
        (ln for ln in page.body_lines() if all(c.bold for c in ln.chars) and _in_table(page, ln)),
        key=lambda ln: -ln.bottom,
    )
    if not heads:
        return None
    first = heads[-1]  # the first line of the last header (of 1-3 lines)
    for upper in reversed(heads[:-1]):
        if upper.bottom - first.top > 1.5 * first.size:
            break
        first = upper
    return first.text


def continuation_pages(report: Report) -> list[int]:
    """Pages whose top continues a table from the page before (the same header, or none)."""
    out = []
    for prev, page in zip(report.pages, report.pages[1:], strict=False):
        if not _ends_in_table(prev):
            continue
        top = _top_of_table(page)
        if top is None:
            continue
        first_rule, above = top
        if len(above) > 1:  # text before the first table: not a continuation
            continue
        below = [ln for ln in page.body_lines() if ln.top < first_rule]
        header = below[0] if below else None
        repeated = header is not None and all(c.bold for c in header.chars)
        if not repeated or header.text == _last_header(prev):
            out.append(page.number)
    return out


def test_continued_tables_say_cont_and_repeat_their_header(report):
    pages = continuation_pages(report)
    assert pages, "the demo has tables longer than a page"
    problems = []
    for number in pages:
        page = report.pages[number - 1]
        lines = page.body_lines()
        first = lines[0]
        if not first.text.endswith(CONT):
            problems.append(f"p{number}: no （续） line above the table ({first.text[:30]})")
            continue
        header = lines[1] if len(lines) > 1 else None
        if header is None or not all(c.bold for c in header.chars):
            problems.append(f"p{number}: no repeated (bold) header under {first.text}")
    assert problems == [], problems


def _columns(page: Page, header: Line) -> list[tuple[float, float, str]]:
    """The table's columns on this page: (x0, x1, header text), from the header's rules."""
    mid = (header.top + header.bottom) / 2
    xs = sorted({round(x, 1) for x, y0, y1 in page.vrules if y0 - 1 <= mid <= y1 + 1})
    rules = sorted(y for y, a, b in page.hrules if b - a > 100)
    top = min((y for y in rules if y > mid), default=TEXT_TOP)
    bottom = max((y for y in rules if y < mid), default=TEXT_BOTTOM)
    cols = []
    for x0, x1 in itertools.pairwise(xs):
        text = "".join(
            c.ch
            for c in sorted(page.chars, key=lambda c: (-c.baseline, c.left))
            if x0 <= c.left and c.right <= x1 and bottom <= c.bottom <= top and c.bold
        )
        cols.append((x0, x1, text))
    return cols


def test_continued_tables_4_and_5_repeat_their_labels_and_score(report):
    checked = 0
    for number in continuation_pages(report):
        page = report.pages[number - 1]
        lines = page.body_lines()
        caption = squash(lines[0].text)
        table = next((t for t in LABELS if caption.startswith(t)), None)
        if table is None or len(lines) < 3:
            continue
        header = lines[1]
        cols = _columns(page, header)
        names = [t for _x0, _x1, t in cols]
        labels = next((set_ for set_ in LABELS[table] if all(n in names for n in set_)), None)
        assert labels is not None, (number, names)
        # the first body row: from the header's bottom rule to the next rule under the text column
        header_rule = max(y for y, a, b in page.hrules if y < header.bottom and b - a > 100)
        text_col = max(cols, key=lambda c: c[1] - c[0])
        below = [
            y
            for y, a, b in page.hrules
            if y < header_rule - 1 and a <= text_col[0] + 1 and b >= text_col[1] - 1
        ]
        row_bottom = max(below) if below else TEXT_BOTTOM

        def has_text(x0: float, x1: float, page=page, top=header_rule, bottom=row_bottom) -> bool:
            return any(
                x0 <= c.left and c.right <= x1 and bottom <= c.bottom <= top for c in page.chars
            )

        for x0, x1, name in cols:
            if name in labels:
                assert has_text(x0, x1), f"p{number}: {name} is blank on a continuation page"
        if table.startswith(("表5", "Table5")):
            scores = [(x0, x1) for x0, x1, name in cols if name.lower().endswith(("计分", "score"))]
            assert any(has_text(*s) for s in scores), f"p{number}: no item score"
        checked += 1
    assert checked, "表 5 runs over several pages in both demos"


def _margin_ink(pdf_path: Path, pages: list[Page]) -> list[str]:
    """Ink outside the text block, but the running header and footer: the pages are rendered
    (what is clipped away does not count) at 72 dpi, one pixel a point."""
    import numpy as np

    problems = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for page in pages:
            image = np.asarray(pdf[page.number - 1].render(scale=1, grayscale=True).to_numpy())
            image = image.reshape(image.shape[0], image.shape[1], -1)[:, :, 0]
            height = image.shape[0]
            ink = image < 200
            allowed = np.zeros_like(ink)
            for ln in page.lines:  # header and footer texts
                if ln.bottom < TEXT_BOTTOM - 1 or ln.bottom > HEADER_RULE:
                    y0, y1 = int(height - ln.top - 3), int(height - ln.bottom + 3)
                    allowed[max(y0, 0) : y1, max(int(ln.left) - 3, 0) : int(ln.right) + 3] = True
            rule = int(height - HEADER_RULE)
            allowed[max(rule - 2, 0) : rule + 3, :] = True  # the header's rule
            margin = np.ones_like(ink)
            margin[int(height - TEXT_TOP) - 4 : int(height - TEXT_BOTTOM) + 4, :] = False
            stray = ink & margin & ~allowed
            if stray.any():
                ys = np.nonzero(stray.any(axis=1))[0]
                problems.append(
                    f"p{page.number}: ink outside the text block at "
                    f"y {height - ys.max():.0f}-{height - ys.min():.0f} pt"
                )
    finally:
        pdf.close()
    return problems


def test_nothing_is_drawn_outside_the_text_block(report):
    """Charts are scaled to the text block: none runs into the header or the footer."""
    header_texts = set()
    problems = []
    for page in report.pages:
        for ln in page.lines:
            if ln.bottom > HEADER_RULE:
                header_texts.add(ln.text)
            # (descenders hang below the last baseline: Typst's text ends at the baseline)
            elif min(c.baseline for c in ln.chars) < TEXT_BOTTOM - 1 and not re.fullmatch(
                FOOTER[report.lang], squash(ln.text)
            ):
                problems.append(f"p{page.number}: text in the footer: {ln.text[:40]}")
    assert len(header_texts) <= 2, header_texts  # the two halves of the running header
    problems += _margin_ink(report.pdf, report.pages)
    assert problems == [], problems[:10]


def _headings(source: str) -> list[str]:
    found = []
    for line in source.splitlines():
        m = re.match(r"^(#{1,2}) (.+?)(\s+\{[^}]*\})?\s*$", line)
        if m:
            found.append(squash(m.group(2).replace("\\", "")))
    return found


def test_every_section_is_a_bookmark_and_the_pdf_has_a_table_of_contents(report):
    source = report.source.read_text(encoding="utf-8")
    headings = _headings(source)
    assert len(headings) >= 11
    marks = {squash(b) for b in report.bookmarks}
    missing = [h for h in headings if h not in marks]
    assert missing == [], missing
    toc = report.pages[1]
    assert squash(toc.text).startswith(("目录", "Contents"))
    for h in headings[:11]:  # the report's own sections
        assert h in squash(toc.text), h


# --- page images against the references ----------------------------------------------------------


def key_pages(report: Report) -> dict[str, int]:
    pages = {"cover": 1, "toc": 2}
    for key, needle in KEY_PAGES[report.lang].items():
        number = report.find(needle, after=2)  # not in the table of contents
        assert number is not None, needle
        pages[key] = number
    return pages


def _image(pdf: Path, number: int, out: Path) -> Path:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(REFERENCE_DPI),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(number),
            "-l",
            str(number),
            str(pdf),
            str(out),
        ],
        check=True,
    )
    return out.with_suffix(".png")


def test_key_pages_look_like_the_reference_images(reports, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    import numpy as np
    from PIL import Image

    drift = []
    for name, report in reports.items():
        for key, number in key_pages(report).items():
            image = _image(report.pdf, number, tmp_path / f"{name}-{key}")
            reference = REFERENCE / f"{name}-{key}.png"
            if UPDATE:
                REFERENCE.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(image, reference)
                continue
            assert reference.exists(), (
                f"{reference} is missing: run scripts/update-report-reference"
            )
            a = np.asarray(Image.open(image).convert("L"), dtype=float)
            b = np.asarray(Image.open(reference).convert("L"), dtype=float)
            if a.shape != b.shape:
                drift.append(f"{name} {key} (p{number}): size {a.shape} != {b.shape}")
                continue
            diff = float(np.abs(a - b).mean())
            if diff > TOLERANCE:
                drift.append(f"{name} {key} (p{number}): mean difference {diff:.2f}")
    assert drift == [], (
        "pages differ from tests/data/report-reference/ (if intended: "
        f"scripts/update-report-reference): {drift}"
    )


def test_a_chart_taller_than_the_page_is_scaled_to_the_text_block(tmp_path):
    """ccua-chart (templates/ccua.typ) fits a tall chart under its heading, on one page, inside
    the text block: the guideline's 计分图 was cut off at the top and ran into the footer."""
    import numpy as np
    import typst

    from ccua.report._fonts import find_cjk_font

    (tmp_path / "templates").mkdir()
    shutil.copy(ROOT / "templates" / "ccua.typ", tmp_path / "templates" / "ccua.typ")
    (tmp_path / "tall.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="3000">'
        '<rect x="0" y="0" width="400" height="3000" fill="black"/></svg>',
        encoding="utf-8",
    )
    font = find_cjk_font()
    source = (
        '#import "templates/ccua.typ": *\n'
        f"#show: doc => ccua-report(title: [T], header-left: [L], header-right: [R], "
        f'font: ("{font.family}",), bold-font: ("{font.bold or font.family}",), doc)\n'
        '= 计分图\n#ccua-chart(image("tall.svg"))\n'
    )
    (tmp_path / "tall.typ").write_text(source, encoding="utf-8")
    pdf_bytes = typst.compile(
        str(tmp_path / "tall.typ"),
        root=str(tmp_path),
        font_paths=list(font.folders),
        ignore_system_fonts=True,
    )
    (tmp_path / "tall.pdf").write_bytes(pdf_bytes)
    pdf = pdfium.PdfDocument(str(tmp_path / "tall.pdf"))
    try:
        assert len(pdf) == 1  # the heading and its chart, together
        image = np.asarray(pdf[0].render(scale=1, grayscale=True).to_numpy())
    finally:
        pdf.close()
    image = image.reshape(image.shape[0], image.shape[1], -1)[:, :, 0]
    black = np.nonzero((image < 60).sum(axis=1) > 30)[0]
    top, bottom = PAGE_H - black.min(), PAGE_H - black.max()
    assert top <= TEXT_TOP and bottom >= TEXT_BOTTOM - 1  # inside the text block
    assert top - bottom > 0.8 * (TEXT_TOP - TEXT_BOTTOM)  # and still large


def test_pdf_embeds_a_real_bold_face_and_no_system_font(reports):
    """Bold is Noto Sans CJK Bold from the wheel, embedded; only our fonts are in the PDF."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    from ccua.report._fonts import find_cjk_font

    font = find_cjk_font()
    assert font.source == "bundled" and font.bold and not font.system_fonts
    for report in reports.values():
        listing = subprocess.run(
            ["pdffonts", str(report.pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        names = {row[0].split("+", 1)[-1] for row in rows}
        assert "NotoSansCJKjp-Bold-Identity-H" in names, listing
        assert any(n.startswith("NotoSansCJKsc-Regular") for n in names), listing
        assert all(row[-5] == "yes" for row in rows), listing  # the "emb" column
        ours = ("NotoSansCJK", "NewCM", "Libertinus", "DejaVuSansMono")
        assert all(n.startswith(ours) for n in names), names


def test_text_is_never_stroked():
    """No faux bold: a stroked outline smears when a real bold face is also installed."""
    source = (ROOT / "templates" / "ccua.typ").read_text(encoding="utf-8")
    assert not re.search(r"text\([^)]*stroke", source)


def test_html_puts_the_cover_first_then_the_contents(reports):
    """The nav comes first in the page source; report.css lays the cover out before it, and the
    cover is as tall as its content (not 80 % of the window)."""
    html = (reports["demo"].run / "report.html").read_text(encoding="utf-8")
    main = html.index('<main class="report">')
    assert main < html.index('<nav id="TOC"') < html.index('<section class="cover">')
    assert "<h2>目录</h2>" in html
    css = (ROOT / "templates" / "report.css").read_text(encoding="utf-8")
    order = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"main\.report > ([.\w*]+) \{ order: (\d+); \}", css)
    }
    assert order[".cover"] < order["nav.toc"] < order["*"]
    assert "display: flex; flex-direction: column" in css
    cover = re.search(r"\n\.cover \{([^}]*)\}", css)
    assert cover is not None and "vh" not in cover.group(1)
