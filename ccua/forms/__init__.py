"""Assessor forms: where the assessors' judgement enters the system.

The model (:class:`RatingsDocument`) is pure and usable without widgets: it edits the client's
ratings file safely (round-trip YAML, validation before every save, atomic writes, who and
when on every change, an append-only history, no silent overwrite of a second assessor's
work). The widgets (:func:`show`, :func:`build_form`) are a thin input step over it, used in
JupyterLab (``notebooks/ratings_form.ipynb``) and in the browser app (``ccua form``).

Batch runs never import this package: ``ccua run`` and papermill read the saved ratings file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ccua._lazy import lazy_exports
from ccua.errors import CcuaError
from ccua.forms._app import serve
from ccua.forms._config import remember_assessor, remembered_assessor
from ccua.forms._context import FormContext, IndicatorData, indicator_data, open_context
from ccua.forms._document import (
    Change,
    EntryView,
    Fingerprint,
    ItemView,
    RatingsConflict,
    RatingsDocument,
    ReloadReport,
    SaveReport,
    default_assessor,
    history_path,
)
from ccua.forms._progress import ItemProgress, Progress, progress, resume_item

if TYPE_CHECKING:
    from collections.abc import Callable

    from ccua.forms._widgets import RatingsForm


def open_document(
    params_file: str | Path,
    *,
    assessor: str | None = None,
    clock: Callable[[], datetime] | None = None,
    independent: bool = False,
) -> tuple[FormContext, RatingsDocument]:
    """A client's ratings file open for editing; an empty file is created if there is none.

    ``independent``: the assessor's own file, ``ratings/<assessor>.yaml`` (several assessors
    rating the same engagement; ccua/forms/_team.py).
    """
    context = open_context(params_file)
    name = assessor or remembered_assessor() or default_assessor()
    if independent:
        from ccua.forms._team import independent_context

        context = independent_context(context, name)
        context.ratings_path.parent.mkdir(exist_ok=True)
    doc = RatingsDocument(
        context.ratings_path, context.framework, assessor=name, client=context.client, clock=clock
    )
    if not doc.exists:
        doc.save()  # so that the data loads (it validates the ratings file too)
    return context, doc


def build_form(
    params_file: str | Path,
    *,
    assessor: str | None = None,
    start: str | None = None,
    clock: Callable[[], datetime] | None = None,
    independent: bool = False,
) -> RatingsForm:
    """The form of one client, not displayed (tests drive it; :func:`show` displays it)."""
    from ccua.forms._widgets import RatingsForm

    context, doc = open_document(
        params_file, assessor=assessor, clock=clock, independent=independent
    )
    return RatingsForm(context, doc, indicator_data(context), start=start)


def show(params_file: str | Path, *, assessor: str | None = None, mode: str = "shared") -> None:
    """Display the form of one client (JupyterLab, Voila); a bad input shows one clear line.

    ``mode``: ``shared`` (the client's ratings.yaml), ``independent`` (each assessor their own
    file; asks who you are) or ``consensus`` (the assessors' ratings side by side).
    Returns None so that a notebook cell ending in ``show(...)`` displays the form once.
    """
    import html

    from IPython.display import HTML, display

    try:
        if mode == "independent":
            from ccua.forms._team import show_independent

            show_independent(params_file, assessor)
            return
        if mode == "consensus":
            from ccua.forms._team import show_consensus

            show_consensus(params_file, assessor)
            return
        form = build_form(params_file, assessor=assessor)
    except CcuaError as exc:
        display(
            HTML(
                "<div class='ccua-error' style='color:#b42318;white-space:pre-wrap'>"
                f"<b>Cannot open the ratings form:</b> {html.escape(str(exc))}</div>"
            )
        )
        return
    display(form.widget)


# The widgets load ipywidgets: imported only when asked for.
__getattr__ = lazy_exports(__name__, {"RatingsForm": "ccua.forms._widgets"}, globals())


__all__ = [
    "Change",
    "EntryView",
    "Fingerprint",
    "FormContext",
    "IndicatorData",
    "ItemProgress",
    "ItemView",
    "Progress",
    "RatingsConflict",
    "RatingsDocument",
    "RatingsForm",
    "ReloadReport",
    "SaveReport",
    "build_form",
    "default_assessor",
    "history_path",
    "indicator_data",
    "open_context",
    "open_document",
    "progress",
    "remember_assessor",
    "remembered_assessor",
    "resume_item",
    "serve",
    "show",
]
