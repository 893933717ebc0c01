"""How the coach says things: epochs as a learner counts them, numbers, plurals, one warning payload."""

from __future__ import annotations

from jupyterlab_dlcoach.core.overfit.reading import _Epoch


def _shown(epoch: int) -> str:
    """Epochs are counted from 0 in events (as fastai does) and from 1 in what a learner reads."""
    return str(epoch + 1)


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 1e4 else f"{x:.2g}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _warning(kind, epoch, severity, message, advice, terms, suggested_epochs=None) -> dict:
    w = {"kind": kind, "epoch": epoch, "severity": severity, "message": message, "advice": advice}
    w["terms"] = terms
    if suggested_epochs is not None:
        w["suggested_epochs"] = suggested_epochs
    return w


def _frozen(seen: list[_Epoch]) -> int:
    return sum(1 for e in seen if e.phase == "frozen")


def _learner_epochs(seen: list[_Epoch], through: int) -> tuple[int, str]:
    """`through + 1` epochs of the run in the units of the Epochs setting, and how to say it.

    fine_tune(n) trains its frozen epochs first and then n epochs with every layer: n is what the
    learner sets, so the frozen epochs seen in the payloads do not count."""
    frozen = _frozen(seen)
    if not frozen:
        n = max(1, through + 1)
        return n, _plural(n, "epoch")
    n = max(1, through + 1 - frozen)
    return n, (
        f"{_plural(n, 'epoch')} (the Epochs setting; fine_tune trains its {_plural(frozen, 'frozen epoch')} "
        "before them)"
    )
