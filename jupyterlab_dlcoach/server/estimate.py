"""How long a job will take, said before it starts: "about 40 s on this CPU".

The estimate is a rate times an amount of work, plus a fixed start-up time:

- work counts the images an epoch goes through, weighted by what each costs: a validation image (no
  backward pass) is cheaper than a training image, a frozen epoch (only the head learns) is cheaper
  than an unfrozen one, and an image costs more with a bigger picture and a bigger architecture;
- the rate (seconds per unit of work) and the start-up time are measured from earlier completed jobs
  in the run store, on the same kind of device; with none, a rate measured once on a 2-core CPU
  stands in, and the answer says it is a rough guess.

The model (``Plan``, ``Measured``, ``estimate``) is pure and tested directly; ``estimate_job`` gathers
its inputs from the disk and the store for the route.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from jupyterlab_dlcoach.core import datasets, recipe, weights
from jupyterlab_dlcoach.core.errors import CoachError
from jupyterlab_dlcoach.core.models import JobSpec
from jupyterlab_dlcoach.core.runs import ACTIVE_STATES, RunState

# Costs relative to one training image of resnet18 at 32 px in an unfrozen epoch, and the share of that
# cost that does not grow with the picture or the model (decoding, augmenting, batching). Measured as
# process CPU time per image on the digits sample (a single thread, so that other work on the machine
# does not count): validation 0.33-0.40 of training; a frozen epoch's training 0.55; resnet18 at 64,
# 128 and 224 px 2.1-2.4x, 7.5x and 27x the 32-px cost (a fixed share of 0.5 predicts 2.5x, 8.5x, 25x);
# resnet34 at 32 px 1.6x (predicted 1.5x), resnet50 at 64 px 2.6x resnet18's (predicted 2.0x).
VALID_COST = 0.35
FROZEN_COST = 0.55
FIXED_SHARE = 0.5
REFERENCE_SIDE = 32
REFERENCE_ARCH = "resnet18"
# Built in, for a machine with no earlier run: seconds per unit of work on a 2-core CPU (digits, 3 epochs
# of fit_one_cycle from scratch at 32 px: about 9 s of epochs), and the seconds a job spends outside its
# epochs when its trainer starts cold (importing torch and fastai, reading the images, saving the model).
CPU_RATE = 0.0019
CPU_STARTUP = 5.0
HISTORY_RUNS = 5


def image_cost(arch: str, side: int) -> float:
    """One training image's cost relative to resnet18 at 32 px: a fixed part, and a part that grows
    with the model's operations and the picture's pixels."""
    ops = weights.WEIGHTS[arch].gflops / weights.WEIGHTS[REFERENCE_ARCH].gflops
    return FIXED_SHARE + (1 - FIXED_SHARE) * ops * (side / REFERENCE_SIDE) ** 2


@dataclass(frozen=True)
class Plan:
    """What a job will do, in the terms that decide how long it takes."""

    arch: str
    image_size: int
    n_train: int
    n_valid: int
    frozen_epochs: int
    epochs: int  # epochs in which the whole model learns (fit, fit_one_cycle, fine_tune's unfrozen)
    device: str  # "cpu" or "cuda"

    def epoch_work(self, phase: str) -> float:
        train = self.n_train * (FROZEN_COST if phase == "frozen" else 1.0)
        return (train + VALID_COST * self.n_valid) * image_cost(self.arch, self.image_size)

    def work(self) -> float:
        return self.frozen_epochs * self.epoch_work("frozen") + self.epochs * self.epoch_work("fit")


@dataclass(frozen=True)
class Measured:
    """An earlier completed job: what it did, its seconds in epochs and its seconds outside them."""

    plan: Plan
    epoch_seconds: float
    startup_seconds: float
    epoch_work: float

    @property
    def rate(self) -> float:
        return self.epoch_seconds / self.epoch_work


def device_type(label: str | None) -> str | None:
    """'cuda' or 'cpu' from a run's device column ('cuda:0 (NVIDIA …)' or 'cpu')."""
    if not label:
        return None
    return "cuda" if label.startswith("cuda") else "cpu"


def measure_run(run: dict, epoch_events: list[dict], n_images: int | None = None) -> Measured | None:
    """What a completed job measured, or None when it lacks what the estimate needs.

    ``n_images``: the size of its data set, if known, for runs that did not record their split."""
    spec, result = run.get("spec") or {}, run.get("result") or {}
    device = device_type(run.get("device"))
    epochs = [e for e in epoch_events if isinstance(e.get("seconds"), (int, float)) and e["seconds"] > 0]
    arch = spec.get("arch")
    if run.get("state") != RunState.COMPLETED or not epochs or device is None or arch not in weights.WEIGHTS:
        return None
    settings = result.get("settings") or {}
    side = settings.get("image_size") or spec.get("image_size")
    n_train, n_valid = settings.get("n_train"), settings.get("n_valid")
    valid_pct = spec.get("valid_pct") or 0.2
    if not (n_train and n_valid) and n_images:
        n_valid = int(n_images * valid_pct)
        n_train = n_images - n_valid
    if not (n_train and n_valid):
        # Older runs did not record their split: an epoch has n_train // batch_size batches.
        batches = (run.get("progress") or {}).get("batches")
        bs = result.get("batch_size") or settings.get("batch_size") or spec.get("batch_size")
        if not (batches and bs):
            return None
        n_train = batches * bs
        n_valid = round(n_train * valid_pct / (1 - valid_pct))
    if not (isinstance(side, int) and side > 0):
        return None
    frozen = sum(1 for e in epochs if e.get("phase") == "frozen")
    plan = Plan(arch, side, n_train, n_valid, frozen, len(epochs) - frozen, device)
    epoch_seconds = sum(e["seconds"] for e in epochs)
    start, end = run.get("pid_started") or run.get("started"), run.get("ended")
    total = end - start if start and end and end > start else None
    startup = max(0.0, total - epoch_seconds) if total is not None else math.nan
    return Measured(plan, epoch_seconds, startup, plan.work())


def say_duration(seconds: float) -> str:
    """'about 8 s', 'about 40 s', 'about 3 min', 'about 1 h 20 min'."""
    if seconds < 10:
        return f"about {max(1, round(seconds))} s"
    if seconds < 60:
        return f"about {5 * round(seconds / 5)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, rest = divmod(10 * round(minutes / 10), 60)
    return f"about {hours} h {rest} min" if rest else f"about {hours} h"


def estimate(plan: Plan, history: list[Measured], *, where: str, notes: list[str] | None = None) -> dict:
    """The answer of ``POST jobs/estimate`` for a plan, given earlier runs on this machine (newest first).

    ``where`` names the device in words ("this CPU", "the GPU (NVIDIA H100)"). Runs on the same kind of
    device count; among them, those with the same architecture and picture size are preferred, since
    then nothing needs scaling.
    """
    notes = list(notes or [])
    same_device = [m for m in history if m.plan.device == plan.device]
    alike = [m for m in same_device if (m.plan.arch, m.plan.image_size) == (plan.arch, plan.image_size)]
    used = (alike or same_device)[:HISTORY_RUNS]
    if used:
        rate = statistics.median(m.rate for m in used)
        startups = [m.startup_seconds for m in used if not math.isnan(m.startup_seconds)]
        startup = statistics.median(startups) if startups else CPU_STARTUP
        runs = "1 earlier run" if len(used) == 1 else f"{len(used)} earlier runs"
        basis = f"from {runs} on this machine"
    elif plan.device == "cpu":
        rate, startup = CPU_RATE, CPU_STARTUP
        basis = "a rough guess (no earlier run to measure from)"
    else:
        return {
            "seconds": None,
            "text": f"unknown until a first run on {where}",
            "basis": "no earlier run on a GPU to measure from; after one, the coach can tell",
            "notes": notes,
        }
    seconds = round(startup + rate * plan.work(), 1)
    return {"seconds": seconds, "text": f"{say_duration(seconds)} on {where}", "basis": basis, "notes": notes}


# -- gathering the inputs (disk, store, GPUs) ---------------------------------------------------


def resolve_plan(spec: JobSpec, *, n_images: int, image_side: int | None, device: str) -> Plan:
    """The plan a spec gives once its automatic choices are made the way the server and trainer make
    them: pretrained when the weights are cached, fine_tune when pretrained, else training from scratch."""
    pretrained = spec.pretrained
    if pretrained is None:
        pretrained = weights.is_cached(spec.arch)
    chosen = recipe.resolve_recipe(spec.recipe, pretrained)
    side = recipe.image_size_for([image_side] if image_side else [], spec.image_size)
    # fastai's RandomSplitter puts int(valid_pct * n) images in the validation set.
    n_valid = int(n_images * spec.valid_pct)
    frozen = spec.freeze_epochs if chosen == "fine_tune" else 0
    return Plan(spec.arch, side, n_images - n_valid, n_valid, frozen, spec.epochs, device)


def pick_device(spec: JobSpec, gpus: list, runs: list[dict]) -> tuple[str, str, list[str]]:
    """(device type, the device in words, notes) for where the job will train."""
    if spec.device == "cpu" or not gpus:
        notes = []
        if spec.device.startswith("cuda"):
            notes.append(
                "This job asks for a GPU, but none was found on this machine: it would fail. "
                "Set Device to automatic or cpu."
            )
        return "cpu", "this CPU", notes
    gpu = gpus[0]
    where = f"the GPU ({gpu.name})" if len(gpus) == 1 else f"one of {len(gpus)} GPUs ({gpu.name})"
    if spec.device == "auto":
        latest = next(
            (r for r in runs if (r.get("spec") or {}).get("device") == "auto" and r.get("device")), None
        )
        if latest is not None and device_type(latest["device"]) == "cpu":
            return (
                "cpu",
                "this CPU",
                [
                    f"A GPU is present ({gpu.name}) but torch cannot use it: the latest job set to automatic "
                    "trained on the CPU. Check that the installed torch is a CUDA build that suits the "
                    "GPU's driver (in a notebook, torch.cuda.is_available() should say True)."
                ],
            )
    return "cuda", where, []


def estimate_job(spec: JobSpec, *, root, store, gpus: list) -> dict:
    """Everything ``POST jobs/estimate`` answers: reads the data set and earlier runs (blocking I/O)."""
    try:
        inspection = datasets.inspect(root, spec.dataset, labels=spec.labels)
    except CoachError as e:
        # The data set check speaks of 'path'; in a job spec that field is called 'dataset'.
        raise type(e)(e.message.replace("'path'", "'dataset'"), field="dataset") from e
    runs = store.list_runs(kind="job")
    device, where, notes = pick_device(spec, gpus, runs)
    blocking = [p for p in inspection["problems"] if p.get("severity", "error") == "error"]
    if not inspection["images"] or blocking:
        reason = blocking[0]["message"] if blocking else "There are no images in this folder."
        return {
            "seconds": None,
            "text": "no estimate: training cannot start on this data set",
            "basis": "the data set's check",
            "notes": [reason, *notes],
        }
    side = None
    if spec.image_size is None:
        folder = datasets.confine(spec.dataset, root, field="dataset")
        paths = [path for path, _ in datasets.labelled_items(folder, spec.labels, root)[1]]
        side = int(statistics.median(recipe.image_sides(paths) or [0])) or None
    plan = resolve_plan(spec, n_images=inspection["images"], image_side=side, device=device)
    if spec.pretrained is True and not weights.is_cached(spec.arch):
        notes.append(
            f"The pretrained weights for {spec.arch} are not on this machine, so this job would stop at "
            "once. Get them in the System section, or turn Pretrained off to train from scratch."
        )
    ahead = sum(1 for r in runs if r.get("state") in ACTIVE_STATES)
    if ahead:
        notes.append(
            "1 job is queued or running before this one; its time comes first."
            if ahead == 1
            else f"{ahead} jobs are queued or running before this one; their time comes first."
        )
    history = []
    # The newest completed jobs; a few more than are used, since some may lack what is measured.
    for run in [r for r in runs if r.get("state") == RunState.COMPLETED][: 4 * HISTORY_RUNS]:
        epochs = store.events(run["id"], event_type="epoch")
        # A run on this very data set had as many images as it has now (the likeliest case by far).
        earlier = run.get("spec") or {}
        same_data = (earlier.get("dataset"), earlier.get("labels")) == (spec.dataset, spec.labels)
        measured = measure_run(run, epochs, inspection["images"] if same_data else None)
        if measured is not None:
            history.append(measured)
    return estimate(plan, history, where=where, notes=notes)
