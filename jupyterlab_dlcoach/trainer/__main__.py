"""`python -m jupyterlab_dlcoach.trainer`: fine-tune one job and record it in the run store.

Server mode, `--run ID`: the job spec comes from the run; the server owns the run's state, so this
process only writes `started`, `device`, events, `result` or `error`, and its exit code says the rest.
By hand, `--dataset REL [options]`: creates its own run (for benchmarks and debugging) and sets its
final state too, since no server is watching.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import time
from pathlib import Path

from jupyterlab_dlcoach.core import outcome, recipe
from jupyterlab_dlcoach.core.errors import CoachError
from jupyterlab_dlcoach.core.models import ARCHS, JobSpec
from jupyterlab_dlcoach.core.runs import RunState
from jupyterlab_dlcoach.core.store import RunStore, artifacts_dir
from jupyterlab_dlcoach.trainer import TrainerError, interpretation

EXIT_OK, EXIT_FAILED = 0, 1


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m jupyterlab_dlcoach.trainer", description=__doc__.split("\n")[0]
    )
    p.add_argument("--db", required=True, help="run store (SQLite file)")
    p.add_argument("--root", required=True, help="folder that data set paths are relative to")
    p.add_argument("--run", help="id of the run whose spec to train (server mode)")
    p.add_argument("--artifacts", help="the run's own folder (default: <db folder>/artifacts/<run id>)")
    hand = p.add_argument_group("by hand (no --run)")
    hand.add_argument("--dataset")
    hand.add_argument("--arch", choices=ARCHS)
    hand.add_argument("--pretrained", action=argparse.BooleanOptionalAction, default=None)
    for name, kind in (
        ("epochs", int),
        ("freeze-epochs", int),
        ("lr", float),
        ("batch-size", int),
        ("image-size", int),
        ("valid-pct", float),
        ("seed", int),
        ("num-workers", int),
    ):
        hand.add_argument(f"--{name}", type=kind)
    for name in ("device", "precision", "recipe", "name", "label-pattern"):
        hand.add_argument(f"--{name}")
    args = p.parse_args(argv)
    if bool(args.run) == bool(args.dataset):
        p.error("give either --run RUN_ID (server mode) or --dataset REL (by hand)")
    return args


def spec_from_args(args) -> dict:
    keys = ("dataset", "arch", "pretrained", "epochs", "freeze_epochs", "lr", "batch_size", "image_size")
    keys += ("valid_pct", "seed", "num_workers", "device", "precision", "recipe", "name")
    spec = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    if args.label_pattern:
        spec["labels"] = {"from": "filename", "pattern": args.label_pattern}
    return spec


def train(store: RunStore, run_id: str, spec: JobSpec, root: Path, artifacts: Path) -> dict:
    """Train as the spec says (its automatic choices resolved here) and export; returns the result.

    Raises TrainerError (or others) on failure.
    """
    # Heavy imports here, after argument parsing, so `--help` and bad arguments answer at once.
    import torch

    from jupyterlab_dlcoach.trainer import checks

    t0 = time.time()
    device = checks.pick_device(spec)
    store.update_run(run_id, device=checks.device_label(device))
    pretrained = checks.weights_file(spec.arch).is_file() if spec.pretrained is None else spec.pretrained
    spec = dataclasses.replace(spec, pretrained=pretrained)
    # Cheap checks first: missing weights must fail before fastai loads or a large folder is verified.
    checks.check_weights(spec)

    from fastai.torch_core import set_seed

    from jupyterlab_dlcoach.core import datasets
    from jupyterlab_dlcoach.kernel.callback import CoachCallback, NanLossError
    from jupyterlab_dlcoach.trainer import data
    from jupyterlab_dlcoach.trainer.best import BestEpoch
    from jupyterlab_dlcoach.trainer.export import export_models

    try:
        report, items = datasets.prepare(root, spec.dataset, spec.labels)
    except CoachError as e:
        raise TrainerError("bad_spec", e.message, "Pick a data set folder under the server root.") from e
    problem = datasets.check_trainable(report)
    if problem is not None:
        raise TrainerError(problem["kind"], problem["message"], problem["advice"])

    settings = resolve_settings(spec, items)
    spec = dataclasses.replace(spec, image_size=settings["image_size"], lr=settings["lr"])
    store.append_event(run_id, "settings", **settings)
    if settings.get("batch_size_note"):
        store.append_event(
            run_id,
            "warning",
            kind="batch_size_lowered",
            epoch=None,
            severity="info",
            message=settings["batch_size_note"],
            advice="Leave the batch size empty to let the coach choose it.",
            terms=["batch", "epoch"],
        )
    bs = settings["batch_size"]
    for attempt in range(2):
        set_seed(spec.seed)
        dls = data.build_dls(spec, resolve_folder(root, spec), items, device, bs)
        learn = data.build_learner(spec, dls, device)
        coach = CoachCallback(run_id=run_id, db_path=store.path)
        keeper = BestEpoch()  # the best epoch's weights, kept in memory for the export
        try:
            with learn.no_bar():
                fit(learn, settings, [coach, keeper])
            break
        except NanLossError as e:
            raise TrainerError(**e.error) from e
        except (torch.cuda.OutOfMemoryError, RuntimeError) as e:
            if not isinstance(e, torch.cuda.OutOfMemoryError) and not outcome.is_out_of_memory(e):
                raise
            del learn, dls
            gc.collect()
            torch.cuda.empty_cache()
            if attempt == 1 or bs == 1:
                raise TrainerError(**outcome.out_of_memory_error(bs)) from e
            bs = max(1, bs // 2)
            settings["batch_size"] = bs
            store.append_event(
                run_id,
                "warning",
                kind="cuda_oom_retry",
                epoch=None,
                message=f"The GPU ran out of memory; training starts again with batch_size {bs}.",
                advice="Next time, set a smaller batch_size from the start.",
                terms=["epoch"],
            )
    failure = coach.run_failure()
    if failure is not None:
        # The loop ended, but the coach's last verdict is that the model blew up: no model worth exporting.
        raise TrainerError(**failure)
    mistakes = interpretation.interpret_safely(learn, root)
    # Into the server root (dlcoach-models/<run name>/): model.pkl, and best-epoch-N.pkl when better.
    exported = export_models(learn, keeper, root, spec.name, artifacts)
    return outcome.run_result(
        coach.epoch_records,
        time.time() - t0,
        batch_size=bs,
        settings=settings,
        interpretation=mistakes,
        **exported,
    )


def resolve_settings(spec: JobSpec, items: list) -> dict:
    """What this run will really use: the spec's automatic choices made for this data set."""
    n = len(items)
    n_valid = int(spec.valid_pct * n)  # as fastai's RandomSplitter cuts
    chosen = recipe.resolve_recipe(spec.recipe, spec.pretrained)
    bs, note = recipe.batch_size_for(n - n_valid, spec.batch_size)
    settings = {
        "recipe": chosen,
        "pretrained": spec.pretrained,
        "epochs": spec.epochs,
        "freeze_epochs": spec.freeze_epochs if chosen == "fine_tune" else 0,
        "lr": recipe.resolve_lr(spec.lr, chosen),
        "batch_size": bs,
        "image_size": recipe.image_size_for(recipe.image_sides([p for p, _ in items]), spec.image_size),
        "n_train": n - n_valid,
        "n_valid": n_valid,
        "n_classes": len({label for _, label in items}),
        "description": "",
    }
    settings["description"] = recipe.describe(settings)
    if note:
        settings["batch_size_note"] = note
    return settings


def fit(learn, settings: dict, cbs) -> None:
    """Run the resolved recipe: fine_tune (frozen, then unfrozen), fit_one_cycle or a plain fit.

    Callbacks go in through `cbs`, so fastai removes them after the fit: none is in the export.
    """
    recipe_name, epochs, lr = settings["recipe"], settings["epochs"], settings["lr"]
    if recipe_name == "fine_tune":
        learn.fine_tune(epochs, base_lr=lr, freeze_epochs=settings["freeze_epochs"], cbs=cbs)
    elif recipe_name == "fit_one_cycle":
        learn.fit_one_cycle(epochs, lr, cbs=cbs)
    else:
        learn.fit(epochs, lr, cbs=cbs)


def resolve_folder(root: Path, spec: JobSpec) -> Path:
    from jupyterlab_dlcoach.core import datasets

    return datasets.confine(spec.dataset, root, field="dataset")


def main(argv=None) -> int:
    args = parse_args(argv)
    store = RunStore(args.db)
    try:
        return _main(args, store)
    finally:
        # Everything is committed already (autocommit); closing leaves nothing for interpreter exit.
        store.close()


def _main(args: argparse.Namespace, store: RunStore) -> int:
    root = Path(args.root)
    by_hand = args.run is None
    if by_hand:
        try:
            spec = JobSpec.from_json(spec_from_args(args))
        except CoachError as e:
            print(f"bad spec: {e.message}", file=sys.stderr)
            return 2
        run = store.create_run(kind="job", name=spec.name, spec=spec.to_json(), state=RunState.RUNNING)
        run_id = run["id"]
        store.append_event(run_id, "state", state=RunState.RUNNING)
        print(run_id, flush=True)
    else:
        run_id = args.run
        run = store.get_run(run_id)
        if run is None:
            print(f"no run {run_id} in {args.db}", file=sys.stderr)
            return EXIT_FAILED
    store.update_run(run_id, started=time.time())
    artifacts = Path(args.artifacts) if args.artifacts else artifacts_dir(store.path, run_id)
    error = None
    try:
        if not by_hand:
            try:
                spec = JobSpec.from_json(run["spec"])
            except CoachError as e:
                raise TrainerError("bad_spec", e.message, "Fix the job spec and submit it again.") from e
        result = train(store, run_id, spec, root, artifacts)
    except KeyboardInterrupt:
        if by_hand:
            store.update_run(run_id, state=RunState.CANCELLED, ended=time.time())
            store.append_event(run_id, "state", state=RunState.CANCELLED)
        return 130
    except Exception as e:
        error = outcome.run_error(e, "job")
        store.update_run(
            run_id, error=error, **({"state": RunState.FAILED, "ended": time.time()} if by_hand else {})
        )
        if by_hand:
            store.append_event(run_id, "state", state=RunState.FAILED, error=error)
        if error["kind"] == "crashed":
            raise
        print(f"{error['kind']}: {error['message']}", file=sys.stderr)
        return EXIT_FAILED
    store.update_run(
        run_id, result=result, **({"state": RunState.COMPLETED, "ended": time.time()} if by_hand else {})
    )
    if by_hand:
        store.append_event(run_id, "state", state=RunState.COMPLETED)
    return EXIT_OK


if __name__ == "__main__":
    from jupyterlab_dlcoach.trainer.quick_exit import run_then_exit

    run_then_exit(main)
