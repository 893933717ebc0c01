"""The SQLite run store, including several processes writing events to one run at once."""

import multiprocessing as mp
import sqlite3

import pytest

from jupyterlab_dlcoach.core.errors import NotFound
from jupyterlab_dlcoach.core.store import _EVENTS_OF_TYPE_SQL, RunStore, default_db_path


def test_default_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCOACH_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("DLCOACH_DB")
    assert default_db_path().parts[-2:] == ("dlcoach", "runs.sqlite")


def test_runs_crud(tmp_path):
    store = RunStore(tmp_path / "deep" / "runs.sqlite")
    assert store.journal_mode() == "wal"
    a = store.create_run(kind="job", name="a", spec={"dataset": "d"}, state="queued")
    b = store.create_run(kind="notebook", name="b", state="running", pid=123, pid_started=1.5)
    assert len(a["id"]) == 12
    assert a["spec"] == {"dataset": "d"}
    assert a["cancel_requested"] is False
    assert [r["id"] for r in store.list_runs()] == [b["id"], a["id"]]
    assert [r["id"] for r in store.list_runs(kind="job")] == [a["id"]]
    run = store.update_run(a["id"], state="running", progress={"epoch": 1}, cancel_requested=True)
    assert run["progress"] == {"epoch": 1}
    assert run["cancel_requested"] is True
    with pytest.raises(ValueError, match="bogus"):
        store.update_run(a["id"], bogus=1)
    with pytest.raises(NotFound):
        store.update_run("nope", state="failed")
    store.append_event(a["id"], "state", state="running")
    store.delete_run(a["id"])
    assert store.get_run(a["id"]) is None
    assert store.events(a["id"]) == []


def test_events_seq_tail_and_reopen(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    r1 = store.create_run(kind="job", name="1", state="running")["id"]
    r2 = store.create_run(kind="job", name="2", state="running")["id"]
    start = store.last_event_id()
    out = store.append_events(r1, [{"type": "batch", "loss": 1.0}, {"type": "batch", "loss": float("nan")}])
    assert [(e["seq"], e["run_id"], e["type"]) for e in out] == [(1, r1, "batch"), (2, r1, "batch")]
    assert out[1]["loss"] is None  # NaN is not JSON
    store.append_event(r2, "epoch", epoch=0, metrics={"error_rate": 0.5})
    store.append_events(r1, [{"type": "epoch", "epoch": 0}], run_fields={"progress": {"epoch": 0}})
    assert store.get_run(r1)["progress"] == {"epoch": 0}
    assert [e["seq"] for e in store.events(r1)] == [1, 2, 3]
    assert [e["seq"] for e in store.events(r1, after=1, limit=1)] == [2]
    assert [(e["seq"], e["type"]) for e in store.events(r1, event_type="epoch")] == [(3, "epoch")]
    assert store.events(r1, after=3, event_type="epoch") == []
    plan = store._conn().execute("EXPLAIN QUERY PLAN " + _EVENTS_OF_TYPE_SQL, (r1, "epoch", 0, -1)).fetchall()
    assert "events_by_type" in str([tuple(row) for row in plan])  # the epoch events alone, by index
    events, cursor = store.tail(start, limit=2)
    assert [(e["run_id"], e["seq"]) for e in events] == [(r1, 1), (r1, 2)]
    events, cursor = store.tail(cursor)
    assert [(e["run_id"], e["seq"]) for e in events] == [(r2, 1), (r1, 3)]
    assert cursor == store.last_event_id()
    assert store.tail(cursor) == ([], cursor)
    store.close()
    again = RunStore(path)
    assert [e["seq"] for e in again.events(r1)] == [1, 2, 3]
    assert again.events(r2)[0]["metrics"] == {"error_rate": 0.5}
    version = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall()
    assert version == [(2,)]


def _writer(path, run_id, n):
    store = RunStore(path)
    for i in range(n):
        store.append_events(run_id, [{"type": "batch", "iter": i}, {"type": "batch", "iter": i}])


def test_processes_append_concurrently(tmp_path):
    path = tmp_path / "runs.sqlite"
    run_id = RunStore(path).create_run(kind="job", name="x", state="running")["id"]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, run_id, 50)) for _ in range(3)]
    for p in procs:
        p.start()
    _writer(path, run_id, 50)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    seqs = [e["seq"] for e in RunStore(path).events(run_id)]
    assert seqs == list(range(1, 4 * 100 + 1))
