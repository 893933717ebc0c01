"""A long run in a store, then live batches, as a notebook kernel writes them: the browser bench's writer.

    python bench/live_run.py DB --batches 1000000 [--per-epoch 1000]

Creates a notebook run (this process is its kernel), writes its first N batch events (an epoch event every
--per-epoch), prints one JSON line {"run_id", "last_seq"}, then waits. Each line read from stdin then is
a number of seconds to write live for: 10 batch events every 0.1 s (2.5 times the callback's flush rate),
followed by an answer line {"last_seq"}. End of stdin ends it. ui-tests/tests/frame_gaps.spec.ts drives it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyterlab_dlcoach.core.store import RunStore

rng = random.Random(1)


def batch(i: int, per_epoch: int) -> dict:
    loss = 2.0 / (1 + i / 5000) + rng.random() * 0.05 + (1.0 if i % 99_991 == 0 else 0.0)
    return {
        "type": "batch",
        "phase": "fit",
        "epoch": i // per_epoch,
        "iter": i + 1,
        "smooth_loss": loss,
        "lr": 1e-3,
    }


def epoch_end(i: int, per_epoch: int) -> dict:
    return {
        "type": "epoch",
        "phase": "fit",
        "epoch": i // per_epoch,
        "train_loss": 0.5,
        "valid_loss": 0.6,
        "metrics": {"error_rate": 0.1},
        "seconds": 1.0,
    }


def events(start: int, count: int, per_epoch: int) -> list[dict]:
    out = []
    for i in range(start, start + count):
        out.append(batch(i, per_epoch))
        if (i + 1) % per_epoch == 0:
            out.append(epoch_end(i, per_epoch))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db")
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--per-epoch", type=int, default=1000)
    args = parser.parse_args()
    store = RunStore(args.db)
    me = psutil.Process()
    run = store.create_run(
        kind="notebook",
        name=f"{args.batches:,} batches",
        state="running",
        pid=me.pid,
        pid_started=me.create_time(),
    )
    written = 0
    last = []
    while written < args.batches:
        n = min(20_000, args.batches - written)
        last = store.append_events(run["id"], events(written, n, args.per_epoch)) or last
        written += n
    print(json.dumps({"run_id": run["id"], "last_seq": last[-1]["seq"] if last else 0}), flush=True)
    for line in sys.stdin:
        until = time.monotonic() + float(line.strip() or 0)
        while time.monotonic() < until:
            last = store.append_events(run["id"], events(written, 10, args.per_epoch))
            written += 10
            time.sleep(0.1)
        print(json.dumps({"last_seq": last[-1]["seq"] if last else 0}), flush=True)
    store.update_run(run["id"], state="completed", ended=time.time())
    store.close()


if __name__ == "__main__":
    main()
