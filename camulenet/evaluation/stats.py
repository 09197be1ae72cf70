"""Summaries across folds and paired comparisons of two systems over the same folds.

Input is the tidy results table written by ``camulenet.training.runner`` (columns ``system``,
``fold``, ``metric``, ``value``; one row per system x fold x metric).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def summarise(results: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """Mean, sd (ddof=1) and number of folds per system x metric; ``text`` = "mean ± sd", as
    the Table 1 layout writes it."""
    df = results if metrics is None else results[results["metric"].isin(list(metrics))]
    out = (df.dropna(subset=["value"]).groupby(["system", "metric"], sort=False)["value"]
           .agg(mean="mean", sd="std", n="count").reset_index())
    out["text"] = [f"{m:.3f} ± {s:.3f}" for m, s in zip(out["mean"], out["sd"].fillna(0.0))]
    return out


def paired_values(results: pd.DataFrame, system_a: str, system_b: str, metric: str) -> pd.DataFrame:
    """Folds where both systems have ``metric``: columns fold, a, b."""
    df = results[results["metric"] == metric]
    wide = df.pivot_table(index="fold", columns="system", values="value")
    for s in (system_a, system_b):
        if s not in wide.columns:
            raise KeyError(f"system {s!r} has no {metric!r} results; have {list(wide.columns)}")
    both = wide[[system_a, system_b]].dropna()
    return pd.DataFrame({"fold": both.index, "a": both[system_a].to_numpy(), "b": both[system_b].to_numpy()})


def paired_comparison(results: pd.DataFrame, system_a: str, system_b: str, metric: str,
                      confidence: float = 0.95, n_boot: int = 10_000, seed: int = 0) -> dict:
    """Compare ``system_a - system_b`` on ``metric`` across folds (paired by fold).

    Returns n, mean_a, mean_b, mean_diff, sd_diff, the t-interval of the mean paired
    difference (t_low, t_high), a percentile bootstrap interval of it (boot_low, boot_high;
    fold pairs resampled with replacement, seeded) and the two-sided Wilcoxon signed-rank
    test (wilcoxon_stat, wilcoxon_p; p = 1 when every difference is 0). With 10 folds the
    smallest attainable two-sided Wilcoxon p is 2/1024 ~= 0.002.
    """
    pv = paired_values(results, system_a, system_b, metric)
    d = (pv["a"] - pv["b"]).to_numpy(float)
    n = len(d)
    if n < 2:
        raise ValueError(f"need at least 2 paired folds, have {n}")
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n))
    rng = np.random.default_rng(seed)
    boot = d[rng.integers(0, n, size=(n_boot, n))].mean(1)
    lo, hi = np.quantile(boot, [(1 - confidence) / 2, 0.5 + confidence / 2])
    if np.all(d == 0):
        w_stat, w_p = 0.0, 1.0
    else:
        res = stats.wilcoxon(d, alternative="two-sided")
        w_stat, w_p = float(res.statistic), float(res.pvalue)
    return {"system_a": system_a, "system_b": system_b, "metric": metric, "n": n,
            "mean_a": float(pv["a"].mean()), "mean_b": float(pv["b"].mean()),
            "mean_diff": mean, "sd_diff": sd, "t_low": mean - half, "t_high": mean + half,
            "boot_low": float(lo), "boot_high": float(hi), "confidence": confidence,
            "wilcoxon_stat": w_stat, "wilcoxon_p": w_p}


def pairwise_table(results: pd.DataFrame, reference: str, metric: str, **kwargs) -> pd.DataFrame:
    """``paired_comparison(reference, other)`` for every other system, one row each.

    A pair with fewer than two shared folds (a one-fold smoke run) gets its means and NaN
    for every statistic that needs a spread, instead of stopping the table.
    """
    rows = []
    for other in (s for s in results["system"].unique() if s != reference):
        pv = paired_values(results, reference, other, metric)
        if len(pv) < 2:
            rows.append({"system_a": reference, "system_b": other, "metric": metric, "n": len(pv),
                         "mean_a": float(pv["a"].mean()), "mean_b": float(pv["b"].mean()),
                         "mean_diff": float((pv["a"] - pv["b"]).mean())}
                        | dict.fromkeys(("sd_diff", "t_low", "t_high", "boot_low", "boot_high",
                                         "wilcoxon_stat", "wilcoxon_p"), float("nan")))
        else:
            rows.append(paired_comparison(results, reference, other, metric, **kwargs))
    return pd.DataFrame(rows)
