"""Routes that fix a wrong label found among the model's mistakes (core/relabel.py does the work)."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from jupyterlab_dlcoach.core import relabel
from jupyterlab_dlcoach.core.errors import BadInput
from jupyterlab_dlcoach.server.base import CoachHandler


def _fields(body: dict, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict:
    for key in body:
        if key not in allowed:
            raise BadInput(f"Unknown field '{str(key)[:80]}'; send only {', '.join(allowed)}.", field=key)
    for key in required:
        if key not in body:
            raise BadInput(f"'{key}' is required.", field=key)
    return body


class RelabelHandler(CoachHandler):
    @tornado.web.authenticated
    @authorized
    def post(self):
        body = _fields(self.json_body(), ("dataset", "path", "to", "labels"), ("dataset", "path", "to"))
        record = relabel.relabel(
            self.coach.root_dir, body["dataset"], body["path"], body["to"], body.get("labels")
        )
        self.write_json(record)


class RelabelUndoHandler(CoachHandler):
    @tornado.web.authenticated
    @authorized
    def post(self):
        body = _fields(self.json_body(), ("dataset", "path", "back_to"), ("dataset", "path", "back_to"))
        self.write_json(relabel.undo(self.coach.root_dir, body["dataset"], body["path"], body["back_to"]))


def routes(ns: str) -> list[tuple[str, type]]:
    return [
        (rf"/{ns}/datasets/relabel", RelabelHandler),
        (rf"/{ns}/datasets/relabel/undo", RelabelUndoHandler),
    ]
