"""Opening a long run: the thinned history (GET runs/ID/series) against the whole event log, on a real server.

Writes a run of N batch events (and an epoch event every --per-epoch batches) into a real store, starts a
jupyter server on it, and times what a run view asks for when it opens the run:

  - new: GET runs/ID/series?points=P, then the push channel from its last seq (stream?run=ID&after=SEQ)
    until the server's first message;
  - old: the push channel from seq 0 (the whole backlog, 500 events a message: what the view did before),
    and GET runs/ID/events (the whole log in one reply).

Each path runs in its own fresh server, so that the server's peak resident memory (VmHWM) is that path's.

    python bench/bench_history.py [--batches 1000000] [--per-epoch 1000] [--points 4000] [--skip-old]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_server_process import JupyterServer

from jupyterlab_dlcoach.core.store import RunStore

NS = "jupyterlab-dlcoach"


def write_run(db: Path, batches: int, per_epoch: int) -> tuple[str, int]:
    store = RunStore(db)
    run = store.create_run(kind="notebook", name="a long run", state="completed")
    rng = random.Random(0)
    events: list[dict] = []
    for i in range(batches):
        epoch = i // per_epoch
        loss = 2.0 / (1 + i / 5000) + rng.random() * 0.05
        events.append(
            {"type": "batch", "phase": "fit", "epoch": epoch, "iter": i + 1, "smooth_loss": loss, "lr": 1e-3}
        )
        if (i + 1) % per_epoch == 0:
            events.append(
                {
                    "type": "epoch",
                    "phase": "fit",
                    "epoch": epoch,
                    "train_loss": loss,
                    "valid_loss": loss * 1.1,
                    "metrics": {"error_rate": 0.1},
                    "seconds": 1.0,
                }
            )
        if len(events) >= 20_000:
            store.append_events(run["id"], events)
            events = []
    last = store.append_events(run["id"], events) if events else []
    last_seq = last[-1]["seq"] if last else store.events(run["id"], after=0, limit=1)[0]["seq"]
    store.close()
    return run["id"], last_seq


def peak_mb(server: JupyterServer) -> float:
    """The server process's peak resident memory so far (Linux VmHWM)."""
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_s(server: JupyterServer) -> float:
    """CPU seconds the server process has used: on a loaded machine, the part of the wall time that is
    the server's own work."""
    times = psutil.Process(server.proc.pid).cpu_times()
    return times.user + times.system


def get(server: JupyterServer, path: str) -> tuple[float, int, dict, float]:
    """Wall seconds, bytes, the parsed reply and the server's CPU seconds for one GET."""
    request = urllib.request.Request(
        f"http://{server.base}/{path}", headers={"Authorization": f"token {server.token}"}
    )
    cpu0 = cpu_s(server)
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    seconds = time.perf_counter() - t0
    return seconds, len(body), json.loads(body), cpu_s(server) - cpu0


async def stream(server: JupyterServer, run_id: str, after: int, until_events: int) -> tuple[float, int]:
    """Seconds and bytes until the push channel sent `until_events` events (0: its first message)."""
    url = f"ws://{server.base}/{NS}/stream?run={run_id}&after={after}"
    t0 = time.perf_counter()
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {server.token}"}))
    got, size = 0, 0
    while True:
        message = await asyncio.wait_for(ws.read_message(), 600)
        size += len(message)
        data = json.loads(message)
        if data["type"] == "events":
            got += len(data["events"])
        if got >= until_events:
            break
    seconds = time.perf_counter() - t0
    ws.close()
    return seconds, size


def fresh(db: Path) -> tuple[JupyterServer, float]:
    server = JupyterServer(db_path=db)
    server.call("GET", f"{NS}/runs")  # start the coach's services before the baseline
    time.sleep(1.0)
    return server, peak_mb(server)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--per-epoch", type=int, default=1000)
    parser.add_argument("--points", type=int, default=4000)
    parser.add_argument("--skip-old", action="store_true", help="time only the thinned history")
    args = parser.parse_args()

    db = Path(tempfile.mkdtemp(prefix="dlcoach-history-")) / "runs.sqlite"
    t0 = time.perf_counter()
    run_id, last_seq = write_run(db, args.batches, args.per_epoch)
    report: dict = {
        "batches": args.batches,
        "events": last_seq,
        "store_mb": round(db.stat().st_size / 2**20, 1),
        "write_s": round(time.perf_counter() - t0, 1),
    }

    server, base = fresh(db)
    try:
        seconds, size, reply, cpu = get(server, f"{NS}/runs/{run_id}/series?points={args.points}")
        assert reply["last_seq"] == last_seq, reply["last_seq"]
        follow, _ = asyncio.run(stream(server, run_id, reply["last_seq"], 0))
        second, _, _, cpu2 = get(server, f"{NS}/runs/{run_id}/series?points={args.points}")
        mid = args.batches / args.per_epoch / 2
        zoom, zoom_size, zoomed, zoom_cpu = get(
            server, f"{NS}/runs/{run_id}/series?points={args.points}&from={mid}&to={mid + 1}"
        )
        report["series"] = {
            "seconds": round(seconds, 2),
            "server_cpu_s": round(cpu, 2),
            "then_stream_first_message_s": round(follow, 3),
            "open_s": round(seconds + follow, 2),
            "again_s": round(second, 2),
            "again_server_cpu_s": round(cpu2, 2),
            "mb": round(size / 2**20, 2),
            "points": len(reply["batches"]["seq"]),
            "server_peak_mb": peak_mb(server),
            "server_baseline_mb": base,
            "zoom_one_epoch_s": round(zoom, 2),
            "zoom_server_cpu_s": round(zoom_cpu, 2),
            "zoom_points": len(zoomed["batches"]["seq"]),
            "zoom_mb": round(zoom_size / 2**20, 2),
        }
    finally:
        server.stop()
    print(json.dumps(report["series"]), flush=True)

    if not args.skip_old:
        server, base = fresh(db)
        try:
            cpu0 = cpu_s(server)
            seconds, size = asyncio.run(stream(server, run_id, 0, last_seq))
            report["stream_backlog"] = {
                "seconds": round(seconds, 2),
                "server_cpu_s": round(cpu_s(server) - cpu0, 2),
                "mb": round(size / 2**20, 1),
                "server_peak_mb": peak_mb(server),
                "server_baseline_mb": base,
            }
        finally:
            server.stop()
        print(json.dumps(report["stream_backlog"]), flush=True)
        server, base = fresh(db)
        try:
            seconds, size, reply, cpu = get(server, f"{NS}/runs/{run_id}/events")
            assert len(reply["events"]) == last_seq
            del reply
            report["events_route"] = {
                "seconds": round(seconds, 2),
                "server_cpu_s": round(cpu, 2),
                "mb": round(size / 2**20, 1),
                "server_peak_mb": peak_mb(server),
                "server_baseline_mb": base,
            }
        finally:
            server.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
