"""Which file a run's predictions use: the chosen model in the root, else the trainer's own export."""

import pytest

from jupyterlab_dlcoach.core.errors import Conflict, Forbidden, NotFound
from jupyterlab_dlcoach.server.model_files import model_file


def run(result, state="completed", kind="job"):
    return {"id": "0123456789ab", "name": "digits", "state": state, "kind": kind, "result": result}


def test_the_chosen_model_in_the_root_wins_over_the_artifacts_file(tmp_path):
    models = tmp_path / "root" / "dlcoach-models" / "digits-1"
    models.mkdir(parents=True)
    (models / "model.pkl").write_bytes(b"last")
    (models / "best-epoch-2.pkl").write_bytes(b"best")
    (tmp_path / "model.pkl").write_bytes(b"artifacts")
    result = {
        "models": {
            "last": "dlcoach-models/digits-1/model.pkl",
            "best": "dlcoach-models/digits-1/best-epoch-2.pkl",
        },
        "model_path": str(tmp_path / "model.pkl"),
    }
    root = str(tmp_path / "root")
    assert model_file(run(result), root) == models / "model.pkl"
    assert model_file(run({**result, "model": "best"}), root) == models / "best-epoch-2.pkl"
    assert model_file(run({"model_path": str(tmp_path / "model.pkl")}), root) == tmp_path / "model.pkl"
    with pytest.raises(NotFound, match="no longer exists"):
        model_file(run({"models": {"last": "dlcoach-models/gone/model.pkl"}}), root)
    with pytest.raises(Forbidden):
        model_file(run({"models": {"last": "../model.pkl"}}), root)


@pytest.mark.parametrize(
    ("state", "kind", "words"),
    [
        ("running", "job", "no model yet"),
        ("completed", "notebook", "learn.predict"),
        ("failed", "job", "without"),
    ],
)
def test_no_model_is_a_conflict_in_words(tmp_path, state, kind, words):
    with pytest.raises(Conflict, match=words):
        model_file(run(None, state, kind), str(tmp_path))
