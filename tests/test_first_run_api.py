"""A learner's first run, through the real server: the default sample trained with the form's defaults
must learn (a run that completes with a useless model is a failure), and the schema and the samples
the form is built from are published."""

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.models import ARCHS, job_schema


async def test_schema_and_samples_are_published(coach):
    schema = await coach.ok("GET", "jobs", "schema")
    assert schema == job_schema()
    assert schema["properties"]["arch"]["enum"] == list(ARCHS)
    listed = await coach.ok("GET", "samples")
    assert listed == samples.catalogue()
    assert listed["default"] == "digits"


async def test_the_default_sample_learns_with_the_defaults(coach, jp_root_dir, monkeypatch, tmp_path):
    # No cached weights: the defaults must then train from scratch, and still learn.
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    listed = await coach.ok("GET", "samples")
    report = await coach.ok("POST", "samples", body={"name": listed["default"], "path": "digits"}, expect=201)
    assert report["images"] == 1797
    job = await coach.ok("POST", "jobs", body={"dataset": "digits"}, expect=201)
    assert job["name"] == "digits · resnet18 · #1"
    done = await coach.wait_job(job["id"], timeout=240)
    assert done["state"] == "completed", done
    events = await coach.events(job["id"])
    settings = next(e for e in events if e["type"] == "settings")
    assert settings["recipe"] == "fit_one_cycle"
    assert settings["pretrained"] is False
    assert (settings["image_size"], settings["batch_size"], settings["lr"]) == (32, 64, 0.003)
    assert (settings["n_train"], settings["n_valid"], settings["n_classes"]) == (1438, 359, 10)
    # Guessing gets 90 % wrong on ten classes; the defaults must get to a few percent.
    assert done["result"]["error_rate"] <= 0.05, done["result"]
    kinds = {e["kind"] for e in events if e["type"] == "warning"}
    assert not kinds & {"overfitting", "underfitting", "diverging", "nan_loss"}, kinds
    again = await coach.ok("POST", "jobs", body={"dataset": "digits", "epochs": 1}, expect=201)
    assert again["name"] == "digits · resnet18 · #2"
    await coach.ok("POST", "jobs", again["id"], "cancel")
