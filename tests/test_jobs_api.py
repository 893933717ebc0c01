"""Jobs through the real server and the real trainer: tiny fastai fine-tunes on generated pictures, on CPU."""

import asyncio
import itertools
import os
import signal
from pathlib import Path

import pytest
from api_client import TINY_SPEC, group_members

# A spec field, a bad value, and the field the 400 must name.
BAD_SPECS = [
    ("dataset", None, "dataset"),
    ("dataset", "", "dataset"),
    ("labels", {"from": "nowhere"}, "labels"),
    ("labels", {"from": "filename", "pattern": "(a)(b)"}, "labels.pattern"),
    ("labels", {"from": "csv", "column": "label"}, "labels.file"),
    ("arch", "resnet9000", "arch"),
    ("pretrained", "yes", "pretrained"),
    ("epochs", 0, "epochs"),
    ("epochs", 2.5, "epochs"),
    ("epochs", True, "epochs"),
    ("freeze_epochs", -1, "freeze_epochs"),
    ("lr", 0, "lr"),
    ("lr", "fast", "lr"),
    ("batch_size", 0, "batch_size"),
    ("image_size", 8, "image_size"),
    ("valid_pct", 1.5, "valid_pct"),
    ("seed", -3, "seed"),
    ("device", "tpu", "device"),
    ("precision", "fp8", "precision"),
    ("num_workers", -1, "num_workers"),
    ("name", 42, "name"),
    ("colour", "blue", "colour"),
]


@pytest.mark.parametrize(("key", "value", "field"), BAD_SPECS)
async def test_every_bad_spec_field_is_a_400_naming_it(coach, key, value, field):
    await coach.sample()
    code, body = await coach.request("POST", "jobs", body={**TINY_SPEC, key: value})
    assert code == 400, body
    assert body["field"] == field
    assert key in body["message"]


async def test_a_missing_dataset_and_a_non_object_body_are_400(coach):
    code, body = await coach.request("POST", "jobs", body={"arch": "resnet18"})
    assert (code, body["field"]) == (400, "dataset")
    response = await coach.fetch("jupyterlab-dlcoach", "jobs", method="POST", body="[1, 2", raise_error=False)
    assert response.code == 400
    assert b"JSON" in response.body


@pytest.mark.parametrize(
    ("dataset", "code"),
    [("../outside", 403), ("/etc", 403), ("link-out", 403), (".hidden", 403), ("no-such-folder", 404)],
)
async def test_dataset_paths_are_confined_to_the_root(coach, jp_root_dir, tmp_path_factory, dataset, code):
    outside = tmp_path_factory.mktemp("outside")
    (jp_root_dir / "link-out").symlink_to(outside, target_is_directory=True)
    (jp_root_dir / ".hidden").mkdir()
    status, body = await coach.request("POST", "jobs", body={**TINY_SPEC, "dataset": dataset})
    assert status == code, body
    assert body["field"] == "dataset"
    assert (await coach.ok("GET", "jobs"))["jobs"] == []


@pytest.mark.parametrize(
    ("dataset", "code"),
    [
        ("shapes/circle/circle_cir0000.png", 400),
        ("x" * 5000, 400),
        ("/".join(["y" * 200] * 30), 400),
        ("a\x00b", 400),
        ("loop/inner", 400),
        ("shapes\\circle", 400),
    ],
)
async def test_odd_dataset_paths_are_a_400_not_a_500(coach, jp_root_dir, dataset, code):
    await coach.sample(per_class=2)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    status, body = await coach.request("POST", "jobs", body={**TINY_SPEC, "dataset": dataset})
    assert (status, body["field"]) == (code, "dataset"), body
    assert (await coach.ok("GET", "jobs"))["jobs"] == []


async def test_a_deeply_nested_body_is_a_400(coach):
    response = await coach.fetch(
        "jupyterlab-dlcoach", "jobs", method="POST", body="[" * 100_000 + "]" * 100_000, raise_error=False
    )
    assert response.code == 400
    assert b"nested" in response.body


async def test_a_job_trains_and_records_its_epochs(coach):
    await coach.sample()
    job = await coach.submit(name="tiny")
    assert job["state"] in ("queued", "running")
    assert job["spec"]["arch"] == "resnet18"
    job = await coach.wait_job(job["id"])
    assert job["state"] == "completed", job
    assert job["exit_code"] == 0
    assert job["error"] is None
    assert job["started"] <= job["ended"]

    events = await coach.events(job["id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    epochs = [e for e in events if e["type"] == "epoch"]
    assert len(epochs) == TINY_SPEC["freeze_epochs"] + TINY_SPEC["epochs"]
    assert [e["phase"] for e in epochs] == ["frozen", "unfrozen"]
    assert all(e["valid_loss"] is not None for e in epochs)
    assert any(e["type"] == "batch" for e in events)
    states = [e["state"] for e in events if e["type"] == "state"]
    assert states == ["queued", "running", "completed"]

    # The result is the last epoch's numbers, as the events recorded them.
    assert job["result"]["epochs"] == len(epochs)
    assert job["result"]["valid_loss"] == pytest.approx(epochs[-1]["valid_loss"])
    assert job["result"]["error_rate"] == pytest.approx(epochs[-1]["metrics"]["error_rate"])
    model = Path(job["result"]["model_path"])
    log = coach.app.store.path.parent / "artifacts" / job["id"] / "trainer.log"
    assert model.is_file()
    assert log.is_file()

    later = await coach.events(job["id"], after=epochs[0]["seq"])
    assert [e["seq"] for e in later] == list(range(epochs[0]["seq"] + 1, len(events) + 1))
    listed = await coach.ok("GET", "jobs")
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    runs = await coach.ok("GET", "runs")
    assert runs["runs"][0]["kind"] == "job"

    await coach.ok("DELETE", "jobs", job["id"], expect=204)
    # The trainer's log goes with the job; the exported model is the learner's file and stays.
    assert not log.parent.exists()
    assert model.is_file()
    assert (await coach.ok("GET", "runs"))["runs"] == []


async def wait_for_workers(pid: int, count: int = 3, timeout: float = 30) -> None:
    """Until the trainer's group holds the trainer and its DataLoader worker processes."""
    for _ in range(int(timeout / 0.05)):
        if len(group_members(pid)) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the trainer's group has {group_members(pid)}, not {count} processes")


async def test_cancel_mid_epoch_leaves_no_process(coach):
    await coach.sample()
    # Two DataLoader workers: they sit in the trainer's process group and must go with it.
    job = await coach.submit(epochs=3, num_workers=2)
    await coach.wait_event(job["id"], "batch")
    pid = (await coach.ok("GET", "jobs", job["id"]))["pid"]
    await wait_for_workers(pid)

    asked = await coach.ok("POST", "jobs", job["id"], "cancel")
    assert asked["cancel_requested"] is True
    job = await coach.wait_job(job["id"], timeout=30)
    assert job["state"] == "cancelled"
    assert group_members(pid) == []
    assert [e["state"] for e in await coach.events(job["id"]) if e["type"] == "state"][-1] == "cancelled"

    code, body = await coach.request("POST", "jobs", job["id"], "cancel")
    assert code == 409
    assert "already ended" in body["message"]


async def test_kill_9_of_the_trainer_is_a_failure_with_the_signal(coach):
    await coach.sample()
    job = await coach.submit(epochs=3, num_workers=2)
    await coach.wait_event(job["id"], "batch")
    pid = (await coach.ok("GET", "jobs", job["id"]))["pid"]
    await wait_for_workers(pid)
    os.kill(pid, signal.SIGKILL)
    job = await coach.wait_job(job["id"], timeout=30)
    # The orphaned workers are killed with the group when the trainer's death is noticed.
    for _ in range(40):
        if not group_members(pid):
            break
        await asyncio.sleep(0.05)
    assert group_members(pid) == []
    assert job["state"] == "failed"
    assert job["signal"] == "SIGKILL"
    assert job["exit_code"] is None
    assert job["error"]["kind"] == "crashed"
    assert "SIGKILL" in job["error"]["message"]
    assert job["error"]["advice"]


async def test_queue_cancel_delete_and_unknown_ids(coach):
    await coach.sample()
    first = await coach.submit(epochs=3)
    await coach.wait_job(first["id"], states=("running",))
    second = await coach.submit()
    assert second["state"] == "queued"
    assert second["position"] == 1

    code, body = await coach.request("DELETE", "jobs", second["id"])
    assert code == 409
    assert "Cancel it first" in body["message"]
    cancelled = await coach.ok("POST", "jobs", second["id"], "cancel")
    assert cancelled["state"] == "cancelled"
    assert cancelled["position"] is None
    await coach.ok("DELETE", "jobs", second["id"], expect=204)
    assert (await coach.request("GET", "jobs", second["id"]))[0] == 404
    assert (await coach.request("GET", "runs", second["id"], "events"))[0] == 404

    await coach.ok("POST", "jobs", first["id"], "cancel")
    assert (await coach.wait_job(first["id"], timeout=30))["state"] == "cancelled"

    for method, path in [("GET", ("jobs", "0123456789ab")), ("POST", ("jobs", "0123456789ab", "cancel"))]:
        code, body = await coach.request(method, *path)
        assert code == 404
        assert "0123456789ab" in body["message"]
    code, body = await coach.request("GET", "jobs", "not-an-id")
    assert code == 404
    assert "12 hex digits" in body["message"]


async def test_ten_jobs_at_once_all_end_in_submission_order(coach):
    assert coach.app.manager.max_running == 1
    await coach.sample(per_class=8)
    # Fired together; the server's order of arrival (its `created` order) is the submission order.
    jobs = await asyncio.gather(*(coach.submit(name=f"job {i}", freeze_epochs=0) for i in range(10)))
    jobs = sorted(jobs, key=lambda j: j["created"])
    queued = [j for j in (await coach.ok("GET", "jobs"))["jobs"][::-1] if j["state"] == "queued"]
    assert len(queued) >= 5
    assert [j["position"] for j in queued] == list(range(1, len(queued) + 1))
    assert [j["id"] for j in queued] == [j["id"] for j in jobs[-len(queued) :]]
    ended = [await coach.wait_job(j["id"], timeout=240) for j in jobs]
    assert [j["state"] for j in ended] == ["completed"] * 10, [j["error"] for j in ended]
    starts = [j["started"] for j in ended]
    assert starts == sorted(starts)
    # One at a time: each started after the one before it ended.
    assert all(b["started"] >= a["ended"] for a, b in itertools.pairwise(ended))
    assert len((await coach.ok("GET", "jobs"))["jobs"]) == 10
