"""The time estimate: the pure model on its own, then POST jobs/estimate through the real server."""

import math

import pytest
from api_client import TINY_SPEC

from jupyterlab_dlcoach.core import weights
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.server import estimate, routes
from jupyterlab_dlcoach.server.estimate import Measured, Plan
from jupyterlab_dlcoach.server.system import GPU

DIGITS = Plan("resnet18", 32, 1438, 359, 0, 3, "cpu")


def measured(plan: Plan, epoch_seconds: float, startup: float = 2.0) -> Measured:
    return Measured(plan, epoch_seconds, startup, plan.work())


# -- the model -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "about 1 s"), (7.4, "about 7 s"), (41, "about 40 s"), (58, "about 60 s"), (61, "about 1 min")],
)
def test_durations_in_words(seconds, text):
    assert estimate.say_duration(seconds) == text


def test_long_durations_in_words():
    assert estimate.say_duration(25 * 60) == "about 25 min"
    assert estimate.say_duration(80 * 60) == "about 1 h 20 min"
    assert estimate.say_duration(2 * 3600 + 120) == "about 2 h"


def test_with_no_history_a_rough_guess_on_the_cpu():
    answer = estimate.estimate(DIGITS, [], where="this CPU")
    assert answer["basis"] == "a rough guess (no earlier run to measure from)"
    # The built-in rate was measured on this sample: about 10 s for 3 epochs from scratch.
    assert 6 <= answer["seconds"] <= 16
    assert answer["text"] == f"{estimate.say_duration(answer['seconds'])} on this CPU"
    assert answer["notes"] == []


def test_with_no_history_on_a_gpu_there_is_no_number():
    answer = estimate.estimate(Plan("resnet34", 224, 5000, 1250, 1, 3, "cuda"), [], where="the GPU (H100)")
    assert answer["seconds"] is None
    assert "GPU" in answer["basis"]


def test_an_identical_earlier_run_is_repeated_exactly():
    earlier = measured(DIGITS, epoch_seconds=24.0, startup=4.0)
    answer = estimate.estimate(DIGITS, [earlier], where="this CPU")
    assert answer["seconds"] == pytest.approx(28.0)
    assert answer["basis"] == "from 1 earlier run on this machine"


def test_more_work_takes_longer_in_proportion():
    history = [measured(DIGITS, 24.0, startup=0.0)]
    base = estimate.estimate(DIGITS, history, where="x")["seconds"]
    twice = estimate.estimate(Plan("resnet18", 32, 1438, 359, 0, 6, "cpu"), history, where="x")["seconds"]
    assert twice == pytest.approx(2 * base, rel=0.01)
    bigger = estimate.estimate(Plan("resnet18", 64, 1438, 359, 0, 3, "cpu"), history, where="x")["seconds"]
    heavier = estimate.estimate(Plan("resnet50", 32, 1438, 359, 0, 3, "cpu"), history, where="x")["seconds"]
    assert bigger > 2 * base
    assert heavier > 1.5 * base
    # A frozen epoch costs less than an unfrozen one, but more than nothing.
    tuned = estimate.estimate(Plan("resnet18", 32, 1438, 359, 1, 3, "cpu"), history, where="x")["seconds"]
    assert base < tuned < base * 4 / 3


def test_runs_on_another_kind_of_device_do_not_count():
    gpu_run = measured(Plan("resnet18", 32, 1438, 359, 0, 3, "cuda"), 1.0)
    answer = estimate.estimate(DIGITS, [gpu_run], where="this CPU")
    assert answer["basis"].startswith("a rough guess")


def test_the_most_alike_recent_runs_are_used():
    alike = [measured(DIGITS, 30.0, 3.0), measured(DIGITS, 33.0, 3.0)]
    other = [measured(Plan("resnet50", 128, 100, 25, 0, 1, "cpu"), 100.0, 3.0)] * 4
    answer = estimate.estimate(DIGITS, other + alike, where="this CPU")
    assert answer["basis"] == "from 2 earlier runs on this machine"
    assert answer["seconds"] == pytest.approx(3.0 + 31.5)


def epoch(phase, seconds):
    return {"type": "epoch", "phase": phase, "seconds": seconds}


def test_a_completed_run_is_measured_from_its_epochs_and_lifetime():
    run = {
        "state": "completed",
        "device": "cpu",
        "spec": {"arch": "resnet18", "image_size": 32, "batch_size": 64, "valid_pct": 0.2},
        "result": {"settings": {"image_size": 32, "n_train": 1438, "n_valid": 359}},
        "pid_started": 100.0,
        "started": 100.2,
        "ended": 113.0,
    }
    m = estimate.measure_run(run, [epoch("frozen", 2.0), epoch("unfrozen", 3.0), epoch("unfrozen", 3.0)])
    assert m.plan == Plan("resnet18", 32, 1438, 359, 1, 2, "cpu")
    assert m.epoch_seconds == 8.0
    assert m.startup_seconds == pytest.approx(5.0)


def test_an_older_run_without_settings_is_measured_from_its_batches():
    run = {
        "state": "completed",
        "device": "cuda:0 (NVIDIA H100 80GB HBM3)",
        "spec": {"arch": "resnet34", "image_size": 224, "batch_size": 64, "valid_pct": 0.2},
        "result": {"batch_size": 64},
        "progress": {"batches": 10},
        "started": 1.0,
        "ended": None,
    }
    m = estimate.measure_run(run, [epoch("fit", 1.5)])
    assert m.plan == Plan("resnet34", 224, 640, 160, 0, 1, "cuda")
    assert math.isnan(m.startup_seconds)
    assert estimate.estimate(m.plan, [m], where="the GPU")["seconds"] == pytest.approx(
        estimate.CPU_STARTUP + 1.5
    )


@pytest.mark.parametrize(
    "run",
    [
        {"state": "failed", "device": "cpu", "spec": {"arch": "resnet18", "image_size": 32}},
        {"state": "completed", "device": None, "spec": {"arch": "resnet18", "image_size": 32}},
        {"state": "completed", "device": "cpu", "spec": {"arch": "resnet18", "image_size": 32}},
    ],
)
def test_runs_that_cannot_be_measured_are_skipped(run):
    assert estimate.measure_run(run, [epoch("fit", 1.0)]) is None


def test_a_gpu_that_torch_cannot_use_is_named(monkeypatch):
    gpu = GPU(index=0, name="NVIDIA T4", memory_total_mb=15360, memory_used_mb=0)
    spec = JobSpec.from_json({"dataset": "d", "device": "auto"})
    runs = [{"spec": {"device": "auto"}, "device": "cpu", "state": "completed"}]
    device, where, notes = estimate.pick_device(spec, [gpu], runs)
    assert (device, where) == ("cpu", "this CPU")
    assert notes[0].startswith("A GPU is present (NVIDIA T4) but torch cannot use it:")
    # Once a job did train on the GPU, the estimate is for the GPU.
    runs.insert(0, {"spec": {"device": "auto"}, "device": "cuda:0 (NVIDIA T4)", "state": "completed"})
    assert estimate.pick_device(spec, [gpu], runs) == ("cuda", "the GPU (NVIDIA T4)", [])
    # A job pinned to the CPU runs there, GPU or not, without a note.
    cpu_spec = JobSpec.from_json({"dataset": "d", "device": "cpu"})
    assert estimate.pick_device(cpu_spec, [gpu], []) == ("cpu", "this CPU", [])


def test_the_automatic_choices_follow_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    spec = JobSpec.from_json({"dataset": "d", "arch": "resnet18", "epochs": 2})
    # The automatic choices: pretrained and recipe left to the server.
    monkeypatch.setattr(spec, "pretrained", None)
    monkeypatch.setattr(spec, "recipe", "auto", raising=False)
    plan = estimate.resolve_plan(spec, n_images=100, image_side=None, device="cpu")
    assert (plan.frozen_epochs, plan.epochs, plan.n_train, plan.n_valid) == (0, 2, 80, 20)
    path = weights.weights_path("resnet18")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    plan = estimate.resolve_plan(spec, n_images=100, image_side=None, device="cpu")
    assert (plan.frozen_epochs, plan.epochs) == (spec.freeze_epochs, 2)


def test_an_automatic_image_size_is_the_typical_side_within_limits(monkeypatch):
    spec = JobSpec.from_json({"dataset": "d"})
    monkeypatch.setattr(spec, "image_size", None)
    side = lambda s: estimate.resolve_plan(spec, n_images=10, image_side=s, device="cpu").image_size  # noqa: E731
    assert (side(8), side(64), side(4000), side(None)) == (32, 64, 224, 224)


# -- the route -----------------------------------------------------------------------------------


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))


async def test_an_estimate_before_any_run(coach, torch_home):
    await coach.sample("shapes")
    answer = await coach.ok("POST", "jobs/estimate", body=TINY_SPEC)
    assert answer["seconds"] > 0
    assert answer["text"].endswith("on this CPU")
    assert answer["basis"] == "a rough guess (no earlier run to measure from)"
    assert answer["notes"] == []
    assert await coach.ok("GET", "jobs") == {"jobs": []}, "an estimate queues nothing"


async def test_the_estimate_of_a_run_repeated_is_what_it_took(coach, torch_home):
    await coach.sample("shapes")
    job = await coach.submit()
    done = await coach.wait_job(job["id"])
    assert done["state"] == "completed", done
    took = done["ended"] - done["pid_started"]
    answer = await coach.ok("POST", "jobs/estimate", body=TINY_SPEC)
    assert answer["basis"] == "from 1 earlier run on this machine"
    assert answer["seconds"] == pytest.approx(took, rel=0.05, abs=0.3)


async def test_a_gpu_torch_cannot_use_gives_a_note(coach, torch_home, monkeypatch):
    await coach.sample("shapes")
    gpu = GPU(index=0, name="NVIDIA T4", memory_total_mb=15360, memory_used_mb=0)
    monkeypatch.setattr(routes, "nvml_gpus", lambda: [gpu])
    coach.app.store.create_run(
        kind="job", name="earlier", spec={**TINY_SPEC, "device": "auto"}, state="failed", device="cpu"
    )
    answer = await coach.ok("POST", "jobs/estimate", body=TINY_SPEC)
    assert answer["text"].endswith("on this CPU")
    assert any(n.startswith("A GPU is present (NVIDIA T4) but torch cannot use it") for n in answer["notes"])


async def test_jobs_ahead_in_the_queue_are_noted(coach, torch_home):
    await coach.sample("shapes")
    coach.app.store.create_run(kind="job", name="waiting", spec=TINY_SPEC, state="queued")
    answer = await coach.ok("POST", "jobs/estimate", body=TINY_SPEC)
    assert "1 job is queued or running before this one; its time comes first." in answer["notes"]


async def test_missing_pretrained_weights_are_noted(coach, torch_home):
    await coach.sample("shapes")
    answer = await coach.ok("POST", "jobs/estimate", body={**TINY_SPEC, "pretrained": True})
    assert any("System section" in n for n in answer["notes"])


async def test_an_empty_folder_has_no_number(coach, torch_home, jp_root_dir):
    (jp_root_dir / "empty").mkdir()
    answer = await coach.ok("POST", "jobs/estimate", body={"dataset": "empty"})
    assert answer["seconds"] is None
    assert answer["notes"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "dataset"),
        ({"dataset": "shapes", "arch": "resnet9000"}, 400, "arch"),
        ({"dataset": "shapes", "epochs": 0}, 400, "epochs"),
        ({"dataset": "shapes", "colour": "blue"}, 400, "colour"),
        ({"dataset": "nowhere"}, 404, "dataset"),
        ({"dataset": "../outside"}, 403, "dataset"),
    ],
)
async def test_bad_specs_are_refused_naming_the_field(coach, torch_home, body, status, field):
    await coach.sample("shapes")
    code, answer = await coach.request("POST", "jobs/estimate", body=body)
    assert code == status, answer
    assert answer["field"] == field
    assert "'path'" not in answer["message"]


async def test_a_body_that_is_not_json_is_a_400(jp_fetch):
    response = await jp_fetch(
        "jupyterlab-dlcoach", "jobs", "estimate", method="POST", body="{dataset", raise_error=False
    )
    assert response.code == 400
