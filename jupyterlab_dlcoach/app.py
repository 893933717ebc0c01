"""The Jupyter server extension: configuration, collaborators and the start/stop hooks."""

from __future__ import annotations

from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode, default

from .routes import route_table


class DLCoachApp(ExtensionApp):
    """Serves the coach's REST API under ``{base_url}/jupyterlab-dlcoach/``."""

    name = "jupyterlab_dlcoach"
    # The coach has no page of its own; JupyterLab is the UI.
    load_other_extensions = True

    db_path = Unicode(
        help="SQLite file that keeps every run (server jobs and notebook runs) and its events.",
    ).tag(config=True)

    @default("db_path")
    def _default_db_path(self):
        return str(Path(jupyter_data_dir()) / "dlcoach" / "runs.sqlite")

    def initialize_handlers(self):
        self.handlers.extend(route_table())
