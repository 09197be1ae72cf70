"""t-SNE maps of embedding spaces, coloured by emotion and by speaker (chapter 7)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from camulenet.data.schema import emotion_order
from camulenet.plots.style import emotion_colours, speaker_styles

#: Font size of titles, legends and labels: readable on a projected page once the figure
#: is scaled to the page's width.
FONT = 13


def plot_tsne_grid(frame: pd.DataFrame, colour_by: tuple[str, ...] = ("emotion", "speaker"),
                   max_legend: int = 12):
    """Rows: embedding spaces; columns: what the points are coloured by.

    Each meaning has its own palette (:mod:`camulenet.plots.style`): emotions their fixed
    colours, as in every figure of the book; speakers a marker shape each and a shade of a
    sequential map, so that a speaker is never drawn in an emotion's colour. Each column has
    one legend, below its last panel (outside the data, so the figure stays narrow enough to
    keep its type readable on a page), with large markers; a column with more than
    ``max_legend`` values (e.g. many speakers) gets no legend, its title says how many there are.
    """
    spaces = list(dict.fromkeys(frame["space"]))
    fig, axes = plt.subplots(len(spaces), len(colour_by), figsize=(3.9 * len(colour_by), 3.7 * len(spaces) + 1.2),
                             layout="constrained", squeeze=False)
    for c, col in enumerate(colour_by):
        order = emotion_order(frame[col].unique()) if col == "emotion" else sorted(frame[col].unique())
        n = len(order)
        if col == "speaker":
            styles = speaker_styles(order)
            palette = {k: colour for k, (colour, _) in styles.items()}
            markers = {k: marker for k, (_, marker) in styles.items()}
        else:
            palette = emotion_colours(order) if col == "emotion" else dict(zip(order, sns.color_palette("husl", n)))
            markers = None
        for r, space in enumerate(spaces):
            part = frame[frame.space == space]
            ax = axes[r, c]
            sns.scatterplot(data=part, x="x", y="y", hue=col, palette=palette, hue_order=order, s=34,
                            style=col if markers else None, markers=markers, style_order=order if markers else None,
                            linewidth=0, alpha=0.85, ax=ax, legend=n <= max_legend)
            ax.set_title(f"{space}\ncoloured by {col}" + (f" ({n} {col}s)" if n > max_legend else ""),
                         fontsize=FONT)
            ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
            if ax.get_legend() is not None:
                if r == len(spaces) - 1:
                    ax.legend(title=col, fontsize=FONT - 1, title_fontsize=FONT, markerscale=1.8, frameon=False,
                              loc="upper center", bbox_to_anchor=(0.5, -0.03), ncols=2, borderaxespad=0,
                              columnspacing=0.8, handletextpad=0.2)
                else:
                    ax.get_legend().remove()
    return fig
