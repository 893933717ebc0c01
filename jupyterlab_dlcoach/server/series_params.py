"""The query parameters of GET runs/ID/series, checked in the learner's words."""

from __future__ import annotations

import math

from jupyterlab_dlcoach.core.errors import BadInput

MIN_POINTS = 10
MAX_POINTS = 100_000


def parse_points(raw: str | None, default: int = 4000) -> int:
    if raw is None or raw == "":
        return default
    if raw == "0":
        return 0  # no batch points: the other events and the last seq only (the side panel's needs)
    if len(raw) > 7 or not (raw.isascii() and raw.isdigit()) or not MIN_POINTS <= int(raw) <= MAX_POINTS:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BadInput(
            f"'points' must be 0 (no batch points) or a whole number from {MIN_POINTS} to {MAX_POINTS}: "
            f"about twice the chart's width in pixels (got {shown!r}).",
            field="points",
        )
    return int(raw)


def parse_x(raw: str | None, field: str) -> float | None:
    """``from`` / ``to``: a position on the chart's x axis, in epochs (epoch 0's batches lie in 0 to 1)."""
    if raw is None or raw == "":
        return None
    try:
        value = float(raw) if len(raw) <= 30 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BadInput(
            f"'{field}' must be a number of epochs, 0 or more, e.g. 2.5 (got {shown!r}).", field=field
        )
    return value
