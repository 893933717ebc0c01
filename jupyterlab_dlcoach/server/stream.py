"""The push channel: one background task tails the run store and fans new events out to websockets.

Trainers and notebook kernels write events into the store from other processes, so the store is the
one source of truth. A single tail with a global cursor serves every client, however many there are;
each client only says where it wants to start (``after=SEQ``) and gets the backlog, then live events,
with no gaps and no doubles.

Message shapes are documented in ``docs/api.md``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.core.runs import RunState
from jupyterlab_dlcoach.server.base import AUTH_RESOURCE, CoachErrorsMixin

# A websocket frame carries at most this many events, so a long backlog arrives in digestible pieces.
CHUNK = 500

Send = Callable[[dict], None]


class Subscriber:
    """One connected client: all runs (``run_id`` None) or one run from a sequence number on."""

    def __init__(self, send: Send, run_id: str | None, after: int):
        self.send = send
        self.run_id = run_id
        self.last_seq = after

    def wants(self, run_id: str) -> bool:
        return self.run_id is None or self.run_id == run_id

    def push_events(self, run_id: str, events: list[dict]) -> None:
        if self.run_id is not None:
            # The backlog and the live tail may overlap by a few events: the sequence number decides.
            events = [e for e in events if e["seq"] > self.last_seq]
            if not events:
                return
            self.last_seq = events[-1]["seq"]
        for i in range(0, len(events), CHUNK):
            self.send({"type": "events", "run_id": run_id, "events": events[i : i + CHUNK]})


class EventHub:
    """Tails the store every ``poll_interval`` seconds and pushes to every subscriber."""

    def __init__(self, store, render_run: Callable[[dict], dict], *, poll_interval: float = 0.1, log=None):
        self.store = store
        self.render_run = render_run
        self.poll_interval = poll_interval
        self.log = log or logging.getLogger(__name__)
        self._subscribers: set[Subscriber] = set()
        self._tasks: set[asyncio.Task] = set()
        self._cursor = 0
        # What each client last saw of a run, so a "run" message goes out only when something changed.
        self._shown: dict[str, tuple] = {}
        self._started = False

    def start(self) -> None:
        """Begin tailing from the store's newest event. Idempotent (start hook and first use)."""
        if self._started:
            return
        self._started = True
        self._cursor = self.store.last_event_id()
        task = asyncio.get_running_loop().create_task(self._tail_forever(), name="dlcoach-stream-tail")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._subscribers.clear()
        self._started = False

    # -- subscribers ----------------------------------------------------------------------------

    def subscribe(self, send: Send, run_id: str | None = None, after: int = 0) -> Subscriber:
        """Register a client, then send it its starting point.

        Registering before reading the backlog, with no await in between, means every event is either
        in the backlog or comes from the tail later; ``Subscriber.push_events`` drops the overlap.
        """
        self.start()
        sub = Subscriber(send, run_id, after)
        self._subscribers.add(sub)
        if run_id is None:
            send({"type": "runs", "runs": [self.render_run(r) for r in self.store.list_runs()]})
        else:
            run = self.store.get_run(run_id)
            if run is not None:
                send({"type": "run", "run": self.render_run(run)})
            sub.push_events(run_id, self.store.events(run_id, after=after))
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def run_changed(self, run_id: str) -> None:
        """Something outside the event log changed a run (e.g. a cancel request, a deletion)."""
        run = self.store.get_run(run_id)
        if run is None:
            self._shown.pop(run_id, None)
            self._broadcast(run_id, {"type": "deleted", "run_id": run_id})
        else:
            self._show_run(run, force=True)

    # -- the tail -------------------------------------------------------------------------------

    async def _tail_forever(self) -> None:
        failing = False
        while True:
            try:
                self.poll()
                failing = False
            except Exception:
                # A locked or briefly unreadable database must not end the push for everybody; the
                # cursor did not move, so the next poll tries the same events again. Logged once a streak.
                if not failing:
                    self.log.exception("dlcoach: pushing new events failed; retrying")
                failing = True
            await asyncio.sleep(self.poll_interval)

    def poll(self) -> None:
        """Read every event written since the last call and push it.

        The cursor moves only once the events went out, so a failed push is retried, not lost
        (one-run subscribers drop what they already had by seq).
        """
        while True:
            events, cursor = self.store.tail(self._cursor)
            if not events:
                return
            self._dispatch(events)
            self._cursor = cursor

    def _dispatch(self, events: list[dict]) -> None:
        by_run: dict[str, list[dict]] = {}
        for event in events:
            by_run.setdefault(event["run_id"], []).append(event)
        queue_moved = False
        for run_id, run_events in by_run.items():
            run = self.store.get_run(run_id)
            if run is not None:
                self._show_run(run)
                queue_moved |= any(e["type"] == "state" for e in run_events)
            for sub in list(self._subscribers):
                if sub.wants(run_id):
                    self._deliver(sub, sub.push_events, run_id, run_events)
        if queue_moved:
            # A job started or ended: the jobs behind it in the queue moved up.
            for run in self.store.list_runs(kind="job"):
                if run["state"] == RunState.QUEUED:
                    self._show_run(run)

    def _show_run(self, run: dict, force: bool = False) -> None:
        shown = self.render_run(run)
        signature = json.dumps(
            [shown.get(k) for k in ("state", "progress", "position", "cancel_requested", "ended", "name")],
            default=str,
        )
        if not force and self._shown.get(run["id"]) == signature:
            return
        self._shown[run["id"]] = signature
        self._broadcast(run["id"], {"type": "run", "run": shown})

    def _broadcast(self, run_id: str, message: dict) -> None:
        for sub in list(self._subscribers):
            if sub.wants(run_id):
                self._deliver(sub, sub.send, message)

    def _deliver(self, sub: Subscriber, fn, *args) -> None:
        try:
            fn(*args)
        except WebSocketClosedError:
            self.unsubscribe(sub)


class StreamHandler(
    CoachErrorsMixin, WebSocketMixin, WebSocketHandler, ExtensionHandlerMixin, JupyterHandler
):
    """``GET stream?run=ID&after=SEQ`` (one run) or ``GET stream`` (every run), as a websocket.

    Authentication and authorization happen in ``get`` before the upgrade, so a refused client never
    gets a socket; bad parameters are refused the same way, as JSON errors.
    """

    auth_resource = AUTH_RESOURCE

    @ws_authenticated
    @authorized
    async def get(self, *args, **kwargs):
        self.coach.start_services()
        run_id = self.get_query_argument("run", None)
        self._after = parse_after(self.get_query_argument("after", None))
        if run_id is not None:
            self.coach.manager.get_run(run_id)  # 404 before upgrading
        self._run_id = run_id
        self._sub = None
        await super().get(*args, **kwargs)

    @property
    def coach(self):
        return self.extensionapp

    def open(self, *args, **kwargs):
        super().open(*args, **kwargs)
        self._sub = self.coach.hub.subscribe(self._send, self._run_id, self._after)

    def _send(self, message: dict) -> None:
        self.write_message(json.dumps(message))

    def on_message(self, message):
        """Clients have nothing to say on this channel; they reconnect with a new ``after`` instead."""

    def on_close(self):
        if self._sub is not None:
            self.coach.hub.unsubscribe(self._sub)
            self._sub = None


def parse_after(raw: str | None) -> int:
    """``after`` is a sequence number the client already has: a whole number, 0 or more."""
    if raw is None or raw == "":
        return 0
    if len(raw) > 19 or not (raw.isascii() and raw.isdigit()) or int(raw) >= 2**63:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BadInput(
            "'after' must be a whole number from 0 to 2**63-1: the last event seq you already have "
            f"(got {shown!r}).",
            field="after",
        )
    return int(raw)
