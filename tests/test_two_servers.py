"""Two JupyterLab servers on one run store: each job runs once, on its own server; cancels reach it.

Server A is the test's own server; server B is a real `jupyter server` process on the same store and
the same root folder (as a user's second JupyterLab would be).
"""

import asyncio
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from jupyter_server_process import JupyterServer

pytestmark = pytest.mark.timeout(400)
NS = "jupyterlab-dlcoach"


@pytest.fixture
def server_b(coach, jp_root_dir):
    db = coach.app.db_path
    server = JupyterServer(root_dir=jp_root_dir, db_path=db, extra_args=("--DLCoachApp.warm_trainer=False",))
    yield server
    server.stop()


async def b_call(server, method, *path, body=None):
    return await asyncio.to_thread(server.call, method, "/".join((NS, *path)), body)


def states(events):
    return [e["state"] for e in events if e["type"] == "state"]


async def test_two_servers_share_a_store_without_running_a_job_twice(coach, server_b):
    app = coach.app
    assert (await b_call(server_b, "GET", "system"))["store"]["path"] == str(app.db_path)
    await coach.sample(per_class=8)
    j1 = await coach.submit(epochs=6)
    j2 = await coach.submit()
    j3 = await coach.submit()
    await coach.wait_event(j1["id"], "batch")

    # B sees A's jobs but leaves them to A, which is alive.
    await asyncio.sleep(3)  # a few of B's scheduler ticks
    seen = {j["id"]: j for j in (await b_call(server_b, "GET", "jobs"))["jobs"]}
    assert seen[j2["id"]]["state"] == "queued"
    assert seen[j2["id"]]["owner"] == app.manager.owner.id

    # A cancel sent to B reaches A's queued job and A's running trainer.
    assert (await b_call(server_b, "POST", "jobs", j2["id"], "cancel"))["state"] == "cancelled"
    t0 = time.monotonic()
    answer = await b_call(server_b, "POST", "jobs", j1["id"], "cancel")
    assert answer["cancel_requested"] is True
    assert (await coach.wait_job(j1["id"], timeout=60))["state"] == "cancelled"
    cancel_s = time.monotonic() - t0

    # B's own job runs on B; A's next job on A; each exactly once.
    j4 = await b_call(server_b, "POST", "jobs", body={**_tiny(), "name": "from B"})
    done3 = await coach.wait_job(j3["id"], timeout=240)
    done4 = await coach.wait_job(j4["id"], timeout=240)
    assert done3["state"] == "completed", done3
    assert done4["state"] == "completed", done4
    assert done4["owner"] != app.manager.owner.id
    for job in (j3, j4):
        events = await coach.events(job["id"])
        assert states(events) == ["queued", "running", "completed"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        epochs = [e["epoch"] for e in events if e["type"] == "epoch"]
        assert epochs == sorted(set(epochs)), epochs  # no epoch trained twice
    assert states(await coach.events(j2["id"])) == ["queued", "cancelled"]
    assert states(await coach.events(j1["id"])) == ["queued", "running", "cancelled"]
    print(f"two servers: cancel through the other server took {cancel_s:.1f}s")


def _tiny():
    from api_client import TINY_SPEC

    return dict(TINY_SPEC)
