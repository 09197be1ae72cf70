"""Statistics for comparing systems over the same k cross-validation folds.

The plain paired t-test treats the k fold differences as independent, but the folds'
training sets overlap (each pair shares (k-2)/(k-1) of its training speakers), so the
differences are positively correlated and the plain test is too liberal (Dietterich
1998; Nadeau & Bengio 2003). Nadeau & Bengio's *corrected resampled t-test* inflates
the variance of the mean difference from ``s^2/k`` to ``(1/k + n_test/n_train) s^2``;
Bouckaert & Frank (2004) recommend it for (repeated) k-fold CV as well. It is a
heuristic for k-fold (derived for random train/test resampling), not an exact test.

Several systems compared against one reference form a family of tests; Holm's
step-down correction (statsmodels) keeps the family-wise error rate at ``alpha``
without the independence that Sidak's correction would need.

References
----------
C. Nadeau, Y. Bengio (2003). Inference for the generalization error. Machine Learning 52.
R. Bouckaert, E. Frank (2004). Evaluating the replicability of significance tests for
comparing learning algorithms. PAKDD.
S. Holm (1979). A simple sequentially rejective multiple test procedure. Scand. J. Stat. 6.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

from camulenet.evaluation.stats import paired_values

_TTEST_KEYS = ("n", "mean_diff", "sd_diff", "correction", "t_plain", "p_plain", "plain_low", "plain_high",
               "t", "p", "ci_low", "ci_high")


def _t_summary(mean: float, se: float, df: int, confidence: float) -> tuple[float, float, float, float]:
    """t, two-sided p and the t-interval of ``mean`` with standard error ``se``.

    ``se == 0`` (every difference equal): the interval collapses to the mean; t is 0 with
    p = 1 when the mean is 0 (two identical systems: no evidence of a difference, as
    :func:`camulenet.evaluation.stats.paired_comparison` does for Wilcoxon) and +/-inf with
    p = 0 otherwise (the limit of shrinking spread).
    """
    if se == 0.0:
        if mean == 0.0:
            return 0.0, 1.0, mean, mean
        return float(np.copysign(np.inf, mean)), 0.0, mean, mean
    t = mean / se
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(0.5 + confidence / 2, df) * se)
    return float(t), p, mean - half, mean + half


def corrected_resampled_ttest(diffs, n_train: float, n_test: float, confidence: float = 0.95) -> dict:
    """Nadeau & Bengio (2003) corrected resampled t-test of paired fold differences.

    ``diffs``: one difference (system - reference) per fold; ``n_train`` / ``n_test``: the
    (mean) number of training and test examples per fold (clips, or speakers if the
    speaker is the sampling unit you want to generalise over; see :func:`fold_sizes`).
    The variance of the mean is ``(1/k + n_test/n_train) * s^2`` with ``s^2`` the sample
    variance (ddof=1) and k the number of folds; the reference distribution is t(k-1).

    Returns n, mean_diff, sd_diff, correction (= 1/k + n_test/n_train), the corrected
    t, p (two-sided), ci_low/ci_high, and the plain paired test for comparison (t_plain,
    p_plain, plain_low/plain_high; same as ``scipy.stats.ttest_rel``). The corrected p is
    never below the plain p and its interval never narrower, since the correction is
    >= 1/k. Fewer than 2 finite differences: n and mean_diff (if any) and NaN for the rest.
    Zero spread (all differences equal): intervals collapse to the mean; t = 0 and p = 1
    if the mean is 0, else t = +/-inf and p = 0 (see ``_t_summary``).
    """
    d = np.asarray(diffs, dtype=float).reshape(-1)
    d = d[np.isfinite(d)]
    k = len(d)
    if not (n_train > 0 and n_test > 0):
        raise ValueError(f"n_train and n_test must be positive, got {n_train}, {n_test}")
    out = dict.fromkeys(_TTEST_KEYS, float("nan")) | {"n": k, "confidence": confidence}
    if k == 0:
        return out
    out["mean_diff"] = float(d.mean())
    if k < 2:
        return out
    mean = float(d.mean())
    sd = 0.0 if np.ptp(d) == 0 else float(d.std(ddof=1))  # equal values: exactly 0, not rounding noise
    correction = 1.0 / k + float(n_test) / float(n_train)
    out.update(sd_diff=sd, correction=correction)
    out["t_plain"], out["p_plain"], out["plain_low"], out["plain_high"] = _t_summary(
        mean, sd / np.sqrt(k), k - 1, confidence)
    out["t"], out["p"], out["ci_low"], out["ci_high"] = _t_summary(
        mean, sd * np.sqrt(correction), k - 1, confidence)
    return out


def holm(pvalues, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Holm (1979) step-down adjusted p-values and rejections at ``alpha``.

    A thin wrapper around ``statsmodels.stats.multitest.multipletests(method="holm")``
    that leaves NaN p-values (comparisons without a test, e.g. one shared fold) out of
    the family: their adjusted p is NaN and they are never rejected.
    Returns (reject: bool array, p_adjusted: float array), in the input order.
    """
    p = np.asarray(pvalues, dtype=float).reshape(-1)
    ok = np.isfinite(p)
    reject = np.zeros(len(p), dtype=bool)
    adjusted = np.full(len(p), np.nan)
    if ok.any():
        r, a, _, _ = multipletests(p[ok], alpha=alpha, method="holm")
        reject[ok], adjusted[ok] = r, a
    return reject, adjusted


def _hedges_factor(df: float) -> float:
    """Exact small-sample correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return float(np.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / np.sqrt(df / 2))


def paired_effect_size(diffs, hedges: bool = True, confidence: float = 0.95, n_boot: int = 9999,
                       seed: int = 0, method: str = "BCa") -> dict:
    """Standardised mean of paired fold differences, with a bootstrap confidence interval.

    Cohen's d_z = mean(d) / sd(d) (ddof=1): how many fold-to-fold standard deviations the
    mean difference is, i.e. how consistently one system wins across folds. With
    ``hedges`` it is multiplied by the exact small-sample factor J(k-1) (Hedges' g_z),
    which removes most of d_z's upward bias with ~10 folds. The interval resamples folds
    with replacement (``scipy.stats.bootstrap``, ``method``, seeded by ``seed``). With few
    folds it is approximate (bootstrap intervals undercover with under ~20 units), and like
    every fold-level statistic it ignores the correlation between folds (module doc).

    Returns n, d (the effect size), d_low, d_high, kind ("hedges_gz" or "cohen_dz").
    Fewer than 3 finite differences: all NaN (J(1) = 0, and two points give no usable
    spread). Zero spread: d = NaN for all-zero differences, +/-inf for a constant non-zero
    one, and a NaN interval. With 3-5 folds some resamples repeat one fold (zero spread),
    which makes the BCa interval NaN; use ``method="percentile"`` there if you must.
    """
    d = np.asarray(diffs, dtype=float).reshape(-1)
    d = d[np.isfinite(d)]
    k = len(d)
    kind = "hedges_gz" if hedges else "cohen_dz"
    out = {"n": k, "d": float("nan"), "d_low": float("nan"), "d_high": float("nan"), "kind": kind,
           "confidence": confidence}
    if k < 3:
        return out

    def statistic(x, axis=-1):
        m, s = np.mean(x, axis=axis), np.std(x, axis=axis, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            dz = m / s
        return dz * (_hedges_factor(x.shape[axis] - 1) if hedges else 1.0)

    out["d"] = float(statistic(d)) if np.ptp(d) > 0 else float(np.sign(d[0]) * np.inf if d[0] else np.nan)
    if not np.isfinite(out["d"]):
        return out
    with warnings.catch_warnings():  # a degenerate resample makes scipy warn; the result says so
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        kw = dict(n_resamples=n_boot, confidence_level=confidence, method=method)
        try:
            res = stats.bootstrap((d,), statistic, rng=np.random.default_rng(seed), **kw)
        except TypeError:  # scipy < 1.15 names the generator random_state
            res = stats.bootstrap((d,), statistic, random_state=np.random.default_rng(seed), **kw)
    out["d_low"], out["d_high"] = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return out


def fold_sizes(folds, include_val: bool = True) -> tuple[float, float]:
    """Mean number of training and test clips per fold of a ``Folds`` (or list of ``Fold``).

    ``include_val``: count the validation clips as training data (they choose the
    checkpoint, so the model depends on them). Feed the result to
    :func:`corrected_resampled_ttest` / :func:`comparison_table`.
    """
    fl = list(getattr(folds, "folds", folds))
    if not fl:
        raise ValueError("no folds")
    n_train = np.mean([len(f.train) + (len(f.val) if include_val else 0) for f in fl])
    n_test = np.mean([len(f.test) for f in fl])
    return float(n_train), float(n_test)


def comparison_table(results_long: pd.DataFrame, reference: str, metric: str, n_train: float, n_test: float,
                     alpha: float = 0.05, confidence: float = 0.95, n_boot: int = 9999,
                     seed: int = 0) -> pd.DataFrame:
    """Every system against ``reference`` on ``metric``, one row per system, paired by fold.

    ``results_long``: the tidy results table (system, fold, metric, value) of
    :mod:`camulenet.training.runner`. Differences are ``system - reference`` (positive = the
    system is better on a higher-is-better metric; note :func:`~.stats.pairwise_table`
    reports ``reference - other``). Columns: system, reference, metric, n (shared folds),
    mean_system, mean_reference, mean_diff, sd_diff, plain_low/plain_high (plain paired
    t-interval), p_plain, ci_low/ci_high and p (corrected resampled t-test, Nadeau &
    Bengio 2003), p_holm (Holm over this table's systems), survives (p_holm < alpha),
    effect (Hedges' g_z), effect_low/effect_high (bootstrap over folds).
    A system with fewer than 2 shared folds gets its means and NaN statistics (as
    ``pairwise_table`` does); it is left out of the Holm family and never survives.
    """
    rows = []
    for system in (s for s in results_long["system"].unique() if s != reference):
        pv = paired_values(results_long, system, reference, metric)
        diffs = (pv["a"] - pv["b"]).to_numpy(float)
        tt = corrected_resampled_ttest(diffs, n_train, n_test, confidence=confidence)
        es = paired_effect_size(diffs, confidence=confidence, n_boot=n_boot, seed=seed)
        rows.append({"system": system, "reference": reference, "metric": metric, "n": len(pv),
                     "mean_system": float(pv["a"].mean()) if len(pv) else float("nan"),
                     "mean_reference": float(pv["b"].mean()) if len(pv) else float("nan"),
                     "mean_diff": tt["mean_diff"], "sd_diff": tt["sd_diff"],
                     "plain_low": tt["plain_low"], "plain_high": tt["plain_high"], "p_plain": tt["p_plain"],
                     "ci_low": tt["ci_low"], "ci_high": tt["ci_high"], "p": tt["p"],
                     "effect": es["d"], "effect_low": es["d_low"], "effect_high": es["d_high"]})
    cols = ["system", "reference", "metric", "n", "mean_system", "mean_reference", "mean_diff", "sd_diff",
            "plain_low", "plain_high", "p_plain", "ci_low", "ci_high", "p", "p_holm", "survives",
            "effect", "effect_low", "effect_high"]
    table = pd.DataFrame(rows, columns=[c for c in cols if c not in ("p_holm", "survives")])
    _, adjusted = holm(table["p"].to_numpy(float), alpha=alpha)
    table["p_holm"] = adjusted
    with np.errstate(invalid="ignore"):
        table["survives"] = adjusted < alpha  # NaN (no test) -> False
    return table[cols]
