"""Data set inspection and the built-in sample through the HTTP API; every path stays under the root."""

import json

import pytest


async def test_sample_is_written_and_inspected(coach, jp_root_dir):
    report = await coach.sample(path="data/shapes", per_class=4, image_size=24)
    assert report["path"] == "data/shapes"
    assert report["layout"] == "folders"
    assert report["images"] == 12
    assert [c["count"] for c in report["classes"]] == [4, 4, 4]
    assert (jp_root_dir / "data" / "shapes").is_dir()

    again = await coach.ok("GET", "datasets", params={"path": "data/shapes"})
    assert again == report


async def test_a_sample_path_is_inspected_as_the_server_resolved_it(coach, jp_root_dir):
    report = await coach.sample(path="./data//shapes/", per_class=2, image_size=16)
    assert report["path"] == "data/shapes"
    assert report["images"] == 6


async def test_labels_from_file_names(coach):
    await coach.sample(per_class=3)
    labels = json.dumps({"from": "filename", "pattern": r"^([a-z]+)_"})
    report = await coach.ok("GET", "datasets", params={"path": "shapes", "labels": labels})
    assert report["layout"] == "filename"
    assert report["images"] == 9


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({}, 400, "path"),
        ({"path": "../"}, 403, "path"),
        ({"path": "/etc"}, 403, "path"),
        ({"path": ".jupyter"}, 403, "path"),
        ({"path": "link-out"}, 403, "path"),
        ({"path": "missing"}, 404, "path"),
        ({"path": "shapes", "labels": "{not json"}, 400, "labels"),
        ({"path": "shapes", "labels": '{"from": "filename"}'}, 400, "labels.pattern"),
        ({"path": "shapes", "labels": "[]"}, 400, "labels"),
        ({"path": "shapes", "labels": "[" * 5000 + "]" * 5000}, 400, "labels"),
        ({"path": "shapes", "labels": '{"from": "filename", "pattern": "^(a|aa)+$"}'}, 400, "labels.pattern"),
        ({"path": "x" * 5000}, 400, "path"),
        ({"path": "shapes\\circle"}, 400, "path"),
        ({"path": "loop/inner"}, 400, "path"),
    ],
)
async def test_bad_inspections_are_refused(coach, jp_root_dir, tmp_path_factory, params, code, field):
    await coach.sample(per_class=2)
    (jp_root_dir / "link-out").symlink_to(tmp_path_factory.mktemp("outside"), target_is_directory=True)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    png = next((jp_root_dir / "shapes" / "circle").iterdir()).read_bytes()
    for i in range(3):
        (jp_root_dir / "shapes" / ("a" * 60 + f"!{i}.png")).write_bytes(png)
    status, body = await coach.request("GET", "datasets", params=params)
    assert (status, body["field"]) == (code, field), body


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"path": "s"}, 400, "name"),
        ({"name": "cats", "path": "s"}, 400, "name"),
        ({"name": "shapes"}, 400, "path"),
        ({"name": "shapes", "path": "../s"}, 403, "path"),
        ({"name": "shapes", "path": "/tmp/s"}, 403, "path"),
        ({"name": "shapes", "path": ".s"}, 403, "path"),
        ({"name": "shapes", "path": "new/.s"}, 403, "path"),
        ({"name": "shapes", "path": "sub\\..\\evil"}, 400, "path"),
        ({"name": "shapes", "path": "x" * 5000}, 400, "path"),
        ({"name": "shapes", "path": "/".join(["y" * 200] * 30)}, 400, "path"),
        ({"name": "shapes", "path": "a\x00b"}, 400, "path"),
        ({"name": "shapes", "path": "loop/new"}, 400, "path"),
        ({"name": "shapes", "path": "bad-marker"}, 409, "path"),
        ({"name": "shapes", "path": "sub/.s/t"}, 403, "path"),
        ({"name": "shapes", "path": "link-out"}, 403, "path"),
        ({"name": "shapes", "path": "link-out/new"}, 403, "path"),
        ({"name": "shapes", "path": "mine"}, 409, "path"),
        ({"name": "shapes", "path": "s", "per_class": 1}, 400, "per_class"),
        ({"name": "shapes", "path": "s", "per_class": "many"}, 400, "per_class"),
        ({"name": "shapes", "path": "s", "image_size": 4096}, 400, "image_size"),
        ({"name": "shapes", "path": "s", "seed": 1.5}, 400, "seed"),
        ({"name": "shapes", "path": "s", "colour": "red"}, 400, "colour"),
    ],
)
async def test_bad_sample_requests_are_refused(coach, jp_root_dir, tmp_path_factory, body, code, field):
    (jp_root_dir / "link-out").symlink_to(tmp_path_factory.mktemp("outside"), target_is_directory=True)
    (jp_root_dir / "mine").mkdir()
    (jp_root_dir / "mine" / "notes.txt").write_text("mine, not a sample")
    (jp_root_dir / "sub" / ".s").mkdir(parents=True)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    (jp_root_dir / "bad-marker" / "circle").mkdir(parents=True)
    (jp_root_dir / "bad-marker" / ".dlcoach-sample.json").write_text("{not json")
    before = sorted(str(p) for p in jp_root_dir.rglob("*"))
    status, answer = await coach.request("POST", "samples", body=body)
    assert (status, answer["field"]) == (code, field), answer
    assert (jp_root_dir / "mine" / "notes.txt").read_text() == "mine, not a sample"
    if code != 400 or field == "path":
        # A refused path creates nothing on disk.
        assert sorted(str(p) for p in jp_root_dir.rglob("*")) == before
