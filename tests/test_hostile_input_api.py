"""Input a learner (or an attacker) can send: refused with a 4xx naming the field, never a 500 or a hang.

Each case here broke the server once: a traceback and a 500, a blocked thread, or folders left behind.
"""

import asyncio
import json
import os
import time

import pytest

pytestmark = pytest.mark.timeout(120)


def tree(root):
    return sorted(str(p) for p in root.rglob("*"))


@pytest.mark.parametrize(
    "path",
    [
        "shapes/circle/{png}/new",  # through an existing image file
        "a/" * 1000,  # deeper than Python's recursion limit
        "/".join(["y" * 200] * 19),  # each name fits, the whole path does not
        "/".join(["z" * 256]),  # one name longer than a file system allows
    ],
)
async def test_impossible_sample_paths_are_refused_and_leave_nothing(coach, jp_root_dir, path):
    await coach.sample(per_class=2)
    png = sorted((jp_root_dir / "shapes" / "circle").iterdir())[0].name
    before = tree(jp_root_dir)
    request = {"name": "shapes", "path": path.format(png=png)}
    status, body = await coach.request("POST", "samples", body=request)
    assert (status, body["field"]) == (400, "path"), body
    assert len(body["message"]) < 400
    assert tree(jp_root_dir) == before


async def test_a_failed_sample_write_removes_the_folders_it_made(coach, jp_root_dir, monkeypatch):
    from jupyterlab_dlcoach.core import samples

    def full_disk(dest, **_):
        dest.mkdir(parents=True)
        (dest / "circle").mkdir()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(samples, "write_sample", full_disk)
    status, body = await coach.request("POST", "samples", body={"name": "shapes", "path": "new/deeper/s"})
    assert (status, body["field"]) == (400, "path"), body
    assert "No space left" in body["message"]
    assert not (jp_root_dir / "new").exists()


@pytest.fixture
def fifo_csv(jp_root_dir):
    """A data set whose labels.file is a named pipe: opening it for reading would block forever."""

    def make():
        os.mkfifo(jp_root_dir / "shapes" / "labels.csv")
        return {"from": "csv", "file": "labels.csv", "column": "label"}

    return make


async def test_a_fifo_as_labels_file_is_never_opened(coach, fifo_csv):
    await coach.sample(per_class=2)
    labels = fifo_csv()
    params = {"path": "shapes", "labels": json.dumps(labels)}
    t0 = time.monotonic()
    # More requests than the default thread pool has threads: none may block.
    answers = await asyncio.wait_for(
        asyncio.gather(*[coach.ok("GET", "datasets", params=params) for _ in range(12)]), timeout=20
    )
    assert time.monotonic() - t0 < 20
    problem = answers[0]["problems"][0]
    assert problem["kind"] == "csv_invalid"
    assert "not a regular file" in problem["message"]
    # A job with that spec fails with the same words instead of hanging in `running`.
    job = await coach.submit(labels=labels)
    done = await coach.wait_job(job["id"], timeout=90)
    assert done["state"] == "failed", done
    assert "not a regular file" in done["error"]["message"]


async def test_a_fifo_among_images_is_left_out(coach, jp_root_dir):
    await coach.sample(per_class=2)
    os.mkfifo(jp_root_dir / "shapes" / "circle" / "pipe.png")
    report = await asyncio.wait_for(coach.ok("GET", "datasets", params={"path": "shapes"}), timeout=20)
    assert report["images"] == 6


async def test_a_link_to_a_hidden_folder_is_hidden(coach, jp_root_dir):
    (jp_root_dir / ".hidden").mkdir()
    await coach.sample(path="visible", per_class=2)
    (jp_root_dir / "visible").rename(jp_root_dir / ".hidden" / "ds")
    (jp_root_dir / "innocent").symlink_to(jp_root_dir / ".hidden" / "ds", target_is_directory=True)
    status, body = await coach.request("GET", "datasets", params={"path": "innocent"})
    assert (status, body["field"]) == (403, "path"), body
    assert "hidden" in body["message"]
    status, body = await coach.request("POST", "jobs", body={"dataset": "innocent"})
    assert (status, body["field"]) == (403, "dataset"), body
    # An image file linked from a visible class folder into the hidden one is left out too.
    await coach.sample(path="shapes", per_class=2)
    target = sorted((jp_root_dir / ".hidden" / "ds" / "circle").iterdir())[0]
    (jp_root_dir / "shapes" / "circle" / "linked.png").symlink_to(target)
    assert (await coach.ok("GET", "datasets", params={"path": "shapes"}))["images"] == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dataset": "shapes", "name": "n" * 2_000_000}, "name"),
        ({"dataset": "d" * 2_000_000}, "dataset"),
        ({"dataset": "shapes", "labels": {"from": "filename", "pattern": "(" * 2_000_000}}, "labels.pattern"),
        ({"dataset": "shapes", "k" * 2_000_000: 1}, None),
    ],
)
async def test_error_bodies_quote_only_an_excerpt(coach, body, field):
    await coach.sample(per_class=2)
    status, answer = await coach.request("POST", "jobs", body=body)
    assert status == 400
    assert len(json.dumps(answer)) < 1000
    if field is not None:
        assert answer["field"] == field


async def test_a_store_locked_too_long_is_a_503_not_a_500(coach, monkeypatch):
    import sqlite3

    def locked(*_):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(coach.app.manager, "list_jobs", locked)
    status, body = await coach.request("GET", "jobs")
    assert status == 503
    assert "busy" in body["message"]
