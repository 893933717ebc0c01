"""The run as a notebook, without running it: each label source and recipe gives code that compiles and
says the run's numbers; the chosen model is the one loaded."""

import ast

import nbformat
import pytest

from jupyterlab_dlcoach.core import notebook_code

SETTINGS = {
    "recipe": "fine_tune",
    "pretrained": True,
    "epochs": 3,
    "freeze_epochs": 1,
    "lr": 0.002,
    "batch_size": 64,
    "image_size": 224,
    "n_train": 1438,
    "n_valid": 359,
}
MODELS = {"last": "dlcoach-models/pets-1/model.pkl", "best": "dlcoach-models/pets-1/best-epoch-2.pkl"}


def run(labels=None, model="last", **settings):
    spec = {"dataset": "data/pets", "arch": "resnet34", "valid_pct": 0.25, "seed": 7}
    if labels:
        spec["labels"] = labels
    result = {"settings": {**SETTINGS, **settings}, "models": MODELS, "model": model}
    result["best"] = {"epoch": 1, "error_rate": 0.05, "valid_loss": 0.2}
    return {
        "id": "a" * 12,
        "name": "pets · #1",
        "kind": "job",
        "device": "cuda:0",
        "spec": spec,
        "result": result,
    }


def code_of(nb: dict) -> str:
    nbformat.validate(nbformat.from_dict(nb))
    source = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
    ast.parse(source)  # runnable as it is: at least valid Python
    return source


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (None, "ImageDataLoaders.from_path_func(path, files, parent_label,"),
        (
            {"from": "filename", "pattern": r"^(.+)_\d+\.jpg$"},
            "ImageDataLoaders.from_name_re(path, files, pattern,",
        ),
        ({"from": "csv", "file": "labels.csv", "column": "breed"}, "ImageDataLoaders.from_df("),
    ],
)
def test_each_label_source_loads_the_data_with_the_runs_split(labels, expected):
    code = code_of(notebook_code.run_notebook(run(labels)))
    assert expected in code
    assert "valid_pct=0.25, seed=7, item_tfms=Resize(224), bs=64, batch_tfms=aug_transforms()" in code
    assert "num_workers=0" not in code  # trained on a GPU: fastai's own loader defaults
    assert "path = Path('data/pets')" in code
    assert "set_seed(7)" in code


def test_the_recipe_and_the_chosen_model_are_the_runs():
    code = code_of(notebook_code.run_notebook(run()))
    assert "vision_learner(dls, resnet34, pretrained=True, metrics=error_rate)" in code
    assert "learn.fine_tune(3, base_lr=0.002, freeze_epochs=1, cbs=CoachCallback())" in code
    assert "load_learner('dlcoach-models/pets-1/model.pkl')" in code
    best = code_of(notebook_code.run_notebook(run(model="best")))
    assert "load_learner('dlcoach-models/pets-1/best-epoch-2.pkl')" in best
    scratch = code_of(notebook_code.run_notebook(run(recipe="fit_one_cycle", pretrained=False, lr=0.003)))
    assert "learn.fit_one_cycle(3, 0.003, cbs=CoachCallback())" in scratch
    assert "pretrained=False" in scratch
    plain = code_of(notebook_code.run_notebook(run(recipe="fit", image_size=32)))
    assert "learn.fit(3, 0.002, cbs=CoachCallback())" in plain
    assert "aug_transforms" not in plain  # the trainer augments from 64 px up only


def test_words_are_the_lessons():
    nb = notebook_code.run_notebook(run())
    words = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    for term in ("validation set", "architecture", "pretrained model", "fine-tuned", "error rate"):
        assert term in words
    assert "epoch 2" in words  # the best epoch, counted as the learner counts
    # A quote in a pattern or a folder name stays a string: no code injection through the spec.
    hostile = run({"from": "filename", "pattern": '(x)"); import os; ("'})
    hostile["spec"]["dataset"] = 'a"b\nimport os'
    code = code_of(notebook_code.run_notebook(hostile))
    assert "\nimport os" not in code


def test_a_folder_name_beyond_the_basic_plane_reads_back_as_itself():
    """An emoji in a path must come out as the same string in Python (JSON's surrogate pairs would not)."""
    odd = run()
    odd["spec"]["dataset"] = "pets 🐱/ü"
    code = code_of(notebook_code.run_notebook(odd))
    line = next(ln for ln in code.splitlines() if ln.startswith("path = Path("))
    assert ast.literal_eval(line.removeprefix("path = Path(").removesuffix(")")) == "pets 🐱/ü"
