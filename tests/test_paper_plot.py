"""Chapter 1's Table-1 figure: every (corpus, system) value drawn, legend outside the bars."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from camulenet.plots.paper import plot_paper_table1  # noqa: E402


def test_bars_and_legend_outside():
    rows = [{"system": s, "corpus": c, "metric": m, "value": v}
            for s, base in (("A", 0.4), ("CAMuLeNet", 0.7), ("B", 0.5))
            for c, off in (("X", 0.0), ("Y", 0.1))
            for m, v in (("WA", base + off), ("WF1", base + off - 0.05))]
    fig = plot_paper_table1(pd.DataFrame(rows), metric="WA")
    try:
        ax = fig.axes[0]
        heights = sorted(round(p.get_height(), 6) for p in ax.patches)
        assert heights == sorted(round(v, 6) for v in (0.4, 0.5, 0.7, 0.5, 0.6, 0.8))
        fig.canvas.draw()
        legend = fig.legends[0].get_window_extent()
        assert legend.y1 <= ax.get_window_extent().y0  # below the data, never over a bar
        assert [t.get_text() for t in fig.legends[0].get_texts()] == ["A", "CAMuLeNet", "B"]
    finally:
        plt.close(fig)
