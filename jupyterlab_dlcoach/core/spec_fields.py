"""The job spec's fields as data: one `Field` per paragraph, with its type, limits, default, form label
and one line of help. `core.models` validates specs from it; `job_schema` publishes it at
`GET jobs/schema`, from which the panel's form is built. A declared data table (tests/test_layout.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
RECIPES = ("auto", "fine_tune", "fit_one_cycle", "fit")
LABEL_SOURCES = ("folder", "filename", "csv")
MAX_PATTERN = 1000  # characters of a filename pattern


@dataclass(frozen=True)
class Field:
    """One job spec field: what the form shows and what the server accepts."""

    name: str
    type: str  # JSON Schema type: string, integer, number, boolean, object
    default: Any
    title: str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    enum: tuple | None = None
    nullable: bool = False
    advanced: bool = False

    def schema(self) -> dict:
        out: dict[str, Any] = {"type": [self.type, "null"] if self.nullable else self.type}
        if self.enum is not None:
            out["enum"] = list(self.enum) + ([None] if self.nullable else [])
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            out["exclusiveMaximum" if self.exclusive_maximum else "maximum"] = self.maximum
        if self.default is not None or self.nullable:
            out["default"] = self.default
        out["title"] = self.title
        out["description"] = self.description
        if self.advanced:
            out["x-advanced"] = True
        return out


# A table: one field per paragraph reads better than the formatter's one-argument-per-line layout.
# fmt: off
FIELDS: tuple[Field, ...] = (
    Field("dataset", "string", None, "Images folder",
          "A folder of images, relative to the folder JupyterLab was started in: one sub-folder per "
          "label, or labels from the file names or a CSV file."),
    Field("labels", "object", {"from": "folder"}, "Labels from",
          "Where each image's label comes from: its folder's name, a pattern in its file name, or a CSV "
          "file."),
    Field("arch", "string", "resnet18", "Architecture",
          "The network's design. resnet18 is small and quick; bigger ones learn more but train slower.",
          enum=ARCHS),
    Field("pretrained", "boolean", None, "Start from a pretrained model",
          "Start from weights learnt on ImageNet and fine-tune them. Empty means yes when those weights "
          "are on this machine, and training from scratch when they are not.",
          nullable=True),
    Field("epochs", "integer", 3, "Epochs",
          "How many times the model sees every training image. With fine-tuning, the epochs after the "
          "first, frozen one.",
          minimum=1, maximum=100),
    Field("batch_size", "integer", None, "Batch size",
          "How many images the model looks at before each update. Empty means automatic: 64, or fewer "
          "so that every epoch has at least 8 batches.",
          minimum=1, maximum=4096, nullable=True),
    Field("image_size", "integer", None, "Image size (px)",
          "Images are resized to this many pixels per side. Empty means automatic: the pictures' own "
          "size, kept between 32 and 224.",
          minimum=16, maximum=1024, nullable=True),
    Field("lr", "number", None, "Learning rate",
          "How big each update step is. Empty means automatic: 0.002 for fine-tuning, 0.003 from "
          "scratch with one-cycle, 0.001 for a plain fit.",
          minimum=0, maximum=10, exclusive_minimum=True, nullable=True),
    Field("recipe", "string", "auto", "Recipe",
          "How to train: auto fine-tunes a pretrained model (fine_tune) and trains a new one from "
          "scratch with a one-cycle schedule (fit_one_cycle); fit keeps the learning rate constant.",
          enum=RECIPES, advanced=True),
    Field("freeze_epochs", "integer", 1, "Frozen epochs",
          "With fine-tuning: epochs that train only the new last layers before the whole model is "
          "unfrozen.",
          minimum=0, maximum=10, advanced=True),
    Field("valid_pct", "number", 0.2, "Validation share",
          "The share of images kept aside to check the model on pictures it never learns from (0.2 = "
          "20 %).",
          minimum=0, maximum=1, exclusive_minimum=True, exclusive_maximum=True, advanced=True),
    Field("seed", "integer", 42, "Random seed",
          "Fixes the random split and start, so the same settings give the same run.",
          minimum=0, maximum=2**32 - 1, advanced=True),
    Field("device", "string", "auto", "Device",
          "auto uses a GPU when torch can use one, else the CPU; or cpu, cuda, cuda:N.",
          advanced=True),
    Field("precision", "string", "auto", "Precision",
          "auto uses mixed precision on a GPU (faster, less memory) and full precision on a CPU.",
          enum=PRECISIONS, advanced=True),
    Field("num_workers", "integer", None, "Loader processes",
          "Processes that load images in parallel. Empty means automatic: none on a CPU, several on a "
          "GPU.",
          minimum=0, maximum=64, nullable=True, advanced=True),
    Field("name", "string", "", "Run name",
          "A name to find the run by. Empty means the data set, the architecture and a number.",
          advanced=True),
)
# fmt: on
BY_NAME = {f.name: f for f in FIELDS}


def job_schema() -> dict:
    """The job spec as a JSON Schema: types, limits, defaults, choices, labels and help for the form."""
    props = {f.name: f.schema() for f in FIELDS}
    props["dataset"]["minLength"] = 1
    props["name"]["maxLength"] = 200
    props["labels"]["properties"] = {
        "from": {"type": "string", "enum": list(LABEL_SOURCES)},
        "pattern": {"type": "string", "maxLength": MAX_PATTERN},
        "file": {"type": "string"},
        "column": {"type": "string"},
        "fn_column": {"type": "string"},
    }
    props["labels"]["required"] = ["from"]
    props["device"]["pattern"] = r"^(auto|cpu|cuda|cuda:\d{1,2})$"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Training job",
        "type": "object",
        "required": ["dataset"],
        "additionalProperties": False,
        "properties": props,
    }
