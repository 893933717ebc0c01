"""A store the callback cannot write never stops training: real tiny fastai fine-tunes on broken stores.

Each fault: both epochs train, the learner is told once (a Python warning, and the cell's output says
so) that the run is not being recorded and why, and nothing is raised into fastai.
"""

import subprocess
import sys
import warnings

import pytest
from _tiny import tiny_learner
from fastai.callback.core import Callback

from jupyterlab_dlcoach import CoachCallback
from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.kernel import display, recording
from jupyterlab_dlcoach.kernel.recording import NotRecordedWarning

pytestmark = pytest.mark.timeout(180)


class FakeView:
    """Stands in for the cell's output: keeps what the callback shows there."""

    def __init__(self, run_id, name, writer):
        self.events = []
        self.writer = writer

    def feed(self, events, progress=None):
        self.events += list(events)


@pytest.fixture
def view(monkeypatch):
    views = []

    def make(*args):
        views.append(FakeView(*args))
        return views[-1]

    monkeypatch.setattr(display, "in_ipython_kernel", lambda: True)
    monkeypatch.setattr(display, "CellView", make)
    return views


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return tmp_path_factory.mktemp("data") / "shapes"


class CountEpochs(Callback):
    def __init__(self):
        self.n = 0

    def after_epoch(self):
        self.n += 1


def fine_tune(shapes, db, extra=()):
    learn = tiny_learner(shapes)
    cb, count = CoachCallback(db_path=db, name="faulty"), CountEpochs()
    with warnings.catch_warnings(record=True) as caught, learn.no_bar(), learn.no_logging():
        warnings.simplefilter("always")
        learn.fine_tune(1, cbs=[cb, count, *extra])
    assert count.n == 2  # both epochs trained
    told = [str(w.message) for w in caught if issubclass(w.category, NotRecordedWarning)]
    return learn, cb, told


def _garbage(tmp_path):
    db = tmp_path / "runs.sqlite"
    db.write_bytes(b"this is not a database, just some bytes \x00\x01\x02" * 200)
    return db


def _dir_as_file(tmp_path):
    db = tmp_path / "runs.sqlite"
    db.mkdir()
    return db


def _file_as_folder(tmp_path):
    (tmp_path / "data").write_text("a file where the store's folder should be")
    return tmp_path / "data" / "runs.sqlite"


FAULTS = {
    "under /proc": lambda tmp_path: "/proc/dlcoach/runs.sqlite",
    "file where a folder should be": _file_as_folder,
    "directory as the file": _dir_as_file,
    "garbage file": _garbage,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_unwritable_store_degrades_and_training_goes_on(shapes, tmp_path, view, fault):
    db = FAULTS[fault](tmp_path)
    before = db.read_bytes() if fault == "garbage file" else None
    _learn, cb, told = fine_tune(shapes, db)
    assert len(told) == 1, told
    assert "not being recorded" in told[0]
    assert str(db) in told[0]
    assert "Training goes on" in told[0]
    (fake,) = view
    # The store failed at the run's first write, before the output was shown: the output reads why from
    # the writer it is given (the real one puts it in its bundle, tests/test_kernel_store_faults.py).
    assert [e for e in fake.events if e.get("kind") == "not_recorded"] == []
    assert str(db) in fake.writer.problem
    # The view still got the run: its batches, both epochs and its end.
    assert [e["epoch"] for e in fake.events if e["type"] == "epoch"] == [0, 1]
    assert fake.events[-1]["type"] == "state"
    assert fake.events[-1]["state"] == "completed"
    assert cb.recorder.problem is not None
    if before is not None:
        assert db.read_bytes() == before  # a damaged store is left for the server to move aside


class LockedDuringFirstEpoch(Callback):
    """Another process holds the store's write lock from the first batch to the end of epoch 0."""

    order = 0

    def __init__(self, db):
        self.db, self.holder = db, None

    def before_batch(self):
        if self.holder is None and self.training:
            code = (
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline()"
            )
            self.holder = subprocess.Popen(
                [sys.executable, "-c", code, str(self.db)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self.holder.stdout.readline().strip() == "locked"

    def after_epoch(self):
        if self.holder is not None and self.holder.poll() is None:
            self.holder.communicate("\n", timeout=10)


def test_locked_store_degrades_then_records_the_whole_run(shapes, tmp_path, view, monkeypatch):
    monkeypatch.setattr(recording, "RETRY_S", 0.2)
    db = tmp_path / "runs.sqlite"
    RunStore(db).close()
    lock = LockedDuringFirstEpoch(db)
    learn, cb, told = fine_tune(shapes, db, extra=[lock])
    assert "holds its lock" in told[0]
    assert "recorded after all" in told[-1]
    assert cb.recorder.problem is None
    store = RunStore(db)
    (run,) = store.list_runs()
    assert run["state"] == "completed"
    assert run["name"] == "faulty"
    events = store.events(run["id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["epoch"] for e in events if e["type"] == "epoch"] == [0, 1]
    assert len([e for e in events if e["type"] == "batch"]) == 2 * len(learn.dls.train)
    assert [e["state"] for e in events if e["type"] == "state"] == ["running", "completed"]
