import json

from jupyterlab_dlcoach import system


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
