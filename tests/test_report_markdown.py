"""Markdown building blocks of the report: grid tables with spans, escaping, notebook outputs.

Grid tables are laid out on a character grid that pandoc must measure exactly as we do (wide
characters count two columns). Every table here goes through pandoc and comes back as its AST.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypandoc
import pytest

from ccua.errors import CcuaError
from ccua.report._markdown import Cell, Column, grid_table, md_escape, text_width, wrap
from ccua.report._notebooks import chapter_from_notebook, chart_block

FROM = "markdown+east_asian_line_breaks"


def ast(markdown: str) -> dict[str, Any]:
    return json.loads(pypandoc.convert_text(markdown, "json", format=FROM))


def inline_text(inlines: list[dict[str, Any]]) -> str:
    out = ""
    for node in inlines:
        kind = node["t"]
        if kind == "Str":
            out += node["c"]
        elif kind in ("Space", "SoftBreak"):
            out += " "
        elif kind == "LineBreak":
            out += "\n"
        elif kind in ("Strong", "Emph", "Strikeout", "Underline"):
            out += inline_text(node["c"])
        elif kind == "Code":
            out += node["c"][1]
        elif kind == "Quoted":
            out += inline_text(node["c"][1])
        else:
            raise AssertionError(f"unexpected inline {kind}")
    return out


def block_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        assert block["t"] in ("Plain", "Para"), block["t"]
        parts.append(inline_text(block["c"]))
    return "\n".join(parts)


def table_cells(doc: dict[str, Any]) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan), header first, of the document's only table."""
    tables = [b for b in doc["blocks"] if b["t"] == "Table"]
    assert len(tables) == 1, [b["t"] for b in doc["blocks"]]
    _attr, _caption, _specs, head, bodies, _foot = tables[0]["c"]
    rows = head[1] + [row for body in bodies for row in body[3]]
    return [[(block_text(cell[4]), cell[2], cell[3]) for cell in row[1]] for row in rows]


def test_wide_characters_count_two_columns():
    assert text_width("能力域") == 6 and text_width("SP1") == 3
    assert text_width("（）：") == 6  # full-width punctuation
    assert text_width("—≥×“”") == 5  # ambiguous width: one column, as pandoc


def test_wrap_breaks_only_between_wide_characters_or_at_spaces():
    lines = wrap("a)应用数字化、智能化架构 abc defghijklmnop 和工具", 10)
    assert all(text_width(line) <= 10 or " " not in line for line in lines)
    assert "defghijklmnop" in lines  # a Latin word is never split
    assert "".join(lines).replace(" ", "") == "a)应用数字化、智能化架构abcdefghijklmnop和工具"


def test_grid_table_with_row_and_column_spans_round_trips_through_pandoc():
    columns = [
        Column("类别", 4),
        Column("能力域", 6),
        Column("能力项", 8),
        Column("要求", 30),
        Column("计分", 6, "right"),
    ]
    long_text = (
        "a)应用数字化、智能化架构和工具搭建客户服务体系，"
        "同组织发展相一致、满足客户的需求；Service level 80/20 ≥ 95% — “quoted” × 3"
    )
    rows = [
        [
            Cell.of("过程类", rowspan=3),
            Cell.of("战略规划", rowspan=2),
            Cell.of("SP1 战略目标"),
            Cell.of(md_escape(long_text), md_escape("b) 在不同层级制定计划和指标")),
            Cell.of("1.70分"),
        ],
        [
            Cell.of("SP2 规划重点"),
            Cell.of(md_escape("a)具备整个组织的能力；")),
            Cell.of("3.56分", rowspan=2),
        ],
        [Cell.of("能力建设"), Cell.of("CB1 业务能力"), Cell.of(md_escape("e)评估与测评结果"))],
        [Cell.of("测评计分合计", colspan=4), Cell.of("**85.56分**")],
    ]
    cells = table_cells(ast(grid_table(columns, rows, caption="表 5 测评要求计分表")))
    assert [c[0] for c in cells[0]] == ["类别", "能力域", "能力项", "要求", "计分"]
    assert cells[1][0] == ("过程类", 3, 1) and cells[1][1] == ("战略规划", 2, 1)
    assert cells[1][3][0] == long_text + "\n" + "b) 在不同层级制定计划和指标"
    assert cells[1][4] == ("1.70分", 1, 1)
    assert [c[0] for c in cells[2]] == ["SP2 规划重点", "a)具备整个组织的能力；", "3.56分"]
    assert cells[2][2][1] == 2
    assert [c[0] for c in cells[3]] == ["能力建设", "CB1 业务能力", "e)评估与测评结果"]
    assert cells[4] == [("测评计分合计", 1, 4), ("85.56分", 1, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "a) 列表？",
        "1. 不是列表",
        "- 不是列表",
        "# 不是标题",
        "> 不是引用",
        "(1) 也不是列表",
        "*星号* _下划线_ <b>标签</b> $5$ @引用 [链接](x) 反斜杠\\ 竖线|",
        "华安人寿（示例）#1 ~删除~ ^上标^ `代码`",
    ],
)
def test_md_escape_prints_text_verbatim(text):
    doc = ast(md_escape(text))
    assert len(doc["blocks"]) == 1 and doc["blocks"][0]["t"] == "Para"
    assert inline_text(doc["blocks"][0]["c"]) == text


def test_a_cell_that_would_start_a_list_stays_text():
    text = "b) 获取业内成熟的客户服务技术应用案例"
    table = grid_table([Column("要求", 8)], [[Cell.of(md_escape(text))]])
    assert table_cells(ast(table))[1][0][0] == text


def test_chart_spec_cannot_close_its_script_element():
    block = chart_block("chart-x-1", {"title": "</script><script>alert(1)</script>"}, None)
    html = block.split("```{=html}\n", 1)[1].split("\n```", 1)[0]
    assert html.count("</script>") == 1 and html.endswith("</script>")
    assert "{=typst}" not in block  # no SVG: nothing for the PDF


def _notebook(path: Path, cells: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}),
        encoding="utf-8",
    )
    return path


def _code(
    outputs: list[dict[str, Any]], tags: list[str] | None = None, source: str = "x"
) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "source": source,
        "metadata": {"tags": tags or []},
        "outputs": outputs,
        "execution_count": 1,
    }


def test_only_markdown_and_charts_of_a_notebook_reach_the_report(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    nb = _notebook(
        tmp_path / "SP.ipynb",
        [
            {"cell_type": "markdown", "source": "# notes for analysts", "metadata": {}},
            _code([], tags=["parameters"]),
            _code(
                [
                    {"output_type": "stream", "name": "stdout", "text": "debug print\n"},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/markdown": ["## SP1 战略目标\n", "\n", "计分 1.92分"],
                            "text/plain": "<IPython.Markdown>",
                        },
                    },
                    {
                        "output_type": "execute_result",
                        "metadata": {},
                        "execution_count": 1,
                        "data": {"text/plain": "<Figure size 640x480>"},
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "application/vnd.vegalite.v5+json": {"mark": "bar"},
                            "image/svg+xml": svg,
                            "text/plain": "alt.Chart(...)",
                        },
                    },
                ]
            ),
            _code(
                [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": "hidden by tag"},
                    }
                ],
                tags=["remove-output"],
            ),
            _code(
                [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": "hidden by Quarto option"},
                    }
                ],
                source="#| include: false\nx",
            ),
        ],
    )
    chapter = chapter_from_notebook(nb, "SP", "附件2　SP 战略规划", "annex-SP")
    assert "## SP1 战略目标\n\n计分 1.92分" in chapter.markdown
    for absent in ("notes for analysts", "debug print", "Figure size", "alt.Chart", "hidden"):
        assert absent not in chapter.markdown
    assert chapter.charts == 1
    assert [f.path for f in chapter.files] == ["charts/SP-1.svg"]
    assert chapter.files[0].data == svg.encode()
    assert '#ccua-chart(image("charts/SP-1.svg"))' in chapter.markdown
    assert 'data-spec="chart-SP-1-spec"' in chapter.markdown


def test_a_damaged_notebook_is_a_clear_error(tmp_path):
    bad = tmp_path / "SP.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CcuaError, match="cannot read the executed notebook"):
        chapter_from_notebook(bad, "SP", "x", "y")


def test_a_caption_stays_with_the_output_it_came_in(tmp_path):
    # pandoc gives a "Table:" line to the table just before it when there is one: outputs are
    # kept apart so that one output's table never takes the next output's caption.
    first = "| a | b |\n|---|---|\n| 1 | 2 |"
    second = "Table: 第二个表\n\n| c | d |\n|---|---|\n| 3 | 4 |"
    nb = _notebook(
        tmp_path / "CB.ipynb",
        [
            _code(
                [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": first},
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": second},
                    },
                ]
            )
        ],
    )
    chapter = chapter_from_notebook(nb, "CB", "x", "y")
    html = pypandoc.convert_text(chapter.markdown, "html5", format=FROM)
    assert html.count("<caption>") == 1
    assert html.index("<caption>第二个表</caption>") > html.index("<th>b</th>")
