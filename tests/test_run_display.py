"""The notebook run's static side (kernel/display.py): the text summary and final picture a bundle carries
for viewers without the extension, and the summary a script prints where there is no kernel."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyterlab_dlcoach.core.store import RunStore
from jupyterlab_dlcoach.kernel import display
from jupyterlab_dlcoach.kernel.display import MAX_POINTS, RunSummary

TESTS = Path(__file__).resolve().parent


def fed(n_epochs=2, batches=10) -> RunSummary:
    summary = RunSummary("abc123abc123", "digits · resnet18")
    for epoch in range(n_epochs):
        phase = "frozen" if epoch == 0 else "unfrozen"
        progress = {"phase": phase, "epoch": epoch, "epochs": n_epochs, "batch": 1, "batches": batches}
        for i in range(batches):
            it = epoch * batches + i + 1
            summary.feed(
                [{"type": "batch", "phase": phase, "epoch": epoch, "iter": it, "smooth_loss": 2 / it}],
                progress,
            )
        epoch_event = {
            "type": "epoch",
            "phase": phase,
            "epoch": epoch,
            "train_loss": 1.0 / (epoch + 1),
            "valid_loss": 0.9 / (epoch + 1),
            "metrics": {"error_rate": 0.25 / (epoch + 1)},
        }
        summary.feed([epoch_event])
    return summary


def test_the_running_text_says_where_the_run_is():
    summary = fed()
    assert summary.text().splitlines() == [
        "DL Coach · digits · resnet18 · running: epoch 2 of 2 (every layer training)",
        "Last epoch: error rate 12.5 %, validation loss 0.45, training loss 0.5.",
    ]
    assert summary.unfreeze_at == 1.0


def test_the_final_text_says_how_it_ended_with_warnings_and_error():
    summary = fed()
    warning = {"type": "warning", "kind": "valid_loss_rising", "epoch": 1, "message": "M.", "advice": "A."}
    note = {"type": "warning", "kind": "two_phases", "severity": "info", "message": "N.", "advice": "B."}
    summary.feed([warning, note, {"type": "warning", "kind": "not_recorded", "message": "x", "advice": "y"}])
    error = {"kind": "diverged", "message": "The loss blew up.", "advice": "Lower the learning rate."}
    summary.feed([{"type": "state", "state": "failed", "error": error, "result": None}])
    assert summary.text().splitlines() == [
        "DL Coach · digits · resnet18 · failed: 2 epochs",
        "The loss blew up. Lower the learning rate.",
        "Last epoch: error rate 12.5 %, validation loss 0.45, training loss 0.5.",
        "Warning (valid loss rising): M. What to do: A.",
        "Note (two phases): N. What to do: B.",
    ]
    summary.feed([{"type": "state", "state": "completed", "result": {"seconds": 65.2}}])
    assert summary.text().startswith("DL Coach · digits · resnet18 · completed: 2 epochs in 1 min 05 s\n")


def test_a_long_run_keeps_a_bounded_series_and_a_small_picture():
    summary = fed(n_epochs=50, batches=400)  # 20,000 batches
    assert MAX_POINTS // 2 <= len(summary.points) < MAX_POINTS
    xs = [x for x, _ in summary.points]
    assert xs == sorted(xs)
    assert (xs[0], round(xs[-1])) == (0.0025, 50)
    png = summary.png()
    assert png.startswith(b"\x89PNG")
    assert len(png) < 60_000, len(png)


def test_nothing_to_draw_gives_no_picture():
    assert RunSummary("abc123abc123", "empty").png() is None


def test_outside_a_kernel_the_summary_is_printed_once_at_the_end(capsys):
    assert not display.in_ipython_kernel()
    summary = display.open_view("abc123abc123", "script run")
    assert isinstance(summary, display.PrintedSummary)
    summary.feed([{"type": "epoch", "epoch": 0, "train_loss": 1.0, "valid_loss": 0.5, "metrics": {}}])
    assert capsys.readouterr().out == ""
    summary.feed([{"type": "state", "state": "completed", "result": {"seconds": 3}}])
    summary.feed([{"type": "state", "state": "completed", "result": {"seconds": 3}}])
    assert capsys.readouterr().out.splitlines() == [
        "DL Coach · script run · completed: 1 epoch in 3 s",
        "Last epoch: validation loss 0.5, training loss 1.",
    ]
    assert display.open_view("abc123abc123", "quiet", show=False) is None


@pytest.mark.timeout(180)
def test_a_script_records_the_run_and_prints_its_summary(tmp_path):
    db = tmp_path / "runs.sqlite"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from _tiny import tiny_learner
        from jupyterlab_dlcoach import CoachCallback
        learn = tiny_learner(Path({str(tmp_path / "shapes")!r}), per_class=8)
        with learn.no_bar(), learn.no_logging():
            learn.fine_tune(1, cbs=CoachCallback(db_path={str(db)!r}, name="script run"))
        print("after training")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS)])}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=170, check=True
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith("DL Coach · script run · ")
    assert ": 2 epochs in " in lines[0]
    assert lines[-1] == "after training"
    (run,) = RunStore(db).list_runs()
    assert (run["name"], run["kind"]) == ("script run", "notebook")
    assert run["state"] in lines[0]


def test_nbconvert_shows_the_text_while_running_and_the_picture_at_the_end():
    nbformat = pytest.importorskip("nbformat")
    from nbconvert import HTMLExporter

    summary = fed()

    def html_of(bundle):
        cell = nbformat.v4.new_code_cell("learn.fine_tune(1, cbs=CoachCallback())")
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
        return HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[cell]))[0]

    running = summary.bundle()
    assert running[display.MIME]["state"] == "running"
    assert "image/png" not in running
    assert "digits · resnet18 · running: epoch 2 of 2" in html_of(running)

    summary.feed([{"type": "state", "state": "completed", "result": {"seconds": 4}}])
    ended = summary.bundle()
    assert ended[display.MIME]["state"] == "completed"
    assert f'src="data:image/png;base64,{ended["image/png"]}"' in html_of(ended)
