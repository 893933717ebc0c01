"""The benchmarks still run: the throughput bench at a tiny size on CPU, the first-run bench's options."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def bench(name: str, *args: str, timeout: int = 200) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / name), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=ENV,
        timeout=timeout,
        check=False,
    )


@pytest.mark.timeout(240)
def test_throughput_bench_runs_on_cpu_at_a_tiny_size():
    tiny = ["--arch", "resnet18", "--image-size", "32", "--images", "24", "--batch-size", "8"]
    proc = bench("bench_throughput.py", *tiny, "--device", "cpu")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [(r["config"], r["phase"]) for r in rows] == [
        ("fastai", "frozen"),
        ("fastai", "unfrozen"),
        ("coach", "frozen"),
        ("coach", "unfrozen"),
    ]
    for row in rows:
        assert row["images"] > 0
        assert row["images_per_s"] > 0
        assert 0 <= row["data_share"] <= 1
    # On a CPU the trainer loads in the training process; fastai starts its own loader workers.
    assert {r["num_workers"] for r in rows if r["config"] == "coach"} == {0}
    assert "limited by" in proc.stdout


@pytest.mark.parametrize("name", ["bench_first_run.py", "bench_throughput.py"])
def test_benches_explain_themselves(name):
    proc = bench(name, "--help", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "usage" in proc.stdout
