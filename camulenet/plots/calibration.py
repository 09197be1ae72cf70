"""Reliability diagrams before and after temperature scaling (Guo et al. 2017)."""

from __future__ import annotations

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
                     temperatures: Mapping[str, float] | None = None, n_bins: int = 15, max_cols: int = 3,
                     scaled: Mapping[str, np.ndarray] | None = None):
    """One panel per system: accuracy against mean confidence per bin, before and after
    temperature scaling, with the diagonal of perfect calibration.

    ``data``: system -> (probs or logits (n, C), integer labels (n,)). ``temperatures``:
    system -> T fitted elsewhere (on validation data: the honest choice). A system without
    one gets T fitted on the plotted data itself, which flatters the "after" curve; the
    panel title says which. Marker area grows with the bin's clip count. The legend sits
    outside the panels (right of the figure) so it never hides a bin. ``scaled``: system ->
    probabilities already scaled elsewhere (e.g. a temperature per fold, fitted on each
    fold's validation speakers), drawn as the "after" curve as they are.
    """
    systems = list(data)
    if not systems:
        raise ValueError("no systems to plot")
    temperatures = dict(temperatures or {})
    cols = min(len(systems), max_cols)
    rows = int(np.ceil(len(systems) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols + 2.8, 4.2 * rows), squeeze=False,
                             sharey=True, layout="constrained")
    for ax in axes.flat[len(systems):]:
        fig.delaxes(ax)  # the figure has exactly one axes per system
    for ax, name in zip(axes.flat, systems):
        probs, y = data[name]
        given = name in temperatures
        if scaled is not None and name in scaled:
            after, title = np.asarray(scaled[name]), "T per fold, fitted on its validation speakers"
        else:
            t = float(temperatures[name]) if given else fit_temperature(probs, y)
            after, title = apply_temperature(probs, t), f"T = {t:.2f} ({'given' if given else 'fitted on these data'})"
        ax.plot([0, 1], [0, 1], ls="--", color="0.6", lw=1, label="perfect calibration")
        for label, p, color in (("before", probs, "C3"), ("after", after, "C0")):
            tab = reliability_table(p, y, n_bins).query("count > 0")
            ece = expected_calibration_error(p, y, n_bins)
            ax.plot(tab["confidence"], tab["accuracy"], color=color, lw=1.2, label=label)
            ax.scatter(tab["confidence"], tab["accuracy"], s=8 + 80 * tab["count"] / tab["count"].max(),
                       color=color, zorder=3)
            ax.text(0.03, 0.95 if label == "before" else 0.87, f"ECE {label}: {ece:.3f}",
                    color=color, transform=ax.transAxes, va="top", fontsize=11)
        ax.set(title=f"{name}\n{title}", xlim=(0, 1), ylim=(0, 1), aspect="equal")
        ax.title.set_fontsize(11)
    for i, ax in enumerate(axes.flat[:len(systems)]):
        if i + cols >= len(systems):  # lowest panel of its column
            ax.set_xlabel("confidence (top-class probability)")
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    labels = [lab if lab != "after" else "after temperature scaling" for lab in labels]
    fig.legend(handles, labels, loc="outside right upper", frameon=False)
    return fig
