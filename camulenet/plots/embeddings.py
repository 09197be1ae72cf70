"""t-SNE maps of embedding spaces, coloured by emotion and by speaker (chapter 7)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def plot_tsne_grid(frame: pd.DataFrame, colour_by: tuple[str, ...] = ("emotion", "speaker")):
    """Rows: embedding spaces; columns: what the points are coloured by."""
    spaces = list(dict.fromkeys(frame["space"]))
    fig, axes = plt.subplots(len(spaces), len(colour_by), figsize=(5.2 * len(colour_by), 4.6 * len(spaces)),
                             constrained_layout=True, squeeze=False)
    for r, space in enumerate(spaces):
        part = frame[frame.space == space]
        for c, col in enumerate(colour_by):
            ax = axes[r, c]
            n = part[col].nunique()
            palette = "tab10" if n <= 10 else "husl"
            sns.scatterplot(data=part, x="x", y="y", hue=col, palette=palette, s=9, linewidth=0,
                            ax=ax, legend=n <= 10, hue_order=sorted(part[col].unique()))
            ax.set(title=f"{space}, coloured by {col}" + ("" if n <= 10 else f" ({n} speakers)"),
                   xticks=[], yticks=[], xlabel="", ylabel="")
            if n <= 10:
                ax.legend(fontsize=7, markerscale=1.5, loc="best")
    return fig
