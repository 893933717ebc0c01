"""The notebook's live view: the pure HTML/SVG builders, and the callback showing it only in a kernel."""

import math
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jupyterlab_dlcoach.kernel import notebook_chart as chart
from jupyterlab_dlcoach.kernel import notebook_view as nv

TESTS = Path(__file__).resolve().parent

EPOCHS = [
    {"phase": "frozen", "epoch": 0, "train_loss": 1.2, "valid_loss": 1.0, "metrics": {"error_rate": 0.5}},
    {"phase": "unfrozen", "epoch": 1, "train_loss": 0.8, "valid_loss": 0.9, "metrics": {"error_rate": 0.3}},
    {"phase": "unfrozen", "epoch": 2, "train_loss": 0.5, "valid_loss": 1.1, "metrics": {"error_rate": 0.4}},
]


def smooth_path(svg: str) -> str:
    colour = chart.SERIES["smooth"][1]
    found = re.findall(r'<path d="([^"]+)" style="fill:none;stroke:' + re.escape(colour), svg)
    assert len(found) == 2  # the series, then its legend sample
    return found[0]


# -- pure builders -------------------------------------------------------------------------------


def test_downsample_keeps_order_bounds_and_means():
    pts = [(i / 100, float(i)) for i in range(1000)]
    out = chart.downsample(pts, 300)
    assert len(out) == 300
    assert [p[0] for p in out] == sorted(p[0] for p in out)
    assert sum(p[1] for p in out) / 300 == pytest.approx(sum(p[1] for p in pts) / 1000, rel=1e-3)
    assert out[0][0] < 0.05
    assert out[-1][0] > 9.9
    assert chart.downsample(pts[:10], 300) == pts[:10]


def test_batch_series_stays_small_and_exact_in_o1():
    series = chart.BatchSeries(300)
    for i in range(10_000):
        series.add(i / 100, float(i))
        assert len(series.points()) <= 300
    series.add(100.0, float("nan"))
    series.add(100.0, None)
    pts = series.points()
    assert series.count == 10_000
    assert 150 <= len(pts) <= 300
    assert [p[0] for p in pts] == sorted(p[0] for p in pts)
    # Equal buckets: the mean of the bucket means (weighted by the partial one) is the series' mean.
    assert all(math.isfinite(y) for _, y in pts)
    assert pts[0][1] < 100
    assert pts[-1][1] > 9_800


def test_chart_has_every_series_marker_and_legend():
    batches = [(i / 50, 2.0 - i / 100) for i in range(1, 5001)]  # 100 epochs' worth of batches
    svg = chart.chart_svg(batches, EPOCHS, epochs_total=3, unfreeze_at=1.0, overfit_at=3.0)
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count("<svg") == 1
    # The batch series is downsampled.
    assert smooth_path(svg).count("L") + 1 <= chart.MAX_POINTS
    # One line per epoch series, with its dash pattern and point shapes (3 epochs each).
    assert "stroke-dasharray:6 3" in svg
    assert "stroke-dasharray:2 3" in svg
    assert svg.count("<circle") == 3 + 1  # + legend sample
    assert svg.count("<rect") == 3 + 1
    # Markers, labelled in words.
    assert ">unfrozen</text>" in svg
    assert ">overfitting</text>" in svg
    for label, *_ in chart.SERIES.values():
        assert f">{label}</text>" in svg
    # Theme colours, not fixed ones.
    assert "var(--jp-brand-color1" in svg
    assert "var(--jp-warn-color1" in svg
    assert "var(--jp-ui-font-color" in svg
    assert (
        'aria-label="Loss chart: 3 epochs finished; last validation loss 1.100; last error rate 0.400"' in svg
    )


def test_chart_places_points_on_an_epoch_axis():
    svg = chart.chart_svg([(0.5, 1.0), (1.0, 0.9)], EPOCHS[:1], epochs_total=2, width=300, height=200)
    pw = 300 - chart._LEFT - chart._RIGHT
    # Epoch 0's numbers sit at its end, x = 1 of 2: the middle of the plot.
    (cx,) = re.findall(r'<circle cx="([\d.]+)" cy="[\d.]+" r="3" style="fill:var\(--jp-brand-color1', svg)[:1]
    assert float(cx) == pytest.approx(chart._LEFT + pw / 2, abs=0.1)
    assert "waiting" not in svg


def test_chart_without_data_and_with_nan():
    assert "waiting for the first batches" in chart.chart_svg([], [])
    svg = chart.chart_svg([(0.1, float("nan")), (0.2, float("inf"))], [{"epoch": 0, "train_loss": None}])
    assert "nan" not in svg.lower().replace("span", "")
    assert "inf" not in svg


def test_warnings_are_escaped_plain_words():
    html = nv.warnings_html(
        [
            {
                "kind": "overfitting",
                "message": "<script>alert('x')</script> & more",
                "advice": 'Use "fewer" epochs',
            }
        ]
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "Use &quot;fewer&quot; epochs" in html
    assert "Overfitting:" in html
    assert nv.warnings_html([]) == ""


def test_progress_line_and_end_of_run():
    line = nv.progress_html(
        {"phase": "unfrozen", "epoch": 1, "epochs": 3, "batch": 7, "batches": 20, "eta_s": 75}
    )
    assert "Unfrozen" in line
    assert "epoch 2 of 3" in line
    assert "batch 7 of 20" in line
    assert "about 1 min 15 s left" in line
    assert "starting" in nv.progress_html(None)
    done = nv.progress_html(
        None, {"state": "completed", "result": {"epochs": 3, "seconds": 12.3}}, EPOCHS[-1]
    )
    assert "run completed" in done
    assert "3 epochs" in done
    assert "in 12 s" in done
    assert "error rate 0.400" in done
    failed = nv.progress_html(
        None, {"state": "failed", "error": {"message": "a <b>", "advice": "lower lr"}}, None
    )
    assert "run failed" in failed
    assert "a &lt;b&gt;" in failed
    assert "lower lr" in failed


# -- the callback, in a (fake) kernel and outside one ---------------------------------------------


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return tmp_path_factory.mktemp("data") / "shapes"


@pytest.fixture
def fake_kernel(monkeypatch):
    """IPython's get_ipython() answers a shell with a kernel, and display() records what it is given."""
    import IPython
    import IPython.display

    class Shell:
        kernel = object()

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


@pytest.mark.timeout(180)
def test_callback_shows_one_widget_and_updates_it(shapes, tmp_path, fake_kernel):
    import ipywidgets
    from _tiny import tiny_learner

    from jupyterlab_dlcoach import CoachCallback
    from jupyterlab_dlcoach.core.store import RunStore

    learn = tiny_learner(shapes)
    cb = CoachCallback(db_path=tmp_path / "runs.sqlite")
    changes = []
    real_init = nv.LiveView.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.chart_widget.observe(lambda change: changes.append(time.perf_counter()), "value")
        views.append(self)

    views = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nv.LiveView, "__init__", init)
        t0 = time.perf_counter()
        with learn.no_bar(), learn.no_logging():
            learn.fine_tune(1, cbs=cb)
        elapsed = time.perf_counter() - t0

    assert len(fake_kernel) == 1
    (view,) = views
    assert isinstance(fake_kernel[0], ipywidgets.VBox)
    assert fake_kernel[0] is view.widget
    # Updated at each epoch end and the run's end, and otherwise at most every UPDATE_S seconds.
    assert 3 <= view.renders <= 3 + elapsed / nv.UPDATE_S + 2
    assert len(changes) >= 2
    assert "run completed" in view.progress_widget.value
    chart = view.chart_widget.value
    assert ">unfrozen</text>" in chart
    assert chart.count("<circle") == 2 + 1
    assert view.unfreeze_at == 1.0
    assert cb._view is None  # the run ended: a next run gets a widget of its own
    # The run is stored as before.
    (run,) = RunStore(tmp_path / "runs.sqlite").list_runs()
    assert run["state"] == "completed"
    print(f"renders {view.renders} in {elapsed:.1f} s, {view.render_s * 1000:.1f} ms spent rendering")


@pytest.mark.timeout(120)
def test_display_false_shows_nothing_even_in_a_kernel(shapes, tmp_path, fake_kernel):
    from _tiny import tiny_learner

    from jupyterlab_dlcoach import CoachCallback

    learn = tiny_learner(shapes)
    learn.unfreeze()
    with learn.no_bar(), learn.no_logging():
        learn.fit(1, cbs=CoachCallback(db_path=tmp_path / "runs.sqlite", display=False))
    assert fake_kernel == []


@pytest.mark.timeout(180)
def test_without_a_kernel_nothing_is_shown_nor_imported(shapes, tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from pathlib import Path
        from _tiny import tiny_learner
        from jupyterlab_dlcoach import CoachCallback
        from jupyterlab_dlcoach.core.store import RunStore
        learn = tiny_learner(Path({str(tmp_path / "shapes")!r}), per_class=6)
        learn.unfreeze()
        cb = CoachCallback(db_path={str(tmp_path / "runs.sqlite")!r})
        with learn.no_bar(), learn.no_logging():
            learn.fit(1, cbs=cb)
        assert RunStore({str(tmp_path / "runs.sqlite")!r}).list_runs()[0]["state"] == "completed"
        print("ipywidgets imported:", "ipywidgets" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=170)
    assert out.returncode == 0, out.stderr
    assert "ipywidgets imported: False" in out.stdout
    # Nothing displayed: a widget would print its text form on a plain stdout.
    assert "VBox" not in out.stdout
    assert "VBox" not in out.stderr
