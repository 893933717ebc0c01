"""The run store's SQLite schema and how values are written into it: the store's data, kept apart
from its logic (``core/store.py``)."""

from __future__ import annotations

import json
import math

# 2: runs.owner and the owners table (which server runs a job; see ownership.py).
SCHEMA_VERSION = 2

RUN_COLUMNS = (
    "id",
    "kind",
    "name",
    "spec",
    "state",
    "created",
    "started",
    "ended",
    "device",
    "progress",
    "error",
    "result",
    "pid",
    "pid_started",
    "exit_code",
    "signal",
    "cancel_requested",
    "owner",
)
JSON_COLUMNS = frozenset({"spec", "progress", "error", "result"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('job', 'notebook')),
    name TEXT NOT NULL DEFAULT '',
    spec TEXT,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    ended REAL,
    device TEXT,
    progress TEXT,
    error TEXT,
    result TEXT,
    pid INTEGER,
    pid_started REAL,
    exit_code INTEGER,
    signal TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    owner TEXT
);
CREATE TABLE IF NOT EXISTS owners (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    root TEXT NOT NULL,
    heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    time REAL NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (run_id, seq)
);
-- A run's few epoch, warning and state events, read without scanning its many batch events.
CREATE INDEX IF NOT EXISTS events_by_type ON events (run_id, type, seq);
"""


def finite(value):
    """JSON has no NaN or Infinity; browsers reject them, so they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value) -> str:
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False)
