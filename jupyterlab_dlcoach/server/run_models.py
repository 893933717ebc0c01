"""A finished job's models: which one the run uses ("Use the best epoch"), and the run as a notebook.

The trainer wrote the files and the run's ``result`` (``best``, ``models``, ``model``; see
core/exports.py); this only checks a choice against what is on disk and records it. No torch here.
"""

from __future__ import annotations

from pathlib import Path

import tornado
from jupyter_server.auth.decorator import authorized

from jupyterlab_dlcoach.core import exports, notebook_code
from jupyterlab_dlcoach.core.errors import BadInput, CoachError, Conflict
from jupyterlab_dlcoach.core.paths import confine
from jupyterlab_dlcoach.server.base import RUN_ID, ServiceHandler


def _use(body: dict) -> str:
    extra = sorted(str(k)[:40] for k in body if k != "use")
    if extra:
        raise BadInput(
            f"Unknown field '{extra[0]}'; send only 'use', e.g. {{\"use\": \"best\"}}.", field=extra[0]
        )
    use = body.get("use")
    if use not in exports.CHOICES:
        raise BadInput(
            "'use' must be \"best\" (the best epoch's model) or \"last\" (the last epoch's model).",
            field="use",
        )
    return use


def _model_file(root: str, rel: str) -> Path | None:
    """The model file under the root, or None when it is gone (or no longer inside the root)."""
    try:
        path = confine(rel, root, field="model")
    except CoachError:
        return None
    return path if path.is_file() else None


def choose_model(manager, run_id: str, body: dict) -> dict:
    """Record which model the run uses; answers the run. 400 bad body, 404 no run, 409 no such file."""
    use = _use(body)
    run = manager.get_run(run_id)
    result = run.get("result") or {}
    models = result.get("models") or {}
    if not models.get("last"):
        raise Conflict(
            "This run has no exported model to choose from: only a finished server job exports one "
            "(a notebook run saves its own with learn.export())."
        )
    rel = models.get(use)
    if not rel or _model_file(manager.root_dir, rel) is None:
        which = "the best epoch's model" if use == "best" else "the last epoch's model"
        raise Conflict(
            f"The file of {which} ({rel or 'none recorded'}) is not in the server root any more; "
            "train the run again to export it."
        )
    if result.get("model", "last") != use:
        manager.store.update_run(run_id, result={**result, "model": use})
        manager.on_change(run_id)
    return manager.get_run(run_id)


def run_notebook(manager, run_id: str) -> dict:
    """The run as a notebook (nbformat 4 JSON) and a file name to save it under."""
    run = manager.get_run(run_id)
    if run["kind"] != "job" or not (run.get("result") or {}).get("settings"):
        raise Conflict(
            "Only a finished server job can be opened as a notebook: its settings are what the "
            "notebook repeats. This run has none (still running, failed, or trained in a notebook)."
        )
    try:
        notebook = notebook_code.run_notebook(run)
    except (KeyError, TypeError, ValueError) as e:  # a store written by hand or by an older version
        raise Conflict(
            f"This run's recorded settings are incomplete ({type(e).__name__}: {str(e)[:80]}), so its "
            "notebook cannot be written. Train it again to get a complete record."
        ) from e
    return {"name": f"{exports.slug(run['name'])}.ipynb", "notebook": notebook}


class RunModelHandler(ServiceHandler):
    """Which exported model a finished job uses: {"use": "best"} or {"use": "last"}."""

    @tornado.web.authenticated
    @authorized
    def post(self, run_id):
        self.write_json(choose_model(self.coach.manager, run_id, self.json_body()))


class RunNotebookHandler(ServiceHandler):
    """A finished job as a notebook (nbformat JSON) with the fastai code of the run."""

    @tornado.web.authenticated
    @authorized
    def get(self, run_id):
        self.write_json(run_notebook(self.coach.manager, run_id))


def routes(ns: str) -> list[tuple[str, type]]:
    return [
        (rf"/{ns}/runs/{RUN_ID}/model", RunModelHandler),
        (rf"/{ns}/runs/{RUN_ID}/notebook", RunNotebookHandler),
    ]
