"""What each component adds (chapter 6): our gaps to CAMuLeNet, with their fold spread,
beside the paper's gaps on each of its corpora.

A gap without its spread invites reading noise as an effect, so each of our gaps carries
two bars: a thick one of plus or minus one standard deviation of the per-fold paired
differences, and thin whiskers for the corrected resampled t-interval
(:func:`camulenet.evaluation.ablation_stats.ablation_gaps`). A filled marker is a gap that survives
Holm's correction, a hollow one a gap within fold noise.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D


def plot_gaps_vs_paper(deltas: pd.DataFrame, gaps: pd.DataFrame, label: str = "ours"):
    """``deltas``: :func:`camulenet.evaluation.results_table.ablation_deltas` (its ``paper <corpus>``
    columns give the paper's gaps); ``gaps``: :func:`camulenet.evaluation.ablation_stats.ablation_gaps`
    for the same metric. Rows: the systems with a gap of ours, in ``gaps``' order."""
    metric = gaps.attrs.get("metric", "WA")
    conf = round(100 * gaps.attrs.get("confidence", 0.95))
    systems = [s for s in gaps.index if np.isfinite(gaps.loc[s, "gap"])]
    corpus_cols = [c for c in deltas.columns if c.startswith("paper ") and "mean" not in c]
    y = np.arange(len(systems))[::-1]
    fig, ax = plt.subplots(figsize=(9, 2.2 + 0.9 * len(systems)), layout="constrained")
    for yi, system in zip(y, systems):
        paper = deltas.loc[system, corpus_cols].dropna() if system in deltas.index else pd.Series(dtype=float)
        ax.scatter(paper.to_numpy(float), np.full(len(paper), yi + 0.18), s=45, color="0.6", zorder=2)
        g = gaps.loc[system]
        ax.plot([g.ci_low, g.ci_high], [yi - 0.08] * 2, color="C3", lw=1.3, zorder=3)
        ax.plot([g.ci_low] * 2 + [np.nan] + [g.ci_high] * 2,
                [yi - 0.16, yi, np.nan, yi - 0.16, yi], color="C3", lw=1.3, zorder=3)
        ax.plot([g.gap - g.sd, g.gap + g.sd], [yi - 0.08] * 2, color="C3", lw=6, alpha=0.45,
                solid_capstyle="butt", zorder=3)
        ax.scatter([g.gap], [yi - 0.08], marker="D", s=80, zorder=4, edgecolors="C3", linewidths=1.8,
                   facecolors="C3" if g.significant else "white")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, [textwrap.fill(s, 24, break_on_hyphens=False) for s in systems], fontsize=13)
    ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    ax.tick_params(axis="x", labelsize=12)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(f"{metric} minus CAMuLeNet's", fontsize=13)
    key = [Line2D([], [], marker="o", ls="none", color="0.6", markersize=7, label="paper, one dot per corpus"),
           Line2D([], [], marker="D", ls="none", color="C3", markersize=8, label=f"{label}: gap significant (Holm)"),
           Line2D([], [], marker="D", ls="none", color="C3", markerfacecolor="white", markersize=8,
                  label=f"{label}: gap within fold noise"),
           Line2D([], [], color="C3", lw=6, alpha=0.45, label="± 1 sd of the fold differences"),
           Line2D([], [], color="C3", lw=1.3, label=f"corrected {conf}% interval")]
    fig.legend(handles=key, loc="outside lower center", ncols=2, fontsize=12, frameon=False)
    return fig
