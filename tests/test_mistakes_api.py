"""The model's mistakes: a real tiny job records them, and a wrong label is fixed (and undone) through
the real server, every path confined to the root and the data set."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(240)


async def noisy_sample(coach, path="noisy"):
    body = {"name": "shapes-noisy", "path": path, "per_class": 8, "image_size": 32}
    return await coach.ok("POST", "samples", body=body, expect=201)


def first_image(root: Path, folder: str) -> str:
    return sorted((root / folder).iterdir())[0].relative_to(root).as_posix()


async def relabel(coach, **body):
    return await coach.request("POST", "datasets", "relabel", body=body)


async def test_a_job_records_its_mistakes_and_one_is_moved_and_undone(coach, jp_root_dir):
    await noisy_sample(coach)
    job = await coach.submit(dataset="noisy", recipe="fit_one_cycle", freeze_epochs=0, valid_pct=0.5)
    job = await coach.wait_job(job["id"])
    assert job["state"] == "completed", job
    result = job["result"]
    interp = result["interpretation"]
    assert interp["classes"] == ["circle", "square", "triangle"]
    n_valid = result["settings"]["n_valid"]
    confusion = interp["confusion"]
    assert len(confusion) == 3
    assert all(len(row) == 3 for row in confusion)
    assert sum(map(sum, confusion)) == n_valid == interp["n_valid"] == 12
    top = interp["top_losses"]
    assert len(top) == min(16, n_valid)
    losses = [t["loss"] for t in top]
    assert losses == sorted(losses, reverse=True)
    for t in top:
        assert (jp_root_dir / t["path"]).is_file()
        assert t["path"].startswith("noisy/")
        # The folder a picture lies in is its label.
        assert t["actual"] == Path(t["path"]).parent.name
        assert t["predicted"] in interp["classes"]
        assert 0 < t["probability"] <= 1
    # It costs a validation pass: small beside the training.
    assert interp["seconds"] < result["seconds"]

    # Move the worst one to another class, then undo.
    worst = top[0]
    to = next(c for c in interp["classes"] if c != worst["actual"])
    code, record = await relabel(coach, dataset="noisy", path=worst["path"], to=to)
    assert code == 200, record
    assert record["moved_to"] == f"noisy/{to}/{Path(worst['path']).name}"
    assert not (jp_root_dir / worst["path"]).exists()
    assert (jp_root_dir / record["moved_to"]).is_file()
    # The data set as the next run sees it has the image under its new class.
    inspection = await coach.ok("GET", "datasets", params={"path": "noisy"})
    assert inspection["images"] == 24
    code, again = await relabel(coach, dataset="noisy", path=worst["path"], to=to)
    assert code == 409, again
    assert "no longer there" in again["message"]
    back = await coach.ok("POST", "datasets", "relabel", "undo", body=record["undo"])
    assert back["path"] == worst["path"]
    assert (jp_root_dir / worst["path"]).is_file()
    assert not (jp_root_dir / record["moved_to"]).exists()
    # Undoing twice: the moved file is gone.
    code, body = await coach.request("POST", "datasets", "relabel", "undo", body=record["undo"])
    assert code == 409, body


async def test_removing_sets_the_image_aside_outside_the_data_set_and_undo_restores(coach, jp_root_dir):
    await noisy_sample(coach)
    path = first_image(jp_root_dir, "noisy/square")
    code, record = await relabel(coach, dataset="noisy", path=path, to=None)
    assert code == 200, record
    assert record["moved_to"] == "noisy-removed/square/" + Path(path).name
    assert (jp_root_dir / record["moved_to"]).is_file()
    assert not (jp_root_dir / path).exists()
    assert (await coach.ok("GET", "datasets", params={"path": "noisy"}))["images"] == 23
    await coach.ok("POST", "datasets", "relabel", "undo", body=record["undo"])
    assert (jp_root_dir / path).is_file()
    assert (await coach.ok("GET", "datasets", params={"path": "noisy"}))["images"] == 24


async def test_a_taken_name_is_never_overwritten(coach, jp_root_dir):
    await noisy_sample(coach)
    path = first_image(jp_root_dir, "noisy/circle")
    name = Path(path).name
    taken = jp_root_dir / "noisy" / "square" / name
    taken.write_bytes(b"mine")
    code, record = await relabel(coach, dataset="noisy", path=path, to="square")
    assert code == 200, record
    assert record["renamed"] is True
    assert record["moved_to"] == f"noisy/square/{Path(name).stem}-1.png"
    assert taken.read_bytes() == b"mine"
    # Something new now lies where the image came from: undo refuses rather than overwrite it.
    (jp_root_dir / path).write_bytes(b"new")
    code, body = await coach.request("POST", "datasets", "relabel", "undo", body=record["undo"])
    assert code == 409, body
    assert "overwrite" in body["message"]
    assert (jp_root_dir / path).read_bytes() == b"new"
    assert (jp_root_dir / record["moved_to"]).is_file()


async def test_bad_classes_layouts_and_fields_are_400_naming_them(coach, jp_root_dir):
    await noisy_sample(coach)
    path = first_image(jp_root_dir, "noisy/circle")
    code, body = await relabel(coach, dataset="noisy", path=path, to="hexagon")
    assert (code, body["field"]) == (400, "to")
    assert "hexagon" in body["message"]
    assert "circle, square, triangle" in body["message"]
    code, body = await relabel(coach, dataset="noisy", path=path, to="circle")
    assert (code, body["field"]) == (400, "to")
    assert "already" in body["message"]
    code, body = await relabel(
        coach, dataset="noisy", path=path, to="square", labels={"from": "csv", "file": "l.csv"}
    )
    assert (code, body["field"]) == (400, "labels")
    assert "CSV" in body["message"]
    code, body = await relabel(coach, dataset="noisy", path=path)
    assert (code, body["field"]) == (400, "to")
    code, body = await relabel(coach, dataset="noisy", path=path, to="square", colour="red")
    assert (code, body["field"]) == (400, "colour")
    code, body = await relabel(coach, dataset="noisy", path="noisy/circle/nothing.png", to="square")
    assert code == 409, body
    assert "no longer there" in body["message"]
    code, body = await relabel(coach, dataset="nowhere", path=path, to="square")
    assert (code, body["field"]) == (404, "dataset")
    assert (jp_root_dir / path).is_file()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("../escape.png", 403),
        ("/etc/passwd", 403),
        ("noisy/link-out.png", 403),
        ("noisy/.hidden/x.png", 403),
        ("other/circle/x.png", 400),
        ("noisy/loose.png", 400),
        ("noisy/circle/inner-link.png", 400),
        ("noisy/circle", 400),
        ("noisy/.dlcoach-sample.json", 403),
        (42, 400),
    ],
)
async def test_hostile_paths_are_refused_and_nothing_moves(coach, jp_root_dir, tmp_path_factory, path, code):
    await noisy_sample(coach)
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(b"secret")
    (jp_root_dir / "noisy" / "link-out.png").symlink_to(outside)
    inner = jp_root_dir / first_image(jp_root_dir, "noisy/square")
    (jp_root_dir / "noisy" / "circle" / "inner-link.png").symlink_to(inner)
    (jp_root_dir / "noisy" / "loose.png").write_bytes(inner.read_bytes())
    (jp_root_dir / "other" / "circle").mkdir(parents=True)
    (jp_root_dir / "other" / "circle" / "x.png").write_bytes(inner.read_bytes())
    before = sorted(p.relative_to(jp_root_dir) for p in jp_root_dir.rglob("*"))
    status, body = await relabel(coach, dataset="noisy", path=path, to="triangle")
    assert status == code, body
    assert body["field"] == "path"
    status, body = await relabel(coach, dataset="noisy", path=path, to=None)
    assert status == code, body
    assert sorted(p.relative_to(jp_root_dir) for p in jp_root_dir.rglob("*")) == before
    assert outside.read_bytes() == b"secret"


@pytest.mark.parametrize(
    ("back_to", "code"),
    [
        ("../escape.png", 403),
        ("/tmp/x.png", 403),
        ("other/circle/x.png", 400),
        ("noisy/x.png", 400),
        ("noisy/circle/.x.png", 400),
        ("noisy/gone/x.png", 409),
        ("noisy/link-dir/x.png", 403),
        ("noisy/circle/x\x00.png", 400),
        ("noisy/circle/" + "x" * 300 + ".png", 400),
    ],
)
async def test_undo_stays_in_the_data_set(coach, jp_root_dir, tmp_path_factory, back_to, code):
    await noisy_sample(coach)
    (jp_root_dir / "noisy" / "link-dir").symlink_to(tmp_path_factory.mktemp("out"), target_is_directory=True)
    (jp_root_dir / "other" / "circle").mkdir(parents=True)
    path = first_image(jp_root_dir, "noisy/circle")
    code_, record = await relabel(coach, dataset="noisy", path=path, to=None)
    assert code_ == 200, record
    undo = {**record["undo"], "back_to": back_to}
    status, body = await coach.request("POST", "datasets", "relabel", "undo", body=undo)
    assert status == code, body
    assert body["field"] == "back_to"
    assert (jp_root_dir / record["moved_to"]).is_file()


async def test_undo_moves_only_images_of_the_data_set_or_its_removed_folder(coach, jp_root_dir):
    await noisy_sample(coach)
    (jp_root_dir / "other" / "circle").mkdir(parents=True)
    stranger = jp_root_dir / "other" / "circle" / "x.png"
    stranger.write_bytes(b"not yours")
    path = first_image(jp_root_dir, "noisy/circle")
    (jp_root_dir / path).unlink()
    undo = {"dataset": "noisy", "path": "other/circle/x.png", "back_to": path}
    status, body = await coach.request("POST", "datasets", "relabel", "undo", body=undo)
    assert (status, body["field"]) == (400, "path"), body
    assert stranger.read_bytes() == b"not yours"
    assert not (jp_root_dir / path).exists()


async def test_the_root_itself_has_no_place_beside_it_for_removed_images(coach, jp_root_dir):
    for cls in ("a", "b"):
        (jp_root_dir / cls).mkdir()
    (jp_root_dir / "a" / "x.png").write_bytes(b"png")
    status, body = await relabel(coach, dataset=".", path="a/x.png", to=None)
    assert (status, body["field"]) == (400, "to"), body
    assert (jp_root_dir / "a" / "x.png").is_file()
    record = await coach.ok(
        "POST", "datasets", "relabel", body={"dataset": ".", "path": "a/x.png", "to": "b"}
    )
    assert record["moved_to"] == "b/x.png"


async def test_odd_labels_and_a_dangling_removed_folder_are_answered_in_words(coach, jp_root_dir):
    await noisy_sample(coach)
    path = first_image(jp_root_dir, "noisy/circle")
    status, body = await relabel(coach, dataset="noisy", path=path, to=None, labels={"from": ["x"]})
    assert (status, body["field"]) == (400, "labels"), body
    # A dangling link where the removed-images folder of a class would go: refused, nothing moved.
    (jp_root_dir / "noisy-removed").mkdir()
    (jp_root_dir / "noisy-removed" / "circle").symlink_to(jp_root_dir / "nowhere")
    status, body = await relabel(coach, dataset="noisy", path=path, to=None)
    assert status in (403, 409), body
    assert body["field"] == "to"
    assert (jp_root_dir / path).is_file()
