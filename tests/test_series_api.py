"""GET runs/ID/series: a run's history thinned for a chart, on a real server and a real store."""

import asyncio
import json
import random

import psutil
import pytest

from jupyterlab_dlcoach.core.store import RunStore


@pytest.fixture
def store(coach):
    """The store as a notebook kernel writes it: another connection to the server's file."""
    s = RunStore(coach.app.db_path)
    yield s
    s.close()


def new_run(store):
    me = psutil.Process()
    return store.create_run(
        kind="notebook", name="long", state="running", pid=me.pid, pid_started=me.create_time()
    )


def batch(epoch, loss, phase="fit"):
    return {"type": "batch", "phase": phase, "epoch": epoch, "iter": 0, "smooth_loss": loss, "lr": 0.001}


def epoch_event(epoch):
    return {"type": "epoch", "phase": "fit", "epoch": epoch, "train_loss": 0.5, "valid_loss": 0.6}


def write_epochs(store, run_id, losses_per_epoch, *, finish_last=True, extra=None):
    """Write each epoch's batches then its epoch event; `extra` maps (epoch, index) to events put before
    that batch (warnings in the middle of an epoch)."""
    extra = extra or {}
    events = []
    for e, losses in enumerate(losses_per_epoch):
        for i, y in enumerate(losses):
            events += extra.get((e, i), [])
            events.append(batch(e, y))
        if finish_last or e < len(losses_per_epoch) - 1:
            events.append(epoch_event(e))
    return store.append_events(run_id, events)


def truth(written):
    """Every batch as (seq, epoch, index in its epoch, loss), from the events as written."""
    out, counts = [], {}
    for ev in written:
        if ev["type"] == "batch":
            i = counts.get(ev["epoch"], 0)
            counts[ev["epoch"]] = i + 1
            out.append((ev["seq"], ev["epoch"], i, ev["smooth_loss"]))
    return out, counts


def kept(reply):
    b = reply["batches"]
    return list(zip(b["seq"], b["epoch"], b["index"], b["smooth_loss"], strict=True))


async def test_a_short_run_comes_whole_with_its_events_and_last_seq(coach, store):
    run = new_run(store)
    warning = {"type": "warning", "kind": "x", "epoch": 1, "message": "m", "advice": "a", "terms": []}
    written = write_epochs(
        store, run["id"], [[1.0 - i / 100 for i in range(20)]] * 3, extra={(1, 7): [warning]}
    )
    reply = await coach.ok("GET", "runs", run["id"], "series", params={"points": "1000"})
    batches, _counts = truth(written)
    assert kept(reply) == batches
    assert reply["last_seq"] == written[-1]["seq"]
    assert reply["batches"]["total"] == 60
    assert reply["batches"]["epochs"] == [{"epoch": e, "phase": "fit", "count": 20} for e in range(3)]
    others = [e for e in written if e["type"] != "batch"]
    assert reply["events"] == others
    assert [e["type"] for e in reply["events"]].count("epoch") == 3


# 200 points: a statement per bucket; 600: the rows read at once and thinned in Python.
@pytest.mark.parametrize("points", [200, 600])
async def test_thinning_keeps_the_min_and_max_of_every_bucket(coach, store, points):
    rng = random.Random(4)
    run = new_run(store)
    losses = [[2.0 / (1 + i / 300) + rng.random() * 0.1 for i in range(2500)] for _ in range(3)]
    losses[1][1234] = 9.0  # a spike
    losses[2][17] = 0.001  # a dip
    losses[0][40] = None  # a NaN loss, stored as null
    note = {"type": "warning", "kind": "x", "epoch": 0, "message": "m", "advice": "a", "terms": []}
    # The last epoch is still running: no epoch event closes it.
    written = write_epochs(store, run["id"], losses, finish_last=False, extra={(0, 999): [note] * 3})
    reply = await coach.ok("GET", "runs", run["id"], "series", params={"points": str(points)})
    got = kept(reply)
    assert 0 < len(got) <= points
    batches, counts = truth(written)
    by_seq = {b[0]: b for b in batches}
    # Every point kept is a real batch, with its true epoch, index and loss.
    assert all(by_seq[p[0]] == p for p in got)
    assert [s for s, *_ in got] == sorted({s for s, *_ in got})
    assert reply["batches"]["epochs"] == [{"epoch": e, "phase": "fit", "count": c} for e, c in counts.items()]
    # Buckets are equal runs of seqs from the first batch to the last (docs/api.md).
    lo, hi = batches[0][0], batches[-1][0]
    span, buckets = hi - lo + 1, points // 2
    values = {p[3] for p in got}
    for b in range(buckets):
        inside = [
            x[3] for x in batches if lo + b * span // buckets <= x[0] <= lo + (b + 1) * span // buckets - 1
        ]
        inside = [y for y in inside if y is not None]
        if inside:
            assert min(inside) in values, f"bucket {b}"
            assert max(inside) in values, f"bucket {b}"
    assert 9.0 in values
    assert 0.001 in values
    assert None not in values
    assert reply["last_seq"] == written[-1]["seq"]
    assert len([e for e in reply["events"] if e["type"] == "epoch"]) == 2


async def test_a_range_comes_at_full_resolution_with_one_point_beyond_each_edge(coach, store):
    run = new_run(store)
    written = write_epochs(store, run["id"], [[1 + (i % 7) / 10 for i in range(1000)]] * 4)
    reply = await coach.ok(
        "GET", "runs", run["id"], "series", params={"points": "4000", "from": "1.5", "to": "2.25"}
    )
    got = kept(reply)
    x = [e + (i + 1) / 1000 for _, e, i, _ in got]
    inside = [v for v in x if 1.5 <= v <= 2.25]
    assert len(inside) >= 749  # every batch of the range: 0.75 epochs of 1000 batches
    assert x[0] < 1.5
    assert x[-1] > 2.25
    assert len(x) - len(inside) <= 4
    assert reply["from"] == 1.5
    assert reply["to"] == 2.25
    assert reply["batches"]["total"] == 4000
    assert reply["last_seq"] == written[-1]["seq"]


async def test_only_the_attempt_after_an_out_of_memory_retry_is_drawn(coach, store):
    run = new_run(store)
    first = write_epochs(store, run["id"], [[5.0] * 10], finish_last=False)
    retry = store.append_event(
        run["id"], "warning", kind="cuda_oom_retry", epoch=None, message="m", advice="a"
    )
    second = write_epochs(store, run["id"], [[1.0] * 8, [0.5] * 8])
    reply = await coach.ok("GET", "runs", run["id"], "series")
    assert {p[0] for p in kept(reply)} == {e["seq"] for e in second if e["type"] == "batch"}
    assert reply["batches"]["epochs"] == [
        {"epoch": 0, "phase": "fit", "count": 8},
        {"epoch": 1, "phase": "fit", "count": 8},
    ]
    assert retry["seq"] in [e["seq"] for e in reply["events"]]
    assert reply["points"] == 4000
    assert first[0]["seq"] == 1


async def test_following_on_from_last_seq_misses_nothing_and_doubles_nothing(coach, store, jp_ws_fetch):
    run = new_run(store)
    write_epochs(store, run["id"], [[1.0] * 50, [0.9] * 50])
    reply = await coach.ok("GET", "runs", run["id"], "series", params={"points": "20"})
    later = write_epochs(store, run["id"], [[0.8] * 5])  # written after the history was read
    ws = await jp_ws_fetch(
        "jupyterlab-dlcoach", "stream", params={"run": run["id"], "after": str(reply["last_seq"])}
    )
    seqs = []
    while len(seqs) < len(later):
        message = json.loads(await asyncio.wait_for(ws.read_message(), 5))
        if message["type"] == "events":
            seqs += [e["seq"] for e in message["events"]]
    ws.close()
    assert seqs == [e["seq"] for e in later] == list(range(reply["last_seq"] + 1, reply["last_seq"] + 7))


async def test_points_zero_gives_the_other_events_and_last_seq_only(coach, store):
    run = new_run(store)
    written = write_epochs(store, run["id"], [[1.0] * 30, [0.5] * 30])
    reply = await coach.ok("GET", "runs", run["id"], "series", params={"points": "0"})
    assert kept(reply) == []
    assert reply["events"] == [e for e in written if e["type"] != "batch"]
    assert reply["last_seq"] == written[-1]["seq"]
    assert reply["batches"]["total"] == 60


async def test_an_empty_run_has_no_points_and_seq_zero(coach, store):
    run = new_run(store)
    reply = await coach.ok("GET", "runs", run["id"], "series")
    assert reply["last_seq"] == 0
    assert reply["events"] == []
    assert kept(reply) == []
    assert reply["batches"]["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"points": "abc"}, "points"),
        ({"points": "9"}, "points"),
        ({"points": "100001"}, "points"),
        ({"points": "-5"}, "points"),
        ({"points": "1e3"}, "points"),
        ({"from": "soon"}, "from"),
        ({"from": "-1"}, "from"),
        ({"to": "nan"}, "to"),
        ({"to": "inf"}, "to"),
        ({"from": "2", "to": "1"}, "to"),
    ],
)
async def test_bad_parameters_are_refused_naming_the_field(coach, store, params, field):
    run = new_run(store)
    code, body = await coach.request("GET", "runs", run["id"], "series", params=params)
    assert code == 400, body
    assert body["field"] == field
    assert f"'{field}'" in body["message"]


async def test_an_unknown_run_is_404_and_a_stranger_is_refused(coach, jp_fetch):
    code, body = await coach.request("GET", "runs", "0123456789ab", "series")
    assert code == 404
    assert "0123456789ab" in body["message"]
    anonymous = await jp_fetch(
        "jupyterlab-dlcoach",
        "runs",
        "0123456789ab",
        "series",
        headers={"Authorization": ""},
        raise_error=False,
    )
    assert anonymous.code == 403
