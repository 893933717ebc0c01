"""The real `jupyter server` answers a prediction without importing torch, and leaves no predictor behind:
neither when it shuts down, nor when it is killed (the predictor ends when its stdin closes)."""

import asyncio
import json
import time

import psutil
import pytest
from _predict_model import picture, trained
from test_server_imports_api import HEAVY, TOKEN, start_server, wait_ready
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

pytestmark = pytest.mark.timeout(400)
NS = "jupyterlab-dlcoach"
# No warm trainer: these tests are about predictors, and the machine is small.
NO_WARM = "--DLCoachApp.warm_trainer=False"


@pytest.fixture(scope="session")
def model(tmp_path_factory):
    return trained(tmp_path_factory.getbasetemp() / "predict-model")


async def predict(base, run_id, body: bytes):
    request = HTTPRequest(
        f"http://{base}/{NS}/runs/{run_id}/predict",
        method="POST",
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "image/png"},
        body=body,
        request_timeout=300,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    assert response.code == 200, response.body
    return json.loads(response.body)


def predictors_of(proc) -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process(proc.pid).children()
        if "jupyterlab_dlcoach.predictor" in " ".join(child.cmdline())
    ]


async def all_gone(procs, timeout=20) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p.pid for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        await asyncio.sleep(0.1)
    return alive


async def test_shutdown_ends_the_predictor_and_torch_never_loads_in_the_server(model, tmp_path):
    root, db, run_id = model
    base, proc, modules_out = start_server(tmp_path, root, db, NO_WARM)
    try:
        await wait_ready(base, proc)
        answer = await predict(base, run_id, picture())
        assert answer["label"] in ("circle", "square", "triangle")
        (predictor,) = predictors_of(proc)
        headers = {"Authorization": f"token {TOKEN}"}
        shutdown = HTTPRequest(f"http://{base}/api/shutdown", method="POST", body=b"", headers=headers)
        await AsyncHTTPClient().fetch(shutdown, raise_error=False)
        proc.wait(timeout=30)
        assert await all_gone([predictor]) == []
        heavy = [m for m in json.loads(modules_out.read_text()) if m.split(".")[0] in HEAVY]
        assert heavy == [], f"the server imported {heavy[:5]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_a_killed_server_leaves_no_predictor(model, tmp_path):
    root, db, run_id = model
    base, proc, _ = start_server(tmp_path, root, db, NO_WARM)
    try:
        await wait_ready(base, proc)
        await predict(base, run_id, picture())
        (predictor,) = predictors_of(proc)
        proc.kill()
        proc.wait()
        # No server to end it: its stdin closed, and that is its cue.
        assert await all_gone([predictor]) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
