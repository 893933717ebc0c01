"""Confining paths to the server root, and inspecting data sets in the three layouts."""

import itertools
import os

import pytest

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.datasets import check_trainable, inspect, prepare
from jupyterlab_dlcoach.core.errors import BadInput, Forbidden, NotFound
from jupyterlab_dlcoach.core.paths import confine


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    samples.shapes(r / "shapes", per_class=4, image_size=16)
    return r


def kinds(report):
    return [p["kind"] for p in report["problems"]]


@pytest.mark.parametrize(
    ("rel", "error"),
    [
        ("", BadInput),
        ("   ", BadInput),
        ("a\x00b", BadInput),
        ("/etc", Forbidden),
        ("C:\\Windows", Forbidden),
        ("../outside", Forbidden),
        ("shapes/../../outside", Forbidden),
        (".hidden", Forbidden),
        ("shapes/.git", Forbidden),
        ("nothing-here", NotFound),
    ],
)
def test_resolve_refuses(root, rel, error):
    with pytest.raises(error) as info:
        confine(rel, root)
    assert info.value.field == "path"


def test_resolve_symlinks(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "escape")
    os.symlink(root / "shapes", root / "alias")
    with pytest.raises(Forbidden):
        confine("escape", root)
    assert confine("alias", root) == (root / "shapes").resolve()
    assert confine("shapes/./circle", root) == (root / "shapes" / "circle").resolve()


def test_folder_layout_problems(root):
    (root / "shapes" / "empty").mkdir()
    (root / "shapes" / "circle" / "broken.png").write_bytes(b"not a png")
    (root / "shapes" / ".ipynb_checkpoints").mkdir()
    report = inspect(root, "shapes")
    assert report["layout"] == "folders"
    assert report["images"] == 13
    assert kinds(report) == ["empty_class", "unreadable_images"]
    assert "circle/broken.png" in report["problems"][1]["message"]
    assert check_trainable(report)["kind"] == "unreadable_images"


def test_one_class_and_empty(root):
    (root / "solo" / "cats").mkdir(parents=True)
    (root / "shapes" / "circle" / "circle_cir0000.png").rename(root / "solo" / "cats" / "a.png")
    report = inspect(root, "solo")
    assert kinds(report) == ["one_class"]
    assert check_trainable(report)["kind"] == "one_class"
    (root / "none").mkdir()
    assert check_trainable(inspect(root, "none"))["kind"] == "empty_dataset"
    with pytest.raises(BadInput):
        inspect(root, "solo/cats/a.png")


def test_loose_images_have_no_labels(root):
    flat = root / "flat"
    flat.mkdir()
    for p in (root / "shapes" / "square").iterdir():
        p.rename(flat / p.name)
    report = inspect(root, "flat")
    assert report["layout"] == "unknown"
    assert kinds(report) == ["no_labels"]
    assert check_trainable(report)["kind"] == "empty_dataset"


def test_filename_layout(root):
    flat = root / "flat"
    flat.mkdir()
    for p in (root / "shapes").rglob("*.png"):
        p.rename(flat / p.name)
    good = inspect(root, "flat", {"from": "filename", "pattern": r"^([a-z]+)_"})
    assert good["layout"] == "filename"
    assert good["images"] == 12
    assert len(good["classes"]) == 3
    assert good["problems"] == []
    none = inspect(root, "flat", {"from": "filename", "pattern": r"^(\d+)\.jpg$"})
    assert kinds(none) == ["regex_no_match"]
    assert check_trainable(none)["kind"] == "regex_no_match"
    some = inspect(root, "flat", {"from": "filename", "pattern": r"^(circle|square)_"})
    assert kinds(some) == ["regex_partial"]
    assert some["images"] == 8
    assert check_trainable(some) is None


def test_csv_layout(root):
    folder = root / "shapes"
    rows = ["file,kind"] + [f"{p.relative_to(folder)},{p.parent.name}" for p in sorted(folder.rglob("*.png"))]
    (folder / "labels.csv").write_text("\n".join([*rows, "gone.png,circle"]) + "\n")
    report = inspect(root, "shapes", {"from": "csv", "file": "labels.csv", "column": "kind"})
    assert report["layout"] == "csv"
    assert report["images"] == 12
    assert kinds(report) == ["csv_missing_files"]
    assert check_trainable(report) is None
    bad_col = inspect(root, "shapes", {"from": "csv", "file": "labels.csv", "column": "label"})
    assert kinds(bad_col) == ["csv_invalid"]
    assert "kind" in bad_col["problems"][0]["message"]
    missing = inspect(root, "shapes", {"from": "csv", "file": "nope.csv", "column": "kind"})
    assert check_trainable(missing)["kind"] == "csv_invalid"
    escape = inspect(root, "shapes", {"from": "csv", "file": "../x.csv", "column": "kind"})
    assert check_trainable(escape)["kind"] == "csv_invalid"


def test_verification_is_capped_for_inspection_but_not_for_training(root):
    (root / "shapes" / "triangle" / "zz_broken.png").write_bytes(b"junk")
    capped = inspect(root, "shapes", verify_cap=3)
    assert "unreadable_images" not in kinds(capped)
    report, items = prepare(root, "shapes")
    assert "unreadable_images" in kinds(report)
    assert len(items) == 13


def test_a_catastrophic_pattern_is_refused_quickly_and_leaves_other_threads_running(root):
    import threading
    import time

    flat = root / "slow"
    flat.mkdir()
    png = next((root / "shapes" / "circle").iterdir()).read_bytes()
    for i in range(3):
        (flat / ("a" * 60 + f"!{i}.png")).write_bytes(png)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    thread = threading.Thread(target=ticker)
    thread.start()
    start = time.monotonic()
    try:
        with pytest.raises(BadInput) as info:
            inspect(root, "slow", {"from": "filename", "pattern": r"^(a|aa)+$"})
    finally:
        stop.set()
        thread.join()
    assert time.monotonic() - start < 3
    assert info.value.field == "labels.pattern"
    assert "simplify" in info.value.message.lower()
    # The match did not hold the GIL: the other thread kept ticking.
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5


def test_csv_rows_stay_inside_the_data_set_folder(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    png = next((root / "shapes" / "circle").iterdir())
    (outside / "secret.png").write_bytes(png.read_bytes())
    (outside / "notes.txt").write_text("secret")
    folder = root / "shapes"
    (folder / "out.png").symlink_to(outside / "secret.png")
    rows = ["file,kind"] + [
        f"{p.relative_to(folder)},{p.parent.name}" for p in sorted(folder.rglob("c*/*.png"))
    ]
    rows += [
        f"{outside / 'secret.png'},square",
        f"{outside / 'notes.txt'},square",
        "../outside/secret.png,square",
        "circle/../../../outside/secret.png,square",
        ".hidden/x.png,square",
        "out.png,square",
        "circle\\..\\x.png,square",
    ]
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    report, items = prepare(root, "shapes", {"from": "csv", "file": "labels.csv", "column": "kind"})
    assert report["images"] == 4
    assert [c["name"] for c in report["classes"]] == ["circle"]
    assert kinds(report) == ["csv_bad_paths", "one_class"]
    assert report["problems"][0]["message"].startswith("7 rows")
    assert all(folder.resolve() in p.parents for p, _ in items)


def test_image_links_out_of_the_root_and_non_files_are_left_out(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    png = next((root / "shapes" / "circle").iterdir())
    (outside / "secret.png").write_bytes(png.read_bytes())
    (root / "shapes" / "circle" / "out.png").symlink_to(outside / "secret.png")
    (root / "shapes" / "circle" / "inside.png").symlink_to(png)
    os.mkfifo(root / "shapes" / "square" / "fifo.png")
    report, items = prepare(root, "shapes")
    assert report["images"] == 13  # 12 + the link that stays inside
    assert kinds(report) == []
    assert not any(p.name in ("out.png", "fifo.png") for p, _ in items)
    flat = inspect(root, "shapes", {"from": "filename", "pattern": r"^(\w+)\.png$"})
    assert flat["images"] == 13


@pytest.mark.parametrize(
    ("rel", "error"),
    [
        ("x" * 5000, BadInput),
        ("/".join(["y" * 200] * 30), BadInput),
        ("loop/inner", BadInput),
        ("sub\\..\\shapes", BadInput),
    ],
)
def test_resolve_answers_odd_paths_without_crashing(root, rel, error):
    (root / "loop").symlink_to(root / "loop")
    with pytest.raises(error) as info:
        confine(rel, root)
    assert info.value.field == "path"
