"""jupyterlab-dlcoach: a JupyterLab coach for people learning deep learning.

Packages name the process they run in (docs/architecture.md): ``server`` (the Jupyter server
extension, :mod:`jupyterlab_dlcoach.server.app`), ``kernel`` (the fastai callback and what a notebook
kernel shows), ``trainer`` (one process per job) and ``core`` (shared, pure). Importing this package must stay
cheap and must never import torch or fastai: the Jupyter server imports it. The fastai callback is
therefore loaded lazily, on first access of ``jupyterlab_dlcoach.CoachCallback``.
"""

try:
    from ._version import __version__
except ImportError:  # a plain source checkout that was never installed
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-dlcoach"}]


def _jupyter_server_extension_points():
    from .server.app import DLCoachApp

    return [{"module": "jupyterlab_dlcoach", "app": DLCoachApp}]


def __getattr__(name):
    if name == "CoachCallback":
        from .kernel.callback import CoachCallback

        return CoachCallback
    if name == "samples":  # the learner's `from jupyterlab_dlcoach import samples`
        from .core import samples

        return samples
    raise AttributeError(f"module 'jupyterlab_dlcoach' has no attribute {name!r}")
