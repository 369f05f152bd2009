"""Several assessors: each rates in a file of their own, then the team reaches a consensus.

- **Independent mode**: the form asks who you are and opens ``ratings/<you>.yaml`` in the
  engagement folder; you see only your own ratings. *Submit* records that you are done
  (``ratings/<you>.submitted.json``: when, and the sha256 of the file you submitted).
- **Consensus mode**: every leaf the assessors rated differently, with each assessor's rating
  side by side; choosing the agreed rating and saying why records a resolution in
  ``consensus.yaml`` (who, why); *Build consensus* writes the client's ``ratings.yaml`` from the
  assessors' files and the resolutions (:mod:`ccua.consensus`), which ``ccua run`` reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ccua._io import atomic_write_text
from ccua.consensus import (
    Resolution,
    assessor_files,
    build_consensus,
    leaf_table,
    load_resolutions,
    save_resolution,
    write_consensus,
)
from ccua.engagement import ASSESSORS_DIR, RATINGS_FILE
from ccua.errors import CcuaError
from ccua.forms._context import FormContext
from ccua.ratings import load_ratings

_UNSAFE = re.compile(r"[^\w.-]+")


def assessor_slug(name: str) -> str:
    """A file stem for an assessor's name: letters (any script), digits, '-', '_', '.'."""
    slug = _UNSAFE.sub("_", name.strip()).strip("._")
    if not slug:
        raise CcuaError(
            f"assessor name {name!r} has no letter or digit to name a file by", field="assessor"
        )
    return slug[:64]


def independent_context(context: FormContext, assessor: str) -> FormContext:
    """The same client, with the ratings file of one assessor (``ratings/<slug>.yaml``)."""
    return replace(context, ratings_file=f"{ASSESSORS_DIR}/{assessor_slug(assessor)}.yaml")


def submission_path(ratings_path: Path) -> Path:
    return ratings_path.with_suffix(".submitted.json")


def submit(ratings_path: Path, assessor: str, clock: Any = None) -> dict[str, str]:
    """Record that ``assessor`` has submitted the file as it now is."""
    if not ratings_path.is_file():
        raise CcuaError(
            "nothing to submit yet: rate at least one requirement", file=str(ratings_path)
        )
    now = (clock or (lambda: dt.datetime.now(dt.UTC)))()
    record = {
        "assessor": assessor,
        "submitted_at": now.isoformat(timespec="seconds"),
        "sha256": hashlib.sha256(ratings_path.read_bytes()).hexdigest(),
    }
    atomic_write_text(
        submission_path(ratings_path), json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    )
    return record


def submitted(ratings_path: Path) -> dict[str, str] | None:
    """The submission record, if the file was submitted and not changed since."""
    marker = submission_path(ratings_path)
    if not marker.is_file() or not ratings_path.is_file():
        return None
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = hashlib.sha256(ratings_path.read_bytes()).hexdigest()
    return record if record.get("sha256") == digest else None


def show_independent(params_file: str | Path, assessor: str | None = None) -> Any:
    """The form in independent mode: ask who you are, then your own file; *Submit* at the end."""
    import ipywidgets as W
    from IPython.display import display

    from ccua.forms import build_form
    from ccua.forms._config import remembered_assessor

    name = W.Text(
        value=assessor or remembered_assessor() or "",
        description="测评人 Assessor",
        placeholder="你的姓名 your name",
        style={"description_width": "initial"},
    )
    name.add_class("ccua-who")
    start = W.Button(description="开始评分 Start", button_style="primary")
    start.add_class("ccua-start")
    message = W.HTML(
        "<p>各测评员独立评分，提交前只看到自己的评分。Each assessor rates "
        "alone and sees only their own ratings until they submit.</p>"
    )
    box = W.VBox([message, W.HBox([name, start])])
    box.add_class("ccua-independent")

    def open_form(_button: Any = None) -> None:
        who = name.value.strip()
        if not who:
            message.value = "<p style='color:#b42318'>请先填写姓名 Enter your name first.</p>"
            return
        try:
            form = build_form(params_file, assessor=who, independent=True)
        except CcuaError as exc:
            message.value = f"<p style='color:#b42318'>{html.escape(str(exc))}</p>"
            return
        submit_button = W.Button(description="提交评分 Submit my ratings", button_style="success")
        submit_button.add_class("ccua-submit")
        status = W.HTML()
        status.add_class("ccua-submit-status")

        def do_submit(_b: Any) -> None:
            try:
                record = submit(form.doc.path, who)
            except CcuaError as exc:
                status.value = f"<span style='color:#b42318'>{html.escape(str(exc))}</span>"
                return
            status.value = (
                f"<span style='color:#067647'>已提交 Submitted at "
                f"{html.escape(record['submitted_at'])}</span>"
            )

        submit_button.on_click(do_submit)
        box.children = [form.widget, W.HBox([submit_button, status])]

    start.on_click(open_form)
    if assessor:
        open_form()
    display(box)
    return box


class ConsensusForm:
    """Every disagreement side by side; record resolutions; build the consensus file."""

    def __init__(self, context: FormContext, assessor: str = "") -> None:
        import ipywidgets as W

        from ccua.forms._widgets import make

        self.context = context
        self.folder = context.folder
        self.W = W
        self.who = W.Text(
            value=assessor, description="裁定人 Resolved by", style={"description_width": "initial"}
        )
        self.who.add_class("ccua-who")
        self.status = make(W.HTML, css="ccua-status", width=None)
        replace = (
            "替换现有 ratings.yaml（保留副本） Replace the current ratings.yaml (a copy is kept)"
        )
        self.replace_box = make(W.Checkbox, value=False, description=replace, indent=False)
        build = "生成共识评分 Build consensus"
        self.build_button = make(
            W.Button, css="ccua-build", description=build, button_style="primary"
        )
        self.build_button.on_click(lambda _b: self.build())
        self.rows = W.VBox([])
        # Every leaf side by side, or only those the assessors rated differently (default).
        every = "显示全部评分项 Show every leaf"
        self.show_all = make(
            W.Checkbox, css="ccua-show-all", value=False, description=every, indent=False
        )
        self.show_all.observe(lambda _change: self.refresh(), "value")
        self.widget = W.VBox(
            [
                W.HTML(
                    f"<h3 style='margin:4px 0'>{html.escape(context.framework.name)} · 共识 "
                    f"Consensus · {html.escape(context.client)}</h3>"
                ),
                W.HBox([self.who, self.show_all]),
                self.rows,
                W.HBox([self.build_button, self.replace_box]),
                self.status,
            ]
        )
        self.widget.add_class("ccua-consensus")
        self.refresh()

    def _files(self) -> tuple[list[Path], list[Any]]:
        files = assessor_files(self.folder)
        fw = self.context.framework
        return files, [load_ratings(f, fw) for f in files]

    def refresh(self) -> None:
        W = self.W
        files, ratings = self._files()
        if len(files) < 2:
            self.rows.children = [
                W.HTML(
                    "<p>需要至少两位测评员的独立评分 Needs the ratings of at least two assessors "
                    f"in {html.escape(str(self.folder / ASSESSORS_DIR))}.</p>"
                )
            ]
            return
        names = [f.stem for f in files]
        resolutions = load_resolutions(self.folder)
        table = leaf_table(ratings, names)
        rows = []
        differ = 0
        for key, given in table.items():
            agreed = len(set(given.values())) == 1 and "—" not in given.values()
            differ += not agreed
            if agreed and not self.show_all.value:
                continue
            rows.append(self._row(key, given, resolutions.get(key)))
        head = (
            f"<p>{differ} 处评分不一致 leaves rated differently · 测评员 assessors: "
            f"{html.escape(', '.join(names))}</p>"
        )
        self.rows.children = [W.HTML(head), *rows]

    def _row(self, key: str, given: dict[str, str], resolution: Resolution | None) -> Any:
        W = self.W
        cells = "".join(
            f"<td style='padding:2px 8px'>{html.escape(n)}: <b>{html.escape(v)}</b></td>"
            for n, v in given.items()
        )
        label = W.HTML(
            f"<table><tr><td style='width:7em'><code>{html.escape(key)}</code></td>"
            f"{cells}</tr></table>"
        )
        choice = W.ToggleButtons(
            options=[(str(v), v) for v in range(6)] + [("N/A", "na")],
            value=None if resolution is None else ("na" if resolution.na else resolution.rating),
            style={"button_width": "3em"},
        )
        why = W.Text(
            value=resolution.why if resolution else "",
            placeholder="理由 why",
            layout=W.Layout(width="24em"),
        )
        record = W.Button(description="记录 Record", layout=W.Layout(width="auto"))
        done = W.HTML("✓" if resolution else "")
        row = W.HBox([label, choice, why, record, done])
        row.add_class("ccua-leaf")
        row.add_class(f"ccua-leaf-{key.replace('.', '-')}")

        def on_record(_b: Any) -> None:
            who = self.who.value.strip()
            if choice.value is None or not why.value.strip() or not who:
                self.say(
                    "选择评分、填写理由和裁定人 Choose a rating, say why and who resolved it.",
                    "error",
                )
                return
            na = choice.value == "na"
            save_resolution(
                self.folder,
                Resolution(
                    key, None if na else int(choice.value), na, None, who, why.value.strip()
                ),
            )
            done.value = "✓"
            self.say(f"已记录 Recorded {key}.", "ok")

        record.on_click(on_record)
        return row

    def say(self, message: str, kind: str = "info") -> None:
        colour = {"ok": "#067647", "error": "#b42318"}.get(kind, "#344054")
        self.status.value = f"<span style='color:{colour}'>{html.escape(message)}</span>"

    def build(self) -> bool:
        files, ratings = self._files()
        if len(files) < 2:
            self.say("需要至少两位测评员 Needs at least two assessors.", "error")
            return False
        result = build_consensus(
            self.context.framework.id,
            ratings,
            [f.stem for f in files],
            load_resolutions(self.folder),
            title=ratings[0].title,
        )
        if result.document is None:
            left = ", ".join(d.key for d in result.unresolved)
            self.say(f"尚有 {len(result.unresolved)} 处未裁定 Still to resolve: {left}", "error")
            return False
        try:
            kept = write_consensus(
                self.folder / RATINGS_FILE,
                result.document,
                [f"{ASSESSORS_DIR}/{f.name}" for f in files],
                force=self.replace_box.value,
            )
        except CcuaError as exc:
            self.say(str(exc), "error")
            return False
        self.say(
            f"已生成 Wrote {RATINGS_FILE}: {result.agreed} agreed, "
            f"{len(result.resolved)} resolved"
            + (f" (previous file kept as {kept.name})" if kept else ""),
            "ok",
        )
        return True


def show_consensus(params_file: str | Path, assessor: str | None = None) -> Any:
    from IPython.display import display

    from ccua.forms._context import open_context

    form = ConsensusForm(open_context(params_file), assessor or "")
    display(form.widget)
    return form
