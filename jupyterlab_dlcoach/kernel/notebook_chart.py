"""The loss chart of a notebook run's live view, as an inline SVG string: pure functions, no torch.

Training loss per batch (smoothed, bucket-averaged to at most MAX_POINTS points), training and validation
loss per epoch, the error rate on its own axis, and markers where fine_tune unfroze and where overfitting
began. Colours are JupyterLab theme variables with fallbacks; series also differ by dash and point shape.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

# The batch series is reduced to at most this many points (bucket means).
MAX_POINTS = 300

WIDTH, HEIGHT = 560, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 46, 24, 58

FONT = "font-family:var(--jp-ui-font-family, sans-serif);font-size:11px"
_TEXT = "fill:var(--jp-ui-font-color1, #333)"
_TEXT2 = "fill:var(--jp-ui-font-color2, #666)"
_AXIS = "stroke:var(--jp-border-color1, #bbb);stroke-width:1"
_GRID = "stroke:var(--jp-border-color2, #e0e0e0);stroke-width:1"

# name, label, css colour, stroke width, dash pattern ("" = solid), point shape
SERIES = {
    "smooth": ("training loss, per batch (smoothed)", "var(--jp-brand-color2, #64b5f6)", 1.2, "", None),
    "train": ("training loss, per epoch", "var(--jp-brand-color1, #1976d2)", 2, "", "circle"),
    "valid": ("validation loss", "var(--jp-warn-color1, #f57c00)", 2, "6 3", "square"),
    "error": ("error rate (right axis)", "var(--jp-success-color1, #388e3c)", 1.8, "2 3", "diamond"),
}
_UNFREEZE = ("unfrozen", "var(--jp-ui-font-color2, #666)", "4 4")
_OVERFIT = ("overfitting", "var(--jp-error-color1, #d32f2f)", "1 3")


def finite(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return float(v)


def downsample(
    points: Sequence[tuple[float, float]], max_points: int = MAX_POINTS
) -> list[tuple[float, float]]:
    """At most `max_points` points: consecutive points averaged in (nearly) equal buckets, in order."""
    points = list(points)
    n = len(points)
    if n <= max_points:
        return points
    out = []
    for b in range(max_points):
        chunk = points[b * n // max_points : (b + 1) * n // max_points]
        out.append((sum(p[0] for p in chunk) / len(chunk), sum(p[1] for p in chunk) / len(chunk)))
    return out


class BatchSeries:
    """A growing (x, y) series kept at most `max_points` long in O(1) per point: equal buckets whose
    size doubles (neighbours merged) whenever the list fills up. Non-finite values are skipped."""

    def __init__(self, max_points: int = MAX_POINTS):
        self.max_points = max(2, max_points - max_points % 2)
        self.stride = 1
        self.count = 0
        self._done: list[tuple[float, float]] = []
        self._sx = self._sy = 0.0
        self._n = 0

    def add(self, x: float, y) -> None:
        y = finite(y)
        if y is None:
            return
        self.count += 1
        self._sx += x
        self._sy += y
        self._n += 1
        if self._n < self.stride:
            return
        self._done.append((self._sx / self._n, self._sy / self._n))
        self._sx = self._sy = 0.0
        self._n = 0
        if len(self._done) >= self.max_points:
            d = self._done
            self._done = [
                ((d[i][0] + d[i + 1][0]) / 2, (d[i][1] + d[i + 1][1]) / 2) for i in range(0, len(d), 2)
            ]
            self.stride *= 2

    def points(self) -> list[tuple[float, float]]:
        if self._n:
            return [*self._done, (self._sx / self._n, self._sy / self._n)]
        return list(self._done)


def num(v, digits=3) -> str:
    f = finite(v)
    return "-" if f is None else f"{f:.{digits}f}"


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _shape(kind: str, x: float, y: float, colour: str) -> str:
    style = f'style="fill:{colour};stroke:{colour}"'
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" {style}/>'
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" {style}/>'
    d = f"M{x:.1f} {y - 4:.1f}L{x + 4:.1f} {y:.1f}L{x:.1f} {y + 4:.1f}L{x - 4:.1f} {y:.1f}Z"
    return f'<path d="{d}" {style}/>'


def _text(x: float, y: float, content, style: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="{style}">{esc(content)}</text>'


def _line(points: list[tuple[float, float]], colour: str, width: float, dash: str, extra: str = "") -> str:
    if not points:
        return ""
    d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
    dash_css = f";stroke-dasharray:{dash}" if dash else ""
    return f'<path d="{d}" style="fill:none;stroke:{colour};stroke-width:{width}{dash_css}{extra}"/>'


def _nice_top(v: float) -> float:
    """A round number at or above v (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 x 10^k)."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= v - 1e-12:
            return m * exp
    return 10 * exp


def chart_svg(
    batches: Sequence[tuple[float, float]],
    epochs: Sequence[dict],
    *,
    epochs_total: int | None = None,
    unfreeze_at: float | None = None,
    overfit_at: float | None = None,
    max_points: int = MAX_POINTS,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """The loss chart as an inline SVG string.

    One x axis in epochs (as in the side panel): a batch half-way through the second epoch is at 1.5,
    an epoch's numbers at its end (epoch 0 at x = 1). `batches` are (x, smoothed training loss) pairs,
    reduced to `max_points`; `epochs` are epoch payloads (`epoch`, `train_loss`, `valid_loss`,
    `metrics.error_rate`). Losses use the left axis, the error rate the right one. `unfreeze_at` and
    `overfit_at` draw labelled vertical markers at those x positions.
    """
    batches = downsample(
        [(x, y) for x, y in batches if finite(x) is not None and finite(y) is not None], max_points
    )
    ep_pts = {k: [] for k in ("train", "valid", "error")}
    for ep in epochs:
        x = finite(ep.get("epoch"))
        if x is None:
            continue
        x += 1
        for key, v in (
            ("train", ep.get("train_loss")),
            ("valid", ep.get("valid_loss")),
            ("error", (ep.get("metrics") or {}).get("error_rate")),
        ):
            if finite(v) is not None:
                ep_pts[key].append((x, float(v)))

    xs = [p[0] for p in batches] + [p[0] for k in ep_pts for p in ep_pts[k]]
    x_max = max(
        [
            float(epochs_total or 0),
            *xs,
            *(v for v in (unfreeze_at, overfit_at) if finite(v) is not None),
            1.0,
        ]
    )
    losses = [p[1] for p in batches] + [p[1] for k in ("train", "valid") for p in ep_pts[k]]
    y_max = _nice_top(max(losses) * 1.05) if losses else 1.0
    errs = [p[1] for p in ep_pts["error"]]
    e_max = min(1.0, _nice_top(max(errs) * 1.05)) if errs and max(errs) > 0 else 1.0

    pw, ph = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM

    def sx(x):
        return _LEFT + pw * x / x_max

    def sy(y, top=y_max):
        return _TOP + ph * (1 - min(max(y, 0.0), top) / top)

    out = []
    summary = f"Loss chart: {len(epochs)} epochs finished"
    if ep_pts["valid"]:
        summary += f"; last validation loss {ep_pts['valid'][-1][1]:.3f}"
    if ep_pts["error"]:
        summary += f"; last error rate {ep_pts['error'][-1][1]:.3f}"
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(summary)}" '
        f'style="max-width:100%;height:auto;{FONT}"><title>{esc(summary)}</title>'
    )
    # Grid and axes: losses on the left, error rate on the right, epochs below.
    for i in range(5):
        frac = i / 4
        y = _TOP + ph * (1 - frac)
        out.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + pw}" y2="{y:.1f}" style="{_GRID}"/>')
        out.append(_text(_LEFT - 4, y + 4, f"{y_max * frac:.3g}", _TEXT2, "end"))
        out.append(_text(_LEFT + pw + 4, y + 4, f"{e_max * frac:.3g}", _TEXT2))
    out.append(f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + ph}" style="{_AXIS}"/>')
    out.append(f'<line x1="{_LEFT + pw}" y1="{_TOP}" x2="{_LEFT + pw}" y2="{_TOP + ph}" style="{_AXIS}"/>')
    out.append(f'<line x1="{_LEFT}" y1="{_TOP + ph}" x2="{_LEFT + pw}" y2="{_TOP + ph}" style="{_AXIS}"/>')
    n_ticks = math.ceil(x_max)
    step = max(1, math.ceil(n_ticks / 12))
    for e in range(0, n_ticks, step):
        # Epoch e (numbered from 1 for people, as in the progress line) spans [e, e + 1].
        out.append(_text(sx(e + 0.5), _TOP + ph + 14, e + 1, _TEXT2, "middle"))
    for e in range(1, n_ticks):
        out.append(
            f'<line x1="{sx(e):.1f}" y1="{_TOP + ph}" x2="{sx(e):.1f}" y2="{_TOP + ph + 4}" style="{_AXIS}"/>'
        )
    out.append(_text(_LEFT + pw / 2, _TOP + ph + 27, "epoch", _TEXT, "middle"))
    out.append(_text(4, _TOP - 12, "loss", _TEXT))
    out.append(_text(width - 4, _TOP - 12, "error rate", _TEXT, "end"))

    # Markers: where fine_tune unfroze the body, where overfitting began.
    # Labels on two rows, so that markers close together stay readable.
    for row, (at, (label, colour, dash)) in enumerate(((unfreeze_at, _UNFREEZE), (overfit_at, _OVERFIT))):
        if finite(at) is None:
            continue
        x = sx(at)
        out.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_TOP + ph}" '
            f'style="stroke:{colour};stroke-width:1.5;stroke-dasharray:{dash}"/>'
        )
        out.append(
            f'<text x="{x + 3:.1f}" y="{_TOP + 10 + 12 * row}" style="fill:{colour}">{esc(label)}</text>'
        )

    # Series.
    label, colour, w, dash, _ = SERIES["smooth"]
    out.append(_line([(sx(x), sy(y)) for x, y in batches], colour, w, dash, ";opacity:0.8"))
    for key in ("train", "valid", "error"):
        label, colour, w, dash, shape = SERIES[key]
        top = e_max if key == "error" else y_max
        pts = [(sx(x), sy(y, top)) for x, y in ep_pts[key]]
        out.append(_line(pts, colour, w, dash))
        out.extend(_shape(shape, x, y, colour) for x, y in pts)
    if not batches and not any(ep_pts.values()):
        out.append(
            f'<text x="{_LEFT + pw / 2:.1f}" y="{_TOP + ph / 2:.1f}" text-anchor="middle" '
            f'style="{_TEXT2}">waiting for the first batches…</text>'
        )

    # Legend: a sample of each line (dash and point shape) and its name.
    lx, ly = _LEFT, height - 16
    for i, key in enumerate(SERIES):
        label, colour, w, dash, shape = SERIES[key]
        x0 = lx + (i % 2) * (pw / 2)
        y0 = ly + (i // 2) * 14 - 8
        out.append(_line([(x0, y0), (x0 + 22, y0)], colour, w, dash))
        if shape:
            out.append(_shape(shape, x0 + 11, y0, colour))
        out.append(f'<text x="{x0 + 27:.1f}" y="{y0 + 4:.1f}" style="{_TEXT}">{esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)
