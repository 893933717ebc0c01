import json

from jupyterlab_dlcoach.core import weights
from jupyterlab_dlcoach.server import system


async def test_system_route_reports_device_and_versions(jp_fetch):
    response = await jp_fetch("jupyterlab-dlcoach", "system")
    assert response.code == 200
    body = json.loads(response.body)
    assert body["device"] in ("cpu", "cuda")
    assert (body["device"] == "cuda") == bool(body["gpus"])
    for name in ("torch", "torchvision", "fastai"):
        assert body["versions"][name], f"{name} should be installed and reported"


def test_no_driver_is_a_normal_cpu_answer():
    info = system.system_info(gpu_probe=list)
    assert info["device"] == "cpu"
    assert info["gpus"] == []


def test_gpus_are_reported_with_memory():
    gpu = system.GPU(index=0, name="NVIDIA H100", memory_total_mb=81559, memory_used_mb=512)
    info = system.system_info(gpu_probe=lambda: [gpu])
    assert info["device"] == "cuda"
    assert info["gpus"] == [
        {"index": 0, "name": "NVIDIA H100", "memory_total_mb": 81559, "memory_used_mb": 512}
    ]


def test_cuda_visible_devices_hides_gpus(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert system._visible([0, 1]) == [1]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert system._visible([0, 1]) == []


def test_the_cached_weights_are_listed(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    folder = weights.hub_checkpoints_dir()
    folder.mkdir(parents=True)
    (folder / weights.weights_filename("resnet34")).write_bytes(b"\0" * 3 * 2**20)
    info = system.system_info(gpu_probe=list)
    assert info["hub_dir"] == str(tmp_path / "th" / "hub" / "checkpoints")
    listed = {w["arch"]: w for w in info["weights"]}
    assert list(listed) == list(weights.ARCHS)
    assert listed["resnet34"] == {"arch": "resnet34", "cached": True, "size_mb": 3.0, "download_mb": 83.2}
    assert listed["resnet18"]["cached"] is False
    assert listed["resnet18"]["size_mb"] is None
