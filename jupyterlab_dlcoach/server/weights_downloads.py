"""Downloading pretrained weights into the torch hub folder, for the server's `POST weights`.

A download runs in a thread with bounded waits: where the internet cannot be reached it fails within
seconds with advice, and it never leaves a half-written file where torch would load it. What the files
are and where they go is ``core/weights.py``'s knowledge, shared with the trainer.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from jupyterlab_dlcoach.core.weights import (
    WEIGHTS,
    base_url,
    entry,
    is_cached,
    weights_path,
    weights_url,
)

_CHUNK = 1 << 20
KEEP_FINISHED = 50


class DownloadFailed(Exception):
    """A download that cannot finish, with what happened and what to do, in the learner's words."""

    def __init__(self, message: str, advice: str):
        super().__init__(message)
        self.message = message
        self.advice = advice


class Download:
    """One download's state, written by its thread and read by the server under the same lock."""

    def __init__(self, arch: str, url: str, dest: Path):
        self.id = uuid.uuid4().hex[:12]
        self.arch = arch
        self.url = url
        self.dest = dest
        self.state = "running"
        self.bytes_done = 0
        self.bytes_total: int | None = None
        self.error: dict | None = None
        self.started = time.time()
        self.ended: float | None = None
        self.abandoned = threading.Event()

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "arch": self.arch,
            "state": self.state,
            "bytes_done": self.bytes_done,
            "bytes_total": self.bytes_total,
            "error": self.error,
            "started": self.started,
            "ended": self.ended,
            "url": self.url,
            "file": str(self.dest),
        }


class WeightsDownloads:
    """Downloads of pretrained weights into the torch hub folder, one thread each.

    ``timeout`` bounds the wait for an answer, name lookup included (which a socket timeout does not
    cover), and then each wait for more data: offline, a download fails within that many seconds.
    """

    def __init__(self, base_url_setting: str | None = None, *, timeout: float = 10.0):
        base_url(base_url_setting)  # a bad address fails when the server starts, not at the first click
        self.base_url_setting = base_url_setting
        self.timeout = timeout
        self._lock = threading.Lock()
        self._downloads: list[Download] = []

    def start(self, arch) -> tuple[dict, bool]:
        """(the download, whether a new one started). An arch already cached or already on its way
        answers with that instead of fetching it twice."""
        entry(arch)
        with self._lock:
            for d in reversed(self._downloads):
                if d.arch == arch and d.state == "running":
                    return d.to_json(), False
            dest = weights_path(arch)
            d = Download(arch, weights_url(arch, self.base_url_setting), dest)
            if is_cached(arch):
                d.state, d.ended = "done", d.started
                d.bytes_done = d.bytes_total = dest.stat().st_size
                self._downloads.append(d)
                return d.to_json(), False
            self._downloads.append(d)
            # Finished downloads are only history: keep the newest few.
            finished = [old for old in self._downloads if old.state != "running"]
            for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                self._downloads.remove(old)
        threading.Thread(target=self._run, args=(d,), name=f"dlcoach-weights-{arch}", daemon=True).start()
        return self.get(d.id), True

    def get(self, download_id: str) -> dict:
        with self._lock:
            for d in self._downloads:
                if d.id == download_id:
                    return d.to_json()
        raise KeyError(download_id)

    def list(self) -> list[dict]:
        """Newest first, like the runs."""
        with self._lock:
            return [d.to_json() for d in reversed(self._downloads)]

    def stop(self) -> None:
        """Tell running downloads to give up (at their next chunk); their temporary files go."""
        with self._lock:
            for d in self._downloads:
                d.abandoned.set()

    # -- the worker thread ------------------------------------------------------------------

    def _run(self, d: Download) -> None:
        try:
            self._fetch(d)
        except DownloadFailed as e:
            self._settle(d, "failed", {"message": e.message, "advice": e.advice})
        except Exception as e:  # a download must end in a state, whatever went wrong
            self._settle(
                d,
                "failed",
                {
                    "message": f"The download of the {d.arch} weights stopped on an unexpected error: {e}.",
                    "advice": _copy_advice(d),
                },
            )
        else:
            self._settle(d, "done", None)

    def _settle(self, d: Download, state: str, error: dict | None) -> None:
        with self._lock:
            d.state, d.error, d.ended = state, error, time.time()

    def _fetch(self, d: Download) -> None:
        folder = d.dest.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _cannot_write(d, e) from e
        response = self._open(d)
        partial = folder / f"{d.dest.name}.{uuid.uuid4().hex[:8]}.partial"
        try:
            with response:
                length = response.headers.get("Content-Length")
                with self._lock:
                    d.bytes_total = int(length) if length and length.isdigit() else None
                digest = self._copy(d, response, partial)
            if d.bytes_total is not None and d.bytes_done != d.bytes_total:
                raise DownloadFailed(
                    f"The download of the {d.arch} weights was cut off after {_mb(d.bytes_done)} of "
                    f"{_mb(d.bytes_total)}.",
                    "Try again; if it keeps happening, " + _copy_advice(d, lowercase=True),
                )
            prefix = WEIGHTS[d.arch].hash_prefix
            if not digest.startswith(prefix):
                raise DownloadFailed(
                    f"The file that arrived for {d.arch} is not the one expected: its checksum does not "
                    f"match the '{prefix}' in its name, so it was thrown away.",
                    "Try again; if it keeps happening, something between this machine and the internet "
                    "changes downloads. " + _copy_advice(d),
                )
            # The finished file appears under its real name in one step, so torch never sees half of it.
            os.replace(partial, d.dest)
        finally:
            partial.unlink(missing_ok=True)

    def _open(self, d: Download):
        """Open the URL within the timeout, name lookup included: the lookup runs in a helper
        thread that is left behind if it hangs (it ends on its own and closes what it opened)."""
        answer: queue.Queue = queue.Queue(maxsize=1)
        # The scheme was checked to be http(s) by base_url().
        request = urllib.request.Request(d.url, headers={"User-Agent": "jupyterlab-dlcoach"})  # noqa: S310

        def opener():
            try:
                response = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310
            except BaseException as e:  # handed to the waiting thread, which decides
                answer.put(e)
                return
            try:
                answer.put_nowait(response)
            except queue.Full:
                response.close()

        helper = threading.Thread(target=opener, name=f"dlcoach-weights-open-{d.arch}", daemon=True)
        helper.start()
        try:
            got = answer.get(timeout=self.timeout)
        except queue.Empty:
            # Fill the slot so a late answer is closed by the helper instead of leaking.
            try:
                answer.put_nowait(None)
            except queue.Full:
                late = answer.get_nowait()
                if hasattr(late, "close"):
                    late.close()
            raise _unreachable(d, f"no answer within {self.timeout:g} s") from None
        if isinstance(got, urllib.error.HTTPError):
            got.close()
            raise DownloadFailed(
                f"The download server answered '{got.code} {got.reason}' for the {d.arch} weights ({d.url}).",
                "Check the address of the download server if you changed it; otherwise try again later, or "
                + _copy_advice(d, lowercase=True),
            )
        if isinstance(got, (urllib.error.URLError, OSError)):
            reason = getattr(got, "reason", got)
            raise _unreachable(d, _reason_text(reason)) from None
        if isinstance(got, BaseException):
            raise got
        return got

    def _copy(self, d: Download, response, partial: Path) -> str:
        sha = hashlib.sha256()
        try:
            with open(partial, "wb") as out:
                while True:
                    if d.abandoned.is_set():
                        raise DownloadFailed(
                            f"The download of the {d.arch} weights was stopped because the server shut down.",
                            "Start it again from the System section.",
                        )
                    try:
                        chunk = response.read(_CHUNK)
                    except TimeoutError as e:
                        raise DownloadFailed(
                            f"The download of the {d.arch} weights stalled: no data came for "
                            f"{self.timeout:g} s (after {_mb(d.bytes_done)}).",
                            "Try again when the connection is better, or " + _copy_advice(d, lowercase=True),
                        ) from e
                    except OSError as e:
                        raise _unreachable(d, _reason_text(e)) from e
                    if not chunk:
                        break
                    out.write(chunk)
                    sha.update(chunk)
                    with self._lock:
                        d.bytes_done += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except DownloadFailed:
            raise
        except OSError as e:
            raise _cannot_write(d, e) from e
        return sha.hexdigest()


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _reason_text(reason) -> str:
    if isinstance(reason, BaseException):
        return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return str(reason)


def _copy_advice(d: Download, *, lowercase: bool = False) -> str:
    text = (
        f"On a computer that can reach {d.url}, download that file and copy it, keeping its name "
        f"{d.dest.name}, into the folder {d.dest.parent} on this machine; the System section then lists "
        f"{d.arch} as cached. Meanwhile you can train from scratch: turn 'Pretrained' off."
    )
    return text[0].lower() + text[1:] if lowercase else text


def _unreachable(d: Download, why: str) -> DownloadFailed:
    host = urllib.parse.urlsplit(d.url).netloc or d.url
    return DownloadFailed(
        f"This machine cannot reach the internet, or not {host}: {why}.",
        _copy_advice(d),
    )


def _cannot_write(d: Download, e: OSError) -> DownloadFailed:
    return DownloadFailed(
        f"The weights cannot be saved in {d.dest.parent}: {e.strerror or e}.",
        "Free some disk space, or start JupyterLab with TORCH_HOME set to a folder you can write to "
        "(torch looks for weights there too).",
    )
