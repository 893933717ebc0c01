"""HTTP routes: thin handlers that parse input, call a service and write JSON."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from .base import CoachHandler
from .system import system_info

NAMESPACE = "jupyterlab-dlcoach"


class SystemHandler(CoachHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json(system_info())


def route_table() -> list[tuple[str, type]]:
    """Patterns relative to the server's base URL (ExtensionApp joins them)."""
    return [
        (rf"/{NAMESPACE}/system", SystemHandler),
    ]
