"""A real job through the real server exports its models into the root; POST runs/ID/model chooses one,
GET runs/ID/notebook gives the run's code; bad choices are 400/404/409 in words; deleting keeps models."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(300)
FAKE_ID = "0123456789ab"


async def test_a_job_exports_its_models_and_the_run_chooses_one(coach, jp_root_dir):
    await coach.sample()
    job = await coach.wait_job((await coach.submit())["id"], timeout=240)
    assert job["state"] == "completed", job
    result = job["result"]
    assert set(result["best"]) == {"epoch", "error_rate", "valid_loss"}
    assert 0 <= result["best"]["epoch"] <= 1
    assert result["model"] == "last"
    # The default name 'shapes · resnet18 · #1' gives the folder's name.
    assert result["models"]["last"] == "dlcoach-models/shapes-resnet18-1/model.pkl"
    for rel in result["models"].values():
        assert (jp_root_dir / rel).is_file()

    chosen = await coach.ok("POST", "runs", job["id"], "model", body={"use": "best"})
    assert chosen["result"]["model"] == "best"
    assert chosen["result"]["best"] == result["best"]
    assert (await coach.ok("GET", "runs", job["id"]))["result"]["model"] == "best"
    answer = await coach.ok("GET", "runs", job["id"], "notebook")
    assert answer["name"] == "shapes-resnet18-1.ipynb"
    code = "\n".join(c["source"] for c in answer["notebook"]["cells"] if c["cell_type"] == "code")
    assert f"load_learner({result['models']['best']!r})" in code
    assert "learn.fine_tune(1, base_lr=0.002, freeze_epochs=1, cbs=CoachCallback())" in code
    back = await coach.ok("POST", "runs", job["id"], "model", body={"use": "last"})
    assert back["result"]["model"] == "last"

    for body, field in (({"use": "worst"}, "use"), ({}, "use"), ({"use": "best", "why": 1}, "why")):
        code_, data = await coach.request("POST", "runs", job["id"], "model", body=body)
        assert code_ == 400, data
        assert data["field"] == field
        assert "best" in data["message"]
    code_, data = await coach.request("POST", "runs", FAKE_ID, "model", body={"use": "best"})
    assert code_ == 404, data

    # The run goes; the learner's model files stay in the root.
    await coach.ok("DELETE", "runs", job["id"], expect=204)
    for rel in result["models"].values():
        assert (jp_root_dir / rel).is_file()


async def test_no_model_file_or_no_model_at_all_is_a_409(coach, jp_root_dir):
    store = coach.app.store
    folder = jp_root_dir / "dlcoach-models" / "gone"
    folder.mkdir(parents=True)
    (folder / "model.pkl").write_bytes(b"not really a model")
    result = {
        "settings": {"recipe": "fit", "epochs": 2, "lr": 0.001, "batch_size": 4, "image_size": 32},
        "best": {"epoch": 0, "error_rate": 0.1, "valid_loss": 0.3},
        "models": {"last": "dlcoach-models/gone/model.pkl", "best": "dlcoach-models/gone/best-epoch-1.pkl"},
        "model": "last",
    }
    run = store.create_run(kind="job", name="gone", spec={"dataset": "x"}, state="completed")
    store.update_run(run["id"], result=result)
    code, data = await coach.request("POST", "runs", run["id"], "model", body={"use": "best"})
    assert code == 409, data
    assert "best-epoch-1.pkl" in data["message"]
    assert (await coach.ok("GET", "runs", run["id"]))["result"]["model"] == "last"
    await coach.ok("POST", "runs", run["id"], "model", body={"use": "last"})

    notebook = store.create_run(kind="notebook", name="nb", spec={"arch": "resnet18"}, state="completed")
    code, data = await coach.request("POST", "runs", notebook["id"], "model", body={"use": "last"})
    assert code == 409, data
    assert "learn.export()" in data["message"]
    code, data = await coach.request("GET", "runs", notebook["id"], "notebook")
    assert code == 409, data
    code, data = await coach.request("GET", "runs", FAKE_ID, "notebook")
    assert code == 404, data
    assert not Path(jp_root_dir / "dlcoach-models" / "gone" / "best-epoch-1.pkl").exists()
