"""In a real kernel started by the real server, a fine_tune with CoachCallback puts one output in the cell: a
MIME bundle naming the run (JupyterLab draws it from the run store), updated in place with a text summary and,
at the end, a PNG of the final curves. The cell's own prints survive (no clear_output), the run lands in the
server's history (kernels inherit the server's DLCOACH_DB) and the server's push channel carries it live."""

import base64
import textwrap

import pytest
from api_client import coach_app

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.kernel.display import MIME

CELL = textwrap.dedent(
    """
    from fastai.vision.all import ImageDataLoaders, Resize, error_rate, resnet18, set_seed, vision_learner
    from jupyterlab_dlcoach import CoachCallback
    print("before training")
    # A from-scratch model on 18 images can honestly end "diverged" for some seeds; this one learns.
    set_seed(1, reproducible=True)
    dls = ImageDataLoaders.from_folder({folder!r}, valid_pct=0.25, seed=0, item_tfms=Resize(32), bs=16,
                                       num_workers=0, device="cpu")
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)
    learn.fine_tune(1, cbs=CoachCallback(name="cell run"))
    print("after training", len(learn.recorder.values))
    """
)


async def run_cell(jp_serverapp, code: str) -> list[dict]:
    """Execute one cell in a fresh kernel of the server; every iopub message it caused."""
    manager = jp_serverapp.kernel_manager
    kernel_id = await manager.start_kernel(path=".")
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        messages = []
        reply = await client.execute_interactive(code, timeout=180, output_hook=messages.append)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)
    return messages


def coach_outputs(messages: list[dict]) -> tuple[dict, list[dict]]:
    """The one display of the coach's bundle, and its updates (same display id), in order."""
    displays = [
        m["content"]
        for m in messages
        if m["header"]["msg_type"] == "display_data" and MIME in m["content"].get("data", {})
    ]
    assert len(displays) == 1, displays
    (shown,) = displays
    display_id = shown["transient"]["display_id"]
    updates = [
        m["content"]
        for m in messages
        if m["header"]["msg_type"] == "update_display_data"
        and m["content"]["transient"]["display_id"] == display_id
    ]
    return shown, updates


def printed(messages: list[dict], name: str | None = None) -> str:
    return "".join(
        m["content"].get("text", "")
        for m in messages
        if m["header"]["msg_type"] == "stream" and name in (None, m["content"]["name"])
    )


@pytest.mark.timeout(240)
async def test_kernel_run_shows_one_bundle_and_keeps_prints(coach, jp_serverapp, jp_root_dir):
    samples.shapes(jp_root_dir / "nb-shapes", per_class=8, image_size=32)
    # The push channel, as a browser would follow every run: it must carry the notebook run live.
    pushed = []
    sub = coach_app(jp_serverapp).hub.subscribe(pushed.append)
    try:
        messages = await run_cell(jp_serverapp, CELL.format(folder=str(jp_root_dir / "nb-shapes")))
        coach_app(jp_serverapp).hub.poll()
    finally:
        coach_app(jp_serverapp).hub.unsubscribe(sub)

    assert "clear_output" not in [m["header"]["msg_type"] for m in messages]
    text = printed(messages)
    assert "before training" in text
    assert "after training 1" in text  # printed after fine_tune, in the same cell: it survives

    shown, updates = coach_outputs(messages)
    bundle = shown["data"][MIME]
    run_id = bundle["run_id"]
    assert bundle["state"] == "running"
    assert (bundle["recorded"], bundle["problem"]) == (True, None)
    assert bundle["name"] == "cell run"
    assert "DL Coach · cell run · running" in shown["data"]["text/plain"]
    assert "image/png" not in shown["data"]
    # Updated at each epoch's end and at the run's end; only the last one carries the picture.
    assert 2 <= len(updates) <= 6, [u["data"]["text/plain"] for u in updates]
    assert all(u["data"][MIME]["run_id"] == run_id for u in updates)
    assert [u for u in updates[:-1] if "image/png" in u["data"]] == []
    final = updates[-1]["data"]
    assert final[MIME]["state"] == "completed"
    assert final["text/plain"].startswith("DL Coach · cell run · completed: 2 epochs in ")
    assert "error rate" in final["text/plain"]
    png = base64.b64decode(final["image/png"])
    assert png.startswith(b"\x89PNG")
    assert 2_000 < len(png) < 60_000, len(png)

    # The run is in the server's history with its events, like a server job.
    run = await coach.ok("GET", "runs", run_id)
    assert (run["kind"], run["name"], run["state"]) == ("notebook", "cell run", "completed")
    events = await coach.events(run_id)
    assert [e["phase"] for e in events if e["type"] == "epoch"] == ["frozen", "unfrozen"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # ... and the push channel carried it while it trained: its events and its end.
    seqs = [e["seq"] for m in pushed if m["type"] == "events" and m["run_id"] == run_id for e in m["events"]]
    assert seqs == [e["seq"] for e in events]
    states = [m["run"]["state"] for m in pushed if m["type"] == "run" and m["run"]["id"] == run_id]
    assert states[-1] == "completed"
