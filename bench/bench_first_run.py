"""A learner's first run, timed: the default sample trained with the form's defaults, as the panel does it.

Starts a real jupyter server (127.0.0.1, token) per mode, writes the default sample (``POST samples``),
then submits jobs with only ``{"dataset": ...}`` and follows each on the push channel
(``stream?run=ID``), as the panel does. Measured from just before ``POST jobs``: the first batch event
(the chart's first point), the first epoch event, the run's completed state, the time from the last
epoch to that state (export and process exit), and the final error rate. Modes: the warm trainer on
(the default) and off. Targets on a 2-core CPU: first point <= 1 s, completion <= 60 s, error <= 5 %.

    python bench/bench_first_run.py [--modes warm,cold] [--jobs 2] [--sample NAME]

Each row is printed as JSON when measured, and all rows as a table at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
import urllib.error
from pathlib import Path

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jupyter_server_process import JupyterServer

NS = "jupyterlab-dlcoach"
ENDED = ("completed", "failed", "cancelled", "interrupted")
TARGETS = {"first_point_s": 1.0, "completed_s": 60.0, "error_rate": 0.05}
MARKER = "dlcoach warm trainer"


def default_sample(server: JupyterServer) -> str:
    try:
        return server.call("GET", f"{NS}/samples")["default"]
    except (urllib.error.HTTPError, KeyError):
        return "shapes"  # a server from before GET samples


async def wait_warm_ready(server: JupyterServer, timeout: float = 120) -> float:
    """Seconds until an idle warm trainer says it has imported everything (its own log says so)."""
    t0 = time.monotonic()
    artifacts = server.db_path.parent / "artifacts"
    while time.monotonic() - t0 < timeout:
        for log in artifacts.glob(".warm-*.log"):
            if "ready in" in log.read_text(errors="replace"):
                return time.monotonic() - t0
        await asyncio.sleep(0.05)
    raise RuntimeError("no warm trainer became ready")


async def follow(server: JupyterServer, dataset: str) -> dict:
    """Submit a job with the defaults and time what the panel would show."""
    t0 = time.monotonic()
    job = server.call("POST", f"{NS}/jobs", {"dataset": dataset})
    submitted = time.monotonic() - t0
    ws = await websocket_connect(
        HTTPRequest(
            f"ws://{server.base}/{NS}/stream?run={job['id']}&after=0",
            headers={"Authorization": f"token {server.token}"},
        )
    )
    seen: dict[str, float] = {}
    last_epoch = None
    run = job
    try:
        while run["state"] not in ENDED:
            message = json.loads(await asyncio.wait_for(ws.read_message(), 300))
            now = time.monotonic() - t0
            if message["type"] == "run":
                run = message["run"]
            elif message["type"] == "events":
                for event in message["events"]:
                    seen.setdefault(event["type"], now)
                    if event["type"] == "epoch":
                        last_epoch = now
    except BaseException:
        # Trainers outlive their server by design: an interrupted bench must not leave one training.
        server.call("POST", f"{NS}/jobs/{job['id']}/cancel")
        raise
    finally:
        ws.close()
    done = time.monotonic() - t0
    log = server.db_path.parent / "artifacts" / job["id"] / "trainer.log"
    result = run.get("result") or {}
    return {
        "state": run["state"],
        "post_s": round(submitted, 3),
        "first_point_s": round(seen.get("batch", float("nan")), 2),
        "first_epoch_s": round(seen.get("epoch", float("nan")), 2),
        "completed_s": round(done, 2),
        "last_epoch_to_end_s": round(done - last_epoch, 2) if last_epoch else None,
        "error_rate": result.get("error_rate"),
        "epochs": result.get("epochs"),
        "warm": log.exists() and MARKER in log.read_text(errors="replace"),
        "error": run.get("error"),
    }


async def bench_mode(mode: str, jobs: int, sample: str | None, settle: float) -> list[dict]:
    t0 = time.monotonic()
    server = JupyterServer(extra_args=[f"--DLCoachApp.warm_trainer={mode == 'warm'}"])
    ready_s = time.monotonic() - t0
    rows = []
    try:
        name = sample or default_sample(server)
        server.call("POST", f"{NS}/samples", {"name": name, "path": name})
        for i in range(jobs):
            warm_ready = await wait_warm_ready(server) if mode == "warm" else None
            await asyncio.sleep(settle)  # a learner reads the form before clicking Train
            row = {"mode": mode, "job": i + 1, "sample": name, "server_ready_s": round(ready_s, 2)}
            row["warm_ready_s"] = round(warm_ready, 2) if warm_ready is not None else None
            rows.append({**row, **await follow(server, name)})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> str:
    cols = ["mode", "job", "warm", "first_point_s", "first_epoch_s", "completed_s", "last_epoch_to_end_s"]
    cols += ["error_rate", "state"]
    lines = [" | ".join(cols)]
    for row in rows:
        cells = []
        for col in cols:
            value = row[col]
            cells.append(f"{value:.1%}" if col == "error_rate" and value is not None else str(value))
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="warm,cold", help="comma-separated: warm, cold")
    parser.add_argument("--jobs", type=int, default=2, help="jobs per server, one after the other")
    parser.add_argument("--sample", help="sample to train (default: the server's default sample)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds between ready and submit")
    args = parser.parse_args()
    rows = []
    for mode in args.modes.split(","):
        rows += asyncio.run(bench_mode(mode.strip(), args.jobs, args.sample, args.settle))
    print(table(rows))
    print("targets:", json.dumps(TARGETS))


if __name__ == "__main__":
    main()
