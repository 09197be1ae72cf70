import numpy as np
import pandas as pd
import pytest
from scipy import stats

from camulenet.data.folds import Fold
from camulenet.evaluation.cv_stats import (
    comparison_table,
    corrected_resampled_ttest,
    fold_sizes,
    holm,
    paired_effect_size,
)


def test_corrected_ttest_is_more_conservative_than_plain():
    rng = np.random.default_rng(1)
    for _ in range(20):
        d = rng.normal(0.02, 0.03, size=10)
        r = corrected_resampled_ttest(d, n_train=900, n_test=100)
        plain = stats.ttest_rel(d, np.zeros_like(d))
        assert r["p_plain"] == pytest.approx(plain.pvalue)
        assert r["t_plain"] == pytest.approx(plain.statistic)
        assert r["p"] >= r["p_plain"]
        assert r["ci_high"] - r["ci_low"] > r["plain_high"] - r["plain_low"]
        assert r["ci_low"] < r["mean_diff"] < r["ci_high"]
        assert r["correction"] == pytest.approx(1 / 10 + 100 / 900)


def test_corrected_ttest_matches_formula():
    d = np.array([0.01, 0.03, 0.02, 0.05, 0.0, 0.04])
    k, ratio = len(d), 50 / 250
    t = d.mean() / np.sqrt((1 / k + ratio) * d.var(ddof=1))
    r = corrected_resampled_ttest(d, n_train=250, n_test=50)
    assert r["t"] == pytest.approx(t)
    assert r["p"] == pytest.approx(2 * stats.t.sf(abs(t), k - 1))
    half = stats.t.ppf(0.975, k - 1) * np.sqrt((1 / k + ratio) * d.var(ddof=1))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))


def test_corrected_ttest_zero_spread_and_too_few_folds():
    zero = corrected_resampled_ttest(np.zeros(10), 900, 100)
    assert zero["t"] == 0.0 and zero["p"] == 1.0 and zero["ci_low"] == zero["ci_high"] == 0.0
    const = corrected_resampled_ttest(np.full(10, 0.02), 900, 100)
    assert np.isposinf(const["t"]) and const["p"] == 0.0 and const["ci_low"] == pytest.approx(0.02)
    one = corrected_resampled_ttest([0.1], 900, 100)
    assert one["n"] == 1 and one["mean_diff"] == pytest.approx(0.1) and np.isnan(one["p"]) and np.isnan(one["t"])
    with pytest.raises(ValueError):
        corrected_resampled_ttest([0.1, 0.2], 0, 100)


def test_holm_monotone_bounded_and_skips_nan():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 0.2, size=7) ** 2
        reject, adj = holm(p, alpha=0.05)
        order = np.argsort(p)
        assert np.all(np.diff(adj[order]) >= -1e-15)  # same order as the raw p
        assert np.all(adj >= p - 1e-15) and np.all(adj <= 1)
        assert np.array_equal(reject, adj <= 0.05)
    reject, adj = holm([0.01, np.nan, 0.04])
    assert np.isnan(adj[1]) and not reject[1]
    assert adj[[0, 2]] == pytest.approx([0.02, 0.04])


def test_effect_size_recovers_known_effect():
    rng = np.random.default_rng(3)
    d = rng.normal(0.5, 1.0, size=400)  # true d_z = 0.5
    r = paired_effect_size(d, n_boot=2000, seed=0)
    assert r["d"] == pytest.approx(0.5, abs=0.12)
    assert r["d_low"] < 0.5 < r["d_high"] and r["d_low"] > 0.2
    # Hedges' correction shrinks towards 0; seeded -> reproducible
    small = rng.normal(1.0, 1.0, size=8)
    g, dz = paired_effect_size(small, n_boot=500), paired_effect_size(small, hedges=False, n_boot=500)
    assert abs(g["d"]) < abs(dz["d"])
    assert g == paired_effect_size(small, n_boot=500)
    null = paired_effect_size(rng.normal(0, 1, size=400), n_boot=2000)
    assert null["d_low"] < 0 < null["d_high"]


def test_effect_size_degenerate_cases():
    assert np.isnan(paired_effect_size([0.1, 0.2])["d"])
    assert np.isnan(paired_effect_size(np.zeros(10))["d"])
    assert np.isposinf(paired_effect_size(np.full(10, 0.1))["d"])


def _results(seed=0, k=10):
    """Reference and three systems: clearly better, tied, worse; a one-fold system."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.5, 0.6, size=k)
    systems = {"ref": base, "better": base + 0.05 + rng.normal(0, 0.005, k),
               "tied": base + rng.normal(0, 0.01, k), "worse": base - 0.03 + rng.normal(0, 0.005, k)}
    rows = [{"system": s, "fold": f, "metric": m, "value": v + (0.01 if m == "wa" else 0)}
            for s, vals in systems.items() for f, v in enumerate(vals) for m in ("ua", "wa")]
    rows.append({"system": "smoke", "fold": 0, "metric": "ua", "value": 0.4})
    return pd.DataFrame(rows)


def test_comparison_table():
    res = _results()
    t = comparison_table(res, "ref", "ua", n_train=900, n_test=100, n_boot=500)
    t = t.set_index("system")
    assert list(t.index) == ["better", "tied", "worse", "smoke"]
    assert t.loc["better", "mean_diff"] == pytest.approx(0.05, abs=0.005)  # system - reference
    assert t.loc["worse", "mean_diff"] < 0 and t.loc["worse", "effect"] < 0
    assert t.loc["better", "survives"] and t.loc["worse", "survives"] and not t.loc["tied", "survives"]
    tested = t.drop("smoke")
    assert (tested["p_holm"] >= tested["p"]).all() and (tested["p"] >= tested["p_plain"]).all()
    assert ((tested["ci_high"] - tested["ci_low"]) > (tested["plain_high"] - tested["plain_low"])).all()
    # one shared fold: means kept, statistics NaN, outside the Holm family, never survives
    assert t.loc["smoke", "n"] == 1
    assert t.loc["smoke", "mean_diff"] == pytest.approx(0.4 - t.loc["smoke", "mean_reference"])
    assert np.isnan(t.loc["smoke", ["p", "p_holm", "effect", "ci_low"]].astype(float)).all()
    assert not t.loc["smoke", "survives"]
    # Holm over the three tested systems
    _, adj = holm(tested["p"].to_numpy())
    assert tested["p_holm"].to_numpy() == pytest.approx(adj)
    with pytest.raises(KeyError):
        comparison_table(res, "nope", "ua", 900, 100)


def test_fold_sizes():
    folds = [Fold(["a"], ["b"], ["c", "d"], train=list("0123"), val=["4"], test=list("56")),
             Fold(["b"], ["a"], ["c", "d"], train=list("01"), val=["4", "7"], test=list("5"))]
    assert fold_sizes(folds) == (4.5, 1.5)
    assert fold_sizes(folds, include_val=False) == (3.0, 1.5)
