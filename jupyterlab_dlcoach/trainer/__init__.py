"""The training process: `python -m jupyterlab_dlcoach.trainer`, one fresh interpreter per job.

Only this package and `jupyterlab_dlcoach.callback` import torch and fastai; the server never imports them.
"""
