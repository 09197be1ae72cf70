"""The paper's Table 1 as grouped bars (chapter 1): one group per corpus, one bar per system."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from camulenet.plots.style import PAGE_WIDE


def plot_paper_table1(paper_long: pd.DataFrame, metric: str = "WA") -> plt.Figure:
    """Bars of ``metric`` per corpus and system, the legend below the bars, and
    the proposed model drawn darkest so the eye finds it first."""
    data = paper_long[paper_long["metric"] == metric]
    corpora = list(dict.fromkeys(data["corpus"]))
    systems = list(dict.fromkeys(data["system"]))
    colors = dict(zip(systems, sns.color_palette("Set2", len(systems))))
    if "CAMuLeNet" in colors:
        colors["CAMuLeNet"] = (0.15, 0.15, 0.15)
    with plt.rc_context(PAGE_WIDE):
        fig, ax = plt.subplots(figsize=(8, 5.4), constrained_layout=True)
        width = 0.85 / len(systems)
        x = np.arange(len(corpora))
        for k, system in enumerate(systems):
            values = data[data["system"] == system].set_index("corpus")["value"].reindex(corpora)
            ax.bar(x + (k - (len(systems) - 1) / 2) * width, values, width=width, color=colors[system],
                   label=system)
        ax.set_xticks(x, corpora)
        ax.set_ylim(0, 1)
        ax.set(ylabel=f"{metric} (accuracy)" if metric == "WA" else metric, xlabel="",
               title=f"Paper, Table 1: {metric} on unseen speakers")
        ax.grid(axis="y", alpha=0.3)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, frameon=False,
                   fontsize=10)
    return fig
