"""weights.py's copy of torchvision's knowledge agrees with torchvision itself, for every architecture.

The server never imports torch, so it keeps a table of weights files and computes the torch hub folder
on its own; this test asks the real torch and torchvision, in a fresh interpreter, under several
environments, so the copy cannot drift from what a trainer will look for.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyterlab_dlcoach.core import weights
from jupyterlab_dlcoach.core.models import ARCHS

ASK_TORCH = """
import json, os, sys
import torch, torchvision
answer = {"hub_dir": torch.hub.get_dir(), "weights": {}}
for arch in json.loads(sys.argv[1]):
    w = torchvision.models.get_model_weights(arch).DEFAULT
    answer["weights"][arch] = {"url": w.url, "num_params": w.meta["num_params"], "gflops": w.meta["_ops"]}
print(json.dumps(answer))
"""


def ask_torch(env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", ASK_TORCH, json.dumps(list(ARCHS))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def clean_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TORCH_HOME", "XDG_CACHE_HOME")}
    env["HOME"] = str(tmp_path / "home")
    return env


def test_the_table_matches_torchvision_for_every_arch(clean_env, monkeypatch):
    torch_says = ask_torch(clean_env)
    for arch in ARCHS:
        truth = torch_says["weights"][arch]
        entry = weights.WEIGHTS[arch]
        assert weights.weights_filename(arch) == os.path.basename(truth["url"]), arch
        assert weights.weights_url(arch, weights.DEFAULT_BASE_URL) == truth["url"], arch
        assert entry.num_params == truth["num_params"], arch
        assert entry.gflops == truth["gflops"], arch
        # torch.hub checks a download against these digits (its HASH_REGEX): they must be found.
        assert entry.hash_prefix
        assert entry.hash_prefix in entry.filename


@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"XDG_CACHE_HOME": "{tmp}/xdg"},
        {"TORCH_HOME": "{tmp}/torch-home", "XDG_CACHE_HOME": "{tmp}/ignored"},
        {"TORCH_HOME": "~/relative-to-home"},
    ],
)
def test_the_hub_folder_matches_torch(clean_env, monkeypatch, tmp_path, setting):
    env = {**clean_env, **{k: v.format(tmp=tmp_path) for k, v in setting.items()}}
    torch_says = ask_torch(env)
    for key in ("TORCH_HOME", "XDG_CACHE_HOME", "HOME"):
        if key in env:
            monkeypatch.setenv(key, env[key])
        else:
            monkeypatch.delenv(key, raising=False)
    assert weights.hub_checkpoints_dir() == Path(torch_says["hub_dir"]) / "checkpoints"


def test_the_trainer_looks_where_the_server_does(monkeypatch, tmp_path):
    from jupyterlab_dlcoach.trainer import checks

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    for arch in ARCHS:
        assert checks.weights_file(arch) == weights.weights_path(arch)


def test_the_server_side_modules_never_load_torch():
    code = (
        "import sys, jupyterlab_dlcoach.core.weights, jupyterlab_dlcoach.server.estimate, "
        "jupyterlab_dlcoach.server.system; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision', 'fastai')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
