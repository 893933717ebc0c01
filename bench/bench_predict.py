"""Prediction latency through the real route: cold (first call: predictor start + model load) and warm.

Trains a tiny model with the real trainer (shapes, resnet18 from scratch, 1 epoch), starts its own jupyter
server on that store, and times `POST runs/{id}/predict` from the client's side: the first call, then
`--calls` more with a training-size picture and with a photo-size one (resized by the model's own
transforms). The predictor's own time (decode + predict) comes from its answer's `seconds`.

    python bench/bench_predict.py [--calls 50] [--arch resnet18] [--image-size 32] [--device cpu]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_server_process import REPO, JupyterServer
from PIL import Image

from jupyterlab_dlcoach.core import samples

# The bar: a prediction after warm-up answers in well under a second on the CPU.
TARGET_WARM_P95_MS = 500


def train(root: Path, db: Path, arch: str, image_size: int) -> str:
    samples.shapes(root / "shapes", per_class=8, image_size=image_size)
    cmd = [sys.executable, "-m", "jupyterlab_dlcoach.trainer", "--db", str(db), "--root", str(root)]
    cmd += ["--dataset", "shapes", "--arch", arch, "--no-pretrained", "--epochs", "1"]
    cmd += ["--image-size", str(image_size), "--batch-size", "8"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return proc.stdout.split()[0]


def predict(server: JupyterServer, run_id: str, body: bytes, content_type: str) -> tuple[float, dict]:
    request = urllib.request.Request(
        f"http://{server.base}/jupyterlab-dlcoach/runs/{run_id}/predict",
        method="POST",
        data=body,
        headers={"Authorization": f"token {server.token}", "Content-Type": content_type},
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.loads(response.read())
    return (time.perf_counter() - t0) * 1000, answer


def summary(walls: list[float], answers: list[dict]) -> dict:
    q = statistics.quantiles(walls, n=20)
    return {
        "calls": len(walls),
        "p50_ms": round(statistics.median(walls), 1),
        "p95_ms": round(q[18], 1),
        "max_ms": round(max(walls), 1),
        "predictor_p50_ms": round(statistics.median(a["seconds"] for a in answers) * 1000, 1),
    }


def photo() -> bytes:
    out = io.BytesIO()
    Image.effect_mandelbrot((1024, 768), (-2, -1.2, 1, 1.2), 60).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--arch", default="resnet18")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--device", default="cpu", help="where the predictor runs: cpu, cuda or auto")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of the predictor")
    args = parser.parse_args()
    extra = ["--DLCoachApp.warm_trainer=False", f"--DLCoachApp.predictor_device={args.device}"]
    extra += [f"--DLCoachApp.predictor_threads={args.threads}"]
    server = JupyterServer(extra_args=extra)
    try:
        t0 = time.perf_counter()
        run_id = train(server.root_dir, server.db_path, args.arch, args.image_size)
        train_s = time.perf_counter() - t0
        small = next((server.root_dir / "shapes" / "circle").iterdir()).read_bytes()
        cold_ms, first = predict(server, run_id, small, "image/png")
        rows = {}
        for name, body, kind in (
            ("training-size png", small, "image/png"),
            ("1024x768 jpeg", photo(), "image/jpeg"),
        ):
            timed = [predict(server, run_id, body, kind) for _ in range(args.calls)]
            rows[name] = summary([w for w, _ in timed], [a for _, a in timed])
    finally:
        server.stop()
    report = {
        "arch": args.arch,
        "image_size": args.image_size,
        "device": first.get("device"),
        "threads": args.threads,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "train_s": round(train_s, 1),
        "cold_ms": round(cold_ms, 1),
        "warm": rows,
        "target_warm_p95_ms": TARGET_WARM_P95_MS,
    }
    report["ok"] = all(r["p95_ms"] < TARGET_WARM_P95_MS for r in rows.values())
    print(json.dumps(report))


if __name__ == "__main__":
    main()
