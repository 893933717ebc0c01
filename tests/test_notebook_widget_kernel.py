"""In a real kernel started by the real server, a fine_tune with CoachCallback shows its live widget in
the cell's output, the cell's own prints survive (no clear_output), and the run lands in the server's
history (GET runs) like a server job: kernels inherit the server's DLCOACH_DB."""

import textwrap

import pytest

from jupyterlab_dlcoach.core import samples

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

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
    learn.fine_tune(1, cbs=CoachCallback(name="widget run"))
    print("after training", len(learn.recorder.values))
    """
)


@pytest.mark.timeout(240)
async def test_kernel_run_shows_a_widget_and_keeps_prints(coach, jp_serverapp, jp_root_dir):
    samples.shapes(jp_root_dir / "nb-shapes", per_class=8, image_size=32)
    manager = jp_serverapp.kernel_manager
    kernel_id = await manager.start_kernel(path=".")
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        messages = []
        reply = await client.execute_interactive(
            CELL.format(folder=str(jp_root_dir / "nb-shapes")),
            timeout=180,
            output_hook=lambda msg: messages.append(msg),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)

    kinds = [m["header"]["msg_type"] for m in messages]
    assert "clear_output" not in kinds
    displays = [m["content"] for m in messages if m["header"]["msg_type"] == "display_data"]
    widgets = [d for d in displays if WIDGET_MIME in d.get("data", {})]
    assert len(widgets) == 1, displays
    model_id = widgets[0]["data"][WIDGET_MIME]["model_id"]

    text = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
    assert "before training" in text
    assert "after training 1" in text  # printed after fine_tune, in the same cell: it survives

    # The widget was updated live over its comm: HTML values holding the chart and the final line.
    updates = [
        m["content"]["data"].get("state", {})
        for m in messages
        if m["header"]["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update"
    ]
    values = [u["value"] for u in updates if "value" in u]
    assert any("<svg" in v for v in values), updates[:3]
    assert any("run completed" in v for v in values)
    opened = {m["content"]["comm_id"] for m in messages if m["header"]["msg_type"] == "comm_open"}
    assert model_id in opened

    # And the run is in the server's history, with its events, like a server job.
    runs = (await coach.ok("GET", "runs"))["runs"]
    (run,) = [r for r in runs if r["kind"] == "notebook"]
    assert run["name"] == "widget run"
    assert run["state"] == "completed"
    events = await coach.events(run["id"])
    assert [e["phase"] for e in events if e["type"] == "epoch"] == ["frozen", "unfrozen"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
