"""CoachCallback on a real (tiny, CPU) fastai fine-tune: its events are what fastai recorded."""

import math

import pytest
from _tiny import tiny_learner
from fastai.callback.core import Callback
from fastai.losses import CrossEntropyLossFlat

from jupyterlab_dlcoach import CoachCallback
from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.kernel.callback import NanLossError

pytestmark = pytest.mark.timeout(180)


class KeepRecords(Callback):
    """Keeps the Recorder's values of every fit (the Recorder itself resets them at each fit)."""

    order = 60

    def __init__(self):
        self.records = []

    def after_fit(self):
        self.records += [list(map(float, v)) for v in self.learn.recorder.values]


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return tmp_path_factory.mktemp("data") / "shapes"


def quiet(learn):
    return learn.no_bar(), learn.no_logging()


def test_notebook_fine_tune_matches_recorder(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    learn = tiny_learner(shapes)
    keep = KeepRecords()
    bar, log = quiet(learn)
    with bar, log:
        learn.fine_tune(1, cbs=[CoachCallback(db_path=db, name="tiny"), keep])
    store = RunStore(db)
    (run,) = store.list_runs()
    assert run["kind"] == "notebook"
    assert run["name"] == "tiny"
    assert run["state"] == "completed"
    assert run["device"] == "cpu"
    assert run["pid"] > 0
    assert run["pid_started"] > 0
    assert run["ended"] >= run["started"]
    assert run["progress"]["epochs"] == 2
    assert run["progress"]["eta_s"] == 0.0
    events = store.events(run["id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    states = [e["state"] for e in events if e["type"] == "state"]
    assert states == ["running", "completed"]
    assert events[0]["type"] == "state"
    assert events[-1]["type"] == "state"

    epochs = [e for e in events if e["type"] == "epoch"]
    assert [(e["phase"], e["epoch"]) for e in epochs] == [("frozen", 0), ("unfrozen", 1)]
    for e, rec in zip(epochs, keep.records, strict=True):
        assert e["train_loss"] == pytest.approx(rec[0], rel=1e-6)
        assert e["valid_loss"] == pytest.approx(rec[1], rel=1e-6)
        assert e["metrics"] == {"error_rate": pytest.approx(rec[2], rel=1e-6)}
        assert e["seconds"] > 0

    batches = [e for e in events if e["type"] == "batch"]
    n_train = len(learn.dls.train)
    assert len(batches) == 2 * n_train
    assert [b["iter"] for b in batches] == list(range(1, 2 * n_train + 1))
    assert [b["phase"] for b in batches] == ["frozen"] * n_train + ["unfrozen"] * n_train
    assert all(math.isfinite(b["loss"]) and math.isfinite(b["smooth_loss"]) and b["lr"] > 0 for b in batches)
    # The first batch of a fit: the debiased smooth loss equals the raw loss.
    assert batches[0]["smooth_loss"] == pytest.approx(batches[0]["loss"], rel=1e-4)
    # Each epoch's train_loss is the smoothed loss at its last batch.
    assert epochs[0]["train_loss"] == pytest.approx(batches[n_train - 1]["smooth_loss"], rel=1e-6)
    assert run["result"]["error_rate"] == epochs[-1]["metrics"]["error_rate"]

    # What the notebook asked for, in the form's units, so the run's summary says it right: fine_tune(1)
    # is 1 frozen epoch, then 1 unfrozen; a quarter of the 60 images validate.
    assert run["spec"] == {
        "arch": "resnet18",
        "recipe": "fine_tune",
        "epochs": 1,
        "freeze_epochs": 1,
        "batch_size": 16,
        "lr": 0.002,
        "valid_pct": 0.25,
    }
    (settings,) = [e for e in events if e["type"] == "settings"]
    assert {
        k: settings[k] for k in ("recipe", "epochs", "freeze_epochs", "lr", "batch_size", "image_size")
    } == {
        "recipe": "fine_tune",
        "epochs": 1,
        "freeze_epochs": 1,
        "lr": 0.002,
        "batch_size": 16,
        "image_size": 32,
    }
    assert (settings["n_train"], settings["n_valid"], settings["n_classes"]) == (45, 15, 3)
    assert settings["pretrained"] is None


def test_notebook_fit_one_cycle_is_described_as_one(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    learn = tiny_learner(shapes)
    bar, log = quiet(learn)
    with bar, log:
        learn.fit_one_cycle(2, 3e-3, cbs=CoachCallback(db_path=db))
    (run,) = RunStore(db).list_runs()
    assert (run["spec"]["recipe"], run["spec"]["epochs"], run["spec"]["freeze_epochs"]) == (
        "fit_one_cycle",
        2,
        0,
    )
    (settings,) = RunStore(db).events(run["id"], event_type="settings")
    assert (settings["recipe"], settings["epochs"], settings["lr"]) == ("fit_one_cycle", 2, 0.003)


def test_a_learner_whose_lr_is_a_slice_trains_and_is_recorded(shapes, tmp_path):
    """Discriminative rates (`learn.lr = slice(...)`) are the learner's business: recording never breaks."""
    db = tmp_path / "runs.sqlite"
    learn = tiny_learner(shapes)
    learn.lr = slice(1e-4, 1e-3)
    bar, log = quiet(learn)
    with bar, log:
        learn.fit(1, cbs=CoachCallback(db_path=db))
    (run,) = RunStore(db).list_runs()
    assert run["state"] == "completed"
    (settings,) = RunStore(db).events(run["id"], event_type="settings")
    assert (settings["recipe"], settings["lr"]) == ("fit", 0.001)


def test_job_mode_writes_no_state_and_plain_fit_is_fit(shapes, tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run(kind="job", name="job", state="running")
    learn = tiny_learner(shapes)
    learn.unfreeze()
    bar, log = quiet(learn)
    with bar, log:
        learn.fit_one_cycle(1, 1e-3, cbs=CoachCallback(run_id=run["id"], db_path=store.path))
    after = store.get_run(run["id"])
    assert after["state"] == "running"
    assert after["result"] is None
    assert after["progress"]["phase"] == "fit"
    events = store.events(run["id"])
    assert {e["type"] for e in events} <= {"batch", "epoch", "warning"}
    assert [e["phase"] for e in events if e["type"] == "epoch"] == ["fit"]
    assert len(store.list_runs()) == 1


def test_nan_loss_stops_training_and_fails_the_run(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    learn = tiny_learner(shapes)
    plain = CrossEntropyLossFlat()
    learn.loss_func = lambda out, targ: plain(out, targ) * float("nan")
    bar, log = quiet(learn)
    with bar, log, pytest.raises(NanLossError) as info:
        learn.fine_tune(1, cbs=CoachCallback(db_path=db))
    assert info.value.error["kind"] == "nan_loss"
    store = RunStore(db)
    (run,) = store.list_runs()
    assert run["state"] == "failed"
    assert run["error"]["kind"] == "nan_loss"
    assert "learning rate" in run["error"]["advice"]
    events = store.events(run["id"])
    assert [e["type"] for e in events] == ["state", "batch", "warning", "state"]
    assert events[1]["loss"] is None
    assert events[2]["kind"] == "nan_loss"
    assert events[3]["error"]["kind"] == "nan_loss"


def exploding_validation(learn):
    """The issue's diverged run in small: a validation loss of about 1e15, as after lr 10."""
    plain = CrossEntropyLossFlat()
    learn.loss_func = lambda out, targ: plain(out, targ) * (1.0 if learn.training else 1e15)
    return learn


def test_a_diverged_notebook_run_fails_instead_of_completing(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    learn = exploding_validation(tiny_learner(shapes))
    learn.unfreeze()
    bar, log = quiet(learn)
    with bar, log:
        learn.fit(2, 1e-3, cbs=CoachCallback(db_path=db))
    store = RunStore(db)
    (run,) = store.list_runs()
    assert run["state"] == "failed"
    assert run["error"]["kind"] == "diverged"
    assert "ten times lower" in run["error"]["advice"]
    events = store.events(run["id"])
    warnings = [e for e in events if e["type"] == "warning"]
    diverging = [w for w in warnings if w["kind"] == "diverging"]
    assert len(diverging) == 1
    assert diverging[0]["severity"] == "error"
    # Written once each, with a severity, and never the reassuring "as good as it has been".
    assert len({(w["kind"], w["epoch"]) for w in warnings}) == len(warnings)
    assert all(w["severity"] in ("info", "warning", "error") for w in warnings)
    assert not any("as good as it has been" in w["message"] for w in warnings)
    assert events[-1] == {**events[-1], "type": "state", "state": "failed", "error": run["error"]}


class Interrupt(Callback):
    order = 99  # after the coach has seen the batch

    def after_batch(self):
        raise KeyboardInterrupt


def test_interrupt_cancels_the_notebook_run(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    learn = tiny_learner(shapes)
    bar, log = quiet(learn)
    with bar, log, pytest.raises(KeyboardInterrupt):
        learn.fine_tune(1, cbs=[CoachCallback(db_path=db), Interrupt()])
    (run,) = RunStore(db).list_runs()
    assert run["state"] == "cancelled"
    events = RunStore(db).events(run["id"])
    assert [e["type"] for e in events] == ["state", "batch", "settings", "state"]


def test_learner_with_callback_can_be_exported(shapes, tmp_path):
    cb = CoachCallback(db_path=tmp_path / "runs.sqlite")
    learn = tiny_learner(shapes, cbs=cb)
    cb.store  # noqa: B018 (opens the database, which must not travel into the pickle)
    learn.export(tmp_path / "model.pkl")
    assert (tmp_path / "model.pkl").stat().st_size > 0


def test_lr_find_is_not_a_run(shapes, tmp_path):
    db = tmp_path / "runs.sqlite"
    cb = CoachCallback(db_path=db)
    learn = tiny_learner(shapes, cbs=cb)
    bar, log = quiet(learn)
    with bar, log:
        learn.lr_find(num_it=2, show_plot=False, suggest_funcs=())
    assert RunStore(db).list_runs() == []
    assert cb.run is True
