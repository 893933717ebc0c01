"""HTTP routes: thin handlers that parse input, call a service and write JSON.

The contract is written down in ``docs/api.md``; ``tests/test_*_api.py`` hold these handlers to it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import tornado
from jupyter_server.auth.decorator import authorized

from jupyterlab_dlcoach.core import datasets, samples, weights
from jupyterlab_dlcoach.core.errors import BadInput, NotFound
from jupyterlab_dlcoach.core.models import JobSpec, job_schema
from jupyterlab_dlcoach.server import estimate, relabel_routes, run_models, sample_paths, series_params
from jupyterlab_dlcoach.server.base import RUN_ID, ServiceHandler
from jupyterlab_dlcoach.server.predict_route import PredictHandler
from jupyterlab_dlcoach.server.stream import StreamHandler, parse_after
from jupyterlab_dlcoach.server.system import nvml_gpus, system_info

NAMESPACE = "jupyterlab-dlcoach"
# Run ids are 12 hex digits (see store.create_run); anything else is not a run and gets the router's 404.


class SystemHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json({**system_info(), "store": self.coach.store_status})


class DatasetsHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        path = self.get_query_argument("path", None)
        if path is None:
            raise BadInput(
                "'path' is required: a folder relative to the server root, e.g. ?path=shapes.", field="path"
            )
        labels = self.get_query_argument("labels", None)
        if labels is not None:
            try:
                labels = json.loads(labels)
            except RecursionError as e:
                raise BadInput(
                    '\'labels\' is nested too deeply; send an object such as {"from": "folder"}.',
                    field="labels",
                ) from e
            except ValueError as e:
                raise BadInput(
                    f'\'labels\' must be JSON such as {{"from": "folder"}}: {e}.', field="labels"
                ) from e
            # The same rules as a job spec's labels, so what inspects fine also trains.
            labels = JobSpec.from_json({"dataset": path, "labels": labels}).labels
        root = self.coach.root_dir
        # Reading every image can take a while on a big folder; keep the server responsive meanwhile.
        self.write_json(await asyncio.to_thread(datasets.inspect, root, path, labels=labels))


class SamplesHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json(samples.catalogue())

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        options = sample_paths.sample_options(body)
        root = self.coach.root_dir
        dest, new_top = sample_paths.sample_destination(root, options.pop("path"))
        await asyncio.to_thread(sample_paths.write_or_undo, dest, new_top, **options)
        # Inspect the folder just written, named as the server resolved it.
        rel = dest.relative_to(Path(root).resolve()).as_posix()
        inspection = await asyncio.to_thread(datasets.inspect, root, rel)
        self.write_json(inspection, status=201)


class JobsHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json({"jobs": self.coach.manager.list_jobs()})

    @tornado.web.authenticated
    @authorized
    def post(self):
        job = self.coach.manager.submit(self.json_body())
        self.set_header("Location", self.request.path.rstrip("/") + "/" + job["id"])
        self.write_json(job, status=201)


class JobSchemaHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json(job_schema())


class JobHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self, run_id):
        self.write_json(self.coach.manager.get_run(run_id, kind="job"))

    @tornado.web.authenticated
    @authorized
    def delete(self, run_id):
        self.coach.manager.delete(run_id, kind="job")
        self.set_status(204)
        self.finish()


class JobCancelHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def post(self, run_id):
        self.write_json(self.coach.manager.cancel(run_id))


class RunsHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json({"runs": self.coach.manager.list_runs()})


class RunHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self, run_id):
        self.write_json(self.coach.manager.get_run(run_id))

    @tornado.web.authenticated
    @authorized
    def delete(self, run_id):
        self.coach.manager.delete(run_id, kind=None)
        self.set_status(204)
        self.finish()


class RunEventsHandler(ServiceHandler):
    @tornado.web.authenticated
    @authorized
    def get(self, run_id):
        after = parse_after(self.get_query_argument("after", None))
        limit = parse_limit(self.get_query_argument("limit", None))
        events = self.coach.manager.events(run_id, after=after, limit=limit)
        self.write_json({"run_id": run_id, "events": events})


class RunSeriesHandler(ServiceHandler):
    """A run's history for a chart: batch losses thinned to ``points`` (min and max per bucket), every
    other event, and the seq to follow it live from (``stream?run=ID&after=last_seq``)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id):
        points = series_params.parse_points(self.get_query_argument("points", None))
        x_from = series_params.parse_x(self.get_query_argument("from", None), "from")
        x_to = series_params.parse_x(self.get_query_argument("to", None), "to")
        if x_from is not None and x_to is not None and x_to <= x_from:
            raise BadInput(
                f"'to' must be after 'from' (got from={x_from:g}, to={x_to:g}): the range of epochs to show.",
                field="to",
            )
        # A long run's history is a second of SQL: read it off the event loop, as other store reads.
        manager = self.coach.manager
        self.write_json(await asyncio.to_thread(manager.series, run_id, points, x_from, x_to))


class UnknownRouteHandler(ServiceHandler):
    """Anything else under the namespace: a JSON 404 naming the path, not tornado's HTML page."""

    def _missing(self, rest):
        raise NotFound(
            f"There is no route '{rest}' here; docs/api.md lists the routes (ids are 12 hex digits)."
        )

    @tornado.web.authenticated
    @authorized
    def get(self, rest):
        self._missing(rest)

    @tornado.web.authenticated
    @authorized
    def post(self, rest):
        self._missing(rest)

    @tornado.web.authenticated
    @authorized
    def put(self, rest):
        self._missing(rest)

    @tornado.web.authenticated
    @authorized
    def patch(self, rest):
        self._missing(rest)

    @tornado.web.authenticated
    @authorized
    def delete(self, rest):
        self._missing(rest)


def parse_limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if len(raw) > 6 or not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BadInput(f"'limit' must be a whole number from 1 to 100000 (got {shown!r}).", field="limit")
    return int(raw)


def route_table() -> list[tuple[str, type]]:
    """Patterns relative to the server's base URL (ExtensionApp joins them)."""
    ns = NAMESPACE
    return [
        (rf"/{ns}/system", SystemHandler),
        (rf"/{ns}/datasets", DatasetsHandler),
        (rf"/{ns}/samples", SamplesHandler),
        (rf"/{ns}/jobs", JobsHandler),
        (rf"/{ns}/jobs/schema", JobSchemaHandler),
        (rf"/{ns}/jobs/{RUN_ID}", JobHandler),
        (rf"/{ns}/jobs/{RUN_ID}/cancel", JobCancelHandler),
        (rf"/{ns}/runs", RunsHandler),
        (rf"/{ns}/runs/{RUN_ID}", RunHandler),
        (rf"/{ns}/runs/{RUN_ID}/events", RunEventsHandler),
        (rf"/{ns}/runs/{RUN_ID}/predict", PredictHandler),
        (rf"/{ns}/runs/{RUN_ID}/series", RunSeriesHandler),
        *run_models.routes(ns),
        (rf"/{ns}/stream", StreamHandler),
        (rf"/{ns}/weights", WeightsHandler),
        (rf"/{ns}/jobs/estimate", EstimateHandler),
        *relabel_routes.routes(ns),
        (rf"/{ns}/(?P<rest>.*)", UnknownRouteHandler),
    ]


class WeightsHandler(ServiceHandler):
    """Pretrained weights: what the torch hub cache holds, and downloads into it."""

    def _state(self) -> dict:
        return {
            "hub_dir": str(weights.hub_checkpoints_dir()),
            "weights": weights.cache_listing(),
            "downloads": self.coach.weights.list(),
        }

    @tornado.web.authenticated
    @authorized
    def get(self):
        self.write_json(self._state())

    @tornado.web.authenticated
    @authorized
    def post(self):
        body = self.json_body()
        for key in body:
            if key != "arch":
                raise BadInput(
                    f"Unknown field '{key}'; send only 'arch', e.g. {{\"arch\": \"resnet18\"}}.", field=key
                )
        if "arch" not in body:
            raise BadInput(
                "'arch' is required: the architecture whose pretrained weights to get, e.g. \"resnet18\".",
                field="arch",
            )
        download, started = self.coach.weights.start(body["arch"])
        self.write_json({**self._state(), "download": download}, status=202 if started else 200)


class EstimateHandler(ServiceHandler):
    """How long a job would take, before it is submitted."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        spec = JobSpec.from_json(self.json_body())
        coach = self.coach
        # Listing and opening the data set's images and reading earlier runs touch the disk.
        answer = await asyncio.to_thread(
            lambda: estimate.estimate_job(spec, root=coach.root_dir, store=coach.store, gpus=nvml_gpus())
        )
        self.write_json(answer)
