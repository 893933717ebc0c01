"""A throwaway `jupyter server` for the benchmarks: own config, data and runtime dirs, a token, 127.0.0.1.

It records its module list at exit (through a config-file hook), so a benchmark can tell what it imported.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CONFIG = """
import atexit, json, sys
c.ServerApp.jpserver_extensions = {{"jupyterlab_dlcoach": {enabled}}}
c.ServerApp.allow_unauthenticated_access = False
c.DLCoachApp.db_path = {db!r}

def _dump_modules():
    with open({out!r}, "w") as fh:
        json.dump(sorted(sys.modules), fh)

atexit.register(_dump_modules)
"""


class JupyterServer:
    def __init__(
        self,
        *,
        with_extension: bool = True,
        token: str = "bench-token",
        extra_args=(),
        root_dir: Path | None = None,
        db_path: Path | None = None,
    ):
        self.token = token
        self.dir = Path(tempfile.mkdtemp(prefix="dlcoach-bench-"))
        # Another server's root and store may be shared (two JupyterLabs of one user).
        self.db_path = Path(db_path) if db_path else self.dir / "db" / "runs.sqlite"
        self.root_dir = Path(root_dir) if root_dir else self.dir / "root"
        self.modules_out = self.dir / "modules.json"
        (self.dir / "config").mkdir()
        (self.dir / "root").mkdir()
        (self.dir / "config" / "jupyter_server_config.py").write_text(
            CONFIG.format(enabled=with_extension, db=str(self.db_path), out=str(self.modules_out))
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.dir / "config"),
            "JUPYTER_DATA_DIR": str(self.dir / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.dir / "runtime"),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        args = [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            "--no-browser",
        ]
        args += [
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--allow-root",
            *extra_args,
        ]
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready()

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            f"http://{self.base}/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("jupyter server exited during start-up")
            try:
                self.call("GET", "api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError("jupyter server did not start")

    def stop(self) -> list[str]:
        """Shut down cleanly; return the modules the server had imported."""
        try:
            self.call("POST", "api/shutdown")
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        return json.loads(self.modules_out.read_text()) if self.modules_out.exists() else []
