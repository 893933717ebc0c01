"""In a real kernel, a CoachCallback whose store cannot be written still trains and shows the run, and says
once, in the cell (a warning and a note in the live view), that the run is not being recorded and why."""

import pytest
from test_notebook_widget_kernel import CELL

from jupyterlab_dlcoach.core import samples


@pytest.mark.timeout(240)
async def test_kernel_run_on_an_unwritable_store_trains_and_says_so(coach, jp_serverapp, jp_root_dir):
    samples.shapes(jp_root_dir / "nb-shapes", per_class=8, image_size=32)
    cell = CELL.format(folder=str(jp_root_dir / "nb-shapes")).replace(
        'CoachCallback(name="widget run")',
        'CoachCallback(name="widget run", db_path="/proc/dlcoach/runs.sqlite")',
    )
    manager = jp_serverapp.kernel_manager
    kernel_id = await manager.start_kernel(path=".")
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        messages = []
        reply = await client.execute_interactive(cell, timeout=180, output_hook=messages.append)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)

    streams = [m["content"] for m in messages if m["header"]["msg_type"] == "stream"]
    text = "".join(s.get("text", "") for s in streams)
    assert "after training 1" in text  # both fits ran; the cell went on after them
    warned = "".join(s["text"] for s in streams if s["name"] == "stderr")
    assert warned.count("This run is not being recorded") == 1, warned
    assert "/proc/dlcoach/runs.sqlite" in warned
    values = [
        m["content"]["data"]["state"]["value"]
        for m in messages
        if m["header"]["msg_type"] == "comm_msg"
        and m["content"]["data"].get("method") == "update"
        and "value" in m["content"]["data"].get("state", {})
    ]
    assert any("Not recorded" in v for v in values)
    assert any("run completed" in v for v in values)
    assert [r for r in (await coach.ok("GET", "runs"))["runs"] if r["kind"] == "notebook"] == []
