"""A learner's picture: the checks before a model sees it, and the note when it is unlike the training set."""

import io

import pytest
from _predict_model import bomb, picture
from PIL import Image

from jupyterlab_dlcoach.core import images, samples
from jupyterlab_dlcoach.core.errors import BadInput


def test_the_header_is_enough_to_refuse_a_bomb_without_touching_pils_global_limit():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(BadInput, match="decompression bomb"):
        images.sniff(bomb())
    assert Image.MAX_IMAGE_PIXELS == before
    assert images.sniff(picture((40, 30))) == {"width": 40, "height": 30, "format": "PNG"}


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b"%PDF-1.7 not a picture", "not a picture"), (b"\x89PNG\r\n\x1a\n", "not a picture")],
)
def test_what_is_not_a_picture_is_a_400_in_words(data, words):
    with pytest.raises(BadInput, match=words):
        images.decode(data)


def test_a_truncated_picture_is_found_when_decoding():
    out = io.BytesIO()
    Image.effect_noise((200, 200), 40).save(out, "PNG")
    whole = out.getvalue()
    images.sniff(whole[:100])  # the header is intact
    with pytest.raises(BadInput, match="cut short"):
        images.decode(whole[: len(whole) // 2])


def test_over_the_size_limit_is_a_413():
    with pytest.raises(images.TooLarge) as refused:
        images.sniff(b"\0" * (images.MAX_UPLOAD_BYTES + 1))
    assert refused.value.status == 413


def test_every_mode_and_the_first_frame_of_an_animation_decode_to_rgb():
    frames = [Image.new("P", (20, 20), i) for i in (1, 2)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    for data in (out.getvalue(), picture(mode="L", colour=9), picture(mode="RGBA", colour=(1, 2, 3, 4))):
        assert images.decode(data).mode == "RGB"


@pytest.fixture(scope="module")
def shapes_reference(tmp_path_factory):
    folder = samples.shapes(tmp_path_factory.mktemp("ref") / "shapes", per_class=8, image_size=32)
    return images.reference(folder)


def stats(data: bytes) -> dict:
    return images.stats(images.decode(data))


def test_a_picture_like_the_training_ones_gets_no_note(shapes_reference, tmp_path):
    assert shapes_reference["images"] == 24
    assert shapes_reference["width"] == [32, 32, 32]
    folder = samples.shapes(tmp_path / "more", per_class=2, image_size=32, seed=7)
    for path in sorted(folder.rglob("*.png")):
        assert images.unlike_training(shapes_reference, stats(path.read_bytes())) is None


def test_a_large_grey_photo_gets_a_note_in_plain_words(shapes_reference):
    note = images.unlike_training(shapes_reference, stats(picture((1600, 1200), 128, "JPEG", "L")))
    assert note.startswith(
        "This model learnt from pictures that are small (about 32x32 pixels) and in colour;"
    )
    assert "yours is large (1600x1200) and grey" in note
    assert "means little" in note


def test_grey_digits_against_a_colour_photo_and_the_brightness_rule():
    grey_digits = {
        "images": 10,
        "width": [32, 32, 32],
        "height": [32, 32, 32],
        "colour": [0.0, 0.0, 0.0],
        "brightness": [20.0, 30.0, 45.0],
    }
    note = images.unlike_training(grey_digits, stats(picture((32, 32), (30, 160, 40))))
    assert "pictures that are grey" in note
    assert "yours is in colour and much brighter" in note
    # Dark digits on white paper: the same size and grey, but far brighter than any training image.
    assert "much brighter" in images.unlike_training(grey_digits, stats(picture((32, 32), 250, mode="L")))
    assert images.unlike_training(grey_digits, stats(picture((32, 32), 35, mode="L"))) is None
    assert images.unlike_training(None, stats(picture())) is None
