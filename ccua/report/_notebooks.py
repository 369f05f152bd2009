"""Executed notebooks as report chapters: their outputs as Markdown, code hidden.

The notebooks' output contract: prose and tables are ``text/markdown`` outputs, headings
``##`` for items; each chart is one output carrying both ``application/vnd.vegalite.v5+json``
(drawn interactively in the HTML) and ``image/svg+xml`` (printed in the PDF). Code, streams
(print, logging), errors and plain-text reprs never reach the report.

Charts become a pair of raw blocks, one per format: the HTML block holds the Vega-Lite spec,
the Typst block points at the SVG written to ``charts/<chapter>-<n>.svg`` in the run folder.
Each run folder has its own charts folder (figure folders are never shared between clients,
quarto-r #205), and file names derive from the chapter and position only, so that a re-render
gives the same files.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccua.errors import CcuaError

VEGALITE_MIMES = ("application/vnd.vegalite.v5+json", "application/vnd.vegalite.v4+json")
SKIP_TAGS = {
    "parameters",
    "injected-parameters",
    "remove-cell",
    "remove_cell",
    "remove-output",
    "remove_output",
    "hide-output",
    "hide_output",
}
SVG = "image/svg+xml"
IMAGES = {SVG: "svg", "image/png": "png"}  # their files' extensions
CHARTS_DIR = "charts"
OUTPUT_SEPARATOR = "<!-- -->"
_QUARTO_HIDE = re.compile(r"^#\|\s*(include|output)\s*:\s*false\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ChartFile:
    """A file a chapter needs beside it (a chart's SVG, an image), relative to the run folder."""

    path: str
    data: bytes


@dataclass
class ChapterSource:
    """One chapter of the report: its Markdown and the files it refers to."""

    key: str
    heading: str
    anchor: str
    markdown: str
    files: list[ChartFile] = field(default_factory=list)
    charts: int = 0


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _script_json(spec: Any) -> str:
    """JSON safe inside <script type="application/json">: no "</" can end the element."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def chart_block(chart_id: str, spec: Any, svg_path: str | None) -> str:
    """A chart as raw blocks: interactive in HTML, the static SVG in Typst."""
    html = (
        f'<figure class="ccua-figure"><div class="ccua-chart" id="{chart_id}" '
        f'data-spec="{chart_id}-spec"></div></figure>\n'
        f'<script type="application/json" id="{chart_id}-spec">{_script_json(spec)}'
        "</script>"
    )
    out = f"```{{=html}}\n{html}\n```\n"
    if svg_path is not None:
        out += f'\n```{{=typst}}\n#ccua-chart(image("{svg_path}"))\n```\n'
    return out


def _hidden(cell: Any) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []) or [])
    if tags & SKIP_TAGS:
        return True
    return bool(_QUARTO_HIDE.search(_text(cell.get("source", ""))))


def read_notebook(path: Path) -> dict[str, Any]:
    """An executed notebook as plain JSON (nbformat 4).

    Read as JSON rather than with nbformat: nbformat's import pulls in jsonschema's format
    checkers, which take seconds to load, and papermill has already validated the file.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CcuaError(
            f"cannot read the executed notebook ({exc})",
            file=str(path),
            hint="re-run the client to execute it again",
        ) from None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4:
        raise CcuaError(
            "is not a Jupyter notebook in format 4",
            file=str(path),
            hint="re-run the client to execute it again",
        )
    return nb


def chapter_from_notebook(path: Path, key: str, heading: str, anchor: str) -> ChapterSource:
    """Turn one executed notebook into a chapter (Markdown plus chart files)."""
    nb = read_notebook(path)
    chapter = ChapterSource(key=key, heading=heading, anchor=anchor, markdown="")
    blocks: list[str] = []
    n = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or _hidden(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue  # streams, errors: never part of the report
            data = output.get("data", {})
            spec_mime = next((m for m in VEGALITE_MIMES if m in data), None)
            if spec_mime is None and "text/markdown" in data:
                blocks.append(_text(data["text/markdown"]).strip() + "\n")
                continue
            # a chart's SVG (its PDF form), else an image of its own
            image = next((m for m in IMAGES if m in data and (m == SVG or not spec_mime)), None)
            if spec_mime is None and image is None:
                if "text/html" in data:
                    blocks.append(f"```{{=html}}\n{_text(data['text/html']).strip()}\n```\n")
                continue  # text/plain alone is a repr (an object's address, a DataFrame's text)
            n += 1
            file = None
            if image is not None:
                file = f"{CHARTS_DIR}/{key}-{n}.{IMAGES[image]}"
                raw = _text(data[image])
                body = raw.encode("utf-8") if image == SVG else base64.b64decode(raw)
                chapter.files.append(ChartFile(file, body))
            if spec_mime is None:
                blocks.append(f"![]({file})\n")
                continue
            spec = data[spec_mime]
            spec = json.loads(spec) if isinstance(spec, str) else spec
            blocks.append(chart_block(f"chart-{key}-{n}", spec, file))
            chapter.charts += 1
    # An empty comment between outputs keeps each output's blocks to itself: a "Table:" caption
    # that ends one output would otherwise caption the table that starts the next.
    chapter.markdown = f"\n{OUTPUT_SEPARATOR}\n\n".join(blocks)
    return chapter
