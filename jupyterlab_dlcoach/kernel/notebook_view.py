"""The live view of a notebook run, in the cell's output: progress line, loss chart, the coach's warnings.

    learn.fine_tune(3, cbs=CoachCallback())   # in a Jupyter kernel: one ipywidget under the cell

The HTML and the SVG chart are built by pure functions from the run's own event payloads (the same
`batch`, `epoch`, `warning` and `state` dicts the callback writes to the store), so they are tested
without a kernel. `LiveView` is the only part that touches ipywidgets, and imports it only when built:
a plain Python process (the server's trainer, scripts, pytest) never imports it. No torch here.

Colours are JupyterLab theme variables (with fallbacks for other front ends), so light and dark themes
work; series also differ by dash pattern and point shape, and the legend names them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable

from jupyterlab_dlcoach.kernel.notebook_chart import (
    FONT,
    MAX_POINTS,
    BatchSeries,
    chart_svg,
    esc,
    finite,
    num,
)

# Batch-only flushes re-render the widget at most this often; epoch, warning and state events at once.
UPDATE_S = 0.5

PHASES = {
    "frozen": "Frozen: training the new head only",
    "unfrozen": "Unfrozen: training the whole model",
    "fit": "Training",
}


def in_ipython_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel; never imports IPython itself (a kernel already has)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return getattr(shell, "kernel", None) is not None


def format_duration(seconds) -> str | None:
    """ "1 min 05 s"-style text (as in the side panel); None when unknown."""
    s = finite(seconds)
    if s is None:
        return None
    s = max(0, round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def progress_html(progress: dict | None, state: dict | None = None, last_epoch: dict | None = None) -> str:
    """One line: phase, epoch i of n, batch, ETA; or, once the run ended, how it ended."""
    style = (
        f"{FONT};font-size:var(--jp-ui-font-size1, 13px);color:var(--jp-ui-font-color1, #333);padding:2px 0"
    )
    if state is not None and state.get("state") not in (None, "running"):
        name = state["state"]
        parts = [f"<strong>Coach: run {esc(name)}</strong>"]
        result = state.get("result") or {}
        if name == "completed":
            if result.get("epochs") is not None:
                parts.append(f"{int(result['epochs'])} epochs")
            took = format_duration(result.get("seconds"))
            if took:
                parts.append(f"in {took}")
        ep = last_epoch or {}
        err = (ep.get("metrics") or {}).get("error_rate")
        if finite(err) is not None:
            parts.append(f"error rate {num(err)}")
        if finite(ep.get("valid_loss")) is not None:
            parts.append(f"validation loss {num(ep.get('valid_loss'))}")
        error = state.get("error")
        text = " · ".join(parts)
        if error:
            text += f"<br>{esc(error.get('message', ''))} {esc(error.get('advice', ''))}"
        return f'<div style="{style}">{text}</div>'
    if not progress:
        return f'<div style="{style}"><strong>Coach:</strong> starting…</div>'
    parts = [
        f"<strong>{esc(PHASES.get(progress.get('phase'), progress.get('phase') or 'Training'))}</strong>"
    ]
    if progress.get("epochs"):
        parts.append(f"epoch {int(progress.get('epoch') or 0) + 1} of {int(progress['epochs'])}")
    if progress.get("batches"):
        parts.append(f"batch {int(progress.get('batch') or 0)} of {int(progress['batches'])}")
    eta = format_duration(progress.get("eta_s"))
    if eta:
        parts.append(f"about {eta} left")
    return f'<div style="{style}">' + " · ".join(parts) + "</div>"


def warnings_html(warnings: Iterable[dict]) -> str:
    """The coach's warnings in plain words: message and advice, HTML-escaped; empty when none."""
    items = []
    for w in warnings:
        title = str(w.get("kind") or "warning").replace("_", " ").capitalize()
        items.append(
            '<div role="note" style="border-left:3px solid var(--jp-warn-color1, #f57c00);'
            "background:var(--jp-layout-color2, #f5f5f5);padding:4px 8px;margin:4px 0;"
            f'{FONT};font-size:var(--jp-ui-font-size1, 13px);color:var(--jp-ui-font-color1, #333)">'
            f"<strong>⚠ {esc(title)}:</strong> {esc(w.get('message', ''))}"
            f"<br><em>What to do:</em> {esc(w.get('advice', ''))}</div>"
        )
    return "".join(items)


class LiveView:
    """The widget under the cell: fed the callback's events as they are flushed, re-rendered at most
    every UPDATE_S seconds (at once for epoch ends, warnings and the run's end). Never clears output."""

    def __init__(self, display: Callable | None = None, max_points: int = MAX_POINTS):
        import ipywidgets as widgets

        if display is None:
            from IPython.display import display
        self.series = BatchSeries(max_points)
        self.epochs: list[dict] = []
        self.warnings: list[dict] = []
        self.progress: dict | None = None
        self.state: dict | None = None
        self.unfreeze_at: float | None = None
        self.overfit_at: float | None = None
        self.renders = 0
        self.render_s = 0.0  # total time spent building and sending updates
        self._last = 0.0
        self.progress_widget = widgets.HTML(value=progress_html(None))
        self.chart_widget = widgets.HTML(value=self._chart())
        self.warnings_widget = widgets.HTML(value="")
        self.widget = widgets.VBox([self.progress_widget, self.chart_widget, self.warnings_widget])
        self.widget.add_class("jp-DLCoach-notebookView")
        display(self.widget)

    def feed(self, events: Iterable[dict], progress: dict | None = None) -> None:
        if progress is not None:
            self.progress = progress
        urgent = False
        per_epoch = (self.progress or {}).get("batches") or 1
        for ev in events:
            kind = ev.get("type")
            if kind in ("batch", "epoch") and ev.get("phase") == "unfrozen" and self.unfreeze_at is None:
                self.unfreeze_at = float(ev.get("epoch", 0))
            if kind == "batch":
                self.series.add(ev.get("iter", 0) / per_epoch, ev.get("smooth_loss"))
                continue
            urgent = True
            if kind == "epoch":
                self.epochs.append(ev)
            elif kind == "warning":
                self.warnings.append(ev)
                if (
                    ev.get("kind") == "overfitting"
                    and self.overfit_at is None
                    and finite(ev.get("epoch")) is not None
                ):
                    self.overfit_at = ev["epoch"] + 1.0
            elif kind == "state" and ev.get("state") != "running":
                self.state = ev
        if urgent or time.perf_counter() - self._last >= UPDATE_S:
            self.render()

    def _chart(self) -> str:
        return chart_svg(
            self.series.points(),
            self.epochs,
            epochs_total=(self.progress or {}).get("epochs"),
            unfreeze_at=self.unfreeze_at,
            overfit_at=self.overfit_at,
        )

    def render(self) -> None:
        t0 = time.perf_counter()
        last_epoch = self.epochs[-1] if self.epochs else None
        # A traitlet only sends a message when its value changed.
        self.progress_widget.value = progress_html(self.progress, self.state, last_epoch)
        self.chart_widget.value = self._chart()
        self.warnings_widget.value = warnings_html(self.warnings)
        self.renders += 1
        self._last = time.perf_counter()
        self.render_s += self._last - t0
