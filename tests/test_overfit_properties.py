"""Properties of the coach's judgement over generated curves: consistent, stable, never crashing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyterlab_dlcoach.core.overfit import (
    GAP,
    NOTES,
    VERDICTS,
    assess,
    final_verdict,
    run_failure,
    verdicts,
)

SEVERITIES = {"info", "warning", "error"}

losses = st.one_of(
    st.floats(min_value=0.001, max_value=5.0),
    st.floats(min_value=0.0, max_value=1e16),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), None, 0.0, -1.0]),
    st.integers(0, 10**400),
)


@st.composite
def runs(draw, wild_losses=False):
    """A plausible run: losses that drift, an error rate in steps of 1 / n_valid, fit or fine_tune phases."""
    n_valid = draw(st.one_of(st.none(), st.integers(1, 2000)))
    n_classes = draw(st.one_of(st.none(), st.integers(2, 20)))
    n = draw(st.integers(0, 14))
    frozen = draw(st.sampled_from([0, 0, 1, 2]))
    step = 1 / n_valid if n_valid else 0.01
    tl, vl, err = draw(st.floats(0.2, 3.0)), draw(st.floats(0.2, 3.0)), draw(st.floats(0.0, 1.0))
    epochs = []
    for i in range(n):
        tl *= draw(st.floats(0.5, 1.3))
        vl *= draw(st.floats(0.6, 1.5))
        err = min(1.0, max(0.0, err + draw(st.floats(-0.2, 0.2))))
        row_tl, row_vl = tl, vl
        if wild_losses and draw(st.booleans()):
            row_tl, row_vl = draw(losses), draw(losses)
        phase = ("frozen" if i < frozen else "unfrozen") if frozen else "fit"
        epochs.append(
            {
                "phase": phase,
                "epoch": i,
                "train_loss": row_tl,
                "valid_loss": row_vl,
                "metrics": {"error_rate": round(err / step) * step},
            }
        )
    return epochs, n_classes, n_valid


anything = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
keys = st.sampled_from(["phase", "epoch", "train_loss", "valid_loss", "metrics", "seconds", "other"])
payload = st.one_of(
    st.dictionaries(keys, anything, max_size=6),
    st.fixed_dictionaries({"metrics": st.dictionaries(st.just("error_rate"), anything)}),
    anything,
)


def _check_shape(warnings):
    for w in warnings:
        assert w["kind"] in VERDICTS + NOTES
        assert isinstance(w["epoch"], int)
        assert w["severity"] in SEVERITIES
        assert isinstance(w["message"], str)
        assert w["message"]
        assert isinstance(w["advice"], str)
        assert w["advice"]
        assert all(isinstance(t, str) for t in w["terms"])
        if "suggested_epochs" in w:
            assert isinstance(w["suggested_epochs"], int)
            assert w["suggested_epochs"] >= 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(payload, max_size=10),
    st.one_of(st.none(), st.integers(-5, 10**6), anything),
    st.one_of(st.none(), st.integers(-5, 10**6), anything),
)
def test_no_input_makes_it_fail(epochs, n_classes, n_valid):
    warnings = assess(epochs, n_classes=n_classes, n_valid=n_valid)
    _check_shape(warnings)
    verdicts(epochs, n_classes, n_valid)
    final_verdict(epochs, n_classes, n_valid)
    failure = run_failure(epochs, n_classes, n_valid)
    assert failure is None or failure["kind"] in ("diverged", "nan_loss")


@settings(max_examples=300, deadline=None)
@given(runs(wild_losses=True))
def test_no_loss_values_make_it_fail(run):
    epochs, n_classes, n_valid = run
    _check_shape(assess(epochs, n_classes, n_valid))


def _err(ep):
    return ep["metrics"]["error_rate"]


@settings(max_examples=400, deadline=None)
@given(runs())
def test_verdicts_are_consistent(run):
    epochs, n_classes, n_valid = run
    warnings = assess(epochs, n_classes, n_valid)
    _check_shape(warnings)
    reported = [w for w in warnings if w["kind"] in VERDICTS]
    # One verdict per epoch, so never underfitting and overfitting at the same epoch.
    assert len({w["epoch"] for w in reported}) == len(reported)
    assert len({w["kind"] for w in warnings}) == len(warnings)
    kinds = [w["kind"] for w in reported]
    if "overfitting" in kinds:
        # Nothing milder follows it: no "not overfitting yet", "too few to tell" or "train longer".
        assert not set(kinds[kinds.index("overfitting") :]) & {
            "underfitting",
            "few_valid_images",
            "valid_loss_rising",
        }
    for i, v in enumerate(verdicts(epochs, n_classes, n_valid)):
        if v is None:
            continue
        tl, vl, err = epochs[i]["train_loss"], epochs[i]["valid_loss"], _err(epochs[i])
        # Underfitting and overfitting ask for opposite gaps between the losses: they cannot stand together.
        if v["kind"] == "underfitting":
            assert tl >= GAP * vl
        if v["kind"] == "overfitting":
            assert tl < GAP * vl
            assert err > min(_err(ep) for ep in epochs[:i])
        if v["kind"] == "valid_loss_rising" and "as good as it has been" in v["message"]:
            assert err <= min(_err(ep) for ep in epochs[:i])
            if n_classes:
                assert err < 1 - 1 / n_classes


@settings(max_examples=300, deadline=None)
@given(runs(wild_losses=True))
def test_more_epochs_never_move_or_remove_a_warning(run):
    epochs, n_classes, n_valid = run
    full_verdicts = verdicts(epochs, n_classes, n_valid)
    earlier = []
    for n in range(len(epochs) + 1):
        now = assess(epochs[:n], n_classes, n_valid)
        # What was said stays said, word for word and at the same epoch; new warnings only follow.
        assert now[: len(earlier)] == earlier
        earlier = now
        assert verdicts(epochs[:n], n_classes, n_valid) == full_verdicts[:n]


@settings(max_examples=200, deadline=None)
@given(runs(), st.floats(min_value=1e6, max_value=1e300))
def test_an_exploding_loss_is_never_a_success(run, huge):
    epochs, n_classes, n_valid = run
    if not epochs:
        return
    epochs[-1] = {**epochs[-1], "valid_loss": huge}
    last = final_verdict(epochs, n_classes, n_valid)
    assert last is not None
    assert last["kind"] in ("diverging", "nan_loss")
    assert run_failure(epochs, n_classes, n_valid) is not None
