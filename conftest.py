import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_dlcoach": True},
            # Every endpoint must require authentication.
            "allow_unauthenticated_access": False,
        },
        "DLCoachApp": {"db_path": str(tmp_path / "coach-db" / "runs.sqlite")},
    }
