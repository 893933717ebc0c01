"""Hand-made curves and the warnings they should (and should not) give."""

import pytest

from jupyterlab_dlcoach.core.overfit import VERDICTS, assess, final_verdict, run_failure


def curve(*rows, phase="fit"):
    """rows: (train_loss, valid_loss, error_rate) per epoch; `phase` a string or one per row."""
    phases = [phase] * len(rows) if isinstance(phase, str) else phase
    return [
        {
            "phase": phases[i],
            "epoch": i,
            "train_loss": t,
            "valid_loss": v,
            "metrics": {"error_rate": e},
            "seconds": 1.0,
        }
        for i, (t, v, e) in enumerate(rows)
    ]


def judged(epochs, **kw):
    """The verdicts reported, as (kind, epoch), without the lesson's notes."""
    return [(w["kind"], w["epoch"]) for w in assess(epochs, **kw) if w["kind"] in VERDICTS]


def by_kind(epochs, kind, **kw):
    (w,) = [w for w in assess(epochs, **kw) if w["kind"] == kind]
    return w


HEALTHY = curve((1.0, 0.8, 0.30), (0.7, 0.6, 0.20), (0.5, 0.45, 0.12), (0.4, 0.40, 0.10))
OVERCONFIDENT = curve(
    (0.9, 0.50, 0.20), (0.5, 0.40, 0.15), (0.3, 0.44, 0.12), (0.2, 0.50, 0.11), (0.15, 0.55, 0.11)
)
OVERFITTING = curve(
    (0.9, 0.50, 0.20), (0.5, 0.40, 0.10), (0.3, 0.48, 0.14), (0.2, 0.60, 0.16), (0.1, 0.70, 0.18)
)
NOISY_BLIP = curve(
    (0.9, 0.50, 0.20), (0.6, 0.40, 0.10), (0.5, 0.45, 0.14), (0.4, 0.38, 0.09), (0.35, 0.37, 0.08)
)
DIVERGING = curve((1.0, 0.9, 0.5), (0.8, 0.8, 0.4), (1.5, 2.0, 0.6), (3.0, 4.0, 0.66))
UNFREEZE_BUMP = curve((0.8, 0.6, 0.25), (0.9, 0.55, 0.22), (0.6, 0.5, 0.18))
UNDERFITTING = curve((1.10, 1.09, 0.64), (1.09, 1.08, 0.63), (1.08, 1.08, 0.62))
SMALL_BUT_EARLY = curve((1.10, 1.09, 0.64), (1.09, 1.08, 0.63))
NAN = curve((1.0, 0.9, 0.5), (float("nan"), 0.9, 0.5))
STORED_NAN = curve((1.0, 0.9, 0.5), (None, None, None))
# The diverged run: learning rate 10, a validation loss of 3.5e14, error rate at chance.
EXPLODED = curve((2.9, 3.5e14, 0.90), (2.4, 4.1e13, 0.89))


@pytest.mark.parametrize(
    ("name", "epochs", "expected"),
    [
        ("healthy", HEALTHY, []),
        ("over-confident, error still improving", OVERCONFIDENT, [("valid_loss_rising", 3)]),
        ("overfitting, told at its third worse epoch", OVERFITTING, [("overfitting", 4)]),
        ("one noisy epoch is not overfitting", NOISY_BLIP, []),
        ("diverging", DIVERGING, [("diverging", 2)]),
        ("smoothed loss bump after unfreezing is fine", UNFREEZE_BUMP, []),
        ("underfitting after three epochs", UNDERFITTING, [("underfitting", 2)]),
        ("too early to call underfitting", SMALL_BUT_EARLY, []),
        ("nan", NAN, [("nan_loss", 1)]),
        ("nan stored as null", STORED_NAN, [("nan_loss", 1)]),
        ("exploded validation loss", EXPLODED, [("diverging", 0)]),
        ("nothing yet", [], []),
    ],
)
def test_table(name, epochs, expected):
    assert judged(epochs) == expected, name


def test_every_warning_has_a_severity():
    for epochs in (HEALTHY, OVERCONFIDENT, OVERFITTING, DIVERGING, UNDERFITTING, NAN, EXPLODED):
        for w in assess(epochs, n_classes=10):
            assert w["severity"] in ("info", "warning", "error")
    assert by_kind(OVERFITTING, "overfitting")["severity"] == "warning"
    assert by_kind(DIVERGING, "diverging")["severity"] == "error"
    assert by_kind(NAN, "nan_loss")["severity"] == "error"
    assert by_kind(OVERCONFIDENT, "valid_loss_rising")["severity"] == "info"


def test_underfitting_uses_chance_when_classes_known():
    # Error improved a little (not "stuck" by the first-epoch rule) but is still near guessing for 3 classes.
    epochs = curve((1.10, 1.05, 0.66), (1.05, 1.03, 0.60), (1.02, 1.02, 0.55))
    assert judged(epochs) == []
    assert judged(epochs, n_classes=3) == [("underfitting", 2)]


def test_overfitting_after_an_earlier_overconfidence_keeps_both():
    epochs = curve(
        (0.9, 0.50, 0.20),
        (0.6, 0.40, 0.10),
        (0.5, 0.45, 0.10),
        (0.4, 0.50, 0.10),
        (0.3, 0.60, 0.14),
        (0.2, 0.70, 0.16),
        (0.1, 0.80, 0.18),
    )
    assert judged(epochs) == [("valid_loss_rising", 3), ("overfitting", 6)]


def test_nothing_milder_follows_overfitting():
    # A real noisy-digits run (sample seed 2, seed 0): overfitting at epoch 14, then the error rate
    # dipped back within noise of its best while the validation loss rose.
    epochs = curve(
        (0.9, 0.50, 0.20), (0.5, 0.40, 0.10), (0.3, 0.48, 0.14), (0.2, 0.60, 0.16), (0.18, 0.62, 0.17),
        (0.15, 0.65, 0.105), (0.12, 0.70, 0.105), (0.1, 0.75, 0.11),
    )  # fmt: skip
    assert judged(epochs, n_valid=400) == [("overfitting", 4)]


def test_warnings_never_move_as_epochs_arrive():
    for epochs in (OVERFITTING, OVERCONFIDENT, DIVERGING, UNDERFITTING):
        earlier = []
        for n in range(1, len(epochs) + 1):
            now = assess(epochs[:n], n_classes=10, n_valid=200)
            assert all(w in now for w in earlier)
            earlier = now


def test_warning_shape_and_plain_words():
    w = by_kind(OVERFITTING, "overfitting")
    assert set(w) == {"kind", "epoch", "severity", "message", "advice", "terms", "suggested_epochs"}
    assert {"overfitting", "validation set", "error rate"} <= set(w["terms"])
    assert "memorising" in w["message"]
    # What to do when overfitting starts: fewer epochs, the best epoch, more data, the labels.
    for words in ("fewer epochs", "best epoch", "more (and more varied) images", "labels"):
        assert words in w["advice"]
    w = by_kind(OVERCONFIDENT, "valid_loss_rising")
    assert "over-confident" in w["message"]
    assert "not overfitting" in w["message"]
    assert "suggested_epochs" not in w


def test_messages_count_epochs_from_one_like_the_panel():
    w = by_kind(OVERFITTING, "overfitting")
    # Events count from 0 (as fastai does); a learner reads "epoch 1" for the first one. Told at epoch
    # 4 (the third worse epoch), it names epoch 2 (the first) as the start, and the best epoch 1.
    assert w["epoch"] == 4
    assert "since epoch 3 the error rate" in w["message"]
    assert "from 0.100 (epoch 2) to 0.180" in w["message"]


# -- noise: a change must exceed what the validation set's size explains ---------------------------


def test_a_change_of_a_few_images_is_noise():
    # 36 validation images: 0.583 → 0.694 is 4 images, inside two standard errors (about 0.16).
    epochs = curve(
        (2.05, 1.40, 0.750),
        (1.76, 2.03, 0.750),
        (1.22, 2.35, 0.722),
        (1.04, 2.50, 0.639),
        (1.06, 2.96, 0.583),
        (1.00, 2.89, 0.694),
        (0.84, 3.13, 0.611),
        (0.77, 2.83, 0.528),
    )
    assert "overfitting" not in [k for k, _ in judged(epochs, n_valid=36)]
    # 0.10 → 0.14, 0.16, 0.18: of 400 images 16, 24 and 32 more, beyond two standard errors (~0.033).
    assert judged(OVERFITTING, n_valid=400) == [("overfitting", 4)]
    # Of 100 images it is 4, 6 and 8, inside them (about 0.066-0.07): first the validation loss's rise
    # is read as over-confidence, then the coach says it cannot tell, instead of guessing.
    assert judged(OVERFITTING, n_valid=100) == [("valid_loss_rising", 3), ("few_valid_images", 4)]
    w = by_kind(OVERFITTING, "few_valid_images", n_valid=100)
    assert "too few validation images to tell" in w["message"]
    assert w["severity"] == "info"


def test_too_few_validation_images_say_so_once_and_judge_no_error_rate():
    # The run: 24 validation images, 3 classes; underfitting and overfitting were both claimed.
    epochs = curve(
        (1.10, 1.08, 0.667),
        (1.02, 1.05, 0.625),
        (0.95, 1.10, 0.708),
        (0.90, 1.15, 0.708),
        (0.85, 1.20, 0.750),
    )
    got = assess(epochs, n_classes=3, n_valid=24)
    assert [(w["kind"], w["epoch"]) for w in got if w["kind"] in VERDICTS] == [("few_valid_images", 0)]
    assert "24 images" in got[0]["message"]
    # Losses that blow up are still caught.
    assert judged(DIVERGING, n_valid=10) == [("few_valid_images", 0), ("diverging", 2)]


def test_underfitting_and_overfitting_never_share_an_epoch():
    # The error rate creeps up a little while training and validation loss stay together.
    epochs = curve(
        (1.10, 1.08, 0.62), (1.05, 1.04, 0.58), (1.02, 1.04, 0.64), (1.00, 1.05, 0.66), (0.99, 1.05, 0.67)
    )
    for kw in ({}, {"n_classes": 3}, {"n_classes": 3, "n_valid": 300}):
        kinds = [k for k, _ in judged(epochs, **kw)]
        assert not {"underfitting", "overfitting"} <= set(kinds)
        epochs_reported = [e for _, e in judged(epochs, **kw)]
        assert len(epochs_reported) == len(set(epochs_reported))


# -- "as good as it has been" only when it is ---------------------------------------------------------


def test_rising_valid_loss_with_a_worse_error_rate_is_not_called_as_good():
    # Validation loss rising; the error rate 0.12 → 0.13 is worse, though within noise for 200 images.
    epochs = curve((0.9, 0.50, 0.20), (0.5, 0.40, 0.12), (0.3, 0.44, 0.13), (0.2, 0.50, 0.13))
    w = by_kind(epochs, "valid_loss_rising", n_valid=200)
    assert "as good as it has been" not in w["message"]
    assert "no worse than its best (0.120) by more than chance explains" in w["message"]


def test_rising_valid_loss_at_chance_is_not_reassuring():
    # Ten classes: guessing gets 0.9 wrong.
    epochs = curve((2.4, 2.30, 0.90), (2.3, 2.31, 0.89), (2.2, 2.35, 0.90), (2.1, 2.40, 0.90))
    assert "valid_loss_rising" not in [k for k, _ in judged(epochs, n_classes=10, n_valid=300)]


# -- diverged runs ------------------------------------------------------------------------------------


def test_an_exploded_run_fails():
    w = by_kind(EXPLODED, "diverging", n_classes=10, n_valid=359)
    assert "3.5e+14" in w["message"]
    assert "ten times lower" in w["advice"]
    last = final_verdict(EXPLODED, n_classes=10, n_valid=359)
    error = run_failure(EXPLODED, n_classes=10, n_valid=359)
    assert error == {"kind": "diverged", "message": last["message"], "advice": last["advice"]}
    assert run_failure(NAN)["kind"] == "nan_loss"
    assert run_failure(HEALTHY) is None
    assert run_failure(OVERFITTING) is None
    assert run_failure([]) is None


def test_a_run_that_recovers_is_not_failed():
    epochs = DIVERGING + curve((0.7, 0.7, 0.35), (0.5, 0.6, 0.3))[:0]
    recovered = [*DIVERGING, {**DIVERGING[0], "epoch": 4, "train_loss": 0.7}]
    assert run_failure(epochs) is not None
    assert run_failure(recovered) is None


def test_one_wild_validation_loss_at_the_start_is_not_divergence():
    # A real digits run from scratch (tests/fixtures/curves/digits.json): 51 at epoch 1, then 0.11.
    start = curve((1.05, 51.2, 0.864), (0.55, 0.452, 0.12), (0.39, 0.109, 0.028))
    assert judged(start, n_classes=10, n_valid=359) == []
    # And two, while the training loss falls (tests/fixtures/curves/digits-noisy-*.json).
    settling = curve((3.10, 63.1, 0.908), (2.74, 25.4, 0.925), (2.46, 2.75, 0.55))
    assert judged(settling, n_classes=10, n_valid=120) == []
    stuck = curve((2.40, 51.2, 0.90), (2.39, 60.0, 0.90), (2.41, 70.0, 0.89))
    assert judged(stuck, n_classes=10, n_valid=359) == [("diverging", 1)]
    assert run_failure(stuck, n_classes=10, n_valid=359)["kind"] == "diverged"


def test_no_lesson_notes_on_a_diverged_epoch():
    kinds = [w["kind"] for w in assess(curve((1e9, 10.0, 0.9), (1e9, 10.0, 0.9)), n_classes=10)]
    assert "valid_below_train" not in kinds


# -- advice in the learner's units --------------------------------------------------------------------


def test_fewer_epochs_counts_the_epochs_setting_of_fine_tune():
    phases = ["frozen", "unfrozen", "unfrozen", "unfrozen", "unfrozen", "unfrozen"]
    rows = [(0.9, 0.50, 0.20), (0.6, 0.45, 0.15), (0.5, 0.40, 0.10), (0.3, 0.48, 0.14)]
    rows += [(0.2, 0.60, 0.16), (0.1, 0.70, 0.18)]
    w = by_kind(curve(*rows, phase=phases), "overfitting")
    # Best at epoch 2 of the run = the frozen epoch + 2 unfrozen ones: fine_tune(2).
    assert w["suggested_epochs"] == 2
    assert (
        "about 2 epochs (the Epochs setting; fine_tune trains its 1 frozen epoch before them)"
        in (w["advice"])
    )
    # The same curve from a plain fit: best epoch + 1.
    w = by_kind(curve(*rows), "overfitting")
    assert w["suggested_epochs"] == 3
    assert "about 3 epochs," in w["advice"]


def test_underfitting_suggests_more_epochs_in_the_same_units():
    w = by_kind(UNDERFITTING, "underfitting")
    assert w["suggested_epochs"] == 6
    assert "at least 6" in w["advice"]
    w = by_kind(curve(*[(1.10, 1.09, 0.64)] * 4, phase=["frozen"] + ["unfrozen"] * 3), "underfitting")
    assert w["suggested_epochs"] == 4


# -- the lesson's questions -----------------------------------------------------------------------------


def test_valid_loss_below_training_loss_is_explained_once():
    notes = [w for w in assess(HEALTHY) if w["kind"] == "valid_below_train"]
    assert [(w["epoch"], w["severity"]) for w in notes] == [(0, "info")]
    for words in ("augmentation", "dropout", "running average"):
        assert words in notes[0]["message"]


def test_fine_tune_two_tables_are_explained_at_the_first_unfrozen_epoch():
    epochs = curve((0.5, 0.6, 0.2), (0.6, 0.65, 0.18), (0.4, 0.5, 0.12), phase=["frozen"] + ["unfrozen"] * 2)
    (w,) = [w for w in assess(epochs) if w["kind"] == "two_phases"]
    assert (w["epoch"], w["severity"]) == (1, "info")
    assert "two tables" in w["message"]
    assert "1 epoch" in w["message"]
    assert "two_phases" not in [w["kind"] for w in assess(HEALTHY)]
