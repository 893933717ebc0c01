"""The built-in sample data sets."""

import hashlib

import pytest
from PIL import Image

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.datasets import inspect
from jupyterlab_dlcoach.core.errors import BadInput, Conflict


def digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.png")):
        h.update(str(p.relative_to(folder)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_shapes_is_deterministic_and_folder_per_class(tmp_path):
    a = samples.shapes(tmp_path / "a", per_class=6, image_size=32)
    b = samples.write_sample(tmp_path / "b", "shapes", per_class=6, image_size=32, seed=0)
    c = samples.write_sample(tmp_path / "c", "shapes", per_class=6, image_size=32, seed=1)
    assert digest(a) == digest(b) != digest(c)
    report = inspect(tmp_path, "a")
    assert report["layout"] == "folders"
    assert report["problems"] == []
    assert report["classes"] == [{"name": n, "count": 6} for n in ("circle", "square", "triangle")]
    img = Image.open(next(a.rglob("*.png")))
    assert img.size == (32, 32)
    assert img.mode == "RGB"


def test_noisy_variant_flips_many_labels(tmp_path):
    dest = samples.shapes_noisy(tmp_path / "n", per_class=50, image_size=32)
    files = list(dest.rglob("*.png"))
    assert len(files) == 150
    # The name keeps the drawn shape (after the label); the folder is the (possibly wrong) label.
    wrong = sum(1 for f in files if f.stem.split("_")[1][:3] != f.parent.name[:3])
    assert 0.3 < wrong / len(files) < 0.5
    assert set(samples.SAMPLES) == {"digits", "digits-noisy", "shapes", "shapes-noisy"}


def test_overwrites_a_sample_but_not_other_files(tmp_path):
    dest = samples.shapes(tmp_path / "s", per_class=3, image_size=16)
    samples.shapes(dest, per_class=2, image_size=16)
    assert len(list(dest.rglob("*.png"))) == 6
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(Conflict) as info:
        samples.shapes(mine)
    assert info.value.field == "path"
    assert "not a sample" in info.value.message
    assert (mine / "holiday.jpg").exists()
    with pytest.raises(BadInput):
        samples.write_sample(tmp_path / "z", "cats")
    with pytest.raises(BadInput):
        samples.write_sample(tmp_path / "z", per_class=1)
    with pytest.raises(BadInput):
        samples.write_sample(tmp_path / "z", image_size=4)


@pytest.mark.parametrize(
    "marker",
    [
        "{not json",
        "[1, 2]",
        '{"classes": "circle"}',
        '{"classes": ["../../elsewhere"]}',
        '{"classes": ["circle", 3]}',
        "[" * 100_000 + "]" * 100_000,
        b"\xff\xfe",
    ],
)
def test_a_corrupt_or_inconsistent_marker_is_not_a_sample(tmp_path, marker):
    dest = samples.shapes(tmp_path / "s", per_class=2, image_size=16)
    (tmp_path / "elsewhere").mkdir()
    marker_file = dest / samples.MARKER
    if isinstance(marker, bytes):
        marker_file.write_bytes(marker)
    else:
        marker_file.write_text(marker)
    with pytest.raises(Conflict) as info:
        samples.shapes(dest, per_class=2, image_size=16)
    assert info.value.field == "path"
    assert (tmp_path / "elsewhere").is_dir()
    assert len(list(dest.rglob("*.png"))) == 6


def test_digits_are_real_scans_in_ten_folders(tmp_path):
    dest = samples.digits(tmp_path / "d")
    report = inspect(tmp_path, "d")
    assert report["problems"] == []
    assert [c["name"] for c in report["classes"]] == [str(d) for d in range(10)]
    assert report["images"] == 1797
    assert all(170 <= c["count"] <= 185 for c in report["classes"])
    img = Image.open(next(dest.rglob("*.png")))
    assert img.size == (32, 32)
    # Clean: every file sits in the folder of its true digit (kept at the end of its name).
    assert all(p.stem.rsplit("_", 1)[1] == p.parent.name for p in dest.rglob("*.png"))
    again = samples.digits(tmp_path / "d2")
    assert digest(dest) == digest(again)


def test_noisy_digits_file_a_share_under_wrong_labels(tmp_path):
    dest = samples.digits_noisy(tmp_path / "n")
    files = list(dest.rglob("*.png"))
    assert len(files) == samples.SAMPLES["digits-noisy"]["per_class"] * 10
    wrong = sum(1 for p in files if p.stem.rsplit("_", 1)[1] != p.parent.name)
    noise = samples.SAMPLES["digits-noisy"]["noise"]
    assert noise - 0.08 < wrong / len(files) < noise + 0.08


def test_catalogue_describes_every_sample_in_one_line():
    cat = samples.catalogue()
    assert cat["default"] == "digits"
    names = [s["name"] for s in cat["samples"]]
    assert names[0] == "digits"
    assert set(names) == set(samples.SAMPLES)
    for s in cat["samples"]:
        assert s["description"]
        assert "\n" not in s["description"]
        assert s["images"] > 0
    noisy = next(s for s in cat["samples"] if s["name"] == "digits-noisy")
    assert noisy["settings"]["recipe"] == "fit"


def test_command_line_lists_and_writes_samples(tmp_path, capsys):
    samples.main([str(tmp_path / "cli"), "--name", "digits-noisy", "--per-class", "5"])
    assert "digits-noisy" in capsys.readouterr().out
    assert len(list((tmp_path / "cli").rglob("*.png"))) == 50
