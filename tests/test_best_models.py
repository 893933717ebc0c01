"""The best epoch and the exported models, with a real tiny training by the trainer process:
result.best agrees with the epochs, the files are in the server root, they load with plain fastai in a
Python that cannot import this package, and the run's notebook runs and repeats the run's split."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyterlab_dlcoach.core import datasets, exports, notebook_code, samples
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.core.store import RunStore

pytestmark = pytest.mark.timeout(600)
REPO = Path(__file__).resolve().parents[1]
SPEC = ["--arch", "resnet18", "--no-pretrained", "--epochs", "3", "--image-size", "32", "--batch-size", "2"]

# Loads each model with plain fastai while any import of this package fails, then predicts one image.
BLOCKED_LOAD = textwrap.dedent(
    """
    import json, sys

    class NoCoach:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "jupyterlab_dlcoach":
                raise ImportError("this package is blocked here: " + name)

    sys.meta_path.insert(0, NoCoach())
    from fastai.vision.all import load_learner

    image, models = sys.argv[1], sys.argv[2:]
    answers = []
    for path in models:
        label, index, probs = load_learner(path).predict(image)
        answers.append([str(label), float(probs[index])])
    print(json.dumps({"answers": answers, "loaded": sorted(m for m in sys.modules if "dlcoach" in m)}))
    """
)


def blocked_load(image: Path, *models: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKED_LOAD, str(image), *map(str, models)],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real job by hand: 3 epochs from scratch on 24 drawn shapes, 32 px."""
    root = tmp_path_factory.mktemp("root")
    samples.shapes(root / "shapes", per_class=8, image_size=32)
    db = root.parent / "runs.sqlite"
    args = ["--db", str(db), "--root", str(root), "--dataset", "shapes", "--name", "shapes · #1", *SPEC]
    proc = subprocess.run(
        [sys.executable, "-m", "jupyterlab_dlcoach.trainer", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=500,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = RunStore(db)
    (run,) = store.list_runs()
    return root, db, run, store.events(run["id"])


def test_the_run_records_its_best_epoch_and_exports_into_the_root(trained):
    root, _, run, events = trained
    result = run["result"]
    epochs = [e for e in events if e["type"] == "epoch"]
    assert len(epochs) == 3
    best = result["best"]
    # The lowest error rate; among equal ones, the lowest validation loss.
    expected = min(range(3), key=lambda i: (epochs[i]["metrics"]["error_rate"], epochs[i]["valid_loss"]))
    assert best["epoch"] == expected
    assert best["error_rate"] == pytest.approx(epochs[expected]["metrics"]["error_rate"])
    assert best["valid_loss"] == pytest.approx(epochs[expected]["valid_loss"])

    assert result["model"] == "last"
    assert result["models"]["last"] == "dlcoach-models/shapes-1/model.pkl"
    assert (root / result["models"]["last"]).is_file()
    assert Path(result["model_path"]) == (root / result["models"]["last"]).resolve()
    if expected == 2:
        assert result["models"]["best"] == result["models"]["last"]
    else:
        assert result["models"]["best"] == f"dlcoach-models/shapes-1/best-epoch-{expected + 1}.pkl"
        assert (root / result["models"]["best"]).is_file()
    assert exports.chosen_model(result) == result["models"]["last"]


def test_the_models_load_and_predict_where_this_package_cannot_be_imported(trained):
    root, _, run, _ = trained
    models = sorted({root / p for p in run["result"]["models"].values()})
    image = next((root / "shapes").rglob("*.png"))
    out = blocked_load(image, *models)
    assert out["loaded"] == []
    classes = {p.name for p in (root / "shapes").iterdir() if p.is_dir()}
    assert len(out["answers"]) == len(models)
    for label, probability in out["answers"]:
        assert label in classes
        assert 0 < probability <= 1


def test_a_second_run_of_the_same_name_gets_its_own_folder(tmp_path):
    first = exports.new_model_folder(tmp_path, "digits · resnet18 · #3")
    second = exports.new_model_folder(tmp_path, "digits · resnet18 · #3")
    assert first == (tmp_path / "dlcoach-models" / "digits-resnet18-3").resolve()
    assert second.name == "digits-resnet18-3-2"
    assert exports.slug("../../etc") == "etc"
    assert exports.slug("···") == "run"


@pytest.mark.parametrize(
    "labels",
    [
        {"from": "filename", "pattern": r"^([a-z]+)_"},
        {"from": "csv", "file": "labels.csv", "column": "label"},
    ],
)
def test_file_name_and_csv_labellers_export_without_this_package(tmp_path, labels):
    """The labellers for file names and CSVs are fastai's: an export of such a learner loads elsewhere."""
    import torch

    from jupyterlab_dlcoach.trainer import data

    folder = samples.shapes(tmp_path / "flat", per_class=4, image_size=32)
    flat = tmp_path / "ds"
    flat.mkdir()
    rows = ["name,label"]
    for p in sorted(folder.rglob("*.png")):
        (flat / f"{p.parent.name}_{p.name}").write_bytes(p.read_bytes())
        rows.append(f"{p.parent.name}_{p.name},{p.parent.name}")
    (flat / "labels.csv").write_text("\n".join(rows) + "\n")
    spec = JobSpec.from_json({"dataset": "ds", "labels": labels, "image_size": 32, "pretrained": False})
    report, items = datasets.prepare(tmp_path, "ds", spec.labels)
    assert datasets.check_trainable(report) is None, report
    dls = data.build_dls(spec, flat, items, torch.device("cpu"), 4)
    assert sorted(dls.vocab) == sorted({label for _, label in items})
    learn = data.build_learner(spec, dls, torch.device("cpu"))
    learn.export(tmp_path / "model.pkl")
    out = blocked_load(items[0][0], tmp_path / "model.pkl")
    assert out["loaded"] == []
    assert out["answers"][0][0] in dls.vocab


# Appended to the generated notebook by the test: what it trained on and how it ended.
REPORT_CELL = textwrap.dedent(
    """
    import json
    print("REPORT" + json.dumps({
        "valid": [str(p.resolve()) for p in dls.valid_ds.items],
        "error_rate": float(learn.recorder.values[-1][2]),
        "predicted": str(label),
    }))
    """
)


def test_the_run_as_a_notebook_runs_and_repeats_the_split(trained, tmp_path):
    import nbclient
    import nbformat
    import torch

    from jupyterlab_dlcoach.trainer import data

    root, _, run, _ = trained
    nb_json = notebook_code.run_notebook(run)
    sources = "\n".join(c["source"] for c in nb_json["cells"] if c["cell_type"] == "code")
    assert "valid_pct=0.2, seed=42, item_tfms=Resize(32), bs=2" in sources
    assert "learn.fit_one_cycle(3, 0.003, cbs=CoachCallback())" in sources
    assert "load_learner('dlcoach-models/shapes-1/model.pkl')" in sources
    nb_json["cells"].append(notebook_code.code(REPORT_CELL))
    nb = nbformat.from_dict(nb_json)
    nbformat.validate(nb)

    env = {"PYTHONPATH": str(REPO), "DLCOACH_DB": str(tmp_path / "nb-runs.sqlite")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(
            nb, timeout=400, kernel_name="python3", resources={"metadata": {"path": str(root)}}
        )
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    report = json.loads(text.split("REPORT", 1)[1].splitlines()[0])

    # The trainer's own validation set for this spec, built by its own code.
    spec = JobSpec.from_json(run["spec"])
    _, items = datasets.prepare(root, "shapes", spec.labels)
    dls = data.build_dls(spec, root / "shapes", items, torch.device("cpu"), 2)
    assert sorted(report["valid"]) == sorted(str(Path(p).resolve()) for p in dls.valid_ds.items)
    print(f"notebook error {report['error_rate']:.3f}, run error {run['result']['error_rate']:.3f}")
    # Same data, split, seed and recipe: a comparable error (on 4 images a step is 0.25).
    assert abs(report["error_rate"] - run["result"]["error_rate"]) <= 0.25 + 1e-9
    assert report["predicted"] in {p.name for p in (root / "shapes").iterdir() if p.is_dir()}
    # The notebook's CoachCallback recorded a notebook run of its own.
    notebook_runs = RunStore(tmp_path / "nb-runs.sqlite").list_runs(kind="notebook")
    assert [r["state"] for r in notebook_runs] == ["completed"]


def _tiny_learner(tmp_path):
    import torch

    from jupyterlab_dlcoach.trainer import data

    samples.shapes(tmp_path / "ds", per_class=4, image_size=32)
    spec = JobSpec.from_json({"dataset": "ds", "image_size": 32, "pretrained": False})
    _, items = datasets.prepare(tmp_path, "ds", spec.labels)
    dls = data.build_dls(spec, tmp_path / "ds", items, torch.device("cpu"), 4)
    return data.build_learner(spec, dls, torch.device("cpu"))


def test_the_best_epochs_weights_are_the_ones_exported_beside_the_last(tmp_path):
    import torch
    from fastai.learner import load_learner

    from jupyterlab_dlcoach.trainer.best import BestEpoch
    from jupyterlab_dlcoach.trainer.export import export_models

    learn = _tiny_learner(tmp_path)
    keeper = BestEpoch()
    keeper.learn = learn
    keeper.best = {"epoch": 0, "error_rate": 0.25, "valid_loss": 0.5}
    keeper.state = keeper._copy()  # the "best epoch": the weights as they are now
    assert keeper._copy() is keeper.state  # a later copy reuses the same buffers
    keeper.epochs_seen = 2
    with torch.no_grad():
        for p in learn.model.parameters():
            p.add_(1.0)  # the "last epoch": other weights
    out = export_models(learn, keeper, tmp_path, "shapes · #1", tmp_path / "artifacts")
    assert out["models"] == {
        "last": "dlcoach-models/shapes-1/model.pkl",
        "best": "dlcoach-models/shapes-1/best-epoch-1.pkl",
    }
    last = load_learner(tmp_path / out["models"]["last"]).model.state_dict()
    best = load_learner(tmp_path / out["models"]["best"]).model.state_dict()
    key = next(k for k, v in best.items() if v.is_floating_point())
    assert torch.equal(best[key], keeper.state[key])
    assert not torch.equal(last[key], best[key])


def test_a_root_that_cannot_hold_the_models_keeps_the_model_in_the_runs_folder(tmp_path):
    from jupyterlab_dlcoach.trainer.best import BestEpoch
    from jupyterlab_dlcoach.trainer.export import export_models

    learn = _tiny_learner(tmp_path)
    (tmp_path / "dlcoach-models").write_text("a file where the models' folder would go")
    out = export_models(learn, BestEpoch(), tmp_path, "x", tmp_path / "artifacts")
    assert out["models"] is None
    assert Path(out["model_path"]) == tmp_path / "artifacts" / "model.pkl"
    assert Path(out["model_path"]).is_file()
    assert "could not be saved in the server root" in out["export_note"]
