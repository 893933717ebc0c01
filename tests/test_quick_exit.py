"""The trainer's quick exit: the exit code, flushed output and a crash's traceback survive os._exit."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CASES = [
    ("print('result written', end=''); return 3", 3, "result written", ""),
    ("raise ValueError('boom')", 1, "", "ValueError: boom"),
    ("raise SystemExit('bad arguments')", 1, "", "bad arguments"),
    ("raise KeyboardInterrupt", 130, "", ""),
]


@pytest.mark.parametrize(("body", "code", "stdout", "stderr"), CASES)
def test_the_exit_code_and_the_output_survive(body, code, stdout, stderr):
    script = (
        "from jupyterlab_dlcoach.trainer.quick_exit import run_then_exit\n"
        f"def main(argv):\n    {body}\n"
        "run_then_exit(main)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert proc.returncode == code
    assert proc.stdout == stdout
    assert stderr in proc.stderr
