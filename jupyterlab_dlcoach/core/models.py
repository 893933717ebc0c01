"""The job spec: the one place that says what a training job may ask for.

Each field is declared once in `core.spec_fields.FIELDS`. From that table come the validation here
(`JobSpec.from_json`), the JSON Schema the server publishes at `GET jobs/schema` (the panel's form is
built from it), and the defaults. Pure Python on purpose: the server validates specs and must never
import torch or fastai.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.spec_fields import (
    ARCHS,
    BY_NAME,
    FIELDS,
    LABEL_SOURCES,
    MAX_PATTERN,
    Field,
    job_schema,
)

__all__ = ["ARCHS", "FIELDS", "JobSpec", "default_name", "job_schema"]

# \Z, not $: `$` also matches before a trailing newline ("cpu\n").
_DEVICE_RE = re.compile(r"(auto|cpu|cuda|cuda:\d{1,2})\Z")


def _default_labels() -> dict:
    return {"from": "folder"}


@dataclass
class JobSpec:
    dataset: str
    labels: dict = field(default_factory=_default_labels)
    arch: str = BY_NAME["arch"].default
    pretrained: bool | None = BY_NAME["pretrained"].default
    epochs: int = BY_NAME["epochs"].default
    batch_size: int | None = BY_NAME["batch_size"].default
    image_size: int | None = BY_NAME["image_size"].default
    lr: float | None = BY_NAME["lr"].default
    recipe: str = BY_NAME["recipe"].default
    freeze_epochs: int = BY_NAME["freeze_epochs"].default
    valid_pct: float = BY_NAME["valid_pct"].default
    seed: int = BY_NAME["seed"].default
    device: str = BY_NAME["device"].default
    precision: str = BY_NAME["precision"].default
    num_workers: int | None = BY_NAME["num_workers"].default
    name: str = ""

    def __post_init__(self):
        if not self.name:
            self.name = default_name(self.dataset, self.arch)

    @classmethod
    def from_json(cls, obj: Any) -> JobSpec:
        """Validate a JSON object field by field; the first problem raises BadInput naming the field."""
        if not isinstance(obj, dict):
            raise BadInput('The job spec must be a JSON object, e.g. {"dataset": "images"}.', field="spec")
        for key in obj:
            if key not in BY_NAME:
                shown = str(key) if len(str(key)) <= 40 else str(key)[:40] + "…"
                raise BadInput(
                    f"Unknown field '{shown}' in the job spec. Remove it; allowed fields are: "
                    + ", ".join(sorted(BY_NAME))
                    + ".",
                    field=shown,
                )
        if "dataset" not in obj:
            raise BadInput(
                "Images folder ('dataset') is required: a folder relative to the folder JupyterLab was "
                "started in.",
                field="dataset",
            )
        return cls(**{key: _check(BY_NAME[key], raw) for key, raw in obj.items()})

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def default_name(dataset: str, arch: str) -> str:
    return f"{PurePosixPath(dataset).name or 'data'} · {arch}"


def _shown(v) -> str:
    """A value quoted in an error message, cut short: a message never echoes a huge input."""
    try:
        text = repr(v)
    except ValueError:  # an integer with more digits than Python will print
        text = f"a number of {v.bit_length()} bits"
    return text if len(text) <= 40 else text[:40] + "…"


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def _bad(f: Field, rule: str, v) -> BadInput:
    empty = " Leave it empty for automatic." if f.nullable else ""
    return BadInput(f"{f.title} ('{f.name}') must be {rule} (got {_shown(v)}).{empty}", field=f.name)


def _check(f: Field, v):
    if v is None and f.nullable:
        return None
    custom = _CUSTOM.get(f.name)
    if custom is not None:
        return custom(f, v)
    if f.enum is not None:
        if not isinstance(v, str) or v not in f.enum:
            raise _bad(f, "one of " + ", ".join(f.enum), v)
        return v
    if f.type == "boolean":
        if not isinstance(v, bool):
            raise _bad(f, "true or false", v)
        return v
    if f.type == "integer":
        lo, hi = int(f.minimum), int(f.maximum)
        if not _is_int(v) or not lo <= v <= hi:
            raise _bad(f, f"a whole number from {lo} to {hi}", v)
        return v
    if f.type == "number":
        ok = _is_number(v) and (v > f.minimum if f.exclusive_minimum else v >= f.minimum)
        ok = ok and (v < f.maximum if f.exclusive_maximum else v <= f.maximum)
        if not ok:
            above = "above" if f.exclusive_minimum else "at least"
            below = "below" if f.exclusive_maximum else "at most"
            raise _bad(f, f"a number {above} {f.minimum:g} and {below} {f.maximum:g}", v)
        return float(v)
    raise AssertionError(f"no check for field {f.name}")  # a FIELDS entry without a rule


def _dataset(f: Field, v):
    if not isinstance(v, str) or not v.strip() or len(v) > 4096:
        raise BadInput(
            f"{f.title} ('dataset') must be a folder relative to the folder JupyterLab was started in, "
            'e.g. "data/digits".',
            field="dataset",
        )
    return v


_LABEL_KEYS = {
    "folder": {"from"},
    "filename": {"from", "pattern"},
    "csv": {"from", "file", "column", "fn_column"},
}


def _labels(f: Field, v):
    if not isinstance(v, dict) or v.get("from") not in LABEL_SOURCES:
        raise BadInput(
            "Labels ('labels') must say where labels come from: folder names, file names or a CSV file "
            '(e.g. {"from": "folder"}).',
            field="labels",
        )
    extra = set(v) - _LABEL_KEYS[v["from"]]
    if extra:
        names = ", ".join(sorted(map(str, extra)))[:80]
        raise BadInput(f"Labels ('labels') from {v['from']} do not take {names}; remove it.", field="labels")
    if v["from"] == "filename":
        _pattern(v.get("pattern"))
    if v["from"] == "csv":
        for key, what in (
            ("file", "the CSV file, relative to the images folder"),
            ("column", "the label column"),
        ):
            if not isinstance(v.get(key), str) or not v[key] or len(v[key]) > 1000:
                raise BadInput(f"Labels from a CSV file need 'labels.{key}': {what}.", field=f"labels.{key}")
        fn = v.get("fn_column", "name")
        if not isinstance(fn, str) or not fn or len(fn) > 1000:
            raise BadInput(
                "The file-name column ('labels.fn_column') must be a column's name.", field="labels.fn_column"
            )
    return dict(v)


def _pattern(pattern) -> None:
    where = "labels.pattern"
    if not isinstance(pattern, str) or not pattern:
        raise BadInput(
            "Labels from file names need a pattern ('labels.pattern'): a regular expression with one "
            'group in brackets for the label, e.g. "^(.+)_\\\\d+\\\\.jpg$".',
            field=where,
        )
    if len(pattern) > MAX_PATTERN:
        raise BadInput(
            f"The file name pattern ('labels.pattern') is too long: at most {MAX_PATTERN} characters.",
            field=where,
        )
    try:
        groups = re.compile(pattern).groups
    except (re.error, OverflowError, RecursionError) as e:
        raise BadInput(
            f"The file name pattern ('labels.pattern') is not a valid regular expression: {str(e)[:200]}.",
            field=where,
        ) from e
    if groups != 1:
        raise BadInput(
            "The file name pattern ('labels.pattern') must have exactly one group in brackets (…) for the "
            f"label; it has {groups}.",
            field=where,
        )


def _device(f: Field, v):
    if not isinstance(v, str) or not _DEVICE_RE.match(v):
        raise _bad(f, "auto, cpu, cuda or cuda:N such as cuda:0", v)
    return v


def _name(f: Field, v):
    if not isinstance(v, str) or len(v) > 200:
        raise _bad(f, "text of at most 200 characters", v)
    return v.strip()


_CUSTOM = {"dataset": _dataset, "labels": _labels, "device": _device, "name": _name}
