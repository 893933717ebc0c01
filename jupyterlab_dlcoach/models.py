"""The job spec: the one place that says what a training job may ask for.

Pure Python on purpose: the server validates specs and must never import torch or fastai.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .errors import BadInput

# torchvision architectures that fastai's vision_learner knows how to cut and split
# (its `model_meta`), so the frozen/unfrozen phases of fine_tune mean what they should.
ARCHS = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "densenet121",
    "densenet169",
    "vgg16_bn",
    "squeezenet1_1",
    "alexnet",
)
PRECISIONS = ("auto", "fp32", "fp16", "bf16")
LABEL_SOURCES = ("folder", "filename", "csv")
_DEVICE_RE = re.compile(r"^(auto|cpu|cuda|cuda:\d{1,2})$")


def _default_labels() -> dict:
    return {"from": "folder"}


@dataclass
class JobSpec:
    dataset: str
    labels: dict = field(default_factory=_default_labels)
    arch: str = "resnet34"
    pretrained: bool = True
    epochs: int = 3
    freeze_epochs: int = 1
    lr: float | None = None
    batch_size: int = 64
    image_size: int = 224
    valid_pct: float = 0.2
    seed: int = 42
    device: str = "auto"
    precision: str = "auto"
    num_workers: int | None = None
    name: str = ""

    def __post_init__(self):
        if not self.name:
            self.name = f"{PurePosixPath(self.dataset).name or 'data'} · {self.arch}"

    @classmethod
    def from_json(cls, obj: Any) -> JobSpec:
        """Validate a JSON object field by field; the first problem raises BadInput naming the field."""
        if not isinstance(obj, dict):
            raise BadInput('The job spec must be a JSON object, e.g. {"dataset": "images"}.', field="spec")
        known = {f.name for f in dataclasses.fields(cls)}
        for key in obj:
            if key not in known:
                raise BadInput(
                    f"Unknown field '{key}' in the job spec. Remove it; allowed fields are: "
                    + ", ".join(sorted(known))
                    + ".",
                    field=str(key),
                )
        if "dataset" not in obj:
            raise BadInput(
                "'dataset' is required: give a folder path relative to the server root.", field="dataset"
            )
        values = {}
        for key, raw in obj.items():
            values[key] = _CHECKS[key](raw)
        return cls(**values)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _int_in(name: str, lo: int, hi: int):
    def check(v):
        if not _is_int(v) or not lo <= v <= hi:
            raise BadInput(f"'{name}' must be a whole number from {lo} to {hi} (got {v!r}).", field=name)
        return v

    return check


def _choice(name: str, options: tuple[str, ...]):
    def check(v):
        if v not in options:
            raise BadInput(f"'{name}' must be one of {', '.join(options)} (got {v!r}).", field=name)
        return v

    return check


def _dataset(v):
    if not isinstance(v, str) or not v.strip():
        raise BadInput(
            "'dataset' must be a non-empty folder path relative to the server root, e.g. \"data/shapes\".",
            field="dataset",
        )
    return v


def _labels(v):
    if not isinstance(v, dict) or v.get("from") not in LABEL_SOURCES:
        raise BadInput(
            "'labels' must be an object whose 'from' is folder, filename or csv, "
            'e.g. {"from": "folder"}.',
            field="labels",
        )
    allowed = {
        "folder": {"from"},
        "filename": {"from", "pattern"},
        "csv": {"from", "file", "column", "fn_column"},
    }
    extra = set(v) - allowed[v["from"]]
    if extra:
        raise BadInput(
            f"'labels' from {v['from']} does not take {', '.join(sorted(extra))}; remove it.", field="labels"
        )
    if v["from"] == "filename":
        pattern = v.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise BadInput(
                "'labels.pattern' is required for labels from filename: a regular expression with one "
                'capture group for the label, e.g. "^(.+)_\\\\d+\\\\.jpg$".',
                field="labels.pattern",
            )
        try:
            groups = re.compile(pattern).groups
        except re.error as e:
            raise BadInput(
                f"'labels.pattern' is not a valid regular expression: {e}.", field="labels.pattern"
            ) from e
        if groups != 1:
            raise BadInput(
                f"'labels.pattern' must have exactly one capture group (…) for the label; it has {groups}.",
                field="labels.pattern",
            )
    if v["from"] == "csv":
        for key in ("file", "column"):
            if not isinstance(v.get(key), str) or not v[key]:
                raise BadInput(
                    f"'labels.{key}' is required for labels from csv: "
                    + (
                        "the CSV path relative to the data set."
                        if key == "file"
                        else "the label column's name."
                    ),
                    field=f"labels.{key}",
                )
        if "fn_column" in v and (not isinstance(v["fn_column"], str) or not v["fn_column"]):
            raise BadInput(
                "'labels.fn_column' must be the name of the file-name column.", field="labels.fn_column"
            )
    return dict(v)


def _arch(v):
    if v not in ARCHS:
        raise BadInput(
            f"'arch' must be one of {', '.join(ARCHS)} (got {v!r}); resnet34 is a good start.", field="arch"
        )
    return v


def _pretrained(v):
    if not isinstance(v, bool):
        raise BadInput(f"'pretrained' must be true or false (got {v!r}).", field="pretrained")
    return v


def _lr(v):
    if v is None:
        return None
    if not _is_number(v) or not 0 < v <= 10:
        raise BadInput(
            f"'lr' must be a number above 0 and at most 10, or null for fastai's default (got {v!r}).",
            field="lr",
        )
    return float(v)


def _valid_pct(v):
    if not _is_number(v) or not 0 < v < 1:
        raise BadInput(
            f"'valid_pct' must be a fraction between 0 and 1, e.g. 0.2 for 20% (got {v!r}).",
            field="valid_pct",
        )
    return float(v)


def _seed(v):
    if not _is_int(v) or not 0 <= v < 2**32:
        raise BadInput(f"'seed' must be a whole number from 0 to 4294967295 (got {v!r}).", field="seed")
    return v


def _device(v):
    if not isinstance(v, str) or not _DEVICE_RE.match(v):
        raise BadInput(
            f"'device' must be auto, cpu, cuda or cuda:N such as cuda:0 (got {v!r}).", field="device"
        )
    return v


def _num_workers(v):
    if v is None:
        return None
    return _int_in("num_workers", 0, 64)(v)


def _name(v):
    if not isinstance(v, str) or len(v) > 200:
        raise BadInput("'name' must be text of at most 200 characters.", field="name")
    return v.strip()


_CHECKS = {
    "dataset": _dataset,
    "labels": _labels,
    "arch": _arch,
    "pretrained": _pretrained,
    "epochs": _int_in("epochs", 1, 100),
    "freeze_epochs": _int_in("freeze_epochs", 0, 10),
    "lr": _lr,
    "batch_size": _int_in("batch_size", 1, 4096),
    "image_size": _int_in("image_size", 16, 1024),
    "valid_pct": _valid_pct,
    "seed": _seed,
    "device": _device,
    "precision": _choice("precision", PRECISIONS),
    "num_workers": _num_workers,
    "name": _name,
}
