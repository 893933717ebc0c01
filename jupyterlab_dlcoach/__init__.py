"""jupyterlab-dlcoach: a JupyterLab coach for people learning deep learning.

The server extension lives in :mod:`jupyterlab_dlcoach.app`. Importing this package must stay
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
    from .app import DLCoachApp

    return [{"module": "jupyterlab_dlcoach", "app": DLCoachApp}]


def __getattr__(name):
    if name == "CoachCallback":
        from .callback import CoachCallback

        return CoachCallback
    raise AttributeError(f"module 'jupyterlab_dlcoach' has no attribute {name!r}")
