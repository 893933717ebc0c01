"""A damaged run store at server start: moved aside, replaced, reported; the coach never goes dark."""

import json
import subprocess
import sys
import tempfile

import pytest

from jupyterlab_dlcoach.core.store import RunStore


def _truncated(db):
    store = RunStore(db)
    for i in range(40):
        run = store.create_run(kind="job", name=f"run {i}", spec={"dataset": "x" * 500}, state="completed")
        store.append_events(run["id"], [{"type": "batch", "loss": 1.0, "pad": "y" * 800}] * 20)
    store.close()
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.truncate(size // 3)


def _garbage(db):
    db.write_bytes(b"\x89garbage, not a store\x00" * 5000)


def _folder(db):
    db.mkdir()
    (db / "something").write_text("a folder where the store file should be")


# Another program holds the store's write lock for 3 s while the server starts.
HOLD_LOCK = (
    "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
    "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(3)"
)

DAMAGE = {"truncated": _truncated, "garbage": _garbage, "a folder": _folder}


@pytest.fixture
def damage(request):
    return getattr(request, "param", None)


@pytest.fixture
def jp_server_config(capfd, jp_server_config, tmp_path, damage):
    # capfd first: it then holds the server's start-up log (its logger writes to stderr directly).
    db = tmp_path / "coach-db" / "runs.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    if damage == "unwritable":
        return {**jp_server_config, "DLCoachApp": {"db_path": "/proc/dlcoach/runs.sqlite"}}
    if damage == "locked":
        RunStore(db).close()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout.readline().strip() == "locked"
        return jp_server_config
    if damage is not None:
        DAMAGE[damage](db)
    return jp_server_config


@pytest.mark.parametrize("damage", list(DAMAGE), indirect=True)
async def test_a_damaged_store_is_moved_aside_and_reported(coach, tmp_path, damage, capfd):
    db = tmp_path / "coach-db" / "runs.sqlite"
    system = await coach.ok("GET", "system")
    status = system["store"]
    assert status["path"] == str(db)
    problem = status["problem"]
    assert problem is not None, status
    assert str(db) in problem["message"]
    moved = problem["moved_to"]
    assert moved
    assert moved.startswith(str(db) + ".damaged-")
    assert moved in problem["advice"]
    assert (tmp_path / "coach-db" / moved.rsplit("/", 1)[1]).exists()
    # The coach works on a fresh store: the routes answer JSON, a sample and its inspection work.
    assert (await coach.ok("GET", "jobs"))["jobs"] is not None
    await coach.sample(per_class=2)
    assert RunStore(db).journal_mode() == "wal"
    if damage == "truncated":
        runs = (await coach.ok("GET", "runs"))["runs"]
        assert len(runs) == problem["salvaged"]["runs"]
    logged = [line for line in capfd.readouterr().err.splitlines() if "dlcoach:" in line]
    assert any(str(db) in m and moved in m for m in logged), logged


async def test_a_healthy_store_has_no_problem(coach, tmp_path):
    system = await coach.ok("GET", "system")
    assert system["store"] == {"path": str(tmp_path / "coach-db" / "runs.sqlite"), "problem": None}
    json.dumps(system)


@pytest.mark.parametrize("damage", ["unwritable"], indirect=True)
async def test_an_unwritable_store_place_falls_back_to_a_temporary_store(coach, damage):
    status = (await coach.ok("GET", "system"))["store"]
    assert status["path"].startswith(tempfile.gettempdir())
    problem = status["problem"]
    assert "/proc/dlcoach/runs.sqlite" in problem["message"]
    assert problem["moved_to"] is None
    assert "restart JupyterLab" in problem["advice"]
    assert (await coach.ok("GET", "jobs"))["jobs"] is not None


@pytest.mark.parametrize("damage", ["locked"], indirect=True)
async def test_a_locked_store_is_waited_for_not_moved(coach, tmp_path, damage):
    status = (await coach.ok("GET", "system"))["store"]
    assert status == {"path": str(tmp_path / "coach-db" / "runs.sqlite"), "problem": None}
    assert not list((tmp_path / "coach-db").glob("*.damaged-*"))
