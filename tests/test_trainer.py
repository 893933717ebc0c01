"""The trainer process: by hand as a real subprocess, and in-process for the failure paths."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.core.store import RunStore

pytestmark = pytest.mark.timeout(240)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    r = tmp_path_factory.mktemp("root")
    samples.shapes(r / "shapes", per_class=16, image_size=32)
    (r / "solo" / "only").mkdir(parents=True)
    for p in list((r / "shapes" / "circle").iterdir())[:5]:
        (r / "solo" / "only" / p.name).write_bytes(p.read_bytes())
    return r


def run_cli(*args, env=None):
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_dlcoach.trainer", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=200,
        cwd=REPO,
    )


TINY = ["--arch", "resnet18", "--no-pretrained", "--epochs", "1", "--image-size", "32", "--batch-size", "16"]


def test_by_hand_trains_exports_and_records(root, tmp_path):
    db = tmp_path / "runs.sqlite"
    proc = run_cli("--db", str(db), "--root", str(root), "--dataset", "shapes", *TINY)
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = RunStore(db)
    (run,) = store.list_runs()
    assert run["id"] == proc.stdout.split()[0]
    assert run["kind"] == "job"
    assert run["state"] == "completed"
    assert run["device"] == "cpu"
    assert run["error"] is None
    result = run["result"]
    # Not pretrained: trained from scratch with one-cycle, one epoch, nothing frozen.
    assert result["settings"]["recipe"] == "fit_one_cycle"
    assert result["epochs"] == 1
    assert 0 <= result["error_rate"] <= 1
    # Exported into the server root, where the learner's file browser shows it.
    assert Path(result["model_path"]) == (root / result["models"]["last"]).resolve()
    assert result["models"]["last"].startswith("dlcoach-models/shapes-resnet18")
    assert Path(result["model_path"]).stat().st_size > 1000
    types = [e["type"] for e in store.events(run["id"])]
    assert types[:2] == ["state", "settings"]
    assert types[-1] == "state"
    assert types.count("epoch") == 1
    assert types.count("batch") >= 4


def test_weights_missing_fails_fast_without_network(root, tmp_path):
    db = tmp_path / "runs.sqlite"
    t0 = time.monotonic()
    proc = run_cli(
        "--db", str(db), "--root", str(root), "--dataset", "shapes", "--arch", "resnet34", "--pretrained",
        env={"TORCH_HOME": str(tmp_path / "empty-hub"), "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"},
    )  # fmt: skip
    elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stderr[-3000:]
    (run,) = RunStore(db).list_runs()
    assert run["state"] == "failed"
    assert run["error"]["kind"] == "weights_missing"
    assert "from scratch" in run["error"]["advice"]
    assert str(tmp_path / "empty-hub") in run["error"]["message"]
    assert elapsed < 30  # the imports alone take a few seconds on a busy 2-core machine
    assert not (tmp_path / "empty-hub" / "hub" / "checkpoints").exists()


def test_bad_arguments_answer_at_once(tmp_path):
    proc = run_cli(
        "--db", str(tmp_path / "r.sqlite"), "--root", str(tmp_path), "--dataset", "d", "--epochs", "0"
    )
    assert proc.returncode == 2
    assert "'epochs'" in proc.stderr


# In-process from here: the same main(), with the failure injected where a subprocess could not.
from jupyterlab_dlcoach.trainer import __main__ as trainer  # noqa: E402
from jupyterlab_dlcoach.trainer import checks, data  # noqa: E402


def server_job(tmp_path, spec):
    """A run as the server would create it; the trainer must not touch its state."""
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run(kind="job", name="j", spec=spec, state="running", pid=os.getpid())
    return store, run["id"]


# 39 training images: a batch of 4 keeps the 8 batches per epoch that the trainer insists on.
TINY_SPEC = {"arch": "resnet18", "pretrained": False, "epochs": 1, "image_size": 32, "batch_size": 4}


def main(store, run_id, root):
    return trainer.main(["--db", str(store.path), "--root", str(root), "--run", run_id])


def test_one_class_fails_early(root, tmp_path):
    store, run_id = server_job(tmp_path, {"dataset": "solo", **TINY_SPEC})
    assert main(store, run_id, root) == 1
    run = store.get_run(run_id)
    assert run["error"]["kind"] == "one_class"
    assert run["state"] == "running"  # the server owns a job's state
    assert run["started"] is not None
    assert store.events(run_id) == []


def test_bad_spec_in_the_store(root, tmp_path):
    store, run_id = server_job(tmp_path, {"dataset": "shapes", "epochs": 0})
    assert main(store, run_id, root) == 1
    error = store.get_run(run_id)["error"]
    assert error["kind"] == "bad_spec"
    assert "'epochs'" in error["message"]


def test_nan_loss_is_reported(root, tmp_path, monkeypatch):
    from fastai.losses import CrossEntropyLossFlat

    build = data.build_learner

    def nan_learner(*args):
        learn = build(*args)
        plain = CrossEntropyLossFlat()
        learn.loss_func = lambda out, targ: plain(out, targ) * float("inf")
        return learn

    monkeypatch.setattr(data, "build_learner", nan_learner)
    store, run_id = server_job(tmp_path, {"dataset": "shapes", **TINY_SPEC})
    assert main(store, run_id, root) == 1
    run = store.get_run(run_id)
    assert run["error"]["kind"] == "nan_loss"
    assert run["result"] is None
    assert [e["kind"] for e in store.events(run_id) if e["type"] == "warning"] == ["nan_loss"]


def test_a_diverged_run_fails_without_a_model(root, tmp_path, monkeypatch):
    from fastai.losses import CrossEntropyLossFlat

    build = data.build_learner

    def exploding(*args):
        # The diverged run in small: training runs, the validation loss is about 1e15.
        learn = build(*args)
        plain = CrossEntropyLossFlat()
        learn.loss_func = lambda out, targ: plain(out, targ) * (1.0 if learn.training else 1e15)
        return learn

    monkeypatch.setattr(data, "build_learner", exploding)
    store, run_id = server_job(tmp_path, {"dataset": "shapes", **TINY_SPEC})
    exported = set((root / "dlcoach-models").glob("*"))
    assert main(store, run_id, root) == 1
    run = store.get_run(run_id)
    assert run["error"]["kind"] == "diverged"
    assert "learning rate" in run["error"]["advice"]
    assert run["result"] is None
    kinds = {e["kind"]: e["severity"] for e in store.events(run_id) if e["type"] == "warning"}
    assert kinds["diverging"] == "error"
    assert set((root / "dlcoach-models").glob("*")) == exported  # no model exported


def test_cuda_oom_retries_at_half_batch_size(root, tmp_path, monkeypatch):
    import torch

    build = data.build_learner
    sizes = []

    def oom_once(spec, dls, device):
        learn = build(spec, dls, device)
        sizes.append(dls.bs)
        if len(sizes) == 1:

            def fail(*a, **k):
                raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")

            learn.fit_one_cycle = fail
        return learn

    monkeypatch.setattr(data, "build_learner", oom_once)
    store, run_id = server_job(tmp_path, {"dataset": "shapes", **TINY_SPEC})
    assert main(store, run_id, root) == 0
    run = store.get_run(run_id)
    assert sizes == [4, 2]
    assert run["result"]["batch_size"] == 2
    assert run["error"] is None
    assert run["state"] == "running"
    warnings = [e for e in store.events(run_id) if e["type"] == "warning"]
    assert warnings[0]["kind"] == "cuda_oom_retry"
    assert Path(run["result"]["model_path"]).exists()


def test_pretrained_weights_come_from_the_hub_cache(root, tmp_path, monkeypatch):
    import torch
    import torchvision

    # Weights made here and placed where torchvision looks: the check and the load must agree.
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    path = checks.weights_file("resnet18")
    assert path.parent == Path(torch.hub.get_dir()) / "checkpoints"
    path.parent.mkdir(parents=True)
    torch.save(torchvision.models.resnet18().state_dict(), path)
    store, run_id = server_job(tmp_path, {"dataset": "shapes", **TINY_SPEC, "pretrained": True})
    assert main(store, run_id, root) == 0
    run = store.get_run(run_id)
    assert run["error"] is None
    phases = [e["phase"] for e in store.events(run_id) if e["type"] == "epoch"]
    assert phases == ["frozen", "unfrozen"]
