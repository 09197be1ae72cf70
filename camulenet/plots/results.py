"""Plots of results across folds and systems (chapters 6 and 8)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import confusion_matrix

from camulenet.data.schema import emotion_order
from camulenet.evaluation.results_table import METRICS, _order
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
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols + 1.0, 4.3 * rows), constrained_layout=True, squeeze=False)
    for ax, s in zip(axes.flat, systems):
        p = predictions[predictions.system == s]
        cm = confusion_matrix(p["true"], p["pred"], labels=labels, normalize="true")
        sns.heatmap(cm, annot=True, fmt=".2f", cmap="Blues", vmin=0, vmax=1, cbar=False,
                    xticklabels=labels, yticklabels=labels, ax=ax, annot_kws={"fontsize": 11})
        ax.set(title=s, xlabel="predicted", ylabel="true")
    for ax in axes.flat[n:]:
        ax.axis("off")
    # one colourbar for all panels (they share the scale 0-1)
    fig.colorbar(axes.flat[0].collections[0], ax=axes, shrink=0.6, label="share of the true emotion's clips")
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
