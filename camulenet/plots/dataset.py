"""Dataset figures: what a corpus contains, and how its speakers are split into folds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from camulenet.schema import GENDERS, emotion_order

GENDER_COLORS = {"female": "#d95f02", "male": "#1b9e77"}
ROLE_COLORS = {"train": "#d9d9d9", "val": "#fdb863", "test": "#5e3c99"}
_MAX_LABELLED_SPEAKERS = 40


def plot_corpus_overview(df: pd.DataFrame, title: str | None = None) -> plt.Figure:
    """Three panels: clips per emotion by gender, clips per speaker coloured by gender,
    and an emotion x corpus (language) heatmap of clip counts."""
    emotions = emotion_order(df["emotion"])
    genders = [g for g in GENDERS if g in set(df["gender"])]
    # two rows so that the figure stays legible at the width of a book page
    fig, ax = plt.subplot_mosaic([["emotion", "heatmap"], ["speaker", "speaker"]], figsize=(11, 8),
                                 constrained_layout=True)
    axes = [ax["emotion"], ax["speaker"], ax["heatmap"]]

    sns.countplot(data=df, x="emotion", hue="gender", order=emotions, hue_order=genders,
                  palette=GENDER_COLORS, ax=axes[0])
    axes[0].set(title="Clips per emotion and gender", xlabel="", ylabel="clips")
    axes[0].tick_params(axis="x", rotation=35)

    per_spk = (df.groupby("speaker").agg(clips=("utt_id", "size"), gender=("gender", "first"))
               .reset_index().sort_values(["gender", "speaker"]))
    x = np.arange(len(per_spk))
    axes[1].bar(x, per_spk["clips"], color=[GENDER_COLORS.get(g, "0.5") for g in per_spk["gender"]],
                width=0.85)
    if len(per_spk) <= _MAX_LABELLED_SPEAKERS:
        axes[1].set_xticks(x, per_spk["speaker"], rotation=90, fontsize=7)
    else:
        axes[1].set_xticks([])
    axes[1].set(title=f"Clips per speaker ({len(per_spk)} speakers)", ylabel="clips",
                xlabel="speaker (sorted by gender)")
    axes[1].set_ylim(0, per_spk["clips"].max() * 1.18)  # headroom for the legend
    axes[1].legend(handles=[Patch(color=GENDER_COLORS[g], label=g) for g in genders],
                   loc="upper right", ncol=len(genders), frameon=False)

    label = df["corpus"].astype(str) + " (" + df["language"].astype(str) + ")"
    counts = pd.crosstab(df["emotion"], label).reindex(emotions)
    sns.heatmap(counts, annot=counts.shape[1] * counts.shape[0] <= 80, fmt="d", cmap="Blues",
                cbar_kws={"label": "clips"}, ax=axes[2])
    axes[2].set(title="Emotion x corpus (language)", xlabel="", ylabel="")
    if title:
        fig.suptitle(title)
    return fig


def plot_folds(folds, manifest: pd.DataFrame) -> plt.Figure:
    """Speaker x fold matrix: grey = train, orange = validation, purple = test.
    Speakers are grouped by gender (coloured strip on the left)."""
    roles = folds.roles()
    gender = manifest.groupby("speaker")["gender"].first().astype(str)
    order = sorted(roles.index, key=lambda s: (gender.get(s, ""), s))
    roles = roles.loc[order]
    code = {"train": 0, "val": 1, "test": 2}
    matrix = roles.apply(lambda col: col.map(code)).to_numpy(dtype=float)

    height = min(max(3.0, 0.14 * len(order) + 1.5), 14.0)
    fig, (ax_g, ax) = plt.subplots(1, 2, figsize=(1.2 + 0.45 * roles.shape[1] + 2.5, height),
                                   gridspec_kw={"width_ratios": [0.04, 1]}, sharey=True,
                                   constrained_layout=True)
    genders = [g for g in GENDERS if g in set(gender)]
    g_code = np.array([[genders.index(gender[s]) if s in gender.index else np.nan] for s in order])
    ax_g.imshow(g_code, aspect="auto", interpolation="nearest",
                cmap=ListedColormap([GENDER_COLORS[g] for g in genders]))
    ax_g.set_xticks([])
    ax.imshow(matrix, aspect="auto", interpolation="nearest", vmin=0, vmax=2,
              cmap=ListedColormap([ROLE_COLORS[r] for r in ("train", "val", "test")]))
    ax.set_xticks(range(roles.shape[1]), [str(c) for c in roles.columns])
    if len(order) <= _MAX_LABELLED_SPEAKERS:
        ax_g.set_yticks(range(len(order)), order, fontsize=7)
    else:
        ax_g.set_yticks([])
    ax.set(xlabel="fold", title=f"{folds.corpus}: {folds.strategy}, {folds.n_folds} folds, seed {folds.seed}")
    handles = [Patch(color=ROLE_COLORS[r], label=r) for r in ("train", "val", "test")]
    handles += [Patch(color=GENDER_COLORS[g], label=g) for g in genders]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax_g.set_ylabel(f"speaker ({len(order)})")
    return fig
