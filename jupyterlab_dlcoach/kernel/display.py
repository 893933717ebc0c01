"""How a notebook run shows itself: one output in the cell, drawn by the labextension from the run store.

    learn.fine_tune(3, cbs=CoachCallback())

In a Jupyter kernel the callback displays one MIME bundle (IPython ``display(..., raw=True)`` with a
display id) whose ``application/vnd.jupyterlab-dlcoach.run+json`` part only names the run: JupyterLab's
coach extension draws it with the run view of the main area, fed by the server's push channel from the
run store, so the output redraws after a reload or any restart and is never a second chart. The bundle
also carries a ``text/plain`` summary, and once the run has ended an ``image/png`` of its final curves,
for every place without the extension (nbconvert, GitHub, a console). The bundle is updated in place
(``update_display``) at epoch ends and at the run's end; nothing is cleared, so the cell's prints stay.

Without a kernel (a script, a plain Python prompt) the run is still recorded and a short text summary is
printed when it ends. No torch here; matplotlib (a fastai dependency) is imported only to draw the image.
"""

from __future__ import annotations

import base64
import io
import math
import sys

MIME = "application/vnd.jupyterlab-dlcoach.run+json"
# The batch series kept for the final image: enough for a ~500 px wide picture.
MAX_POINTS = 600

PHASES = {"frozen": "body frozen", "unfrozen": "every layer training", "fit": "training"}


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


def _finite(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _num(value) -> str:
    return f"{value:.4g}"


def format_duration(seconds) -> str | None:
    """ "1 min 05 s"-style text, as the panel writes it; None when unknown."""
    s = _finite(seconds)
    if s is None:
        return None
    s = max(0, round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class RunSummary:
    """What a text summary and the final image need, gathered from the events the callback writes."""

    def __init__(self, run_id: str, name: str, writer=None):
        self.run_id = run_id
        self.name = name
        self.writer = writer  # the callback's StoreWriter: where the run goes, and whether it got there
        self.progress: dict | None = None
        self.epochs: list[dict] = []
        self.warnings: list[dict] = []
        self.state: dict | None = None
        self.points: list[tuple[float, float]] = []
        self._stride = 1
        self._seen = 0
        self.unfreeze_at: float | None = None

    @property
    def problem(self) -> str | None:
        return getattr(self.writer, "problem", None)

    def feed(self, events, progress: dict | None = None) -> None:
        if progress is not None:
            self.progress = progress
        per_epoch = (self.progress or {}).get("batches") or 1
        for ev in events:
            kind = ev.get("type")
            if kind in ("batch", "epoch") and ev.get("phase") == "unfrozen" and self.unfreeze_at is None:
                self.unfreeze_at = float(ev.get("epoch") or 0)
            if kind == "batch":
                self._add_point(ev.get("iter", 0) / per_epoch, _finite(ev.get("smooth_loss")))
            elif kind == "epoch":
                self.epochs.append(ev)
            elif kind == "warning" and ev.get("kind") != "not_recorded":
                self.warnings.append(ev)
            elif kind == "state" and ev.get("state") != "running":
                self.state = ev

    def _add_point(self, x: float, y: float | None) -> None:
        # Every `stride`-th point; when the list is full, every other one is dropped and the stride doubles.
        self._seen += 1
        if y is None or (self._seen - 1) % self._stride:
            return
        self.points.append((x, y))
        if len(self.points) >= MAX_POINTS:
            self.points = self.points[::2]
            self._stride *= 2

    def text(self) -> str:
        """A few lines in the panel's words: how far the run is, or how it ended, and its warnings."""
        head = f"DL Coach · {self.name}"
        last = self.epochs[-1] if self.epochs else {}
        numbers = []
        rate = _finite((last.get("metrics") or {}).get("error_rate"))
        if rate is not None:
            numbers.append(f"error rate {rate * 100:.1f} %")
        for key, label in (("valid_loss", "validation loss"), ("train_loss", "training loss")):
            if _finite(last.get(key)) is not None:
                numbers.append(f"{label} {_num(last[key])}")
        if self.state is None:
            p = self.progress or {}
            line = f"{head} · running"
            if p.get("epochs"):
                line += f": epoch {int(p.get('epoch') or 0) + 1} of {int(p['epochs'])}"
                line += f" ({PHASES.get(p.get('phase'), 'training')})"
            lines = [line]
        else:
            result = self.state.get("result") or {}
            line = f"{head} · {self.state['state']}"
            took = format_duration(result.get("seconds"))
            if self.epochs:
                line += f": {len(self.epochs)} epoch{'s' if len(self.epochs) != 1 else ''}"
                line += f" in {took}" if took else ""
            lines = [line]
            error = self.state.get("error")
            if error:
                lines.append(f"{error.get('message', '')} {error.get('advice', '')}".strip())
        if numbers:
            lines.append("Last epoch: " + ", ".join(numbers) + ".")
        for w in self.warnings:
            # A note (severity "info") is told apart from a warning, as in the run view.
            mark = "Note" if w.get("severity") == "info" else "Warning"
            kind = str(w.get("kind") or "warning").replace("_", " ")
            lines.append(f"{mark} ({kind}): {w.get('message', '')} What to do: {w.get('advice', '')}")
        if self.problem is not None:
            lines.append(f"Not recorded: {self.problem}.")
        return "\n".join(lines)

    def bundle(self) -> dict:
        """The cell output's MIME bundle: the run's id for the extension, text and picture for the rest."""
        data = {
            "run_id": self.run_id,
            "name": self.name,
            "state": (self.state or {}).get("state", "running"),
            "db": str(getattr(self.writer, "path", "") or "") or None,
            "recorded": self.problem is None,
            "problem": self.problem,
        }
        out = {MIME: data, "text/plain": self.text()}
        if self.state is not None:
            image = self.png()
            if image is not None:
                out["image/png"] = base64.b64encode(image).decode("ascii")
        return out

    def png(self) -> bytes | None:
        """The final curves as a small PNG (about 500 by 250 px), or None when there is nothing to draw."""
        if not self.points and not self.epochs:
            return None
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        fig = Figure(figsize=(6.4, 3.0), dpi=80)
        ax = fig.add_subplot()
        if self.points:
            xs, ys = zip(*self.points, strict=True)
            ax.plot(xs, ys, color="#1f77b4", linewidth=1, alpha=0.8, label="batch loss (smoothed)")
        for key, colour, label in (
            ("train_loss", "#1f77b4", "training loss"),
            ("valid_loss", "#ff7f0e", "validation loss"),
        ):
            pts = [(e["epoch"] + 1, _finite(e.get(key))) for e in self.epochs]
            pts = [(x, y) for x, y in pts if y is not None]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", color=colour, linewidth=1.5, label=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # ticks on whole epochs, as the run view
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        handles, labels = ax.get_legend_handles_labels()
        rates = [(e["epoch"] + 1, _finite((e.get("metrics") or {}).get("error_rate"))) for e in self.epochs]
        rates = [(x, y * 100) for x, y in rates if y is not None]
        if rates:
            right = ax.twinx()
            right.plot(*zip(*rates, strict=True), marker="s", linestyle="--", color="#2ca02c")
            right.set_ylabel("error rate %")
            right.set_ylim(bottom=0)
            handles.append(right.get_lines()[0])
            labels.append("error rate")
        if self.unfreeze_at is not None and self.unfreeze_at > 0:
            ax.axvline(self.unfreeze_at, color="#888888", linestyle=":", linewidth=1)
        ax.set_title(f"{self.name} · {(self.state or {}).get('state', 'running')}", fontsize=10)
        ax.legend(handles, labels, fontsize=7, loc="best", framealpha=0.85)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()


class CellView(RunSummary):
    """The run's one output in the cell: displayed once, then only updated (never cleared)."""

    def __init__(self, run_id: str, name: str, writer=None):
        super().__init__(run_id, name, writer)
        from IPython.display import display

        self.updates = 0
        self._told = self.problem
        self._handle = display(self.bundle(), raw=True, display_id=True)

    def feed(self, events, progress: dict | None = None) -> None:
        events = list(events)
        super().feed(events, progress)
        # Batches never cause an update (the extension follows them from the store); an epoch's end, a
        # warning, the run's end or a change in whether it is recorded does, so a saved notebook reads well.
        if any(e.get("type") in ("epoch", "warning", "state") for e in events) or self.problem != self._told:
            self._told = self.problem
            self._handle.update(self.bundle(), raw=True)
            self.updates += 1


class PrintedSummary(RunSummary):
    """No frontend: the run's summary is printed once, when it ends."""

    def feed(self, events, progress: dict | None = None) -> None:
        ended = self.state
        super().feed(events, progress)
        if ended is None and self.state is not None:
            print(self.text(), flush=True)


def open_view(run_id: str, name: str, writer=None, show: bool = True) -> RunSummary | None:
    """The cell's output in a kernel, a printed summary elsewhere; None when showing is turned off."""
    if not show:
        return None
    if in_ipython_kernel():
        return CellView(run_id, name, writer)
    return PrintedSummary(run_id, name, writer)
