"""The predictor process: one exported model, kept loaded, answering predictions for the server.

`python -m jupyterlab_dlcoach.predictor --model FILE [--dataset FOLDER]` is started by the server
(:mod:`jupyterlab_dlcoach.server.predictors`) on a run's first prediction. It imports torch and fastai,
so it never runs inside the server; the server never imports this package.
"""
