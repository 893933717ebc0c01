"""A finished server job as a notebook: the fastai code that does what the run did, in lesson 1's words.

Built from the run's spec and what the trainer really used (``result.settings``: recipe, epochs, learning
rate, batch and image size), so the automatic choices appear as the numbers they became. The same
images in the same order, the same ``valid_pct`` and ``seed``: the same validation set as the run.
Pure Python (nbformat 4 JSON as a dict), no torch: the server builds it.
"""

from __future__ import annotations

from jupyterlab_dlcoach.core import exports


def _cell(kind: str, text: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": text.strip("\n")}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def md(text: str) -> dict:
    return _cell("markdown", text)


def code(text: str) -> dict:
    return _cell("code", text)


def _py(value) -> str:
    """A Python literal for a value from JSON."""
    # repr, not json.dumps: JSON writes a character beyond U+FFFF (an emoji in a folder name) as two
    # surrogate escapes, which Python reads as a different string.
    return repr(value)


def _data_cells(spec: dict, settings: dict, on_cpu: bool) -> list[dict]:
    labels = spec.get("labels") or {"from": "folder"}
    source = labels.get("from", "folder")
    size, bs = settings["image_size"], settings["batch_size"]
    valid_pct, seed = spec.get("valid_pct", 0.2), spec.get("seed", 42)
    common = f"valid_pct={valid_pct!r}, seed={seed!r}, item_tfms=Resize({size}), bs={bs}"
    if size >= 64:
        common += ", batch_tfms=aug_transforms()"
    if on_cpu:
        common += ", num_workers=0"
    cells = []
    if source == "csv":
        fn = labels.get("fn_column")
        fn_col = _py(fn) if fn else f"next(c for c in df.columns if c != {_py(labels['column'])})"
        cells.append(
            md(
                f"Each image's label comes from the column `{labels['column']}` of the CSV file "
                f"`{labels['file']}`, one row per image, in the order of the file."
            )
        )
        cells.append(
            code(
                f"df = pd.read_csv(path / {_py(labels['file'])})\n"
                f"dls = ImageDataLoaders.from_df(\n"
                f"    df, path, fn_col={fn_col}, label_col={_py(labels['column'])},\n"
                f"    {common},\n"
                f")"
            )
        )
    else:
        if source == "filename":
            what = (
                f"Each image's **label** is picked out of its file name by the pattern `{labels['pattern']}` "
                "(the part in brackets); images whose names do not match are left out, as the run did."
            )
            files = (
                "pattern = " + _py(labels["pattern"]) + "\n"
                "files = [f for f in sorted(get_image_files(path)) if re.search(pattern, f.name)]\n"
            )
            make = f"dls = ImageDataLoaders.from_name_re(path, files, pattern, {common})"
        else:
            what = "Each image's **label** is the name of the folder it is in (`parent_label`)."
            files = "files = sorted(get_image_files(path))\n"
            make = f"dls = ImageDataLoaders.from_path_func(path, files, parent_label, {common})"
        cells.append(
            md(
                what + " The files are sorted, so they come in the same order as in the run: with the "
                "same `seed`, the same images end up in the validation set."
            )
        )
        cells.append(code(files + make))
    cells.append(code("dls.show_batch(max_n=6)"))
    return cells


def _fit_code(settings: dict) -> tuple[str, str]:
    recipe, epochs, lr = settings["recipe"], settings["epochs"], settings["lr"]
    if recipe == "fine_tune":
        frozen = settings.get("freeze_epochs", 1)
        return (
            f"learn.fine_tune({epochs}, base_lr={lr!r}, freeze_epochs={frozen}, cbs=CoachCallback())",
            f"`fine_tune` first trains only the new last layers for {frozen} epoch(s) (the pretrained "
            f"body is *frozen*), then every layer for {epochs} epoch(s), at learning rate {lr!r}.",
        )
    if recipe == "fit_one_cycle":
        return (
            f"learn.fit_one_cycle({epochs}, {lr!r}, cbs=CoachCallback())",
            f"`fit_one_cycle` trains every layer for {epochs} epoch(s); the learning rate rises to "
            f"{lr!r}, then falls. A model that starts from random weights has nothing to fine-tune.",
        )
    return (
        f"learn.fit({epochs}, {lr!r}, cbs=CoachCallback())",
        f"`fit` trains every layer for {epochs} epoch(s) at a constant learning rate of {lr!r}.",
    )


def run_notebook(run: dict) -> dict:
    """nbformat 4 JSON for a finished server job (its ``spec`` and ``result.settings``)."""
    spec, result = run["spec"], run["result"]
    settings = result["settings"]
    arch = spec.get("arch", "resnet18")
    pretrained = bool(settings.get("pretrained"))
    on_cpu = str(run.get("device") or "cpu").startswith("cpu")
    fit_line, fit_words = _fit_code(settings)
    model = exports.chosen_model(result)
    best = result.get("best")
    cells = [
        md(
            f"# {run['name']}: the code behind the run\n\n"
            "This notebook does with fastai what the coach's run did, step by step. Run each cell with "
            "**Shift+Enter**. Paths are relative to the folder JupyterLab was started in, where this "
            "notebook is saved."
        ),
        code(
            "from fastai.vision.all import *\n"
            "from jupyterlab_dlcoach import CoachCallback\n\n"
            f"set_seed({spec.get('seed', 42)!r})"
        ),
        md(
            f"## The data\n\nThe images are in `{spec['dataset']}`. "
            f"`valid_pct={spec.get('valid_pct', 0.2)!r}` "
            f"keeps that share of them aside as the **validation set** ({settings.get('n_valid', '?')} "
            "images the model never learns from, only measured on); `seed` fixes which ones. "
            f"`Resize({settings['image_size']})` makes every picture {settings['image_size']} pixels a "
            f"side, and the model looks at {settings['batch_size']} images per step (the **batch** size)."
        ),
        code(f"path = Path({_py(spec['dataset'])})"),
        *_data_cells(spec, settings, on_cpu),
        md(
            f"## The model\n\nThe **architecture** is `{arch}`. "
            + (
                "It starts from a **pretrained model** (weights learnt on ImageNet), which is "
                "**fine-tuned** on these images. "
                if pretrained
                else "It starts from random weights (`pretrained=False`): it is trained from scratch. "
            )
            + fit_words
            + " `CoachCallback()` draws the curves live below the cell, as the run view did, and the "
            "**error rate** is the share of validation images the model gets wrong."
        ),
        code(f"learn = vision_learner(dls, {arch}, pretrained={pretrained}, metrics=error_rate)\n{fit_line}"),
    ]
    if model:
        which = "the best epoch's" if result.get("model") == "best" else "the last epoch's"
        note = ""
        if best and result.get("model") != "best" and best.get("epoch") is not None:
            best_file = result["models"]["best"]
            note = f" (the run's best epoch was epoch {best['epoch'] + 1}; its model is `{best_file}`)"
        cells += [
            md(
                f"## Try the run's model\n\nThe run exported {which} model to `{model}`{note}. "
                "`load_learner` reads it back (plain fastai: it works on any machine with fastai), and "
                "`predict` tells what it thinks one image is, and how sure it is. Here the image is the "
                "first of the validation set; put the path of your own picture instead."
            ),
            code(
                f"model = load_learner({_py(model)})\n"
                "image = dls.valid_ds.items[0]\n"
                "label, index, probs = model.predict(image)\n"
                'print(f"{image.name}: {label}, {probs[index]:.0%} sure")'
            ),
            md(
                'To keep the model this notebook trained, save it with `learn.export("my-model.pkl")` '
                'and read it back with `load_learner("my-model.pkl")`.'
            ),
        ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
