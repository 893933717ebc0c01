"""The training process: `python -m jupyterlab_dlcoach.trainer`, one fresh interpreter per job.

Only this package and `kernel` (the callback) import torch and fastai; the server never imports them.
"""


class TrainerError(Exception):
    """A failure the trainer recognised: it becomes the run's error {kind, message, advice}."""

    def __init__(self, kind: str, message: str, advice: str):
        super().__init__(message)
        self.error = {"kind": kind, "message": message, "advice": advice}
