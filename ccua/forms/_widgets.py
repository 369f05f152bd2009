"""The assessor form in ipywidgets: one item at a time, built from the framework's data.

Widgets are only an input step (GUIDE §6: widget state does not survive a kernel restart).
Every change goes straight to the :class:`RatingsDocument`, which saves it to the ratings file
at once; the widgets are then re-read from the document. Reopening the form therefore shows
exactly the file on disk, and nothing lives only in the browser.

Nothing here knows a framework: items, requirement texts, sub-points, the levels that may be
rated and the labels of the rating scale all come from the spec. Class names on the widgets
(``ccua-status``, ``ccua-entry-a-1`` …) are for the browser test and for styling.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as W

from ccua._num import fmt, round_half_up
from ccua.errors import CcuaError
from ccua.forms._config import remember_assessor
from ccua.forms._context import FormContext, IndicatorData, indicator_data
from ccua.forms._document import RatingsConflict, RatingsDocument, SaveReport
from ccua.forms._progress import Progress, progress, resume_item
from ccua.spec import Item, Requirement

NA = "na"
# The chosen rating must be visible at a glance; the default theme only darkens it a little.
STYLE = (
    "<style>.ccua-form .widget-toggle-button.mod-active{background:#1f6feb;color:#fff}"
    ".ccua-form .ccua-indicator{background:#f6f8fa}</style>"
)
COLOURS = {"ok": "#1b7f3b", "warn": "#9a6700", "error": "#b42318", "info": "#444"}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _css_key(key: str) -> str:
    return key.replace(".", "-")


def make(kind: Any, *, css: str = "", width: str | None = "auto", **kw: Any) -> Any:
    """A widget with its class name (for the browser test and styling), as wide as ``width``."""
    if width is not None:
        kw["layout"] = W.Layout(width=width)
    widget = kind(**kw)
    if css:
        widget.add_class(css)
    return widget


class EntryRow:
    """One requirement or sub-point: text, a 0-5 control labelled from the scale, note, evidence."""

    def __init__(
        self,
        form: RatingsForm,
        key: str,
        label: str,
        text: str,
        *,
        indent: bool = False,
        with_na: bool = True,
    ) -> None:
        self.form = form
        self.key = key
        self.text = W.HTML(f"<b>{_esc(label)}</b> {_esc(text)}", layout=W.Layout(width="100%"))
        self.rating = form.rating_buttons(with_na)
        self.clear = make(
            W.Button, description="清除 clear", tooltip="Remove this rating (unrated)"
        )
        note = "备注 note (mandatory for N/A and hand ratings)"
        self.note = make(W.Text, width="48%", placeholder=note, continuous_update=False)
        # The register's entries as a pick list; free text is still accepted (and flagged).
        self.evidence = make(
            W.Combobox,
            width="48%",
            placeholder="证据 evidence (E001…, document, interview…)",
            options=form.evidence_choices,
            ensure_option=False,
            continuous_update=False,
        )
        self.meta = W.HTML()
        self.extra = W.VBox([])
        self.box = W.VBox(
            [
                self.text,
                self.extra,
                W.HBox([self.rating, self.clear]),
                W.HBox([self.note, self.evidence]),
                self.meta,
            ],
            layout=W.Layout(
                margin="0 0 10px 2em" if indent else "0 0 10px 0",
                padding="4px",
                border="1px solid #e5e5e5",
            ),
        )
        self.box.add_class(f"ccua-entry-{_css_key(key)}")
        self.rating.observe(self._on_rating, "value")
        self.clear.on_click(lambda _b: form.edit(lambda: form.doc.clear_entry(form.item.code, key)))
        self.note.observe(lambda ch: self._on_text("note", ch), "value")
        self.evidence.observe(lambda ch: self._on_text("evidence", ch), "value")

    def _on_rating(self, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        value = change["new"]
        code = self.form.item.code
        if value is None:
            self.form.edit(lambda: self.form.doc.clear_entry(code, self.key))
        elif value == NA:
            self.form.edit(lambda: self.form.doc.set_entry(code, self.key, na=True))
        else:
            self.form.edit(lambda: self.form.doc.set_entry(code, self.key, rating=int(value)))

    def _on_text(self, name: str, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        code = self.form.item.code
        self.form.edit(lambda: self.form.doc.set_entry(code, self.key, **{name: change["new"]}))

    def sync(self) -> None:
        """Show the document's entry (called with the form's syncing flag set)."""
        entry = self.form.doc.entry(self.form.item.code, self.key)
        self.rating.value = NA if entry.na else entry.rating
        self.note.value = entry.note
        self.evidence.value = entry.evidence
        self.meta.value = (
            f"<small style='color:#777'>{_esc(entry.by)} · {_esc(entry.at)}</small>"
            if entry.exists and entry.by
            else ""
        )


class IndicatorRow(EntryRow):
    """The indicator requirement: rated from the data, by hand only with a note."""

    def __init__(self, form: RatingsForm, req: Requirement) -> None:
        super().__init__(form, req.code, f"{req.code})", req.text, with_na=False)
        item = form.item.code
        data_rating = form.data.rating(form.framework, item)
        att = form.data.attainment.get(item)
        self.has_data = data_rating is not None
        if self.has_data and att is not None:
            share = round_half_up(att.share * 100, 2) if att.share is not None else None
            shown = round_half_up(data_rating, 2)  # type: ignore[arg-type]
            rules = form.framework.scoring
            at_threshold = int(rules.rating_at_threshold)
            info = (
                f"From the data 数据评定: {att.met} of {att.evaluable} indicators meet their "
                f"targets ({fmt(share)}%) → rating <b>{shown}</b> "
                f"({fmt(rules.attainment_threshold * 100, 0)}% met is {at_threshold} "
                f"{_esc(form.framework.scale.label(at_threshold))})"
            )
        elif att is not None:
            info = (
                "No indicator of this item can be evaluated against a target yet: "
                "rate it by hand, with a note. 无可评估指标，请人工评定并填写备注。"
            )
        elif form.data.waiting_for_ratings:
            info = (
                "The client's data is read once the first rating is saved. "
                "保存第一个评分后读取数据。"
            )
        else:
            why = (form.data.problem or "no data").splitlines()
            info = (
                "No data yet 暂无数据: "
                + _esc(" ".join(w.strip() for w in why[:3]))
                + " — rate it by hand, with a note."
            )
        self.info = W.HTML(f"<div style='color:#444'>{info}</div>")
        self.by_hand = make(
            W.Checkbox,
            description="人工评定 rate by hand (overrides the data; note required)",
            indent=False,
        )
        self.by_hand.observe(self._on_by_hand, "value")
        self.extra.children = (self.info, self.by_hand) if self.has_data else (self.info,)
        self.box.add_class("ccua-indicator")

    def _on_by_hand(self, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        if change["new"]:
            self._enable(True)
            self.form.say("Choose a rating and write why the data is overridden (note).", "info")
        else:
            code = self.form.item.code
            if self.form.doc.entry(code, self.key).exists:
                self.form.edit(lambda: self.form.doc.clear_entry(code, self.key))
            self._enable(False)

    def _enable(self, on: bool) -> None:
        for w in (self.rating, self.clear, self.note, self.evidence):
            w.disabled = not on

    def sync(self) -> None:
        super().sync()
        exists = self.form.doc.entry(self.form.item.code, self.key).exists
        if self.has_data:
            self.by_hand.value = exists or self.by_hand.value
            self._enable(self.by_hand.value)


class ItemPanel:
    """The item's own fields: whole-item rating (where allowed), override, note, evidence."""

    def __init__(self, form: RatingsForm, item: Item) -> None:
        self.form = form
        fw = form.framework
        self.whole: W.ToggleButtons | None = None
        parts: list[W.Widget] = []
        if "item" in fw.scoring.rating_levels:
            self.whole = form.rating_buttons(with_na=fw.scoring.points_at != "item")
            self.whole.add_class("ccua-item-rating")
            self.whole.observe(self._on_whole, "value")
            parts += [
                W.HTML(
                    f"<b>整项评分 Rate the whole {fw.levels.item.en}</b> (replaces the "
                    f"{fw.levels.requirement.en} ratings below; the note is mandatory "
                    "for N/A)"
                ),
                self.whole,
            ]
        self.override = make(
            W.Checkbox,
            description="直接给出得分率 Override the item percent (note required)",
            indent=False,
        )
        self.percent = make(
            W.Text,
            css="ccua-override-percent",
            width="14em",
            placeholder="0-100",
            description="percent %",
            continuous_update=False,
        )
        self.override.observe(self._on_override, "value")
        self.percent.observe(self._on_percent, "value")
        self.note = W.Textarea(
            placeholder=f"{fw.levels.item.zh}备注 item note (findings; the reason of an override)",
            continuous_update=False,
            layout=W.Layout(width="98%", height="4em"),
        )
        self.evidence = W.Textarea(
            placeholder="证据 evidence for the item",
            continuous_update=False,
            layout=W.Layout(width="98%", height="3em"),
        )
        self.note.add_class("ccua-item-note")
        self.note.observe(lambda ch: self._on_text("note", ch), "value")
        self.evidence.observe(lambda ch: self._on_text("evidence", ch), "value")
        self.meta = W.HTML()
        parts += [W.HBox([self.override, self.percent]), self.note, self.evidence, self.meta]
        self.box = W.VBox(
            parts, layout=W.Layout(padding="6px", border="1px solid #d0d7de", margin="6px 0")
        )

    def _on_whole(self, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        code, value = self.form.item.code, change["new"]
        doc = self.form.doc
        if value is None:
            self.form.edit(lambda: doc.set_item(code, rating=None, na=None))
        elif value == NA:
            self.form.edit(lambda: doc.set_item(code, na=True))
        else:
            self.form.edit(lambda: doc.set_item(code, rating=int(value)), replaces=True)

    def _on_override(self, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        self.percent.disabled = not change["new"]
        code = self.form.item.code
        if not change["new"] and self.form.doc.item_view(code).percent is not None:
            self.form.edit(lambda: self.form.doc.set_item(code, percent=None))
        elif change["new"]:
            self.form.say("Type the percent and the reason in the item note.", "info")

    def _on_percent(self, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        code, text = self.form.item.code, change["new"].strip()
        if not text:
            if self.form.doc.item_view(code).percent is not None:
                self.form.edit(lambda: self.form.doc.set_item(code, percent=None))
            return
        self.form.edit(lambda: self.form.doc.set_item(code, percent=text), replaces=True)

    def _on_text(self, name: str, change: dict[str, Any]) -> None:
        if self.form.syncing:
            return
        code = self.form.item.code
        self.form.edit(lambda: self.form.doc.set_item(code, **{name: change["new"]}))

    def sync(self) -> None:
        view = self.form.doc.item_view(self.form.item.code)
        if self.whole is not None:
            self.whole.value = NA if view.na else view.rating
        self.override.value = view.percent is not None or self.override.value
        self.percent.disabled = not self.override.value
        self.percent.value = view.percent or ""
        self.note.value = view.note
        self.evidence.value = view.evidence
        self.meta.value = (
            f"<small style='color:#777'>{_esc(view.by)} · {_esc(view.at)}</small>"
            if view.by
            else ""
        )


class RatingsForm:
    """The whole form: assessor, progress, item navigation, the current item, status."""

    def __init__(
        self,
        context: FormContext,
        document: RatingsDocument,
        data: IndicatorData,
        *,
        start: str | None = None,
    ) -> None:
        self.context = context
        self.doc = document
        self.framework = context.framework
        self.data = data
        self.syncing = False
        self.rows: dict[str, EntryRow] = {}
        self.panel: ItemPanel | None = None
        self._navigation()
        self.evidence_choices = self._evidence_choices()
        self.attach = self._attach_box()
        self._saving()
        self.status = make(W.HTML, css="ccua-status", width=None)
        self.header = W.HTML()
        self.result = make(W.HTML, css="ccua-item-result", width=None)
        self.body = W.VBox([])
        self.widget = self._layout()
        self.state = self._progress()
        self.item = self.framework.item(
            start or resume_item(self.state, document.history_path, document.assessor)
        )
        self.show_item(self.item.code)
        self.say(f"Opened {document.path.name}: every change is saved at once.", "info")

    def _navigation(self) -> None:
        """Who rates, how far they are, and the way from item to item."""
        fw = self.framework
        self.assessor = W.Text(
            value=self.doc.assessor,
            description="测评人 Assessor",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.assessor.add_class("ccua-assessor")
        self.assessor.observe(self._on_assessor, "value")
        self.progress_bar = W.IntProgress(
            min=0, max=len(fw.items), value=0, layout=W.Layout(width="16em")
        )
        self.progress_text = make(W.HTML, css="ccua-progress", width=None)
        self.prev_button = make(W.Button, description="‹ 上一项 Prev")
        self.next_button = make(W.Button, css="ccua-next", description="下一项 Next ›")
        items, word = [(i.code, i.code) for i in fw.items], fw.levels.item.zh
        self.jump = make(W.Dropdown, css="ccua-jump", width="24em", options=items, description=word)
        self.prev_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(+1))
        self.jump.observe(self._on_jump, "value")

    def _saving(self) -> None:
        """Save (a retry), and the two ways out of a conflict with another assessor's save."""
        self.save_button = make(
            W.Button,
            css="ccua-save",
            width=None,
            description="保存 Save",
            button_style="primary",
            tooltip="Every change is saved at once; this retries a save",
        )
        warn = {"button_style": "warning"}
        reload = "重新载入 Reload theirs, re-apply mine"
        self.reload_button = make(W.Button, css="ccua-reload", description=reload, **warn)
        both = "保留两份 Keep both (mine to a copy)"
        self.keep_both_button = make(W.Button, css="ccua-keep-both", description=both, **warn)
        self.conflict_box = W.HBox(
            [self.reload_button, self.keep_both_button], layout=W.Layout(display="none")
        )
        self.save_button.on_click(lambda _b: self.commit())
        self.reload_button.on_click(lambda _b: self.reload())
        self.keep_both_button.on_click(lambda _b: self.keep_both())

    def _layout(self) -> W.VBox:
        title = W.HTML(
            f"{STYLE}<h3 style='margin:4px 0'>{_esc(self.framework.name)} · 要求评分 · "
            f"{_esc(self.context.client)}</h3><small>{_esc(str(self.doc.path))}</small>"
        )
        widget = W.VBox(
            [
                title,
                W.HBox([self.assessor, self.progress_bar, self.progress_text]),
                W.HBox([self.prev_button, self.jump, self.next_button, self.save_button]),
                W.HBox([self.status]),
                self.conflict_box,
                self.header,
                self.result,
                self.body,
                self.attach,
            ]
        )
        widget.add_class("ccua-form")
        return widget

    # ------------------------------------------------------------------ evidence register
    def _evidence_choices(self) -> list[str]:
        from ccua.evidence import load_register

        try:
            register = load_register(self.context.folder)
        except CcuaError as exc:
            self.register_problem = str(exc)
            return []
        self.register_problem = ""
        return [f"{e.id} {e.title}" for e in register.entries]

    def _attach_box(self) -> W.Widget:
        """Register a piece of evidence (and attach a file) without leaving the form."""
        self.upload = W.FileUpload(description="选择文件 File", multiple=False)
        self.evidence_title = W.Text(placeholder="证据标题 title", layout=W.Layout(width="20em"))
        kinds = [("文件 document", "document"), ("访谈 interview", "interview")]
        kinds += [("观察 observation", "observation"), ("数据 data", "data")]
        self.evidence_kind = make(W.Dropdown, width="12em", options=kinds)
        self.register_button = make(
            W.Button, css="ccua-register-evidence", description="登记证据 Register evidence"
        )
        self.register_button.on_click(lambda _b: self.register_evidence())
        box = W.VBox(
            [
                W.HTML("<b>证据登记 Evidence register</b> (evidence.yaml): ratings cite its ids"),
                W.HBox(
                    [self.upload, self.evidence_title, self.evidence_kind, self.register_button]
                ),
            ]
        )
        box.add_class("ccua-attach")
        return box

    def register_evidence(self) -> str | None:
        """Add the chosen file (or none) to the register; offer it in every evidence list."""
        import tempfile

        from ccua.evidence import add_evidence

        title = self.evidence_title.value.strip()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                file = None
                if self.upload.value:
                    upload = self.upload.value[0]
                    file = Path(tmp) / Path(str(upload["name"])).name
                    file.write_bytes(bytes(upload["content"]))
                entry = add_evidence(
                    self.context.folder,
                    title=title,
                    kind=self.evidence_kind.value,
                    file=file,
                    owner=self.doc.assessor,
                )
        except CcuaError as exc:
            self.say(str(exc), "error")
            return None
        self.evidence_choices = self._evidence_choices()
        for row in self.rows.values():
            row.evidence.options = self.evidence_choices
        self.upload.value = ()
        self.evidence_title.value = ""
        self.say(f"Registered {entry.id} {entry.title}: cite it as {entry.id}.", "ok")
        return entry.id

    # ------------------------------------------------------------------ scale and status
    def rating_buttons(self, with_na: bool) -> W.ToggleButtons:
        """The scale's levels as buttons labelled from the spec (and N/A where allowed)."""
        levels = self.framework.scale.levels
        opts: list[tuple[str, Any]] = [(f"{lv.value} {lv.label}", lv.value) for lv in levels]
        tips = [f"{lv.label_en}: {lv.description}" for lv in levels]
        if with_na:
            opts.append(("不适用 N/A", NA))
            tips.append("Not applicable (a note saying why is mandatory)")
        style = {"button_width": "auto"}
        return W.ToggleButtons(options=opts, value=None, tooltips=tips, style=style)

    def say(self, message: str, kind: str = "info") -> None:
        lines = [_esc(line) for line in message.splitlines()]
        self.status.value = (
            f"<div style='color:{COLOURS.get(kind, '#444')}' "
            f"data-kind='{kind}'>" + "<br>".join(lines) + "</div>"
        )

    # ------------------------------------------------------------------ items
    def _progress(self) -> Progress:
        touched = {i.code for i in self.framework.items if self.doc.has_entries(i.code)}
        return progress(self.framework, self.doc.ratings, self.data.attainment, touched)

    def show_item(self, code: str) -> None:
        """Build the panel of one item from the spec and fill it from the document."""
        fw = self.framework
        item = fw.item(code)
        self.item = item
        rows: dict[str, EntryRow] = {}
        children: list[W.Widget] = []
        levels = fw.scoring.rating_levels
        view = self.doc.item_view(code)
        for req in item.requirements:
            if req.kind == "indicator":
                row: EntryRow = IndicatorRow(self, req)
                rows[req.code] = row
                children.append(row.box)
                continue
            by_subpoints = bool(req.subpoints) and "subpoint" in levels
            whole = "requirement" in levels and (not by_subpoints or req.code in view.keys)
            if whole:
                row = EntryRow(self, req.code, f"{req.code})", req.text)
                rows[req.code] = row
                children.append(row.box)
            else:
                children.append(W.HTML(f"<b>{_esc(req.code)})</b> {_esc(req.text)}"))
            if by_subpoints:
                for sub in req.subpoints:
                    key = f"{req.code}.{sub.code}"
                    row = EntryRow(self, key, f"{sub.code})", sub.text, indent=True)
                    rows[key] = row
                    children.append(row.box)
        self.rows = rows
        self.panel = ItemPanel(self, item)
        group = fw.group(item.group)
        points = (
            f"{fmt(item.points)} 分"
            if item.points is not None
            else f"{group.name} {fmt(group.points)} 分"
        )
        self.header.value = (
            f"<h3 style='margin:8px 0 2px 0' class='ccua-item-title'>{_esc(item.code)} "
            f"{_esc(item.name)} <small>{_esc(item.name_en)} · {_esc(group.code)} "
            f"{_esc(group.name)} · {_esc(points)}</small></h3>"
            f"<div style='color:#555;font-size:90%'>{_esc(item.description)}</div>"
        )
        self.body.children = [*children, self.panel.box]
        self.refresh()

    def step(self, delta: int) -> None:
        codes = [i.code for i in self.framework.items]
        pos = (codes.index(self.item.code) + delta) % len(codes)
        self.go(codes[pos])

    def go(self, code: str) -> None:
        self.show_item(code)
        if self.doc.changed_on_disk():
            self._offer_conflict(
                f"{self.doc.path.name} was changed on disk since this form "
                "loaded it (another assessor?)."
            )

    def _on_jump(self, change: dict[str, Any]) -> None:
        if self.syncing or change["new"] == self.item.code:
            return
        self.go(change["new"])

    def _on_assessor(self, change: dict[str, Any]) -> None:
        if self.syncing:
            return
        try:
            self.doc.assessor = change["new"]
        except CcuaError as exc:
            self.say(str(exc), "error")
            self._sync(lambda: setattr(self.assessor, "value", self.doc.assessor))
            return
        remember_assessor(self.doc.assessor)
        self.say(f"Changes are now recorded as made by {self.doc.assessor}.", "info")

    # ------------------------------------------------------------------ editing
    def edit(self, action: Callable[[], None], *, replaces: bool = False) -> SaveReport | None:
        """Apply one change to the document, save at once, and show the outcome."""
        before = self.doc.item_view(self.item.code).keys
        try:
            action()
        except CcuaError as exc:
            self.say(str(exc), "error")
            self.refresh()
            return None
        report = self.commit()
        if replaces and before and not self.doc.item_view(self.item.code).keys:
            self.say(
                f"The {len(before)} {self.framework.levels.requirement.en} ratings of "
                f"{self.item.code} were replaced; they remain in "
                f"{self.doc.history_path.name}.",
                "warn",
            )
        return report

    def commit(self) -> SaveReport | None:
        """Save now; on a conflict offer reload or keep both; never overwrite."""
        try:
            report = self.doc.save()
        except RatingsConflict as exc:
            self._offer_conflict(f"{self.doc.path.name}: {exc.problem.message}.")
        except CcuaError as exc:
            self.say(f"Not saved: {exc}", "error")
        except OSError as exc:  # disk full, permissions: the edit stays pending
            kept = "Your change is kept in this form; fix the problem and press Save."
            self.say(f"Not saved: {exc}. {kept}", "error")
        else:
            self._saved(report)
            return report
        self.refresh()
        return None

    def _saved(self, report: SaveReport) -> None:
        self.conflict_box.layout.display = "none"
        if report.saved and self.data.waiting_for_ratings:
            self.data = indicator_data(self.context)
            if not self.data.waiting_for_ratings:
                self.show_item(self.item.code)  # the indicator requirement now has its data
        where = self.doc.path.name
        if report.held_back:
            todo = "; ".join(f"{_short(p.field)}: {p.message}" for p in report.held_back)
            self.say(f"Not saved yet (complete it and it saves): {todo}", "warn")
        elif report.saved:
            n = len(report.changes)
            self.say(
                f"Saved {n} change{'s' if n != 1 else ''} to {where} at "
                f"{datetime.now().strftime('%H:%M:%S')}.",
                "ok",
            )
        else:
            self.say(f"Nothing to save: {where} is up to date.", "ok")
        self.refresh()

    def _offer_conflict(self, message: str) -> None:
        self.say(
            message + " Reload theirs (your edits to other items are re-applied), or "
            "keep both (yours are written to a copy beside it).",
            "error",
        )
        self.conflict_box.layout.display = "flex"

    def reload(self) -> None:
        try:
            report = self.doc.reload()
        except CcuaError as exc:
            self.say(f"Cannot reload: {exc}", "error")
            return
        self.conflict_box.layout.display = "none"
        self.state = self._progress()
        self.show_item(self.item.code)
        note = f"Reloaded {self.doc.path.name}; re-applied {report.reapplied} of your edits."
        if report.conflicting_items:
            note += (
                f" Your edits to {', '.join(report.conflicting_items)} clashed with theirs "
                f"and were kept in {report.copy.name if report.copy else 'a copy'}."
            )
        self.say(note, "warn" if report.conflicting_items else "ok")
        if self.doc.pending:
            self.commit()
            self.say(note, "warn" if report.conflicting_items else "ok")

    def keep_both(self) -> None:
        try:
            copy = self.doc.keep_both()
        except CcuaError as exc:
            self.say(f"Cannot keep both: {exc}", "error")
            return
        self.conflict_box.layout.display = "none"
        self.show_item(self.item.code)
        self.say(
            f"Your version is kept in {copy.name}; the form now shows "
            f"{self.doc.path.name} as it is on disk.",
            "warn",
        )

    # ------------------------------------------------------------------ display
    def _sync(self, fn: Callable[[], None]) -> None:
        self.syncing = True
        try:
            fn()
        finally:
            self.syncing = False

    def refresh(self) -> None:
        """Re-read the document into the widgets, and the live score and progress."""
        self.state = self._progress()
        self._sync(self._refresh_widgets)

    def _refresh_widgets(self) -> None:
        for row in self.rows.values():
            row.sync()
        if self.panel is not None:
            self.panel.sync()
        state = self.state
        self.jump.options = [(it.label, it.code) for it in state.items]
        self.jump.value = self.item.code
        self.progress_bar.value = state.complete
        total = ""
        if state.assessment is not None:
            total = f" · total so far 已得分 {fmt(state.assessment.total)}"
        self.progress_text.value = (
            f"rated 已评 <b>{state.complete}</b> / {state.total} "
            f"{self.framework.levels.item.en_plural} "
            f"(unrated 未评 {state.total - state.complete}){total}"
        )
        self.result.value = self._item_result()

    def _item_result(self) -> str:
        state = self.state
        if state.assessment is None:
            return f"<div style='color:{COLOURS['error']}'>{_esc(state.problem or '')}</div>"
        scored = state.assessment.item(self.item.code)
        mark = state.item(self.item.code)
        if scored.fulfilment is None:
            if scored.source == "na":
                return "<div>Not applicable 不适用 (excluded from its area's mean).</div>"
            reqs = self.framework.levels.requirement.en_plural
            return (
                f"<div style='color:#555'>{mark.label.split(' ')[0]} Not complete 未完成: "
                f"{scored.rated} of {scored.ratable} {reqs} rated (as saved).</div>"
            )
        text = f"得分率 item percent <b>{fmt(scored.percent)}%</b>"
        if scored.score is not None:
            text += f" · 得分 score <b>{fmt(scored.score)}</b> / {fmt(scored.points)} 分"
        else:
            group = next(g for g in state.assessment.groups if g.code == self.item.group)
            text += (
                f" · mean rating {fmt(scored.mean_rating)} · {_esc(group.name)} so far "
                f"{fmt(group.score)} / {fmt(group.points)} 分"
            )
        source = {"override": " (override)", "rating": " (whole item)"}.get(scored.source, "")
        return f"<div>✓ {text}{source}</div>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _short(field: str | None) -> str:
    text = field or ""
    return text[len("items.") :] if text.startswith("items.") else text
