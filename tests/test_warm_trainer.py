"""The warm trainer: a process with torch and fastai imported that waits for its one job.

Through the real server: jobs really take it (its marker is in their log) and keep cancel, kill -9 and
restart as a cold trainer has them; a fresh one replaces each used or dead one; the setting turns it
off; stopping the server, or losing it, ends an idle one.
"""

import asyncio
import os
import signal
import time

import psutil
import pytest
from api_client import group_members
from test_jobs_api import wait_for_workers
from test_restart import fresh_manager

from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.server.executor import LocalProcessExecutor
from jupyterlab_dlcoach.trainer.warm import MARKER

# Generous: these train for real, and CI machines are sometimes shared and slow.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def warm_setting():
    return True


@pytest.fixture
def jp_server_config(jp_server_config, warm_setting):
    coach_config = {**jp_server_config["DLCoachApp"], "warm_trainer": warm_setting}
    return {**jp_server_config, "DLCoachApp": coach_config}


async def until(predicate, timeout: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        await asyncio.sleep(0.05)
    return value


async def warm_coach(coach, check_s: float = 5.0, per_class: int = 8):
    """Make the sample, which starts the queue (here without its start-up delay); wait for a warm trainer."""
    coach.app.manager.prepare_delay_s = 0.0
    coach.app.manager.notebook_check_s = check_s
    await coach.sample(per_class=per_class)
    warm = coach.app.manager.executor.warm
    return await until(lambda: warm.idle_pid, what="a warm trainer start")


async def replacement(coach, old_pid: int) -> int:
    """The pid of the warm trainer started after ``old_pid``'s."""
    warm = coach.app.manager.executor.warm
    return await until(
        lambda: warm.idle_pid if warm.idle_pid not in (None, old_pid) else None, what="a replacement"
    )


def log_of(coach, job: dict) -> str:
    return (coach.app.store.path.parent / "artifacts" / job["id"] / "trainer.log").read_text()


def pending_logs(coach) -> list:
    return list((coach.app.store.path.parent / "artifacts").glob(".warm-*.log"))


async def test_a_job_takes_the_warm_trainer_and_a_fresh_one_replaces_it(coach):
    warm_pid = await warm_coach(coach)
    job = await coach.submit()
    assert coach.app.manager._running[job["id"]].warm
    assert (await coach.ok("GET", "jobs", job["id"]))["pid"] == warm_pid
    job = await coach.wait_job(job["id"], timeout=300)
    assert job["state"] == "completed", job
    assert job["exit_code"] == 0
    log = log_of(coach, job)
    assert f"{MARKER} (pid {warm_pid}): ready" in log
    assert f"took run {job['id']}" in log
    # Used once: the next job gets a new process; its output waits in a log of its own.
    new_pid = await replacement(coach, warm_pid)
    assert len(pending_logs(coach)) == 1
    second = await coach.submit()
    assert (await coach.ok("GET", "jobs", second["id"]))["pid"] == new_pid
    assert (await coach.wait_job(second["id"], timeout=300))["state"] == "completed"


async def test_a_warm_trainer_that_died_is_replaced(coach):
    # The queue's idle check, every 0.2 s here, is where a dead warm trainer is noticed.
    warm_pid = await warm_coach(coach, check_s=0.2)
    os.killpg(warm_pid, signal.SIGKILL)
    new_pid = await replacement(coach, warm_pid)
    assert len(pending_logs(coach)) == 1
    job = await coach.submit()
    assert (await coach.ok("GET", "jobs", job["id"]))["pid"] == new_pid
    job = await coach.wait_job(job["id"], timeout=300)
    assert job["state"] == "completed", job
    assert f"{MARKER} (pid {new_pid})" in log_of(coach, job)


async def test_cancel_and_kill_9_of_warm_trainers_are_as_with_cold_ones(coach):
    await warm_coach(coach)
    job = await coach.submit(epochs=3, num_workers=2)
    assert coach.app.manager._running[job["id"]].warm
    await coach.wait_event(job["id"], "batch")
    pid = (await coach.ok("GET", "jobs", job["id"]))["pid"]
    await wait_for_workers(pid)
    await coach.ok("POST", "jobs", job["id"], "cancel")
    job = await coach.wait_job(job["id"], timeout=60)
    assert job["state"] == "cancelled"
    # The server SIGKILLs what is left of the group as the job settles; the kernel takes a moment to end it.
    await until(lambda: group_members(pid) == [], timeout=5, what="the workers' end")

    await replacement(coach, pid)
    job = await coach.submit(epochs=3, num_workers=2)
    assert coach.app.manager._running[job["id"]].warm
    await coach.wait_event(job["id"], "batch")
    pid = (await coach.ok("GET", "jobs", job["id"]))["pid"]
    await wait_for_workers(pid)
    os.kill(pid, signal.SIGKILL)
    job = await coach.wait_job(job["id"], timeout=60)
    assert (job["state"], job["signal"], job["exit_code"]) == ("failed", "SIGKILL", None)
    await until(lambda: group_members(pid) == [], timeout=5, what="the workers' end")


async def test_a_warm_started_job_survives_a_server_restart(coach):
    app = coach.app
    warm_pid = await warm_coach(coach, per_class=20)
    running = await coach.submit(epochs=3)
    assert app.manager._running[running["id"]].warm
    # A job waiting for the busy slot: the next warm trainer is started for it.
    waiting = await coach.submit()
    await coach.wait_event(running["id"], "batch")
    pid = (await coach.ok("GET", "jobs", running["id"]))["pid"]
    idle = await replacement(coach, warm_pid)

    await app.manager.stop()
    assert psutil.pid_exists(pid)
    # The idle one belonged to the stopped server; the job's trainer does not.
    assert not psutil.pid_exists(idle)
    store = RunStore(app.db_path)
    try:
        app.manager = fresh_manager(app, store)
        app.manager.start()
        assert running["id"] in app.manager._running, "the warm-started trainer was not re-attached"
        done = await coach.wait_job(running["id"], timeout=300)
        assert done["state"] == "completed", done
        states = [e["state"] for e in await coach.events(running["id"]) if e["type"] == "state"]
        assert states == ["queued", "running", "completed"]
        assert (await coach.wait_job(waiting["id"], timeout=300))["state"] == "completed"
    finally:
        await app.manager.stop()
        store.close()


@pytest.mark.parametrize("warm_setting", [False])
async def test_turned_off_every_job_starts_cold(coach):
    manager = coach.app.manager
    assert manager.executor.warm is None
    manager.prepare_delay_s = 0.0
    await coach.sample()
    job = await coach.wait_job((await coach.submit())["id"], timeout=300)
    assert job["state"] == "completed", job
    assert MARKER not in log_of(coach, job)
    assert not pending_logs(coach)
    assert not [p for p in psutil.Process().children() if "trainer.warm" in " ".join(p.cmdline())]


def test_stopping_ends_an_idle_warm_trainer_and_losing_the_server_does_too(tmp_path):
    executor = LocalProcessExecutor(warm=True)
    db, root = str(tmp_path / "db" / "runs.sqlite"), str(tmp_path)
    executor.prepare(db, root)
    first = executor.warm._idle.popen
    executor.close()
    assert first.poll() is not None
    assert not list((tmp_path / "db" / "artifacts").glob(".warm-*.log"))

    # A server that dies cannot close anything: its end of the pipe closes, and the warm trainer
    # reads end-of-input (once its imports are done) and exits by itself.
    executor.prepare(db, root)
    second = executor.warm._idle.popen
    assert second.pid != first.pid
    second.stdin.close()
    assert second.wait(timeout=300) == 0
    executor.close()


def test_a_dead_warm_trainer_or_one_for_another_store_is_never_handed_a_job(tmp_path):
    executor = LocalProcessExecutor(warm=True)
    db, root = str(tmp_path / "a" / "runs.sqlite"), str(tmp_path)
    try:
        # Cold trainers here: the run does not exist, so they say so and exit 1 without importing torch.
        executor.prepare(db, root)
        idle = executor.warm._idle.popen
        os.killpg(idle.pid, signal.SIGKILL)
        idle.wait()
        handle = executor.spawn("0123456789ab", db, root)
        assert not handle.warm
        assert handle.popen.wait(timeout=60) == 1
        assert MARKER not in handle.log_path.read_text()

        executor.prepare(db, root)
        idle = executor.warm._idle.popen
        handle = executor.spawn("0123456789ab", str(tmp_path / "b" / "runs.sqlite"), root)
        assert not handle.warm
        assert handle.popen.wait(timeout=60) == 1
        assert idle.poll() is not None
    finally:
        executor.close()
