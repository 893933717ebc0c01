"""Which GPU a job gets: a re-attached job keeps its GPU after a restart; notebook runs on a GPU count."""

import asyncio
import os

import pytest

from jupyterlab_dlcoach.core.processes import start_time
from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.server.executor import Executor, TrainerHandle
from jupyterlab_dlcoach.server.gpus import gpu_of_device
from jupyterlab_dlcoach.server.jobs import JobManager


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
    """Records the environment each job is started with; re-attaches to any live pid; never ends."""

    def __init__(self):
        self.envs: dict[str, dict | None] = {}
        self.release = asyncio.Event()

    def spawn(self, run_id, db_path, root_dir, env=None):
        self.envs[run_id] = env
        return TrainerHandle(run_id=run_id, pid=os.getpid(), started=start_time())

    def attach(self, run_id, pid, pid_started):
        return TrainerHandle(run_id=run_id, pid=pid, started=pid_started)

    async def wait(self, handle):
        await self.release.wait()
        return 0, None

    async def terminate(self, handle, grace_s):
        self.release.set()


async def started_env(manager, executor, run_id):
    for _ in range(200):
        if run_id in executor.envs:
            return executor.envs[run_id]
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {run_id} never started")


@pytest.fixture
def store(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    yield store
    store.close()


def manager_for(store, root, executor):
    (root / "d").mkdir(exist_ok=True)
    db = str(store.path)
    return JobManager(store, executor, db_path=db, root_dir=str(root), max_running=2, gpus=[0, 1])


async def test_a_reattached_job_keeps_its_gpu_after_a_restart(store, jp_root_dir):
    # A job an earlier server started on GPU 0; its trainer (here: this process) still runs.
    left = store.create_run(
        kind="job", name="left behind", spec={"dataset": "d"}, state="running",
        device="cuda:0 (NVIDIA H100), GPU 0 of the machine", pid=os.getpid(), pid_started=start_time(),
    )  # fmt: skip
    executor = Recording()
    manager = manager_for(store, jp_root_dir, executor)
    try:
        manager.start()
        assert left["id"] in manager._running, "the live trainer was not re-attached"
        job = manager.submit({"dataset": "d"})
        assert await started_env(manager, executor, job["id"]) == {"CUDA_VISIBLE_DEVICES": "1"}
        assert store.get_run(job["id"])["device"] == "cuda (GPU 1 of the machine)"
    finally:
        executor.release.set()
        await manager.stop()


async def test_a_notebook_run_on_a_gpu_counts_for_the_queue(store, jp_root_dir):
    # A notebook in this (live) process trains on GPU 0.
    store.create_run(
        kind="notebook", name="Notebook · resnet18", spec={}, state="running",
        device="cuda:0 (NVIDIA H100)", pid=os.getpid(), pid_started=start_time(),
    )  # fmt: skip
    executor = Recording()
    manager = manager_for(store, jp_root_dir, executor)
    try:
        first = manager.submit({"dataset": "d"})
        assert await started_env(manager, executor, first["id"]) == {"CUDA_VISIBLE_DEVICES": "1"}
        # Each GPU now has one run: the next job goes to the first one again.
        second = manager.submit({"dataset": "d"})
        assert await started_env(manager, executor, second["id"]) == {"CUDA_VISIBLE_DEVICES": "0"}
    finally:
        executor.release.set()
        await manager.stop()
