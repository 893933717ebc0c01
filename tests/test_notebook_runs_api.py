"""A notebook run, in a real kernel started by the real server, lands in the server's run history."""

import textwrap

import pytest
from api_client import coach  # noqa: F401 (fixture)

CELL = textwrap.dedent(
    """
    from fastai.vision.all import ImageDataLoaders, Resize, error_rate, resnet18, vision_learner
    from jupyterlab_dlcoach import CoachCallback
    dls = ImageDataLoaders.from_folder({folder!r}, valid_pct=0.25, seed=0, item_tfms=Resize(32), bs=16,
                                       num_workers=0, device="cpu")
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)
    learn.fine_tune(1, cbs=CoachCallback(name="my notebook run"))
    print("trained", len(learn.recorder.values))
    """
)


@pytest.mark.timeout(240)
async def test_kernel_run_appears_in_the_server_history(coach, jp_serverapp, jp_root_dir):  # noqa: F811
    await coach.sample("nb-shapes")
    manager = jp_serverapp.kernel_manager
    kernel_id = await manager.start_kernel(path=".")
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        outputs = []
        reply = await client.execute_interactive(
            CELL.format(folder=str(jp_root_dir / "nb-shapes")),
            timeout=180,
            output_hook=lambda msg: outputs.append(msg["content"]),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        assert any("trained" in str(o.get("text", "")) for o in outputs), outputs
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)

    runs = (await coach.ok("GET", "runs"))["runs"]
    notebook = [r for r in runs if r["kind"] == "notebook"]
    assert len(notebook) == 1, runs
    run = notebook[0]
    assert run["name"] == "my notebook run"
    assert run["state"] == "completed"
    events = await coach.events(run["id"])
    epochs = [e for e in events if e["type"] == "epoch"]
    assert [e["phase"] for e in epochs] == ["frozen", "unfrozen"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
