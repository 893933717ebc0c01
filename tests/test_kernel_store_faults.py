"""In a real kernel, a CoachCallback whose store cannot be written still trains and shows the run, and says
once that the run is not being recorded and why: a Python warning, and the cell's bundle (``recorded``
false, the ``problem``, and the text and final picture that JupyterLab then shows instead of the run view,
which has no run to load)."""

import base64

import pytest
from test_notebook_output_kernel import CELL, coach_outputs, printed, run_cell

from jupyterlab_dlcoach.core import samples
from jupyterlab_dlcoach.kernel.display import MIME


@pytest.mark.timeout(240)
async def test_kernel_run_on_an_unwritable_store_trains_and_says_so(coach, jp_serverapp, jp_root_dir):
    samples.shapes(jp_root_dir / "nb-shapes", per_class=8, image_size=32)
    cell = CELL.format(folder=str(jp_root_dir / "nb-shapes")).replace(
        'CoachCallback(name="cell run")',
        'CoachCallback(name="cell run", db_path="/proc/dlcoach/runs.sqlite")',
    )
    messages = await run_cell(jp_serverapp, cell)

    assert "after training 1" in printed(messages)  # both fits ran; the cell went on after them
    warned = printed(messages, "stderr")
    assert warned.count("This run is not being recorded") == 1, warned
    assert "/proc/dlcoach/runs.sqlite" in warned

    shown, updates = coach_outputs(messages)
    for data in [shown["data"]] + [u["data"] for u in updates]:
        assert data[MIME]["recorded"] is False
        assert "/proc/dlcoach/runs.sqlite" in data[MIME]["problem"]
        assert "Not recorded: the run store /proc/dlcoach/runs.sqlite" in data["text/plain"]
    final = updates[-1]["data"]
    assert final[MIME]["state"] == "completed"
    assert "cell run · completed" in final["text/plain"]
    assert base64.b64decode(final["image/png"]).startswith(b"\x89PNG")
    assert [r for r in (await coach.ok("GET", "runs"))["runs"] if r["kind"] == "notebook"] == []
    await coach.ok("GET", "runs", shown["data"][MIME]["run_id"], expect=404)
