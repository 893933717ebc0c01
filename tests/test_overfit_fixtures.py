"""The coach's judgement on curves recorded from real runs of the built-in samples.

The fixtures (tests/fixtures/curves/*.json) were made with tests/fixtures/curves/record.py: the trainer
by hand on a freshly written sample, on this project's 2-core CPU. Each holds the run's epoch payloads,
the validation set's size and the class count, and what was run.
"""

import json
from pathlib import Path

import pytest

from jupyterlab_dlcoach.core.overfit import VERDICTS, assess, noise_band, run_failure

CURVES = Path(__file__).parent / "fixtures" / "curves"


def load(name: str) -> dict:
    return json.loads((CURVES / name).read_text())


def judge(curve: dict) -> list[dict]:
    return assess(curve["epochs"], curve["n_classes"], curve["n_valid"])


def errors(curve: dict) -> list[float]:
    return [ep["metrics"]["error_rate"] for ep in curve["epochs"]]


NOISY = sorted(p.name for p in CURVES.glob("digits-noisy-*.json"))


def test_there_are_noisy_runs_for_several_seeds():
    seeds = {(load(n)["sample_seed"], load(n)["seed"]) for n in NOISY}
    assert len({s for s, _ in seeds}) >= 3
    assert len({t for _, t in seeds}) >= 2


def test_the_clean_digits_run_is_not_called_over_or_underfitting():
    curve = load("digits.json")
    kinds = [w["kind"] for w in judge(curve)]
    assert "overfitting" not in kinds
    assert "underfitting" not in kinds
    assert all(w["severity"] != "error" for w in judge(curve))
    assert run_failure(curve["epochs"], curve["n_classes"], curve["n_valid"]) is None
    assert errors(curve)[-1] < 0.05


def test_the_diverged_run_fails_and_is_never_called_normal():
    # The run in small: the digits at lr 10 (fit_one_cycle, 3 epochs). The trainer failed it.
    curve = load("digits-lr10.json")
    assert curve["state"] == "failed"
    assert curve["error"]["kind"] == "diverged"
    found = judge(curve)
    assert [(w["kind"], w["epoch"], w["severity"]) for w in found] == [("diverging", 0, "error")]
    assert "7.7e+09" in found[0]["message"]
    failure = run_failure(curve["epochs"], curve["n_classes"], curve["n_valid"])
    assert failure == curve["error"]


@pytest.mark.parametrize("name", NOISY)
def test_the_noisy_digits_overfit_and_the_coach_says_so(name):
    curve = load(name)
    errs = errors(curve)
    (w,) = [w for w in judge(curve) if w["kind"] == "overfitting"]
    assert w["severity"] == "warning"
    # A plain fit: the advice's epoch count is the best epoch + 1.
    best = w["suggested_epochs"] - 1
    assert errs[best] == min(errs[: w["epoch"] - 1])
    # Better than the last epoch by more than two images, and clearly (beyond the validation set's
    # noise) better than the run's end. The end is read over its last five epochs: at a constant
    # learning rate one epoch's error swings by about 0.05 (sample seed 1, seed 0 ends on a low one).
    assert (errs[-1] - errs[best]) * curve["n_valid"] > 2
    end = sum(errs[-5:]) / 5
    assert end - errs[best] > noise_band(end, errs[best], curve["n_valid"])
    # The training loss keeps falling: the model memorises rather than fails to learn.
    losses = [ep["train_loss"] for ep in curve["epochs"]]
    assert losses[-1] < losses[best] < losses[0]
    assert "underfitting" not in [v["kind"] for v in judge(curve)]
    assert run_failure(curve["epochs"], curve["n_classes"], curve["n_valid"]) is None


@pytest.mark.parametrize("name", ["digits.json", "digits-lr10.json", *NOISY])
def test_warnings_written_epoch_by_epoch_are_the_final_ones(name):
    # As the callback does: assess after each epoch and write what is new.
    curve = load(name)
    written = []
    for n in range(1, len(curve["epochs"]) + 1):
        for w in assess(curve["epochs"][:n], curve["n_classes"], curve["n_valid"]):
            if w not in written:
                written.append(w)
    assert written == judge(curve)
    verdicts = [w for w in written if w["kind"] in VERDICTS]
    assert len({w["epoch"] for w in verdicts}) == len(verdicts)
