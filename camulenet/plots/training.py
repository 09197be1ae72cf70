"""Learning curves of a training grid (chapter 5): one panel per system, one line per fold.

Every curve carries its key below the panels: a colour per fold (or a note that each
line is one fold when there are too many to list) and, for the loss, a line style per
split (training clips against validation speakers). A long system name takes two lines of
its panel's title rather than run into the next panel.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from camulenet.evaluation.results_table import _order
from camulenet.plots.style import fold_colours

#: Folds listed one by one in the key; more get a single "one line per fold" entry.
MAX_LISTED_FOLDS = 10

_STYLES = {"validation": "-", "train": "--"}


def plot_fold_curves(history: pd.DataFrame, columns: dict[str, str], ylabel: str, ncols: int = 2):
    """Panels per system of ``history`` (system, fold, epoch, metric columns).

    ``columns`` maps a split label ("validation", "train") to its column; each split gets
    its own line style, each fold its own colour. Epochs are counted from 1.
    """
    systems = _order(history["system"].unique())
    folds = sorted(history["fold"].unique())
    # few folds: a qualitative palette tells them apart; many: a sequential one, keyed as a whole
    colours = fold_colours(folds)
    nrows = int(np.ceil(len(systems) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(9, 3.4 * nrows + 0.6), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    for ax, system in zip(axes.flat, systems):
        part = history[history["system"] == system]
        for fold, curve in part.groupby("fold"):
            curve = curve.sort_values("epoch")
            for split, column in columns.items():
                ax.plot(curve["epoch"] + 1, curve[column], color=colours[fold], lw=1.4,
                        ls=_STYLES.get(split, "-"), alpha=0.9)
        ax.set_title("\n".join(textwrap.wrap(system, 24, break_on_hyphens=False)), fontsize=13)
        ax.tick_params(labelsize=12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(systems):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("epoch", fontsize=13)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=13)
    key = _key(folds, colours, list(columns))
    fig.legend(handles=key, loc="outside lower center", fontsize=12, frameon=False, ncols=min(len(key), 6))
    return fig


def _key(folds, colours, splits) -> list:
    """Legend handles: the folds (or one entry saying one line per fold), then the splits."""
    if len(folds) <= MAX_LISTED_FOLDS:
        handles = [Line2D([], [], color=colours[f], lw=2, label=f"fold {f}") for f in folds]
    else:
        handles = [Line2D([], [], color=colours[folds[len(folds) // 2]], lw=2,
                          label=f"one line per fold ({len(folds)})")]
    if len(splits) > 1:
        handles += [Line2D([], [], color="0.3", lw=1.6, ls=_STYLES.get(s, "-"), label=s) for s in splits]
    return handles


def plot_validation_accuracy(history: pd.DataFrame):
    """Accuracy on the validation speakers per epoch, one line per fold."""
    return plot_fold_curves(history, {"validation": "val_wa"}, "validation accuracy")


def plot_emotion_loss(history: pd.DataFrame):
    """Emotion cross-entropy on the training clips (dashed) and the validation speakers (solid)."""
    return plot_fold_curves(history, {"validation": "val_emotion_loss", "train": "train_emotion_loss"},
                            "emotion loss")
