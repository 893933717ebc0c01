"""The rules that turn a spec's automatic choices into numbers (pure Python, shared by trainer and panel)."""

import pytest

from jupyterlab_dlcoach.core import recipe


def test_auto_recipe_fine_tunes_only_what_was_pretrained():
    assert recipe.resolve_recipe("auto", True) == "fine_tune"
    assert recipe.resolve_recipe("auto", False) == "fit_one_cycle"
    assert recipe.resolve_recipe("fit", True) == "fit"
    assert recipe.resolve_lr(None, "fine_tune") == 2e-3
    assert recipe.resolve_lr(None, "fit_one_cycle") == 3e-3
    assert recipe.resolve_lr(0.5, "fit") == 0.5


@pytest.mark.parametrize(
    ("n_train", "requested", "expected", "lowered"),
    [
        (1438, None, 64, False),  # the digits: 22 batches an epoch
        (96, None, 8, False),  # the old shapes sample: 12 batches, not 1
        (480, None, 32, False),
        (1438, 64, 64, False),
        (96, 64, 8, True),  # typed, too big: lowered, and said why
        (1438, 1024, 128, True),
        (10, None, 2, False),
        (3, 1, 1, False),
    ],
)
def test_batch_size_leaves_enough_batches(n_train, requested, expected, lowered):
    bs, note = recipe.batch_size_for(n_train, requested)
    assert bs == expected
    assert (note is not None) == lowered
    if note:
        assert str(requested) in note
        assert str(expected) in note
    if n_train >= 16:
        assert n_train // bs >= recipe.MIN_BATCHES


def test_image_size_follows_the_pictures_within_bounds():
    assert recipe.image_size_for([32] * 10, None) == 32
    assert recipe.image_size_for([8] * 10, None) == 32
    assert recipe.image_size_for([500, 375, 640], None) == 224
    assert recipe.image_size_for([96, 100, 120], None) == 100
    assert recipe.image_size_for([], None) == 224
    assert recipe.image_size_for([32], 64) == 64


def test_the_sentence_says_what_the_recipe_does():
    assert "from scratch" in recipe.describe({"recipe": "fit_one_cycle", "epochs": 3})
    text = recipe.describe({"recipe": "fine_tune", "epochs": 3, "freeze_epochs": 1})
    assert "1 epoch(s)" in text
    assert "3 epoch(s)" in text
    assert "constant" in recipe.describe({"recipe": "fit", "epochs": 24})
