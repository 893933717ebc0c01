"""A small client for the coach's HTTP API in tests: JSON calls, waiting for job states, leftovers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time

import psutil

# The smallest real fine-tune: resnet18 from scratch on 32-px pictures, no worker processes; fine_tune
# (one frozen, one unfrozen epoch) named explicitly, as the engine's phases are what these tests check.
# 24 pictures leave 20 for training: a batch of 2 gives the 8+ batches an epoch needs.
TINY_SPEC = {
    "dataset": "shapes",
    "arch": "resnet18",
    "pretrained": False,
    "recipe": "fine_tune",
    "epochs": 1,
    "freeze_epochs": 1,
    "image_size": 32,
    "batch_size": 2,
    "num_workers": 0,
}
ENDED = ("completed", "failed", "cancelled", "interrupted")


class Coach:
    def __init__(self, jp_fetch, app):
        self.fetch = jp_fetch
        self.app = app

    async def request(self, method: str, *path: str, body=None, params=None):
        """(status, parsed JSON or None); never raises for an HTTP error status."""
        kwargs = {"method": method, "params": params, "raise_error": False}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = json.dumps(body if body is not None else {})
        response = await self.fetch("jupyterlab-dlcoach", *path, **kwargs)
        text = response.body.decode() if response.body else ""
        return response.code, (json.loads(text) if text else None)

    async def ok(self, method: str, *path: str, expect: int = 200, **kwargs):
        code, data = await self.request(method, *path, **kwargs)
        assert code == expect, f"{method} {'/'.join(path)} gave {code}: {data}"
        return data

    async def sample(self, path: str = "shapes", per_class: int = 8, image_size: int = 32):
        body = {"name": "shapes", "path": path, "per_class": per_class, "image_size": image_size}
        return await self.ok("POST", "samples", body=body, expect=201)

    async def submit(self, **overrides) -> dict:
        return await self.ok("POST", "jobs", body={**TINY_SPEC, **overrides}, expect=201)

    async def wait_job(self, job_id: str, states=ENDED, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = await self.ok("GET", "jobs", job_id)
            if job["state"] in states:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout}s: {job}"
            await asyncio.sleep(0.1)

    async def events(self, run_id: str, after: int = 0) -> list[dict]:
        return (await self.ok("GET", "runs", run_id, "events", params={"after": str(after)}))["events"]

    async def wait_event(self, run_id: str, type_: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in await self.events(run_id) if e["type"] == type_]
            if found:
                return found[0]
            job = await self.ok("GET", "runs", run_id)
            assert job["state"] in ("queued", "running"), f"run ended before a {type_} event: {job}"
            assert time.monotonic() < deadline, f"no {type_} event after {timeout}s"
            await asyncio.sleep(0.05)


def group_members(pgid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for proc in psutil.process_iter(["status"]):
        with contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess):
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                members.append(proc)
    return members


def coach_app(serverapp):
    return serverapp.extension_manager.extension_points["jupyterlab_dlcoach"].app
