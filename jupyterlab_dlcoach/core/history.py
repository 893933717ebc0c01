"""A run's history thinned for a chart: its batch losses reduced to at most N points, read from the store.

A 1M-batch run is 230 MB of event JSON; a chart is ~2,000 pixels wide. This reads the store in SQL, bucket by
bucket, and keeps each bucket's lowest and highest smoothed loss (so spikes and dips survive), with every
non-batch event (epochs, warnings, settings, states: a few per epoch) and the seq to resume the push channel
from. No batch event becomes a Python dict, and the store is never written.

Buckets hold equal runs of sequence numbers, i.e. about equal numbers of batches (epoch, warning and state
events are one in hundreds). Each kept point says its epoch and its index in that epoch, with every epoch's
batch count, so the client places it exactly where it places a live batch (``src/runview/series.ts``).
"""

from __future__ import annotations

import bisect
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

RETRY = "cuda_oom_retry"
# Up to this many batches per point requested, the rows are read in one statement and thinned here.
SMALL = 25

# The store writes payloads with json.dumps, so a batch's loss reads as `"smooth_loss": 0.123` or
# `"smooth_loss": null` (NaN). Reading the number after the key is about twice as fast as parsing the JSON
# (the bulk of the time on a long run); a payload written any other way falls back to the JSON path.
_AT = """instr(payload, '"smooth_loss": ')"""
_LOSS = (
    f"CASE WHEN {_AT} = 0 THEN payload->>'smooth_loss' "
    f"WHEN substr(payload, {_AT} + 15, 1) = 'n' THEN NULL "
    f"ELSE CAST(substr(payload, {_AT} + 15, 32) AS REAL) END"
)
_EPOCH = "payload->>'epoch'"
_WHERE = "FROM events WHERE run_id = ? AND type = 'batch' AND seq >= ? AND seq <= ?"
WORKERS = max(1, min(4, os.cpu_count() or 1))


class _Reader:
    def __init__(self, conn: sqlite3.Connection, run_id: str, last_seq: int, others: list[int]):
        self.conn = conn
        self.run_id = run_id
        self.last_seq = last_seq
        # Seqs of the non-batch events, sorted: a batch's index in its epoch is its seq distance to the
        # epoch's first batch less the non-batch events between them.
        self.others = others

    def _one(self, sql: str, *args):
        return self.conn.execute(sql, (self.run_id, *args)).fetchone()

    def first_batch_after(self, seq: int):
        """(seq, epoch, phase) of the first batch event with a seq above ``seq``, or None."""
        return self._one(
            f"SELECT seq, {_EPOCH}, payload->>'phase' FROM events "  # noqa: S608 (constant)
            "WHERE run_id = ? AND type = 'batch' AND seq > ? AND seq <= ? ORDER BY seq LIMIT 1",
            seq,
            self.last_seq,
        )

    def last_batch_before(self, seq: int):
        return self._one(
            f"SELECT seq, {_EPOCH} FROM events WHERE run_id = ? AND type = 'batch' AND seq < ? "  # noqa: S608 (constant)
            "ORDER BY seq DESC LIMIT 1",
            seq,
        )

    def between(self, lo: int, hi: int) -> int:
        """How many non-batch events have a seq in [lo, hi)."""
        return bisect.bisect_left(self.others, hi) - bisect.bisect_left(self.others, lo)

    def last_of_epoch(self, first: int, epoch, end_hint: int | None, last_batch: int) -> int:
        """The seq of the last batch of ``epoch``, whose first batch is ``first``."""
        if end_hint is not None and end_hint > first:
            row = self.last_batch_before(end_hint)
            if row is not None and row[1] == epoch and row[0] >= first:
                after = self.first_batch_after(row[0])
                if after is None or after[1] != epoch:
                    return row[0]
        # No epoch event closes it (the epoch in progress, or an unusual log): search. Batches of one epoch
        # are consecutive, so "the last batch at or before m is of this epoch" holds up to its last batch.
        lo, hi = first, last_batch
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.last_batch_before(mid + 1)[1] == epoch:
                lo = mid
            else:
                hi = mid - 1
        return self.last_batch_before(lo + 1)[0]


def _spans(reader: _Reader, start: int, epoch_ends: dict) -> list[dict]:
    """Each epoch's batches after ``start``: first and last seq, and how many there are."""
    spans = []
    last = reader.last_batch_before(reader.last_seq + 1)
    if last is None or last[0] <= start:
        return spans
    last_batch = last[0]
    row = reader.first_batch_after(start)
    while row is not None and row[0] <= last_batch:
        first, epoch, phase = row
        end = reader.last_of_epoch(first, epoch, epoch_ends.get(epoch), last_batch)
        count = end - first + 1 - reader.between(first, end + 1)
        spans.append({"epoch": epoch, "phase": phase, "first": first, "last": end, "count": count})
        row = reader.first_batch_after(end)
    return spans


def _seq_at(span: dict, x: float, reader: _Reader) -> int:
    """The seq of the batch drawn nearest ``x`` inside ``span`` (batch i of n sits at epoch + (i+1)/n)."""
    i = min(span["count"] - 1, max(0, int((x - span["epoch"]) * span["count"]) - 1))
    seq = span["first"] + i
    # Skip over non-batch events in between (few; exactness within a batch is not needed for a range).
    return min(span["last"], seq + reader.between(span["first"], seq + 1))


def history(
    connect: Callable[[], sqlite3.Connection],
    run_id: str,
    points: int,
    x_from: float | None = None,
    x_to: float | None = None,
) -> dict:
    """The run's batch losses thinned to at most ``points`` points, its other events and its last seq.

    ``connect`` gives the calling thread's connection to the store (``RunStore.connection``): a long run's
    buckets are read by a few threads at once, each on its own connection.
    """
    conn = connect()
    last_seq = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?", (run_id,)
    ).fetchone()[0]
    # Events are append-only: the same run at the same last seq has the same answer (a reload, a compare
    # overlay or a second view of a finished run costs nothing the second time).
    # (Run ids are random 12 hex digits, unique across stores in practice.)
    key = (run_id, last_seq, points, x_from, x_to)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    answer = _history(conn, connect, run_id, last_seq, points, x_from, x_to)
    with _CACHE_LOCK:
        _CACHE[key] = answer
        while len(_CACHE) > CACHED:
            _CACHE.popitem(last=False)
    return answer


def _history(conn, connect, run_id: str, last_seq: int, points: int, x_from, x_to) -> dict:
    rows = conn.execute(
        "SELECT seq, run_id, type, time, payload FROM events "
        "WHERE run_id = ? AND type != 'batch' AND seq <= ? ORDER BY seq",
        (run_id, last_seq),
    ).fetchall()
    events = [{"seq": r[0], "run_id": r[1], "type": r[2], "time": r[3], **json.loads(r[4])} for r in rows]
    # A CUDA out-of-memory retry starts the fit again: only the batches after the last one are drawn.
    start = max((e["seq"] for e in events if e["type"] == "warning" and e.get("kind") == RETRY), default=0)
    epoch_ends = {e["epoch"]: e["seq"] for e in events if e["type"] == "epoch" and e["seq"] > start}
    reader = _Reader(conn, run_id, last_seq, [e["seq"] for e in events])
    spans = _spans(reader, start, epoch_ends)
    total = sum(s["count"] for s in spans)

    lo_seq = spans[0]["first"] if spans else 0
    hi_seq = spans[-1]["last"] if spans else -1
    if spans and x_from is not None:
        inside = [s for s in spans if s["epoch"] + 1 > x_from] or spans[-1:]
        lo_seq = _seq_at(inside[0], x_from, reader)
    if spans and x_to is not None:
        inside = [s for s in spans if s["epoch"] < x_to] or spans[:1]
        hi_seq = _seq_at(inside[-1], x_to, reader)
    # One batch beyond each edge of a range, so the line runs to the edges of a zoomed chart.
    if x_from is not None and spans:
        before = reader.last_batch_before(lo_seq)
        lo_seq = before[0] if before is not None and before[0] >= spans[0]["first"] else lo_seq
    if x_to is not None and spans:
        after = reader.first_batch_after(hi_seq)
        hi_seq = after[0] if after is not None else hi_seq

    kept = _thin(connect, run_id, lo_seq, hi_seq, points) if hi_seq >= lo_seq and points > 0 else []
    # Each batch's epoch from the spans (its batches are consecutive), not from its JSON.
    firsts = [s["first"] for s in spans]
    seqs, epochs, index, loss = [], [], [], []
    for seq, y in kept:
        at = bisect.bisect_right(firsts, seq) - 1
        if at < 0 or seq > spans[at]["last"]:
            continue
        first = firsts[at]
        seqs.append(seq)
        epochs.append(spans[at]["epoch"])
        index.append(seq - first - reader.between(first, seq))
        loss.append(y)
    return {
        "run_id": run_id,
        "last_seq": last_seq,
        "points": points,
        "from": x_from,
        "to": x_to,
        "batches": {
            "total": total,
            "epochs": [{"epoch": s["epoch"], "phase": s["phase"], "count": s["count"]} for s in spans],
            "seq": seqs,
            "epoch": epochs,
            "index": index,
            "smooth_loss": loss,
        },
        "events": events,
    }


def _thin(
    connect: Callable[[], sqlite3.Connection], run_id: str, lo: int, hi: int, points: int
) -> list[tuple]:
    """(seq, smoothed loss) of the batches in [lo, hi]: all of them, or each bucket's min and max."""
    span = hi - lo + 1
    buckets = max(1, points // 2)
    if span <= SMALL * points:
        rows = connect().execute(f"SELECT seq, {_LOSS} {_WHERE} ORDER BY seq", (run_id, lo, hi)).fetchall()
        # A few rows a bucket: one statement and a pass here beat a statement per bucket.
        return rows if span <= points else _min_max(rows, lo, span, buckets)
    # The buckets in a few contiguous parts, each read by a thread of its own (SQLite works outside the
    # GIL): the wall time of a long run's first read is a fraction of its CPU time on a multi-core machine.
    parts = min(WORKERS, buckets)
    cuts = [b * buckets // parts for b in range(parts + 1)]
    jobs = [
        _pool().submit(_buckets, connect, run_id, lo, span, buckets, cuts[i], cuts[i + 1])
        for i in range(parts)
    ]
    return [row for job in jobs for row in job.result()]


def _buckets(connect, run_id: str, lo: int, span: int, buckets: int, first: int, end: int) -> list[tuple]:
    conn = connect()
    # With one MIN() (or MAX()) in a query, SQLite takes the other columns from the row that holds it.
    q_min = f"SELECT seq, MIN({_LOSS}) {_WHERE}"
    q_max = f"SELECT seq, MAX({_LOSS}) {_WHERE}"
    out: list[tuple] = []
    for b in range(first, end):
        b_lo = lo + b * span // buckets
        b_hi = lo + (b + 1) * span // buckets - 1
        low = conn.execute(q_min, (run_id, b_lo, b_hi)).fetchone()
        if low[1] is None:
            continue  # no batch here, or only NaN losses (stored as null)
        high = conn.execute(q_max, (run_id, b_lo, b_hi)).fetchone()
        out.extend(sorted({tuple(low), tuple(high)}))
    return out


_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
# Answers kept: a 4,000-point answer is a few MB of Python objects.
CACHED = 4

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """A few long-lived threads (so a few store connections, not one per request)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dlcoach-history")
        return _POOL


def _min_max(rows: list, lo: int, span: int, buckets: int) -> list[tuple]:
    """The same buckets as the per-bucket statements (equal runs of seqs), from rows already read."""
    out: list[tuple] = []
    low = high = None
    current = -1
    for seq, y in rows:
        if y is None:
            continue
        # The bucket b holding seq: lo + b * span // buckets <= seq < lo + (b + 1) * span // buckets.
        b = ((seq - lo) * buckets + buckets - 1) // span
        while lo + b * span // buckets > seq:
            b -= 1
        while lo + (b + 1) * span // buckets <= seq:
            b += 1
        if b != current:
            if low is not None:
                out.extend(sorted({low, high}))
            current, low, high = b, (seq, y), (seq, y)
        elif y < low[1]:
            low = (seq, y)
        elif y > high[1]:
            high = (seq, y)
    if low is not None:
        out.extend(sorted({low, high}))
    return out
