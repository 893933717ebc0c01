"""The trainer process's end: as soon as the result is written, not after Python's own shutdown."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn


def run_then_exit(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> NoReturn:
    """Run ``main(argv)`` and end the process the moment it returns, with its exit code.

    Python's own shutdown (tearing down torch, fastai and their threads) takes over a second after the
    result is written, and the server shows the run as running until the process is gone. The result,
    events and model are already on disk, so only the standard streams need flushing before os._exit.
    """
    try:
        code = main(argv)
    except SystemExit as e:  # argparse: --help, bad arguments
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # a crash: its traceback belongs in the log, as Python would print it
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
