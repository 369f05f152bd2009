"""The two ways to turn report.qmd into HTML and PDF.

* **Quarto** (when ``quarto`` is on PATH): ``quarto render report.qmd --to html|typst`` in the
  run folder, with the run's own ``_quarto.yml`` and ``templates/``.
* **pandoc + Typst** (the engines Quarto itself uses; Quarto cannot be installed everywhere):
  pandoc (``pypandoc-binary``) converts report.qmd to standalone HTML with everything embedded,
  and to Typst source with ``templates/pandoc.typst``; the ``typst`` package compiles that to
  PDF with the CJK font's folder on its font path.

Both read the same report.qmd and the same styles, so they print the same report.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccua._io import atomic_write_bytes, atomic_write_text
from ccua.errors import CcuaError
from ccua.report._document import BUNDLE_FILE, SOURCE_FILE
from ccua.report._fonts import CjkFont, FontNotFound

if TYPE_CHECKING:
    import typst

PANDOC_FROM = "markdown+east_asian_line_breaks"
# What the bundle exposes: Vega-Embed alone (the default snippet also assigns window.vega,
# which comes out null, since Vega has no default export).
BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed;"
QUARTO_TIMEOUT = 900
Say = Callable[[str], None]


def quarto_executable() -> str | None:
    return shutil.which("quarto")


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ccua"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script, from vl-convert (no CDN, works offline).

    The same Vega-Lite that vl-convert uses for the SVGs in the PDF, so that both formats
    draw a chart the same way. Bundling takes seconds and depends only on the vl-convert
    version: the bundle is kept in the user's cache folder (~/.cache/ccua) when writable.
    """
    import vl_convert

    try:
        version = importlib.metadata.version("vl-convert-python")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    tag = version
    cached = _cache_dir() / f"vega-embed-{tag}.js"
    if version != "unknown" and cached.exists():
        return cached.read_text(encoding="utf-8")
    bundle = (
        f"/* Vega-Embed, Vega-Lite and Vega, bundled by vl-convert-python {tag} */\n"
        + vl_convert.javascript_bundle(BUNDLE_SNIPPET)
    )
    with contextlib.suppress(OSError):
        atomic_write_text(cached, bundle)
    return bundle


def write_vega_bundle(run_dir: Path) -> None:
    """charts/vega-embed.js, unless the run folder already has this very bundle."""
    path = run_dir / BUNDLE_FILE
    bundle = vega_bundle()
    if path.exists() and path.read_text(encoding="utf-8") == bundle:
        return
    atomic_write_text(path, bundle)


def pandoc(source: str, to: str, args: list[str], cwd: Path) -> str:
    """pandoc (pypandoc-binary's) reading report.qmd's Markdown from ``source``."""
    return _run_pandoc(source, PANDOC_FROM, to, args, cwd)


def _run_pandoc(text: str, read: str, to: str, args: list[str], cwd: Path) -> str:
    """pandoc with ``text`` on its input, in ``cwd``. A process of its own, started in that
    folder: pypandoc's ``cworkdir`` changes the working folder of the whole process around its
    call, and the report's conversions run side by side in threads, which then restored it
    out of order and left ccua's process in a run folder."""
    import pypandoc

    try:
        binary = str(pypandoc.get_pandoc_path())
        proc = subprocess.run(
            [binary, f"--from={read}", f"--to={to}", *args],
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=cwd,
            check=False,
        )
    except OSError as exc:
        raise CcuaError(
            f"pandoc is not available ({exc})", hint="pip install pypandoc-binary"
        ) from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise CcuaError(
            f"pandoc could not convert the report to {to}: {lines[-1] if lines else 'no message'}",
            file=str(cwd / SOURCE_FILE),
        )
    return proc.stdout.decode("utf-8", errors="replace")


# The HTML and the PDF are made side by side from the same report.qmd: pandoc reads the
# Markdown once (to its JSON AST) and both conversions start from that. The same HTML, byte
# for byte, as from the Markdown; a third less of pandoc's work for the HTML.
_ASTS: dict[tuple[str, str], Future[str]] = {}
_ASTS_LOCK = threading.Lock()
_ASTS_KEPT = 2  # reports whose AST is kept (the two formats of one report ask for it)


def markdown_ast(run_dir: Path, source: str) -> str:
    """pandoc's JSON AST of report.qmd, read once for every format that asks for it."""
    import hashlib

    key = (str(run_dir), hashlib.sha256(source.encode("utf-8")).hexdigest())
    with _ASTS_LOCK:
        fut = _ASTS.get(key)
        owner = fut is None
        if fut is None:
            fut = _ASTS[key] = Future()
            while len(_ASTS) > _ASTS_KEPT:
                del _ASTS[next(iter(_ASTS))]
    if owner:
        try:
            fut.set_result(_parsed(source, run_dir))
        except BaseException as exc:
            with _ASTS_LOCK:  # a failure is not kept: the next render tries again
                if _ASTS.get(key) is fut:
                    del _ASTS[key]
            fut.set_exception(exc)
    return fut.result()


# The front part of report.qmd (cover to 六、, with most of the tables: two thirds of pandoc's
# reading) depends on results.json alone. The runner has pandoc read it while the notebooks
# run (parse_front_ahead); the report then reads only what follows, and joins the two. What
# pandoc carries from one part of a document to the next is kept: the identifiers the front
# part's headings took (pandoc numbers a repeated heading, "grade-1"), given to the rest as
# headings of their own ahead of it and dropped from its AST after. The join is refused, and
# the whole read as before, when the front part is not the same text, a footnote or link
# reference is defined (it could be used across the parts), a heading of the front part is
# cited by its text in the rest, or the rest carries metadata. tests/test_report_engine_reuse.py
# checks that the joined AST is the whole one, for both demos.
FRONT_END = "<ccua-annexes>\n```\n"  # the end of the annexes marker after 六、
_FRONTS: dict[str, Future[str]] = {}
_FRONTS_KEPT = 4
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)
_STAND_IN = "ccua-front-heading"


def _front_of(source: str) -> str | None:
    end = source.find(FRONT_END)
    return None if end < 0 else source[: end + len(FRONT_END)]


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_front_ahead(source: str, cwd: Path) -> None:
    """Have pandoc read the front part of ``source`` now (the runner calls this in a thread
    while the notebooks run); :func:`markdown_ast` uses it when the report has that front."""
    front = _front_of(source)
    if front is None:
        return
    fut: Future[str] = Future()
    with _ASTS_LOCK:
        _FRONTS[_digest(front)] = fut
        while len(_FRONTS) > _FRONTS_KEPT:
            del _FRONTS[next(iter(_FRONTS))]
    try:
        ast = pandoc(front, "json", [], cwd)
    except BaseException as exc:  # the whole is read later, and says what is wrong
        fut.set_exception(exc)
        return
    fut.set_result(ast)
    # and lay out its tables for the PDF (kept by their node: the same tables of the whole)
    import json

    from ccua.report._typst_tables import replace_tables

    replace_tables(json.loads(ast))


def _headers(node: object) -> list[tuple[str, str]]:
    """(identifier, text) of every heading, in document order."""
    found: list[tuple[str, str]] = []

    def text(inlines: object) -> str:
        if isinstance(inlines, dict):
            if inlines.get("t") in ("Space", "SoftBreak", "LineBreak"):
                return " "
            c = inlines.get("c")
            return c if isinstance(c, str) else text(c)
        if isinstance(inlines, list):
            return "".join(text(i) for i in inlines)
        return ""

    def walk(item: object) -> None:
        if isinstance(item, dict):
            if item.get("t") == "Header":
                found.append((item["c"][1][0], text(item["c"][2])))
            walk(item.get("c"))
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(node)
    return found


def _parsed(source: str, run_dir: Path) -> str:
    import json

    front = _front_of(source)
    with _ASTS_LOCK:
        fut = _FRONTS.get(_digest(front)) if front is not None else None
    if front is None or fut is None or _DEFINITION.search(source):
        return pandoc(source, "json", [], run_dir)
    try:
        head = json.loads(fut.result())
    except Exception:
        return pandoc(source, "json", [], run_dir)
    rest = source[len(front) :]
    taken = _headers(head["blocks"])
    if any(f"[{text}]" in rest for _, text in taken) or f"[{_STAND_IN}]" in rest:
        return pandoc(source, "json", [], run_dir)
    ahead = "".join(f"# {_STAND_IN} {{#{ident}}}\n\n" for ident, _ in taken if ident)
    tail = json.loads(pandoc(ahead + rest, "json", [], run_dir))
    stand_ins, blocks = tail["blocks"][: ahead.count("\n\n")], tail["blocks"][ahead.count("\n\n") :]
    if (
        tail.get("meta")
        or tail.get("pandoc-api-version") != head.get("pandoc-api-version")
        or [h[0] for h in _headers(stand_ins)] != [i for i, _ in taken if i]
        or len(stand_ins) != len(_headers(stand_ins))
    ):
        return pandoc(source, "json", [], run_dir)
    head["blocks"].extend(blocks)
    return json.dumps(head, ensure_ascii=False)


TOC_TITLES = {"zh": "目录", "en": "Contents"}


def source_lang(source: str) -> str:
    """The language report.qmd is written in (its ``ccua-lang`` field; 中文 when absent)."""
    m = re.search(r"^ccua-lang:\s*\"?([a-z]+)", source, flags=re.MULTILINE)
    return m.group(1) if m else "zh"


def html_args(source: str, generator: str) -> list[str]:
    """pandoc's options for report.html (the charts' page is added where there are charts)."""
    return [
        "--standalone",
        "--template=templates/pandoc.html",
        "--toc",
        "--toc-depth=2",
        "--embed-resources",
        "--css=templates/report.css",
        "--resource-path=.",
        f"--metadata=ccua-generator:{generator}",
        f"--metadata=toc-title:{TOC_TITLES.get(source_lang(source), TOC_TITLES['zh'])}",
    ]


def html_with_pandoc(
    run_dir: Path, source: str, charts: int, generator: str, name: str = "report.html"
) -> None:
    """report.html: standalone, styles and chart library embedded, a table of contents."""
    args = html_args(source, generator)
    if not charts:
        html = _pandoc_from_json(markdown_ast(run_dir, source), "html5", args, run_dir)
        atomic_write_text(run_dir / name, html)
        return
    write_vega_bundle(run_dir)
    with tempfile.TemporaryDirectory(prefix="ccua-html-") as folder:
        after = _charts_without_bundle(run_dir, Path(folder))
        args.append(f"--include-after-body={after or CHARTS_HTML}")
        html = _pandoc_from_json(markdown_ast(run_dir, source), "html5", args, run_dir)
    if after is not None:
        html = html.replace(_BUNDLE_IN_PLACE, f"<script>{vega_bundle()}</script>")
    atomic_write_text(run_dir / name, html)


# pandoc embeds the chart library (900 kB) in the HTML as it is, between <script> tags (it
# has no "</script"), but spends 0.4 s of CPU on it, twice what the rest of the HTML takes. The
# HTML is made with a stand-in script in its place, which is then replaced by the library: the
# same bytes (tests/test_report_engine_reuse.py), two thirds less of pandoc's work.
CHARTS_HTML = "templates/charts.html"
_BUNDLE_STAND_IN = "/* ccua: the chart library */"
_BUNDLE_IN_PLACE = f"<script>{_BUNDLE_STAND_IN}</script>"


def _charts_without_bundle(run_dir: Path, folder: Path) -> Path | None:
    """A copy of the run's charts.html whose library is the stand-in script (in ``folder``),
    or None when pandoc would not embed the library as it is."""
    try:
        charts = (run_dir / CHARTS_HTML).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # pandoc says what is wrong with it
    src = f'<script src="{BUNDLE_FILE}"></script>'
    bundle = vega_bundle()
    if charts.count(src) != 1 or "</script" in bundle.lower() or _BUNDLE_STAND_IN in charts:
        return None
    (folder / "vega-embed.js").write_text(_BUNDLE_STAND_IN, encoding="utf-8")
    stand_in = f'<script src="{(folder / "vega-embed.js").as_posix()}"></script>'
    (folder / "charts.html").write_text(charts.replace(src, stand_in), encoding="utf-8")
    return folder / "charts.html"


def typst_source(run_dir: Path, source: str) -> str:
    """pandoc's Typst source of the report, its tables laid out by ccua (_typst_tables).

    pandoc writes the Typst with a stand-in for each table while the tables are laid out
    here, side by side; each stand-in is then replaced by its table: the same Typst source as
    from the tree with the tables in it (raw Typst is written as it is), in less time."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from ccua.report._typst_tables import laid_out, replace_tables

    ast = markdown_ast(run_dir, source)
    mark = "ccua-table-" + _digest(ast)[:16]
    tables: list[tuple[list[Any], str]] = []

    def stand_in(table: list[Any], key: str) -> str:
        tables.append((table, key))
        return f"{mark}-{len(tables)}-"

    tree = json.loads(ast)
    replace_tables(tree, stand_in)
    args = ["--standalone", "--template=templates/pandoc.typst"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(
            _pandoc_from_json, json.dumps(tree, ensure_ascii=False), "typst", args, run_dir
        )
        typs = [laid_out(table, key) for table, key in tables]
        typ = written.result()
    found = re.findall(rf"{mark}-(\d+)-", typ)
    if mark in ast or sorted(map(int, found)) != list(range(1, len(typs) + 1)):
        tree = json.loads(ast)  # a stand-in did not come out as it went in: as before
        replace_tables(tree)
        return _pandoc_from_json(json.dumps(tree, ensure_ascii=False), "typst", args, run_dir)
    return re.sub(rf"{mark}-(\d+)-", lambda m: typs[int(m.group(1)) - 1], typ)


def _pandoc_from_json(tree: str, to: str, args: list[str], cwd: Path) -> str:
    return _run_pandoc(tree, "json", to, args, cwd)


# One Typst compiler per font setting and process, used by one compile at a time: it keeps
# the fonts it has read and what it has laid out (memoised), so the next report of a batch or
# of `ccua report` compiles in 0.2 s less, and a repeat in a fraction. It reads the files of
# every compile afresh when they changed, and gives the same PDF, byte for byte, as a new
# compiler (tests/test_report_engine_reuse.py).
_COMPILERS: dict[tuple[tuple[str, ...], bool], typst.Compiler] = {}
_COMPILE_LOCK = threading.Lock()


def _typst_compiler(font: CjkFont) -> typst.Compiler:
    import typst

    key = (tuple(font.folders), font.system_fonts)
    compiler = _COMPILERS.get(key)
    if compiler is None:
        # our font files alone (and Typst's own): the PDF prints the same on any machine
        compiler = _COMPILERS[key] = typst.Compiler(
            font_paths=list(font.folders), ignore_system_fonts=not font.system_fonts
        )
    return compiler


def warm_typst(font: CjkFont) -> None:
    """Read the fonts ahead of the report's compile (the runner, while notebooks run)."""
    with _COMPILE_LOCK, contextlib.suppress(Exception):
        sample = f'#set text(font: "{font.family}")\n测评 Report'
        _typst_compiler(font).compile(input=sample.encode("utf-8"))


def warm_images(run_dir: Path, font: CjkFont, paths: list[str]) -> None:
    """Have Typst read the report's images (the charts' SVGs) now, while pandoc reads
    report.qmd: the compile then finds them read (Typst keeps what it decoded, by content and
    font, with the compiler); 0.15 s of the demo's compile, the same PDF (tested)."""
    import json

    if not paths:
        return
    family = json.dumps(font.family, ensure_ascii=False)
    images = "".join(f"#image({json.dumps(p, ensure_ascii=False)}, width: 1pt)\n" for p in paths)
    with _COMPILE_LOCK, contextlib.suppress(Exception):
        source = f"#set text(font: ({family},))\n{images}"
        _typst_compiler(font).compile(input=source.encode("utf-8"), root=str(run_dir))


def pdf_with_typst(
    run_dir: Path, typ: str, font: CjkFont, when: datetime, say: Say, name: str = "report.pdf"
) -> None:
    """report.pdf from pandoc's Typst source, with the CJK font on the font path."""
    import typst

    try:
        with _COMPILE_LOCK:
            pdf, warnings = _typst_compiler(font).compile_with_warnings(
                input=typ.encode("utf-8"),
                root=str(run_dir),
                timestamp=int(when.replace(tzinfo=UTC).timestamp()),
            )
    except typst.TypstError as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise CcuaError(
            f"typst could not compile the report: {message}", file=str(run_dir / SOURCE_FILE)
        ) from None
    for warning in warnings:
        text = getattr(warning, "message", None) or str(warning)
        if "unknown font family" in text:
            raise FontNotFound(
                f"typst does not know the font of the PDF ({text})",
                hint="install a CJK font: pip install noto-cjk-sans-otc",
            )
        say(f"typst: {text}")
    if not isinstance(pdf, bytes):  # (a PDF is one file; only image formats give a list)
        raise CcuaError("typst gave no PDF", file=str(run_dir / SOURCE_FILE))
    atomic_write_bytes(run_dir / name, pdf)


def render_with_quarto(run_dir: Path, to: str) -> None:
    """``quarto render report.qmd --to html|typst`` inside the run folder."""
    quarto = quarto_executable()
    if quarto is None:
        raise CcuaError(
            "quarto is not on PATH",
            hint="install Quarto (https://quarto.org), or use --engine pandoc",
        )
    if to == "html":
        write_vega_bundle(run_dir)
    try:
        proc = subprocess.run(
            [quarto, "render", SOURCE_FILE, "--to", to],
            cwd=run_dir,
            capture_output=True,
            text=True,
            timeout=QUARTO_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CcuaError(
            f"quarto render --to {to} took more than {QUARTO_TIMEOUT} s",
            file=str(run_dir / SOURCE_FILE),
        ) from None
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout or "").splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "no message"
        raise CcuaError(
            f"quarto render --to {to} failed (exit {proc.returncode}): {last}",
            file=str(run_dir / SOURCE_FILE),
            hint="retry with  ccua report RUN --engine pandoc",
        )
    output = run_dir / ("report.html" if to == "html" else "report.pdf")
    if not output.exists():
        raise CcuaError(
            f"quarto render --to {to} did not write {output.name}", file=str(run_dir / SOURCE_FILE)
        )
