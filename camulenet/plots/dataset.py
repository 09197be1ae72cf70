"""Dataset figures: what a corpus contains, and how its speakers are split into folds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from camulenet.data.schema import GENDERS, UNKNOWN_GENDER, emotion_order
from camulenet.plots.style import GENDER_COLOURS as GENDER_COLORS
from camulenet.plots.style import PAGE_WIDE, emotion_colours
from camulenet.plots.style import ROLE_COLOURS as ROLE_COLORS

#: Gender groups in the order figures show them (unknown: a CSV corpus without genders).
_GENDER_ORDER = (*GENDERS, UNKNOWN_GENDER)
_MAX_LABELLED_SPEAKERS = 40


def plot_corpus_overview(df: pd.DataFrame, title: str | None = None) -> plt.Figure:
    """Three panels: clips per emotion by gender, the emotion balance of each language
    (stacked shares: a corpus balanced within every language shows equal segments), and
    clips per speaker coloured by gender. Legends sit outside the bars."""
    emotions = emotion_order(df["emotion"])
    genders = [g for g in _GENDER_ORDER if g in set(df["gender"])]
    with plt.rc_context(PAGE_WIDE):
        # two rows so that the figure stays legible at the width of a book page
        fig, ax = plt.subplot_mosaic([["emotion", "balance"], ["speaker", "speaker"]], figsize=(8.5, 8.5),
                                     constrained_layout=True)
        _emotion_by_gender(df, emotions, genders, ax["emotion"])
        _language_balance(df, emotions, ax["balance"])
        _clips_per_speaker(df, ax["speaker"])
        fig.legend(handles=[Patch(color=GENDER_COLORS[g], label=g) for g in genders], title="gender",
                   loc="outside upper center", ncol=len(genders), frameon=False)
        if title:
            fig.suptitle(title)
    return fig


def _emotion_by_gender(df, emotions, genders, ax) -> None:
    counts = pd.crosstab(df["emotion"], df["gender"]).reindex(index=emotions, columns=genders, fill_value=0)
    x = np.arange(len(emotions))
    width = 0.8 / max(1, len(genders))
    for k, g in enumerate(genders):
        ax.bar(x + (k - (len(genders) - 1) / 2) * width, counts[g], width=width, color=GENDER_COLORS[g], label=g)
    ax.set_xticks(x, emotions, rotation=35, ha="right")
    ax.set(title="Clips per emotion and gender", xlabel="", ylabel="clips")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _language_balance(df, emotions, ax) -> None:
    label = df["language"].astype(str)
    if df["corpus"].nunique() > 1:
        label = df["corpus"].astype(str) + " (" + label + ")"
    counts = pd.crosstab(label, df["emotion"]).reindex(columns=emotions, fill_value=0)
    share = counts.div(counts.sum(axis=1), axis=0)
    colors = emotion_colours(emotions)
    left = np.zeros(len(share))
    y = np.arange(len(share))
    for e, color in colors.items():
        ax.barh(y, share[e], left=left, color=color, label=e, edgecolor="white", linewidth=0.8)
        for yi, (x0, w) in enumerate(zip(left, share[e])):
            if w >= 0.09:  # the share, where the segment has room for it
                ink = "black" if np.dot(to_rgb(color), (0.299, 0.587, 0.114)) > 0.55 else "white"
                ax.text(x0 + w / 2, yi, f"{100 * w:.0f}", ha="center", va="center", fontsize=9, color=ink)
        left += share[e].to_numpy()
    ax.set_yticks(y, [f"{name}\nn={n}" for name, n in zip(share.index, counts.sum(axis=1))], fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}")
    ax.set(title="Emotion balance per language", xlabel="share of the language's clips (%)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False, fontsize=10)


def _clips_per_speaker(df, ax) -> None:
    per_spk = (df.groupby("speaker").agg(clips=("utt_id", "size"), gender=("gender", "first"))
               .reset_index().sort_values(["gender", "speaker"]))
    x = np.arange(len(per_spk))
    ax.bar(x, per_spk["clips"], color=[GENDER_COLORS.get(g, "0.5") for g in per_spk["gender"]], width=0.85)
    if len(per_spk) <= _MAX_LABELLED_SPEAKERS:
        ax.set_xticks(x, per_spk["speaker"], rotation=90, fontsize=9)
    else:
        ax.set_xticks([])
    ax.set(title=f"Clips per speaker ({len(per_spk)} speakers)", ylabel="clips",
           xlabel="speaker (sorted by gender; colour: gender)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # clips are whole numbers


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
    genders = [g for g in _GENDER_ORDER if g in set(gender)]
    g_code = np.array([[genders.index(gender[s]) if s in gender.index else np.nan] for s in order])
    ax_g.imshow(g_code, aspect="auto", interpolation="nearest",
                cmap=ListedColormap([GENDER_COLORS[g] for g in genders]))
    ax_g.set_xticks([])
    ax.imshow(matrix, aspect="auto", interpolation="nearest", vmin=0, vmax=2,
              cmap=ListedColormap([ROLE_COLORS[r] for r in ("train", "val", "test")]))
    ax.set_xticks(range(roles.shape[1]), [str(c) for c in roles.columns])
    if len(order) <= _MAX_LABELLED_SPEAKERS:
        ax_g.set_yticks(range(len(order)), order, fontsize=8)
    else:
        ax_g.set_yticks([])
    ax.set(xlabel="fold", title=f"{folds.corpus}: {folds.strategy}, {folds.n_folds} folds, seed {folds.seed}")
    handles = [Patch(color=ROLE_COLORS[r], label=r) for r in ("train", "val", "test")]
    handles += [Patch(color=GENDER_COLORS[g], label=g) for g in genders]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax_g.set_ylabel(f"speaker ({len(order)})")
    return fig
