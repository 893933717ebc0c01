"""A server that dies mid-job: its trainers are re-attached by the next one, or marked interrupted."""

import subprocess
import sys

import psutil
from api_client import TINY_SPEC

from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.server.executor import LocalProcessExecutor
from jupyterlab_dlcoach.server.jobs import JobManager


def fresh_manager(app, store):
    """What a new server process builds on the same database: a new store connection, a new queue."""
    manager = JobManager(
        store,
        LocalProcessExecutor(),
        db_path=app.manager.db_path,
        root_dir=app.root_dir,
        max_running=1,
        grace_s=app.cancel_grace_seconds,
    )
    manager.on_change = app.hub.run_changed
    app.hub.render_run = manager.run_json
    return manager


async def test_a_job_survives_a_server_restart_without_losing_events(coach):
    app = coach.app
    await coach.sample()
    running = await coach.submit(epochs=2)
    waiting = await coach.submit()
    await coach.wait_event(running["id"], "batch")
    pid = (await coach.ok("GET", "jobs", running["id"]))["pid"]

    # The server dies: nothing watches the trainer any more, but it keeps training.
    await app.manager.stop()
    assert psutil.pid_exists(pid)

    store = RunStore(app.db_path)
    try:
        app.manager = fresh_manager(app, store)
        app.manager.start()
        assert running["id"] in app.manager._running, "the live trainer was not re-attached"
        assert app.manager.position(waiting["id"]) == 1

        done = await coach.wait_job(running["id"], timeout=180)
        assert done["state"] == "completed", done
        events = await coach.events(running["id"])
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        epochs = [e for e in events if e["type"] == "epoch"]
        assert len(epochs) == TINY_SPEC["freeze_epochs"] + 2
        assert [e["state"] for e in events if e["type"] == "state"] == ["queued", "running", "completed"]

        # The job that was still queued is started by the new server.
        assert (await coach.wait_job(waiting["id"], timeout=180))["state"] == "completed"
    finally:
        await app.manager.stop()
        store.close()


async def test_dead_trainers_and_kernels_are_marked_interrupted(tmp_path, jp_root_dir):
    store = RunStore(tmp_path / "runs.sqlite")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    me = psutil.Process()
    dead_job = store.create_run(
        kind="job", name="dead", spec={}, state="running", pid=gone.pid, pid_started=1.0
    )
    # Our own pid, but with another start time: a different process got the number, not the trainer.
    reused = store.create_run(
        kind="job", name="reused", spec={}, state="running", pid=me.pid, pid_started=1.0
    )
    dead_kernel = store.create_run(kind="notebook", name="nb", state="running", pid=gone.pid, pid_started=1.0)
    live_kernel = store.create_run(
        kind="notebook", name="nb", state="running", pid=me.pid, pid_started=me.create_time()
    )
    store.update_run(reused["id"], cancel_requested=True)

    manager = JobManager(store, LocalProcessExecutor(), db_path=str(store.path), root_dir=str(jp_root_dir))
    manager.start()
    try:
        assert store.get_run(dead_job["id"])["state"] == "interrupted"
        assert store.get_run(reused["id"])["state"] == "cancelled"
        assert store.get_run(dead_kernel["id"])["state"] == "interrupted"
        assert store.get_run(live_kernel["id"])["state"] == "running"
        for run in (dead_job, dead_kernel):
            assert store.get_run(run["id"])["ended"] is not None
            assert store.events(run["id"])[-1]["state"] == "interrupted"
        manager.start()  # idempotent: nothing is reconciled twice
        assert len(store.events(dead_job["id"])) == 1
    finally:
        await manager.stop()
        store.close()


async def test_a_notebook_run_whose_kernel_dies_is_interrupted_without_a_restart(tmp_path, jp_root_dir):
    import asyncio

    store = RunStore(tmp_path / "runs.sqlite")
    kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    run = store.create_run(
        kind="notebook",
        name="nb",
        state="running",
        pid=kernel.pid,
        pid_started=psutil.Process(kernel.pid).create_time(),
    )
    manager = JobManager(store, LocalProcessExecutor(), db_path=str(store.path), root_dir=str(jp_root_dir))
    manager.notebook_check_s = 0.05
    changed = []
    manager.on_change = changed.append
    manager.start()
    try:
        await asyncio.sleep(0.3)
        assert store.get_run(run["id"])["state"] == "running"
        kernel.kill()
        kernel.wait()
        for _ in range(100):
            if store.get_run(run["id"])["state"] != "running":
                break
            await asyncio.sleep(0.05)
        assert store.get_run(run["id"])["state"] == "interrupted"
        assert store.events(run["id"])[-1]["state"] == "interrupted"
        assert run["id"] in changed
        manager.delete(run["id"], kind=None)
        assert store.get_run(run["id"]) is None
    finally:
        kernel.kill()
        await manager.stop()
        store.close()


async def test_a_job_that_cannot_start_does_not_stall_the_queue(tmp_path, jp_root_dir):
    import asyncio

    class Flaky(LocalProcessExecutor):
        calls = 0

        def spawn(self, run_id, db_path, root_dir, env=None):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("the cluster said no")
            return super().spawn(run_id, db_path, root_dir, env)

    store = RunStore(tmp_path / "runs.sqlite")
    (jp_root_dir / "d").mkdir()
    manager = JobManager(store, Flaky(), db_path=str(store.path), root_dir=str(jp_root_dir))
    try:
        first = manager.submit({"dataset": "d"})
        second = manager.submit({"dataset": "d"})
        for _ in range(600):
            if store.get_run(second["id"])["state"] not in ("queued", "running"):
                break
            await asyncio.sleep(0.05)
        crashed = store.get_run(first["id"])
        assert crashed["state"] == "failed"
        assert crashed["error"]["kind"] == "crashed"
        assert "the cluster said no" in crashed["error"]["message"]
        assert store.get_run(second["id"])["state"] in ("failed", "completed")
        assert store.get_run(second["id"])["pid"]
    finally:
        await manager.stop()
        store.close()


async def test_terminate_stops_once_the_trainer_was_reaped(monkeypatch):
    import signal as signals

    from jupyterlab_dlcoach.server import executor as executor_module

    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    proc.wait()
    handle = executor_module.TrainerHandle(run_id="r", pid=proc.pid, started=0.0, popen=proc)
    sent = []
    monkeypatch.setattr(executor_module, "_signal_group", lambda pgid, signum: sent.append(signum))
    monkeypatch.setattr(LocalProcessExecutor, "_group_alive", staticmethod(lambda pgid: True))
    await LocalProcessExecutor().terminate(handle, grace_s=0.3)
    assert signals.SIGKILL not in sent
    assert sent == []


async def test_a_watcher_that_fails_frees_its_slot(tmp_path, jp_root_dir):
    import asyncio
    import os

    from jupyterlab_dlcoach.server.executor import Executor, TrainerHandle

    class Fake(Executor):
        def spawn(self, run_id, db_path, root_dir, env=None):
            return TrainerHandle(run_id=run_id, pid=os.getpid(), started=0.0)

        def attach(self, run_id, pid, pid_started):
            return None

        async def wait(self, handle):
            if handle.run_id == first["id"]:
                raise RuntimeError("lost track")
            return 0, None

        async def terminate(self, handle, grace_s):
            pass

    store = RunStore(tmp_path / "runs.sqlite")
    (jp_root_dir / "d").mkdir()
    manager = JobManager(store, Fake(), db_path=str(store.path), root_dir=str(jp_root_dir))
    try:
        first = manager.submit({"dataset": "d"})
        second = manager.submit({"dataset": "d"})
        for _ in range(100):
            if store.get_run(second["id"])["state"] == "completed":
                break
            await asyncio.sleep(0.02)
        assert store.get_run(second["id"])["state"] == "completed"
        assert store.get_run(first["id"])["state"] == "failed"
        assert store.get_run(first["id"])["error"]["kind"] == "crashed"
    finally:
        await manager.stop()
        store.close()


async def test_a_job_that_ended_while_no_server_watched_is_settled_from_its_record(tmp_path, jp_root_dir):
    store = RunStore(tmp_path / "runs.sqlite")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    result = {"error_rate": 0.25, "valid_loss": 0.7, "epochs": 2, "seconds": 3.1}
    error = {"kind": "nan_loss", "message": "The loss became NaN.", "advice": "Lower the learning rate."}
    runs = {}
    for name, fields in (("finished", {"result": result}), ("failed", {"error": error}), ("died", {})):
        run = store.create_run(kind="job", name=name, spec={}, state="running", pid=gone.pid, pid_started=1.0)
        store.update_run(run["id"], **fields)
        runs[name] = run["id"]

    manager = JobManager(store, LocalProcessExecutor(), db_path=str(store.path), root_dir=str(jp_root_dir))
    manager.start()
    try:
        finished = store.get_run(runs["finished"])
        assert finished["state"] == "completed"
        assert finished["result"] == result
        assert store.events(runs["finished"])[-1]["state"] == "completed"
        failed = store.get_run(runs["failed"])
        assert failed["state"] == "failed"
        assert failed["error"] == error
        assert store.get_run(runs["died"])["state"] == "interrupted"
    finally:
        await manager.stop()
        store.close()
