"""Hand-made curves and the warnings they should (and should not) give."""

import pytest

from jupyterlab_dlcoach.overfit import assess


def curve(*rows, phase="fit"):
    """rows: (train_loss, valid_loss, error_rate) per epoch."""
    return [
        {
            "phase": phase,
            "epoch": i,
            "train_loss": t,
            "valid_loss": v,
            "metrics": {"error_rate": e},
            "seconds": 1.0,
        }
        for i, (t, v, e) in enumerate(rows)
    ]


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


@pytest.mark.parametrize(
    ("name", "epochs", "expected"),
    [
        ("healthy", HEALTHY, []),
        ("over-confident, error still improving", OVERCONFIDENT, [("valid_loss_rising", 2)]),
        ("overfitting from epoch 2", OVERFITTING, [("overfitting", 2)]),
        ("one noisy epoch is not overfitting", NOISY_BLIP, []),
        ("diverging", DIVERGING, [("diverging", 2)]),
        ("smoothed loss bump after unfreezing is fine", UNFREEZE_BUMP, []),
        ("underfitting after three epochs", UNDERFITTING, [("underfitting", 2)]),
        ("too early to call underfitting", SMALL_BUT_EARLY, []),
        ("nan", NAN, [("nan_loss", 1)]),
        ("nan stored as null", STORED_NAN, [("nan_loss", 1)]),
        ("nothing yet", [], []),
    ],
)
def test_table(name, epochs, expected):
    got = [(w["kind"], w["epoch"]) for w in assess(epochs)]
    assert got == expected, name


def test_underfitting_uses_chance_when_classes_known():
    # Error improved a little (not "stuck" by the first-epoch rule) but is still near guessing for 3 classes.
    epochs = curve((1.10, 1.05, 0.66), (1.05, 1.03, 0.60), (1.02, 1.02, 0.55))
    assert assess(epochs) == []
    assert [w["kind"] for w in assess(epochs, n_classes=3)] == ["underfitting"]


def test_overfitting_replaces_later_overconfidence_but_keeps_an_earlier_one():
    epochs = curve(
        (0.9, 0.50, 0.20),
        (0.6, 0.40, 0.10),
        (0.5, 0.45, 0.10),
        (0.4, 0.50, 0.10),
        (0.3, 0.60, 0.14),
        (0.2, 0.70, 0.16),
    )
    kinds = [(w["kind"], w["epoch"]) for w in assess(epochs)]
    assert kinds == [("overfitting", 4), ("valid_loss_rising", 2)]


def test_warnings_never_move_as_epochs_arrive():
    seen = {}
    for n in range(1, len(OVERFITTING) + 1):
        for w in assess(OVERFITTING[:n]):
            seen.setdefault(w["kind"], w["epoch"])
            assert seen[w["kind"]] == w["epoch"]


def test_warning_shape_and_plain_words():
    (w,) = assess(OVERFITTING)
    assert set(w) == {"kind", "epoch", "message", "advice", "terms"}
    assert "overfitting" in w["terms"]
    assert "validation set" in w["terms"]
    assert "memorising" in w["message"]
    assert "fewer epochs" in w["advice"]
    (w,) = assess(OVERCONFIDENT)
    assert "over-confident" in w["message"]
    assert "not overfitting" in w["message"]


def test_small_validation_set_widens_the_error_tolerance():
    # A real tiny run: 36 validation images, so one image moves the error rate by 0.028.
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
    assert "overfitting" in [w["kind"] for w in assess(epochs)]
    assert "overfitting" not in [w["kind"] for w in assess(epochs, n_valid=36)]
    assert [w["kind"] for w in assess(OVERFITTING, n_valid=100)] == ["overfitting"]


def test_messages_count_epochs_from_one_like_the_panel():
    (w,) = assess(OVERFITTING)
    # Events count from 0 (as fastai does); a learner reads "epoch 1" for the first one.
    assert f"around epoch {w['epoch'] + 1}:" in w["message"]
