"""Event latency: the callback side appends an epoch event to the store; how long until a push client has it?

Starts its own jupyter server (127.0.0.1, token), writes events from this process (as a notebook kernel's
CoachCallback would) and reads them on the websocket `stream?run=ID`. Bounded: N events, then it stops.

    python bench/bench_latency.py [--events 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_server_process import JupyterServer

from jupyterlab_dlcoach.core.store import RunStore

TARGET_P95_MS = 250
POLL_INTERVAL_S = 0.1  # DLCoachApp.poll_interval's default


async def measure(server: JupyterServer, count: int) -> list[float]:
    store = RunStore(server.db_path)
    me = psutil.Process()
    run = store.create_run(
        kind="notebook", name="latency", state="running", pid=me.pid, pid_started=me.create_time()
    )
    ws = await websocket_connect(
        HTTPRequest(
            f"ws://{server.base}/jupyterlab-dlcoach/stream?run={run['id']}&after=0",
            headers={"Authorization": f"token {server.token}"},
        )
    )
    latencies = []
    for i in range(count):
        # A random phase against the server's store polling, as a real training loop has.
        await asyncio.sleep(random.uniform(0.0, POLL_INTERVAL_S))
        store.append_event(run["id"], "epoch", epoch=i, phase="fit", train_loss=0.5, sent=time.time())
        while True:
            message = json.loads(await asyncio.wait_for(ws.read_message(), 10))
            if message["type"] != "events":
                continue
            for event in message["events"]:
                latencies.append((time.time() - event["sent"]) * 1000)
            if message["events"][-1]["epoch"] == i:
                break
    ws.close()
    store.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    server = JupyterServer()
    try:
        latencies = asyncio.run(measure(server, args.events))
    finally:
        server.stop()
    quantiles = statistics.quantiles(latencies, n=100)
    report = {
        "events": len(latencies),
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "max_ms": round(max(latencies), 1),
        "target_p95_ms": TARGET_P95_MS,
    }
    report["ok"] = report["p95_ms"] < TARGET_P95_MS
    print(json.dumps(report))


if __name__ == "__main__":
    main()
