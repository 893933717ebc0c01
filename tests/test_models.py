"""Job spec validation: every field's bad value is refused with a message naming that field."""

import dataclasses

import pytest

from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.models import ARCHS, JobSpec, job_schema


def test_defaults_and_round_trip():
    spec = JobSpec.from_json({"dataset": "data/shapes"})
    assert spec.arch == "resnet18"
    # None: automatic (pretrained when the weights are cached; batch and image size from the data).
    assert (spec.pretrained, spec.recipe) == (None, "auto")
    assert (spec.epochs, spec.freeze_epochs, spec.lr, spec.batch_size) == (3, 1, None, None)
    assert (spec.image_size, spec.valid_pct, spec.seed) == (None, 0.2, 42)
    assert (spec.device, spec.precision, spec.num_workers) == ("auto", "auto", None)
    assert spec.labels == {"from": "folder"}
    assert spec.name == "shapes · resnet18"
    again = JobSpec.from_json(spec.to_json())
    assert again == spec


def test_every_field_accepts_good_values():
    spec = JobSpec.from_json(
        {
            "dataset": "pets",
            "labels": {"from": "filename", "pattern": r"^(.+)_\d+\.jpg$"},
            "arch": "resnet18",
            "pretrained": False,
            "epochs": 100,
            "freeze_epochs": 0,
            "lr": 1e-3,
            "batch_size": 1,
            "image_size": 16,
            "valid_pct": 0.5,
            "seed": 0,
            "device": "cuda:1",
            "precision": "bf16",
            "num_workers": 0,
            "name": "my run",
        }
    )
    assert spec.name == "my run"
    assert spec.device == "cuda:1"
    csv = JobSpec.from_json({"dataset": "d", "labels": {"from": "csv", "file": "l.csv", "column": "y"}})
    assert csv.labels["column"] == "y"
    assert set(ARCHS) >= {"resnet18", "resnet34", "resnet50"}


BAD = [
    ("dataset", ""),
    ("dataset", 3),
    ("labels", {"from": "moon"}),
    ("labels", "folder"),
    ("labels", {"from": "folder", "pattern": "x"}),
    ("labels.pattern", {"from": "filename"}),
    ("labels.pattern", {"from": "filename", "pattern": "("}),
    ("labels.pattern", {"from": "filename", "pattern": "no_group"}),
    ("labels.pattern", {"from": "filename", "pattern": "(a)(b)"}),
    ("labels.file", {"from": "csv", "column": "y"}),
    ("labels.column", {"from": "csv", "file": "l.csv"}),
    ("labels.fn_column", {"from": "csv", "file": "l.csv", "column": "y", "fn_column": ""}),
    ("arch", "resnet9000"),
    ("arch", None),
    ("pretrained", "yes"),
    ("pretrained", 1),
    ("epochs", 0),
    ("epochs", 101),
    ("epochs", 2.5),
    ("epochs", True),
    ("epochs", "3"),
    ("freeze_epochs", -1),
    ("freeze_epochs", 11),
    ("lr", 0),
    ("lr", -1e-3),
    ("lr", 11),
    ("lr", "fast"),
    ("lr", float("nan")),
    ("batch_size", 0),
    ("batch_size", 4097),
    ("image_size", 15),
    ("image_size", 1025),
    ("valid_pct", 0),
    ("valid_pct", 1),
    ("valid_pct", "0.2"),
    ("seed", -1),
    ("seed", 1.5),
    ("device", "gpu"),
    ("device", "cuda:x"),
    ("device", "cpu\n"),
    ("lr", 10**400),
    ("valid_pct", 10**400),
    ("recipe", "sgd"),
    ("labels.pattern", {"from": "filename", "pattern": "a{4294967296}(b)"}),
    ("labels.pattern", {"from": "filename", "pattern": "(" * 3000 + "a" + ")" * 3000}),
    ("labels.pattern", {"from": "filename", "pattern": "(a)" + "x" * 5000}),
    ("precision", "fp8"),
    ("num_workers", -1),
    ("num_workers", 1.0),
    ("name", 5),
    ("name", "x" * 201),
]


@pytest.mark.parametrize(("field", "value"), BAD)
def test_bad_field_is_named(field, value):
    key = field.split(".")[0]
    body = {"dataset": "d", key: value}
    with pytest.raises(BadInput) as info:
        JobSpec.from_json(body)
    assert info.value.field == field
    assert f"'{field}'" in info.value.message
    assert info.value.status == 400


def test_missing_dataset_unknown_key_and_not_an_object():
    with pytest.raises(BadInput) as info:
        JobSpec.from_json({"epochs": 3})
    assert info.value.field == "dataset"
    with pytest.raises(BadInput) as info:
        JobSpec.from_json({"dataset": "d", "epoch": 3})
    assert info.value.field == "epoch"
    assert "Remove it" in info.value.message
    with pytest.raises(BadInput):
        JobSpec.from_json(["dataset"])


def test_schema_is_the_one_source_of_defaults_limits_and_choices():
    schema = job_schema()
    props = schema["properties"]
    assert schema["required"] == ["dataset"]
    assert schema["additionalProperties"] is False
    assert set(props) == {f.name for f in dataclasses.fields(JobSpec)}
    defaults = JobSpec(dataset="d")
    for name, prop in props.items():
        assert prop["title"], name
        assert prop["description"], name
        if "default" in prop and name != "name":
            assert prop["default"] == getattr(defaults, name), name
    assert props["arch"]["enum"] == list(ARCHS)
    assert props["epochs"]["minimum"] == 1
    assert props["epochs"]["maximum"] == 100
    assert props["batch_size"]["type"] == ["integer", "null"]
    assert props["lr"]["exclusiveMinimum"] == 0
    assert props["recipe"]["x-advanced"] is True
    assert "x-advanced" not in props["epochs"]


def test_messages_use_the_forms_words():
    with pytest.raises(BadInput) as info:
        JobSpec.from_json({"dataset": "d", "lr": "fast"})
    assert info.value.message.startswith("Learning rate ('lr') must be")
    assert "Leave it empty for automatic" in info.value.message
    assert "null" not in info.value.message
    with pytest.raises(BadInput) as info:
        JobSpec.from_json({"dataset": "d", "lr": 10**400})
    assert len(info.value.message) < 200


def test_a_message_never_echoes_a_huge_value():
    with pytest.raises(BadInput) as info:
        JobSpec.from_json({"dataset": "d", "device": "x" * 100_000})
    assert len(info.value.message) < 200
