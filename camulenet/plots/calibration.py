"""Reliability diagrams, as calibration gaps per confidence bin, before and after temperature
scaling (Guo et al. 2017)."""

from __future__ import annotations

import textwrap
from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np

from camulenet.evaluation.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    reliability_table,
)
from camulenet.plots.style import readable


@readable
def plot_reliability(data: Mapping[str, tuple[np.ndarray, np.ndarray]],
                     temperatures: Mapping[str, float] | None = None, n_bins: int = 15, max_cols: int = 2,
                     scaled: Mapping[str, np.ndarray] | None = None):
    """One panel per system: each confidence bin's calibration gap (accuracy minus mean
    confidence: 0 is perfect calibration, below 0 over-confident, above under-confident),
    before and after temperature scaling, with each system's ECE before -> after in its title.

    The gap form keeps small miscalibrations visible: on a square accuracy-against-confidence
    plot they hug the diagonal, and with several systems each panel is small. Panels share
    both axes, wider than tall, the y range symmetric around 0 and fitted to the largest gap;
    markers (area: the bin's clips) are never cut at the edge.

    ``data``: system -> (probs or logits (n, C), integer labels (n,)). ``temperatures``:
    system -> T fitted elsewhere (on validation data: the honest choice). A system without
    one gets T fitted on the plotted data itself, which flatters the "after" curve; the
    panel title says which. ``scaled``: system -> probabilities already scaled elsewhere
    (e.g. a temperature per fold, fitted on each fold's validation speakers), drawn as the
    "after" curve as they are. The legend sits below the panels, so it never hides a bin.
    """
    systems = list(data)
    if not systems:
        raise ValueError("no systems to plot")
    temperatures = dict(temperatures or {})
    cols = min(len(systems), max_cols)
    rows = int(np.ceil(len(systems) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.9 * cols, 2.9 * rows + 0.9), squeeze=False,
                             sharex=True, sharey=True, layout="constrained")
    for ax in axes.flat[len(systems):]:
        fig.delaxes(ax)  # the figure has exactly one axes per system
    top = 0.05
    for ax, name in zip(axes.flat, systems):
        probs, y = data[name]
        given = name in temperatures
        if scaled is not None and name in scaled:
            after, how = np.asarray(scaled[name]), ""
        else:
            t = float(temperatures[name]) if given else fit_temperature(probs, y)
            after, how = apply_temperature(probs, t), f", T = {t:.2f} ({'given' if given else 'fitted on these data'})"
        ax.axhline(0, ls="--", color="0.5", lw=1, label="perfect calibration")
        eces = []
        for label, p, color in (("before", probs, "C3"), ("after", after, "C0")):
            tab = reliability_table(p, y, n_bins).query("count > 0")
            gap = tab["accuracy"] - tab["confidence"]
            top = max(top, float(gap.abs().max()) if len(gap) else 0.0)
            ax.plot(tab["confidence"], gap, color=color, lw=1.4, label=label)
            ax.scatter(tab["confidence"], gap, s=10 + 70 * tab["count"] / tab["count"].max(), color=color,
                       zorder=3, clip_on=False)
            eces.append(expected_calibration_error(p, y, n_bins))
        title = "\n".join(textwrap.wrap(name, 34, break_on_hyphens=False))
        ax.set_title(f"{title}\nECE {eces[0]:.3f} \u2192 {eces[1]:.3f}{how}", fontsize=12)
        ax.grid(alpha=0.3)
    lim = 1.15 * top
    axes.flat[0].set(xlim=(0, 1), ylim=(-lim, lim))
    for i, ax in enumerate(axes.flat[:len(systems)]):
        if i + cols >= len(systems):  # lowest panel of its column
            ax.set_xlabel("confidence (top-class probability)")
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy \u2212 confidence")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    labels = [lab if lab != "after" else "after temperature scaling" for lab in labels]
    fig.legend(handles, labels, loc="outside lower center", frameon=False, ncols=3)
    return fig
