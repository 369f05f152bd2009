"""The report reads a run's results.json through the one loader,
:func:`ccua.results_model.load_run` (typed; numbers as Decimals); it never recomputes a score."""

from __future__ import annotations

from ccua.results_model import load_run as load_results

__all__ = ["load_results"]
