"""The real `jupyter server` with the extension, every route called: torch and fastai never load in it.

A subprocess, because this test session itself imports torch elsewhere. The server writes its module
list at exit through a config-file hook; its stderr shows any auth warning about our handlers.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

import jupyterlab_dlcoach

TOKEN = "imports-check-token"
HEAVY = ("torch", "torchvision", "fastai")

CONFIG = """
import atexit, json, sys
c.ServerApp.jpserver_extensions = {{"jupyterlab_dlcoach": True}}
c.ServerApp.allow_unauthenticated_access = False
c.DLCoachApp.db_path = {db!r}

def _dump_modules():
    with open({out!r}, "w") as fh:
        json.dump(sorted(sys.modules), fh)

atexit.register(_dump_modules)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path: Path, root: Path, db: Path, *extra: str):
    """A real `jupyter server` with the extension in a subprocess; its module list lands in the file
    returned (at exit). Answers (host:port, the process, that file)."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    modules_out = tmp_path / "modules.json"
    (config_dir / "jupyter_server_config.py").write_text(CONFIG.format(db=str(db), out=str(modules_out)))
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PYTHONPATH": str(Path(jupyterlab_dlcoach.__file__).parent.parent),
    }
    args = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1", "--no-browser"]
    args += [f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--allow-root", *extra]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return f"127.0.0.1:{port}", proc, modules_out


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    base, proc, modules_out = start_server(tmp_path, root, tmp_path / "db" / "runs.sqlite")
    yield base, proc, modules_out
    if proc.poll() is None:
        proc.kill()
        proc.wait()


async def call(base, method, path, body=None, expect=200):
    request = HTTPRequest(
        f"http://{base}/{path}",
        method=method,
        headers={"Authorization": f"token {TOKEN}"},
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    expected = expect if isinstance(expect, tuple) else (expect,)
    assert response.code in expected, f"{method} {path}: {response.code} {response.body!r}"
    return json.loads(response.body) if response.body else None


async def wait_ready(base, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            await call(base, "GET", "api/status")
            return
        except (ConnectionError, OSError, AssertionError):
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not start")


async def warm_trainers(proc, timeout=60) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            child
            for child in psutil.Process(proc.pid).children()
            if "jupyterlab_dlcoach.trainer.warm" in " ".join(child.cmdline())
        ]
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("no warm trainer was started")


async def test_the_server_never_imports_torch_or_fastai(server):
    base, proc, modules_out = server
    await wait_ready(base, proc)
    ns = "jupyterlab-dlcoach"
    await call(base, "GET", f"{ns}/system")
    sample = {"name": "shapes", "path": "shapes", "per_class": 2, "image_size": 16}
    await call(base, "POST", f"{ns}/samples", sample, expect=201)
    await call(base, "GET", f"{ns}/datasets?path=shapes")
    job = await call(base, "POST", f"{ns}/jobs", {"dataset": "shapes", "pretrained": False}, expect=201)
    await call(base, "GET", f"{ns}/jobs")
    await call(base, "GET", f"{ns}/jobs/{job['id']}")
    await call(base, "GET", f"{ns}/runs")
    await call(base, "GET", f"{ns}/runs/{job['id']}")
    await call(base, "GET", f"{ns}/runs/{job['id']}/events?after=0")
    ws = await websocket_connect(
        HTTPRequest(f"ws://{base}/{ns}/stream?run={job['id']}", headers={"Authorization": f"token {TOKEN}"})
    )
    assert json.loads(await ws.read_message())["type"] == "run"
    ws.close()
    # 409 too: a job may have ended already (it fails at once where the trainer cannot train).
    await call(base, "POST", f"{ns}/jobs/{job['id']}/cancel", expect=(200, 409))
    for _ in range(300):
        if (await call(base, "GET", f"{ns}/jobs/{job['id']}"))["state"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    # A job with no model (409; 400 for the folder if it did complete): no torch imported to say so.
    await call(base, "POST", f"{ns}/runs/{job['id']}/predict", {"path": "shapes"}, expect=(400, 409))
    await call(base, "DELETE", f"{ns}/jobs/{job['id']}", expect=204)
    # The warm trainer (started a few seconds after the server) imports torch in its own process.
    warm = await warm_trainers(proc)

    await call(base, "POST", "api/shutdown")
    proc.wait(timeout=30)
    stderr = proc.stderr.read()
    # Shutting down ends the idle warm trainer: nothing is left behind.
    assert [p.pid for p in warm if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    modules = json.loads(modules_out.read_text())
    assert "jupyterlab_dlcoach.server.routes" in modules
    assert "jupyterlab_dlcoach.server.warm_pool" in modules
    heavy = [m for m in modules if m.split(".")[0] in HEAVY]
    assert heavy == [], f"the server imported {heavy[:5]}"
    warnings = [line for line in stderr.splitlines() if "registered for" in line and ns in line]
    assert warnings == [], warnings
