"""The Jupyter server extension: configuration, collaborators and the start/stop hooks."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Int, List, Type, Unicode, default

from jupyterlab_dlcoach.core.store import default_db_path
from jupyterlab_dlcoach.core.weights import BASE_URL_ENV
from jupyterlab_dlcoach.server.executor import Executor, LocalProcessExecutor
from jupyterlab_dlcoach.server.jobs import JobManager
from jupyterlab_dlcoach.server.predictors import Predictors
from jupyterlab_dlcoach.server.routes import route_table
from jupyterlab_dlcoach.server.store_health import open_store
from jupyterlab_dlcoach.server.stream import EventHub
from jupyterlab_dlcoach.server.system import nvml_gpus
from jupyterlab_dlcoach.server.weights_downloads import WeightsDownloads


class DLCoachApp(ExtensionApp):
    """Serves the coach's REST API and push channel under ``{base_url}/jupyterlab-dlcoach/``."""

    name = "jupyterlab_dlcoach"
    # The coach has no page of its own; JupyterLab is the UI.
    load_other_extensions = True

    db_path = Unicode(
        help="SQLite file that keeps every run (server jobs and notebook runs) and its events.",
    ).tag(config=True)

    max_running_jobs = Int(
        help="How many training jobs may run at once; the rest wait in the queue. "
        "Default: one per visible GPU, and one on a machine without a GPU.",
    ).tag(config=True)

    gpus = List(
        Int(),
        help="The machine's GPU numbers that jobs on device auto or cuda are spread over, one GPU each "
        "(CUDA_VISIBLE_DEVICES). Default: every GPU the NVIDIA driver lists.",
    ).tag(config=True)

    cancel_grace_seconds = Float(
        10.0, help="After a cancel, how long a trainer may take to stop on TERM before it is killed."
    ).tag(config=True)

    executor_class = Type(
        default_value=LocalProcessExecutor,
        klass=Executor,
        help="Where trainers run. The default runs them on this machine; a cluster executor can replace it.",
    ).tag(config=True)

    warm_trainer = Bool(
        True,
        help="Keep one trainer process ready with torch and fastai imported, so a job's first batch comes "
        "in well under a second instead of after ~3 s of imports. It is started in the background a few "
        "seconds after the server, used by one job, then replaced; it holds a few hundred MB of memory "
        "while idle. Only for the default LocalProcessExecutor.",
    ).tag(config=True)

    root_dir = Unicode(
        help="Folder that data set paths are relative to and confined to. Default: the server's root_dir.",
    ).tag(config=True)

    poll_interval = Float(
        0.1, help="Seconds between two reads of new events from the store for the push channel."
    ).tag(config=True)

    weights_base_url = Unicode(
        "",
        help="Web folder that pretrained weights files are downloaded from (http or https). Default: "
        f"${BASE_URL_ENV}, else PyTorch's own https://download.pytorch.org/models/.",
    ).tag(config=True)

    weights_timeout = Float(
        10.0,
        help="Seconds a weights download waits for an answer, or for more data, before it gives up "
        "with advice (offline it fails within this time).",
    ).tag(config=True)

    predictor_idle_seconds = Float(
        300.0,
        help="A model asked about a picture stays loaded in its own process this many seconds after its "
        "last prediction, so the next answer comes at once; then the process ends and frees its memory.",
    ).tag(config=True)

    max_predictors = Int(
        2, help="How many models may stay loaded for predictions at once; the one used longest ago ends."
    ).tag(config=True)

    predictor_device = Unicode(
        "auto", help="Where predictions run: auto (the GPU when there is one), cpu, or cuda."
    ).tag(config=True)

    predictor_threads = Int(
        1,
        help="CPU threads one prediction may use. One keeps a training job beside it at full speed and "
        "answers a small model in tens of milliseconds; more can help a large model on an idle machine.",
    ).tag(config=True)

    @default("db_path")
    def _default_db_path(self):
        # The same default as notebook kernels' CoachCallback, so their runs land in the same history.
        return str(default_db_path())

    @default("max_running_jobs")
    def _default_max_running(self):
        return max(1, len(nvml_gpus()))

    @default("gpus")
    def _default_gpus(self):
        return [gpu.index for gpu in nvml_gpus()]

    @default("root_dir")
    def _default_root_dir(self):
        return str(Path(self.serverapp.root_dir).expanduser().resolve())

    def initialize_settings(self):
        # A damaged store is moved aside and replaced here (and said in the log and in GET system).
        self.store, self.store_status = open_store(self.db_path, self.log)
        self.db_path = self.store_status["path"]
        # Kernels started by this server inherit its environment: their CoachCallback then writes to
        # this store, so notebook runs land in the same history as the server's jobs.
        self._previous_db_env = os.environ.get("DLCOACH_DB")
        os.environ["DLCOACH_DB"] = str(Path(self.db_path).resolve())
        if issubclass(self.executor_class, LocalProcessExecutor):
            executor = self.executor_class(warm=self.warm_trainer, log=self.log)
        else:
            executor = self.executor_class()
        self.manager = JobManager(
            self.store,
            executor,
            db_path=str(Path(self.db_path).resolve()),
            root_dir=self.root_dir,
            max_running=self.max_running_jobs,
            grace_s=self.cancel_grace_seconds,
            gpus=self.gpus,
            log=self.log,
        )
        self.hub = EventHub(self.store, self.manager.run_json, poll_interval=self.poll_interval, log=self.log)
        self.predictors = Predictors(
            self.store,
            root_dir=self.root_dir,
            db_path=str(Path(self.db_path).resolve()),
            idle_s=self.predictor_idle_seconds,
            max_warm=self.max_predictors,
            device=self.predictor_device,
            threads=self.predictor_threads,
            log=self.log,
        )

        def run_changed(run_id: str) -> None:
            self.hub.run_changed(run_id)
            # A deleted run's predictor ends with it.
            self.predictors.run_changed(run_id)

        self.manager.on_change = run_changed
        self.weights = WeightsDownloads(self.weights_base_url or None, timeout=self.weights_timeout)

    def initialize_handlers(self):
        self.handlers.extend(route_table())

    async def _start_jupyter_server_extension(self, serverapp):
        self.start_services()

    def start_services(self) -> None:
        """Start the queue and the push tail. Idempotent: handlers call it too, since a server embedded
        by a test harness (pytest-jupyter) never runs the start hook."""
        self.manager.start()
        self.hub.start()

    async def stop_extension(self):
        self.weights.stop()
        await self.predictors.close()
        await self.hub.stop()
        await self.manager.stop()
        self.store.close()
        if self._previous_db_env is None:
            os.environ.pop("DLCOACH_DB", None)
        else:
            os.environ["DLCOACH_DB"] = self._previous_db_env
