"""The push channel: a websocket that sends a run's backlog, then live events, and resumes from a seq."""

import asyncio
import json
import os

import psutil
import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_dlcoach.core.store import RunStore


@pytest.fixture
def kernel_store(coach):
    """The store as a notebook kernel's callback sees it: another connection to the same file."""
    store = RunStore(coach.app.db_path)
    yield store
    store.close()


def notebook_run(store, name="nb"):
    me = psutil.Process()
    return store.create_run(
        kind="notebook", name=name, state="running", pid=me.pid, pid_started=me.create_time()
    )


def epoch(n):
    """An epoch event as the callback writes it (for append_events)."""
    return {"type": "epoch", **epoch_payload(n)}


def epoch_payload(n):
    return {"phase": "fit", "epoch": n, "train_loss": 1.0 / (n + 1), "valid_loss": 0.5}


async def receive(ws, timeout=5.0):
    message = await asyncio.wait_for(ws.read_message(), timeout)
    assert message is not None, "the server closed the stream"
    return json.loads(message)


async def receive_seqs(ws, count):
    """Read `events` messages until `count` events arrived; return their seqs."""
    seqs = []
    while len(seqs) < count:
        message = await receive(ws)
        if message["type"] == "events":
            seqs += [e["seq"] for e in message["events"]]
    return seqs


async def test_one_run_backlog_then_live_then_resume_without_doubles(jp_ws_fetch, kernel_store):
    run = notebook_run(kernel_store)
    kernel_store.append_events(run["id"], [epoch(0), epoch(1), epoch(2)])

    ws = await jp_ws_fetch("jupyterlab-dlcoach", "stream", params={"run": run["id"], "after": "0"})
    first = await receive(ws)
    assert first["type"] == "run"
    assert first["run"]["id"] == run["id"]
    assert first["run"]["kind"] == "notebook"
    backlog = await receive(ws)
    assert backlog["type"] == "events"
    assert backlog["run_id"] == run["id"]
    assert [e["seq"] for e in backlog["events"]] == [1, 2, 3]
    assert backlog["events"][0]["train_loss"] == 1.0

    kernel_store.append_event(run["id"], "epoch", **epoch_payload(3))
    kernel_store.append_event(run["id"], "epoch", **epoch_payload(4))
    assert await receive_seqs(ws, 2) == [4, 5]
    ws.close()

    # Written while nobody listens; the client comes back with the last seq it has.
    kernel_store.append_events(run["id"], [epoch(5), epoch(6)])
    ws = await jp_ws_fetch("jupyterlab-dlcoach", "stream", params={"run": run["id"], "after": "5"})
    assert (await receive(ws))["type"] == "run"
    kernel_store.append_event(run["id"], "epoch", **epoch_payload(7))
    assert await receive_seqs(ws, 3) == [6, 7, 8]
    with pytest.raises(asyncio.TimeoutError):
        await receive(ws, timeout=0.5)
    ws.close()


async def test_all_runs_stream_announces_runs_events_and_deletions(coach, jp_ws_fetch, kernel_store):
    older = notebook_run(kernel_store, "older")
    ws = await jp_ws_fetch("jupyterlab-dlcoach", "stream")
    snapshot = await receive(ws)
    assert snapshot["type"] == "runs"
    assert [r["id"] for r in snapshot["runs"]] == [older["id"]]

    run = notebook_run(kernel_store, "new")
    kernel_store.append_event(run["id"], "state", state="running")
    kernel_store.append_event(run["id"], "epoch", **epoch_payload(0))
    announced = await receive(ws)
    assert announced["type"] == "run"
    assert announced["run"]["name"] == "new"
    events = await receive(ws)
    assert events["type"] == "events"
    assert [e["type"] for e in events["events"]] == ["state", "epoch"]

    kernel_store.update_run(run["id"], state="completed")
    kernel_store.append_event(run["id"], "state", state="completed")
    changed = await receive(ws)
    assert (changed["type"], changed["run"]["state"]) == ("run", "completed")
    assert (await receive(ws))["type"] == "events"

    await coach.ok("DELETE", "runs", run["id"], expect=204)
    assert await receive(ws) == {"type": "deleted", "run_id": run["id"]}
    ws.close()


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"run": "0123456789ab"}, 404, None),
        ({"run": "PLACEHOLDER", "after": "-1"}, 400, "after"),
        ({"run": "PLACEHOLDER", "after": str(2**63)}, 400, "after"),
        ({"run": "PLACEHOLDER", "after": "9" * 5000}, 400, "after"),
    ],
)
async def test_bad_stream_requests_are_refused_before_the_upgrade(
    jp_ws_fetch, kernel_store, params, code, field
):
    run = notebook_run(kernel_store)
    params = {k: run["id"] if v == "PLACEHOLDER" else v for k, v in params.items()}
    with pytest.raises(HTTPClientError) as refused:
        await jp_ws_fetch("jupyterlab-dlcoach", "stream", params=params)
    assert refused.value.code == code
    body = json.loads(refused.value.response.body)
    assert body.get("field") == field


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "²", str(2**63), "9" * 5000, "0" * 30 + "1"])
async def test_events_after_must_be_a_whole_number(coach, kernel_store, after):
    run = notebook_run(kernel_store)
    code, body = await coach.request("GET", "runs", run["id"], "events", params={"after": after})
    assert code == 400
    assert body["field"] == "after"


async def test_events_after_and_limit(coach, kernel_store):
    run = notebook_run(kernel_store)
    kernel_store.append_events(run["id"], [epoch(i) for i in range(5)])
    page = await coach.ok("GET", "runs", run["id"], "events", params={"after": "2", "limit": "2"})
    assert [e["seq"] for e in page["events"]] == [3, 4]
    assert (await coach.ok("GET", "runs", run["id"]))["kind"] == "notebook"
    assert (await coach.request("GET", "jobs", run["id"]))[0] == 404
    # Its kernel (this process) lives, so the run is still going and may not be deleted.
    assert os.getpid() == run["pid"]
    code, body = await coach.request("DELETE", "runs", run["id"])
    assert code == 409
    assert "notebook" in body["message"]


async def test_a_stream_404_is_logged_without_a_traceback(jp_ws_fetch, kernel_store, caplog):
    with pytest.raises(HTTPClientError):
        await jp_ws_fetch("jupyterlab-dlcoach", "stream", params={"run": "0123456789ab"})
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_events_are_not_lost_when_a_push_fails(coach, kernel_store):
    hub = coach.app.hub
    hub.start()
    hub.poll()
    run = notebook_run(kernel_store)
    got = []
    sub = hub.subscribe(lambda m: got.append(m), run["id"], 0)
    kernel_store.append_events(run["id"], [epoch(0), epoch(1)])
    real_get_run = hub.store.get_run

    def broken(run_id):
        raise RuntimeError("database is locked")

    hub.store.get_run = broken
    try:
        with pytest.raises(RuntimeError):
            hub.poll()
    finally:
        hub.store.get_run = real_get_run
    hub.poll()
    hub.unsubscribe(sub)
    seqs = [e["seq"] for m in got if m["type"] == "events" for e in m["events"]]
    assert seqs == [1, 2]


@pytest.mark.parametrize("limit", ["0", "100001", "9" * 5000, "x"])
async def test_events_limit_out_of_range_is_a_400(coach, kernel_store, limit):
    run = notebook_run(kernel_store)
    code, body = await coach.request("GET", "runs", run["id"], "events", params={"limit": limit})
    assert (code, body["field"]) == (400, "limit")
