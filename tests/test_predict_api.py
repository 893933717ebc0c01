"""POST runs/{id}/predict through the real server, the real predictor process and a real tiny model."""

import asyncio
import json
import os
import shutil
import signal
import sys
import time
import uuid

import psutil
import pytest
from _predict_model import bomb, picture, trained
from api_client import coach_app

from jupyterlab_dlcoach.core import images
from jupyterlab_dlcoach.server import predictors

pytestmark = pytest.mark.timeout(400)


@pytest.fixture(scope="session")
def model(tmp_path_factory):
    return trained(tmp_path_factory.getbasetemp() / "predict-model")


@pytest.fixture
def jp_root_dir(model):
    return model[0]


@pytest.fixture
def jp_server_config(jp_server_config, model):
    return {**jp_server_config, "DLCoachApp": {"db_path": str(model[1])}}


@pytest.fixture
def app(jp_serverapp):
    coach_app_ = coach_app(jp_serverapp)
    yield coach_app_
    # Whatever a test left, no predictor outlives it.
    for pid in coach_app_.predictors.pids().values():
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def predict(jp_fetch, run_id, body, content_type="image/png"):
    response = await jp_fetch(
        "jupyterlab-dlcoach", "runs", run_id, "predict",
        method="POST", body=body, headers={"Content-Type": content_type}, raise_error=False,
        # A predictor's start (torch, fastai, the model) takes tens of seconds on a busy 2-core machine.
        request_timeout=300,
    )  # fmt: skip
    return response.code, json.loads(response.body or b"null")


async def gone(pid, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        await asyncio.sleep(0.1)
    return False


def check_answer(answer, classes=("circle", "square", "triangle")):
    probs = [c["probability"] for c in answer["classes"]]
    assert sorted(c["label"] for c in answer["classes"]) == sorted(classes)
    assert probs == sorted(probs, reverse=True)
    assert abs(sum(probs) - 1) < 1e-4
    assert answer["label"] == answer["classes"][0]["label"]
    assert answer["probability"] == probs[0]


async def test_bytes_form_and_path_get_an_answer_from_one_warm_predictor(app, jp_fetch, model):
    root, _, run_id = model
    triangle = next((root / "shapes" / "triangle").iterdir())
    code, first = await predict(jp_fetch, run_id, triangle.read_bytes())
    assert code == 200, first
    check_answer(first)
    # A picture like the training ones gets no warning.
    assert first["note"] is None
    assert first["device"] == "cpu"
    (pid,) = app.predictors.pids().values()
    proc = psutil.Process(pid)
    assert "jupyterlab_dlcoach.predictor" in " ".join(proc.cmdline())
    # Its own process group, so that ending it ends all of it.
    assert os.getpgid(pid) == pid

    rel = triangle.relative_to(root).as_posix()
    code, by_path = await predict(jp_fetch, run_id, json.dumps({"path": rel}), "application/json")
    assert code == 200, by_path
    assert by_path["classes"] == first["classes"]

    boundary = uuid.uuid4().hex
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="t.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + triangle.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    code, by_form = await predict(jp_fetch, run_id, form, f"multipart/form-data; boundary={boundary}")
    assert code == 200, by_form
    assert by_form["classes"] == first["classes"]
    # One process answered all three.
    assert app.predictors.pids() == {run_id: pid}
    assert app.predictors.started_count == 1

    # A large grey photo is unlike small colourful shapes: the answer says so.
    code, photo = await predict(jp_fetch, run_id, picture((1600, 1200), 128, "JPEG", "L"), "image/jpeg")
    assert code == 200, photo
    check_answer(photo)
    for words in ("small", "large (1600x1200)", "grey"):
        assert words in photo["note"]


BAD = [
    (b"just some text", "text/plain", 400, "not a picture"),
    (b"", "image/png", 400, "Send a picture"),
    (b"GIF89a" + b"\0" * 20, "image/gif", 400, "not a picture"),
    (b"\0" * (images.MAX_UPLOAD_BYTES + 1), "image/png", 413, "limit is 10 MB"),
    (b"\0" * (images.MAX_UPLOAD_BYTES + 200_000), "image/png", 413, "limit is 10 MB"),
]


@pytest.mark.parametrize(("body", "content_type", "code", "words"), BAD)
async def test_bad_pictures_are_refused_before_any_process_starts(app, jp_fetch, model, body, content_type, code, words):  # fmt: skip  # noqa: E501
    got, answer = await predict(jp_fetch, model[2], body, content_type)
    assert (got, words in answer["message"]) == (code, True), answer
    assert app.predictors.started_count == 0


async def test_a_decompression_bomb_is_a_400(app, jp_fetch, model):
    code, answer = await predict(jp_fetch, model[2], bomb())
    assert code == 400, answer
    assert "decompression bomb" in answer["message"]
    assert "8000 x 8000" in answer["message"]
    assert app.predictors.started_count == 0


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("../outside.png", 403),
        ("/etc/passwd", 403),
        ("nowhere.png", 404),
        (".hidden.png", 403),
        ("shapes", 400),
    ],
)
async def test_paths_are_confined_to_the_root(app, jp_fetch, model, path, code):
    got, answer = await predict(jp_fetch, model[2], json.dumps({"path": path}), "application/json")
    assert got == code, answer
    assert answer["field"] == "path"


async def test_a_truncated_picture_is_a_400_and_the_predictor_stays(app, jp_fetch, model):
    run_id = model[2]
    whole = picture((300, 300), (10, 200, 30), "JPEG")
    code, answer = await predict(jp_fetch, run_id, whole[: len(whole) // 2], "image/jpeg")
    assert code == 400, answer
    assert "cut short" in answer["message"]
    (pid,) = app.predictors.pids().values()
    code, answer = await predict(jp_fetch, run_id, whole, "image/jpeg")
    assert code == 200, answer
    assert app.predictors.pids() == {run_id: pid}


async def test_runs_without_a_model_are_a_409_or_404_in_words(app, jp_fetch, model):
    store = app.store
    failed = store.create_run(kind="job", name="broke", spec={"dataset": "shapes"}, state="failed")
    code, answer = await predict(jp_fetch, failed["id"], picture())
    assert (code, "without saving a model" in answer["message"]) == (409, True), answer
    running = store.create_run(kind="job", name="busy", spec={"dataset": "shapes"}, state="running")
    code, answer = await predict(jp_fetch, running["id"], picture())
    assert (code, "no model yet" in answer["message"]) == (409, True), answer
    code, answer = await predict(jp_fetch, "0123456789ab", picture())
    assert code == 404, answer
    # The model file deleted behind the server's back.
    missing = store.create_run(kind="job", name="lost", spec={"dataset": "shapes"}, state="completed")
    store.update_run(missing["id"], result={"model_path": str(model[1].parent / "nowhere" / "model.pkl")})
    code, answer = await predict(jp_fetch, missing["id"], picture())
    assert (code, "no longer exists" in answer["message"]) == (404, True), answer
    assert app.predictors.started_count == 0


def copy_run(app, model, name):
    """A completed run of its own with a copy of the tiny model, for a test that deletes or breaks it."""
    run = app.store.create_run(kind="job", name=name, spec={"dataset": "shapes"}, state="completed")
    folder = model[1].parent / "artifacts" / run["id"]
    folder.mkdir(parents=True)
    source = app.store.get_run(model[2])["result"]["model_path"]
    shutil.copy(source, folder / "model.pkl")
    app.store.update_run(run["id"], result={"model_path": str(folder / "model.pkl")})
    return run["id"]


async def test_idle_predictors_end_and_deleting_a_run_ends_its_predictor(app, jp_fetch, model):
    app.predictors.idle_s = 1.0
    code, answer = await predict(jp_fetch, model[2], picture())
    assert code == 200, answer
    (pid,) = app.predictors.pids().values()
    await asyncio.sleep(1.5)
    assert await gone(pid)
    assert app.predictors.pids() == {}

    app.predictors.idle_s = 300.0
    run_id = copy_run(app, model, "to delete")
    code, answer = await predict(jp_fetch, run_id, picture())
    assert code == 200, answer
    pid = app.predictors.pids()[run_id]
    response = await jp_fetch("jupyterlab-dlcoach", "runs", run_id, method="DELETE")
    assert response.code == 204
    await asyncio.sleep(0.2)
    assert await gone(pid)
    assert app.predictors.pids() == {}
    code, answer = await predict(jp_fetch, run_id, picture())
    assert code == 404, answer


async def test_a_killed_predictor_is_started_again_transparently(app, jp_fetch, model):
    code, _ = await predict(jp_fetch, model[2], picture())
    (pid,) = app.predictors.pids().values()
    os.kill(pid, signal.SIGKILL)
    assert await gone(pid)
    code, answer = await predict(jp_fetch, model[2], picture())
    assert code == 200, answer
    assert app.predictors.started_count == 2


FAKE = {
    # Greets, then dies on every request: restarted once, then a 503 that says what to do.
    "dies": "import sys; print('{\"ready\": true}', flush=True); sys.stdin.readline(); sys.exit(7)",
    # Greets, then never answers.
    "hangs": "import sys, time; print('{\"ready\": true}', flush=True); sys.stdin.readline(); time.sleep(60)",
    # Never greets.
    "mute": "import time; time.sleep(60)",
    # Cannot load the model (e.g. a pickle from another fastai).
    "unloadable": 'print(\'{"ready": false, "error": {"message": "AttributeError: no is_cat"}}\')',
}


@pytest.mark.parametrize(
    ("fake", "code", "words"),
    [
        ("dies", 503, "stopped unexpectedly twice (exit status 7)"),
        ("hangs", 503, "took longer than 1 s"),
        ("mute", 503, "did not get ready within 1 s"),
        ("unloadable", 409, "could not be loaded: AttributeError: no is_cat"),
        ("cannot start", 503, "could not be started"),
    ],
)
async def test_a_broken_predictor_is_a_clear_error_not_a_hang(app, jp_fetch, model, monkeypatch, fake, code, words):  # fmt: skip  # noqa: E501
    command = [sys.executable, "-c", FAKE[fake]] if fake in FAKE else ["/nonexistent/python"]
    monkeypatch.setattr(predictors, "predictor_command", lambda *a: command)
    app.predictors.start_timeout_s = app.predictors.predict_timeout_s = 1.0
    t0 = time.monotonic()
    got, answer = await predict(jp_fetch, model[2], picture())
    assert (got, words in answer["message"]) == (code, True), answer
    assert time.monotonic() - t0 < 10
    assert app.predictors.pids() == {}
    assert app.predictors.started_count == {"dies": 2, "cannot start": 0}.get(fake, 1)
