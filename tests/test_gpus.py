"""Which GPU a job gets: a re-attached job keeps its GPU after a restart; notebook runs on a GPU count.

Through a real server whose executor and GPUs are set in the extension's configuration, as a deployment
would set them: no GPU is needed, the executor only records what it was asked to start.
"""

import asyncio
import subprocess
import sys

import pytest

from jupyterlab_dlcoach.core.processes import start_time
from jupyterlab_dlcoach.server.executor import Executor, TrainerHandle
from jupyterlab_dlcoach.server.gpus import gpu_of_device


@pytest.mark.parametrize(
    ("label", "gpu"),
    [
        ("cuda:0 (NVIDIA H100 80GB HBM3), GPU 3 of the machine", 3),
        ("cuda (GPU 1 of the machine)", 1),
        ("cuda:2 (NVIDIA H100 80GB HBM3)", 2),
        ("cpu", None),
        (None, None),
        ("mps", None),
    ],
)
def test_the_gpu_a_device_label_names(label, gpu):
    assert gpu_of_device(label) == gpu


class Recording(Executor):
    """Records the environment each job is started with; re-attaches to any live pid; never ends a job
    by itself. Configured by class, so what it records is kept on the class."""

    envs: dict[str, dict | None] = {}
    release: asyncio.Event | None = None
    # A live process standing in for every trainer. Not this one: the coach fixture kills the process
    # group of each job still running at the end, and this test's process may lead its group.
    stand_in: subprocess.Popen | None = None

    def spawn(self, run_id, db_path, root_dir, env=None):
        Recording.envs[run_id] = env
        pid = Recording.stand_in.pid
        return TrainerHandle(run_id=run_id, pid=pid, started=start_time(pid))

    def attach(self, run_id, pid, pid_started):
        return TrainerHandle(run_id=run_id, pid=pid, started=pid_started)

    async def wait(self, handle):
        await Recording.release.wait()
        return 0, None

    async def terminate(self, handle, grace_s):
        Recording.release.set()


@pytest.fixture
def stand_in():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    Recording.stand_in = proc
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture
def jp_server_config(jp_server_config, stand_in):
    Recording.envs = {}
    Recording.release = asyncio.Event()
    coach_config = {**jp_server_config["DLCoachApp"], "executor_class": Recording, "gpus": [0, 1]}
    return {**jp_server_config, "DLCoachApp": {**coach_config, "max_running_jobs": 3}}


async def started_env(run_id):
    for _ in range(200):
        if run_id in Recording.envs:
            return Recording.envs[run_id]
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {run_id} never started")


async def test_a_reattached_job_keeps_its_gpu_after_a_restart(coach, jp_root_dir, stand_in):
    (jp_root_dir / "d").mkdir()
    # A job an earlier server started on GPU 0; its trainer (the stand-in) still runs. The queue
    # starts on the first request, and re-attaches it then.
    left = coach.app.store.create_run(
        kind="job", name="left behind", spec={"dataset": "d"}, state="running",
        device="cuda:0 (NVIDIA H100), GPU 0 of the machine", pid=stand_in, pid_started=start_time(stand_in),
    )  # fmt: skip
    try:
        job = await coach.ok("POST", "jobs", body={"dataset": "d"}, expect=201)
        assert left["id"] in coach.app.manager._running, "the live trainer was not re-attached"
        assert await started_env(job["id"]) == {"CUDA_VISIBLE_DEVICES": "1"}
        assert (await coach.ok("GET", "jobs", job["id"]))["device"] == "cuda (GPU 1 of the machine)"
    finally:
        Recording.release.set()


async def test_a_notebook_run_on_a_gpu_counts_for_the_queue(coach, jp_root_dir, stand_in):
    (jp_root_dir / "d").mkdir()
    # A notebook in a live kernel (the stand-in process) trains on GPU 0.
    coach.app.store.create_run(
        kind="notebook", name="Notebook · resnet18", spec={}, state="running",
        device="cuda:0 (NVIDIA H100)", pid=stand_in, pid_started=start_time(stand_in),
    )  # fmt: skip
    try:
        first = await coach.ok("POST", "jobs", body={"dataset": "d"}, expect=201)
        assert await started_env(first["id"]) == {"CUDA_VISIBLE_DEVICES": "1"}
        # Each GPU now has one run: the next job goes to the first one again.
        second = await coach.ok("POST", "jobs", body={"dataset": "d"}, expect=201)
        assert await started_env(second["id"]) == {"CUDA_VISIBLE_DEVICES": "0"}
    finally:
        Recording.release.set()


async def test_each_running_job_gets_its_own_gpu(coach, jp_root_dir):
    """Two GPUs: `auto` jobs go to different GPUs; a spec naming its own device is left alone."""
    (jp_root_dir / "d").mkdir()
    submit = [{"dataset": "d"}, {"dataset": "d", "device": "cuda"}, {"dataset": "d", "device": "cpu"}]
    a, b, c = [await coach.ok("POST", "jobs", body=spec, expect=201) for spec in submit]
    assert await started_env(a["id"]) == {"CUDA_VISIBLE_DEVICES": "0"}
    assert await started_env(b["id"]) == {"CUDA_VISIBLE_DEVICES": "1"}
    assert await started_env(c["id"]) is None
    Recording.release.set()
    for job in (a, b, c):
        assert (await coach.wait_job(job["id"], timeout=10))["state"] == "completed"
    # Both GPUs are free again: the next job takes the first one.
    Recording.release.clear()
    d = await coach.ok("POST", "jobs", body={"dataset": "d"}, expect=201)
    try:
        assert await started_env(d["id"]) == {"CUDA_VISIBLE_DEVICES": "0"}
    finally:
        Recording.release.set()
