import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import special

from camulenet.evaluation.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    nll,
    probs_from_predictions,
    reliability_table,
)


def _calibrated(n=100_000, c=4, seed=0, spread=2.0):
    """Logits, their softmax, and labels drawn from those very probabilities."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, spread, size=(n, c))
    p = special.softmax(z, axis=1)
    y = (rng.random(n)[:, None] > np.cumsum(p, 1)).sum(1)  # inverse-CDF sampling from p
    return z, p, np.minimum(y, c - 1)


def test_ece_of_calibrated_toy_is_near_zero_and_of_overconfident_is_large():
    z, p, y = _calibrated()
    assert expected_calibration_error(p, y) < 0.01
    over = special.softmax(3 * z, axis=1)  # same ranking, far too sharp
    assert expected_calibration_error(over, y) > 0.1
    # logits are accepted too and mean the same probabilities
    assert expected_calibration_error(3 * z, y) == pytest.approx(expected_calibration_error(over, y))


def test_ece_known_value():
    # two clips at confidence 0.9 (one right), two at 0.6 (both right)
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]])
    y = np.array([0, 1, 1, 1])
    expected = 0.5 * abs(0.5 - 0.9) + 0.5 * abs(1.0 - 0.6)
    assert expected_calibration_error(p, y, n_bins=10) == pytest.approx(expected)


def test_reliability_table_shape_and_counts():
    _, p, y = _calibrated(n=5000, seed=2)
    t = reliability_table(p, y, n_bins=15)
    assert len(t) == 15 and t["count"].sum() == 5000
    used = t[t["count"] > 0]
    assert ((used["confidence"] > used["lo"]) | (used["lo"] == 0)).all() and (used["confidence"] <= used["hi"]).all()
    assert t.loc[t["count"] == 0, "accuracy"].isna().all()
    assert t.loc[0, "count"] == 0  # top-class confidence of 4 classes is >= 1/4


def test_temperature_never_raises_nll_on_fit_data():
    rng = np.random.default_rng(5)
    for i, true_t in enumerate([0.5, 1.0, 1.0, 2.0, 4.0, 0.3]):
        n, c = rng.integers(30, 3000), rng.integers(2, 8)
        z, p, y = _calibrated(n=n, c=c, seed=10 + i, spread=rng.uniform(0.5, 3))
        shown = special.softmax(z / true_t, axis=1)  # the model reports these
        t = fit_temperature(shown, y)
        assert t > 0
        assert nll(apply_temperature(shown, t), y) <= nll(shown, y) + 1e-12
        assert np.array_equal(apply_temperature(shown, t).argmax(1), shown.argmax(1))


def test_temperature_recovers_overconfidence():
    z, p, y = _calibrated(n=50_000, seed=7)
    over = special.softmax(3 * z, axis=1)
    t = fit_temperature(over, y)
    assert t > 1 and t == pytest.approx(3.0, rel=0.1)
    assert fit_temperature(3 * z, y, kind="logits") == pytest.approx(t, rel=1e-3)
    under = special.softmax(z / 2, axis=1)
    assert fit_temperature(under, y) < 1
    assert expected_calibration_error(apply_temperature(over, t), y) < 0.02
    with pytest.raises(ValueError):
        apply_temperature(over, 0.0)


def test_nll_and_input_checks():
    p = np.array([[0.5, 0.5], [0.25, 0.75]])
    assert nll(p, np.array([0, 1])) == pytest.approx(-(np.log(0.5) + np.log(0.75)) / 2)
    with pytest.raises(ValueError):
        nll(p, np.array([0, 2]))
    with pytest.raises(ValueError):
        nll(p, np.array([0]))
    with pytest.raises(ValueError):
        nll(np.array([[2.0, -1.0]]), np.array([0]), kind="probs")


def test_probs_from_predictions():
    preds = pd.DataFrame({"utt_id": ["a", "b"], "true": ["sad", "angry"], "pred": ["sad", "sad"],
                          "prob_angry": [0.2, 0.4], "prob_sad": [0.8, 0.6], "gender_pred": ["f", "m"]})
    p, y, labels = probs_from_predictions(preds)
    assert labels == ["angry", "sad"] and list(y) == [1, 0] and p.shape == (2, 2)
    with pytest.raises(ValueError):
        probs_from_predictions(preds.assign(true=["sad", "happy"]))


def test_reliability_plot_smoke():
    from camulenet.plots.calibration import plot_reliability

    z, p, y = _calibrated(n=2000, seed=3)
    data = {"A": (special.softmax(3 * z, axis=1), y), "B": (p, y), "C": (p, y)}
    fig = plot_reliability(data, n_bins=10)
    assert len(fig.axes) == 3
    assert all(len(ax.lines) >= 3 for ax in fig.axes)  # diagonal, before, after
    fig2 = plot_reliability({"A": data["A"]}, temperatures={"A": 2.5})
    assert len(fig2.axes) == 1
    assert "2.5" in fig2.axes[0].get_title()
    import matplotlib.pyplot as plt
    plt.close("all")
