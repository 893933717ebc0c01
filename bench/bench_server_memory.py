"""The server process with and without the coach: resident memory, and that torch and fastai stay out of it.

Starts a jupyter server twice (the extension off, then on), calls the coach's routes and push channel on
the second, and reports RSS after start-up and the heavy modules found in the server (there must be none).

    python bench/bench_server_memory.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jupyter_server_process import JupyterServer

HEAVY = ("torch", "torchvision", "fastai")


def rss_mb(server: JupyterServer) -> float:
    time.sleep(1.0)  # let start-up work settle
    return round(psutil.Process(server.proc.pid).memory_info().rss / 2**20, 1)


async def use_the_coach(server: JupyterServer) -> None:
    ns = "jupyterlab-dlcoach"
    server.call("GET", f"{ns}/system")
    server.call(
        "POST", f"{ns}/samples", {"name": "shapes", "path": "shapes", "per_class": 4, "image_size": 32}
    )
    server.call("GET", f"{ns}/datasets?path=shapes")
    server.call("GET", f"{ns}/jobs")
    server.call("GET", f"{ns}/runs")
    ws = await websocket_connect(
        HTTPRequest(f"ws://{server.base}/{ns}/stream", headers={"Authorization": f"token {server.token}"})
    )
    await ws.read_message()
    ws.close()


def main() -> None:
    report = {}
    for with_extension in (False, True):
        server = JupyterServer(with_extension=with_extension)
        try:
            if with_extension:
                asyncio.run(use_the_coach(server))
            rss = rss_mb(server)
        finally:
            modules = server.stop()
        key = "with_extension" if with_extension else "without_extension"
        report[key] = {
            "rss_mb": rss,
            "modules": len(modules),
            "heavy_modules": sorted(m for m in modules if m.split(".")[0] in HEAVY),
        }
    report["extension_cost_mb"] = round(
        report["with_extension"]["rss_mb"] - report["without_extension"]["rss_mb"], 1
    )
    report["ok"] = not report["with_extension"]["heavy_modules"]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
