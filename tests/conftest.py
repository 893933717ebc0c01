"""Fixtures shared by the test files (the server itself is configured in the repository's conftest.py)."""

import contextlib
import os
import signal

import pytest
from api_client import Coach, coach_app


@pytest.fixture
def coach(jp_fetch, jp_serverapp):
    """The API client of a real server with the coach's extension; afterwards, no trainer of the test
    outlives it."""
    app = coach_app(jp_serverapp)
    yield Coach(jp_fetch, app)
    for run in app.store.list_runs(kind="job"):
        if run["pid"] and run["state"] == "running":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(run["pid"], signal.SIGKILL)
