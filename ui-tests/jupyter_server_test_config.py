"""Server configuration for the galata integration tests.

Never use this configuration in production: it opens the server without a token and exposes
JupyterLab's JavaScript objects on `window` for the tests.
"""

import os
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)

c.ServerApp.port = int(os.environ.get("GALATA_PORT", "8888"))
# jupyter_server refuses to run as root unless told; CI machines run as root.
c.ServerApp.allow_root = True
# Each test run gets its own run store, so results never leak between runs. The frame-gaps benchmark names
# one (DLCOACH_GALATA_DB), as it writes a long run into it from another process.
c.DLCoachApp.db_path = os.environ.get("DLCOACH_GALATA_DB") or str(
    Path(tempfile.mkdtemp(prefix="dlcoach-galata-")) / "runs.sqlite"
)
# Pretrained weights: a torch hub folder of the test run's own, and downloads that can reach nothing but
# a closed port on this machine (the System section's "Get pretrained weights" then fails as offline).
os.environ["TORCH_HOME"] = tempfile.mkdtemp(prefix="dlcoach-galata-torch-")
c.DLCoachApp.weights_base_url = "http://127.0.0.1:9/models/"
