"""Plots of results across folds and systems (chapters 6 and 8)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import confusion_matrix

from camulenet.results_table import METRICS, _order
from camulenet.schema import emotion_order
from camulenet.plots.style import readable as _readable

@_readable
def plot_fold_spread(results: pd.DataFrame, metrics=("wa", "ua", "weighted_f1")):
    """One panel per metric: a dot per fold, lines joining the same fold across systems."""
    systems = _order(results.system.unique())
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 4.6), sharey=True,
                             constrained_layout=True)
    for ax, m in zip(np.atleast_1d(axes), metrics):
        wide = results.pivot_table(index="fold", columns="system", values=m)[systems]
        x = np.arange(len(systems))
        for _, row in wide.iterrows():
            ax.plot(x, row.values, color="0.8", lw=0.8, zorder=1)
        sns.stripplot(data=results, x="system", y=m, order=systems, ax=ax, size=5, jitter=False, zorder=2)
        sns.pointplot(data=results, x="system", y=m, order=systems, ax=ax, color="k", markers="_",
                      linestyles="none", errorbar="sd", zorder=3)
        ax.set(title=METRICS.get(m, m), xlabel="", ylabel="score on unseen speakers")
        ax.tick_params(axis="x", rotation=35)
        for lab in ax.get_xticklabels():
            lab.set_ha("right")
    return fig


@_readable
def plot_confusions(predictions: pd.DataFrame, labels=None):
    """Row-normalised confusion matrices summed over folds, one per system."""
    systems = _order(predictions.system.unique())
    labels = labels or emotion_order(predictions["true"].unique())
    n = len(systems)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, 4.3 * rows), constrained_layout=True, squeeze=False)
    for ax, s in zip(axes.flat, systems):
        p = predictions[predictions.system == s]
        cm = confusion_matrix(p["true"], p["pred"], labels=labels, normalize="true")
        sns.heatmap(cm, annot=True, fmt=".2f", cmap="Blues", vmin=0, vmax=1, cbar=True,
                    cbar_kws={"label": "share of the true emotion's clips"},
                    xticklabels=labels, yticklabels=labels, ax=ax, annot_kws={"fontsize": 10})
        ax.set(title=s, xlabel="predicted", ylabel="true")
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig


@_readable
def plot_group_accuracy(acc: pd.DataFrame):
    """Accuracy per language and per gender, a bar per system; one legend for all panels,
    below them, so that it covers no bar."""
    fig, axes = plt.subplots(1, acc["by"].nunique(), figsize=(10, 4.8), layout="constrained", squeeze=False,
                             gridspec_kw={"width_ratios": list(acc.groupby("by", sort=False)["value"].nunique())})
    for ax, (by, part) in zip(axes.flat, acc.groupby("by", sort=False)):
        sns.barplot(data=part, x="value", y="accuracy", hue="system", hue_order=_order(part.system.unique()), ax=ax)
        ax.set(title=f"accuracy by {by}", xlabel="", ylim=(0, 1))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in axes.flat:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    fig.legend(handles, labels, loc="outside lower center", frameon=False, ncols=min(len(labels), 2))
    for ax in axes.flat[1:]:
        ax.set_ylabel("")
    return fig


def plot_deltas_vs_paper(deltas: pd.DataFrame):
    """Each system's gap to CAMuLeNet: ours (this build's corpus) beside the paper's per-corpus gaps."""
    ours_col = next(c for c in deltas.columns if " (ours) Δ" in c)
    corpus_cols = [c for c in deltas.columns if c.startswith("paper ") and "mean" not in c]
    d = deltas.dropna(subset=[ours_col]).drop(index="CAMuLeNet", errors="ignore")
    long = d[corpus_cols].reset_index().melt(id_vars="system", var_name="corpus", value_name="delta")
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.7 * len(d)), constrained_layout=True)
    sns.stripplot(data=long, y="system", x="delta", order=list(d.index), color="0.55", size=6,
                  ax=ax, label="paper, one dot per corpus")
    ax.scatter(d[ours_col], range(len(d)), marker="D", s=70, color="C3", zorder=3,
               label=ours_col.split(" Δ")[0])
    ax.axvline(0, color="k", lw=0.8)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="lower left")
    ax.set(xlabel="accuracy minus CAMuLeNet's", ylabel="", title="What each component adds")
    return fig
