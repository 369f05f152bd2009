"""Issue 11: text from the user (paths, cell references such as [A1]) is printed as it is,
never read as Rich markup (rich.errors.MarkupError, or brackets silently dropped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccua.demo import write_demo
from tests.cli import run

ODD = "[/odd] [A1] [bold]"  # a closing tag with nothing to close, a cell ref, a style name


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose name looks like Rich markup, holding a demo client and a broken one."""
    folder = tmp_path / ODD / "params"
    write_demo(folder)
    (folder / "broken.yaml").write_text(
        f"client: broken\nengagement: 'no {ODD}'\n", encoding="utf-8"
    )
    return folder


def test_run_error_with_brackets(odd: Path, capsys):
    code, _, err = run(capsys, "run", str(odd / "broken.yaml"), "--no-notebooks")
    assert code == 1 and "MarkupError" not in err and "Traceback" not in err
    assert f"engagement folder 'no {ODD}' not found" in err


def test_run_progress_and_summary_with_brackets(odd: Path, tmp_path: Path, capsys):
    out = tmp_path / "out [/x]"
    code, stdout, err = run(capsys, "run", str(odd / "demo.yaml"), "-o", str(out), "--no-notebooks")
    assert code == 0, err
    assert f"→ {out}" in stdout.replace("\n", "")


def test_batch_shows_its_summary_when_an_error_has_brackets(odd: Path, capsys):
    code, out, err = run(
        capsys, "batch", str(odd / "broken.yaml"), str(odd / "demo.yaml"), "--no-notebooks"
    )
    assert code == 1 and "Traceback" not in err
    assert "2 clients, 1 failed" in out
    assert f"'no {ODD}'" in err


def test_check_and_score_with_brackets(odd: Path, tmp_path: Path, capsys):
    code, out, err = run(capsys, "check", str(odd / "broken.yaml"))
    assert code == 1 and f"no {ODD}" in out + err
    ratings = tmp_path / ODD / "r.yaml"
    ratings.write_text("framework: t-ccua\nitems: {}\n", encoding="utf-8")
    code, out, err = run(capsys, "score", str(ratings))
    assert code == 1 and "Traceback" not in err and "MarkupError" not in err


def test_cell_reference_in_an_error_is_printed(tmp_path: Path, capsys):
    """A problem located at [A1]-like text keeps its brackets on the screen."""
    folder = tmp_path / "params"
    write_demo(folder)
    monthly = folder / "demo" / "monthly.csv"
    lines = monthly.read_text(encoding="utf-8").splitlines()
    # abandoned > offered in the first month: the message names the cells in brackets.
    for n, line in enumerate(lines):
        if ",abandoned_calls," in line:
            cells = line.split(",")
            cells[4] = "99999999"
            lines[n] = ",".join(cells)
    monthly.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _out, err = run(
        capsys, "run", str(folder / "demo.yaml"), "--no-notebooks", "-o", str(tmp_path / "r")
    )
    assert code == 1 and "Traceback" not in err
    assert "[monthly.csv" in err or "[" in err.split("abandoned", 1)[-1], err


def test_the_consoles_never_raise_on_markup_like_text(capsys):
    from ccua.cli._app import console, err_console

    console.print(f"[bold]x[/] {ODD} [/]")
    err_console.print(f"{ODD} [/nothing]")
    out, err = capsys.readouterr()
    assert "[/]" in out and "[/nothing]" in err
