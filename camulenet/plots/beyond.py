"""Figures of the chapter "Beyond the paper": speaker similarity and cross-lingual transfer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from camulenet.plots.style import SETTING_COLOURS, fold_colours, readable


@readable
def plot_similarity(per_speaker: pd.DataFrame, correlations: pd.DataFrame, max_cols: int = 3):
    """One panel per system: each test speaker's accuracy against its cosine distance to the
    nearest training speaker of its fold (colour: the fold), Spearman's rho in the title."""
    systems = list(dict.fromkeys(per_speaker["system"]))
    cols = min(len(systems), max_cols)
    rows = int(np.ceil(len(systems) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols + 1.8, 3.8 * rows), squeeze=False, sharex=True,
                             sharey=True, layout="constrained")
    for ax in axes.flat[len(systems):]:
        fig.delaxes(ax)
    rho = correlations.set_index("system")
    # cosine distances between voices can be tiny: plot them in units of 10^k, named in the label
    top = float(per_speaker["distance"].abs().max()) if len(per_speaker) else 0.0
    power = int(np.floor(np.log10(top))) if top > 0 and top < 0.01 else 0
    per_speaker = per_speaker.assign(distance=per_speaker["distance"] / 10.0 ** power)
    folds = sorted(per_speaker["fold"].unique())
    colours = fold_colours(folds)
    for ax, system in zip(axes.flat, systems):
        part = per_speaker[per_speaker.system == system]
        for fold in folds:
            f = part[part.fold == fold]
            ax.scatter(f["distance"], f["accuracy"], s=36, color=colours[fold], label=f"fold {fold}")
        r = rho.loc[system]
        ax.set_title(f"{system}\nrho = {r['rho']:.2f} (p = {r['p']:.2g}, {int(r['n_speakers'])} speakers)")
        ax.set_ylim(-0.02, 1.02)
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))
    for ax in axes[-1, :]:
        ax.set_xlabel("distance to nearest training speaker" + (f" (×10$^{{{power}}}$)" if power else ""))
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy on the speaker")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", frameon=False, title="test fold",
               ncols=1 if len(labels) <= 10 else 2)
    return fig


@readable
def plot_transfer(table: pd.DataFrame, value: str = "accuracy", by: str = "language", hue: str = "setting"):
    """Grouped bars: accuracy per language (or corpus) in each setting (e.g. language seen in
    training vs unseen), one panel per system; the legend outside the axes."""
    systems = list(dict.fromkeys(table["system"]))
    fig, axes = plt.subplots(1, len(systems), figsize=(4.0 * len(systems) + 3.0, 3.8), squeeze=False,
                             sharey=True, layout="constrained")
    settings = list(dict.fromkeys(table[hue]))
    width = 0.8 / len(settings)
    for ax, system in zip(axes.flat, systems):
        part = table[table.system == system]
        groups = list(dict.fromkeys(part[by]))
        x = np.arange(len(groups))
        for j, setting in enumerate(settings):
            vals = part[part[hue] == setting].set_index(by).reindex(groups)[value]
            ax.bar(x + (j - (len(settings) - 1) / 2) * width, vals, width, label=setting,
                   color=SETTING_COLOURS[j % len(SETTING_COLOURS)], edgecolor="black", linewidth=0.5)
        ax.set_xticks(x, groups)
        ax.set_title(system)
        ax.set_xlabel(by)
    axes.flat[0].set_ylabel(value)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", frameon=False)
    return fig
