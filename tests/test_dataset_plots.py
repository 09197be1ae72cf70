"""Dataset figures return matplotlib Figures with the expected panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from camulenet.data.folds import make_folds  # noqa: E402
from camulenet.plots.dataset import plot_corpus_overview, plot_folds  # noqa: E402


def toy(n_f: int, n_m: int, corpus: str, language: str) -> pd.DataFrame:
    rows = []
    for spk, gender in [(f"{corpus}_f{i}", "female") for i in range(n_f)] + [(f"{corpus}_m{i}", "male") for i in range(n_m)]:
        for k, emo in enumerate(("neutral", "angry", "happy", "sad", "fear", "angry")):
            rows.append({"utt_id": f"{spk}_{k}", "path": f"/x/{spk}_{k}.wav", "corpus": corpus,
                         "language": language, "speaker": spk, "gender": gender, "emotion": emo})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("n_speakers", [6, 60])
def test_corpus_overview(n_speakers):
    df = pd.concat([toy(n_speakers // 2, n_speakers // 2, "toy", "en"), toy(2, 3, "other", "de")],
                   ignore_index=True)
    fig = plot_corpus_overview(df, title="toy")
    try:
        assert isinstance(fig, plt.Figure)
        panels = {a.get_title().split(" (")[0]: a for a in fig.axes if a.get_title()}
        assert set(panels) == {"Clips per emotion and gender", "Clips per speaker", "Emotion balance per language"}
        bars = [p for p in panels["Clips per speaker"].patches if p.get_height() > 0]
        assert len(bars) == n_speakers + 5
        # the balance panel: one bar per corpus (language), its segments are shares summing to 1
        balance = panels["Emotion balance per language"]
        widths = {}
        for p in balance.patches:
            widths.setdefault(round(p.get_y(), 6), []).append(p.get_width())
        assert len(widths) == 2
        assert all(abs(sum(w) - 1) < 1e-9 for w in widths.values())
        # angry is 2 of the 6 clips of every speaker: its segment is a third of each bar
        angry = [c for c in balance.containers if c.get_label() == "angry"]
        assert len(angry) == 1 and all(abs(p.get_width() - 1 / 3) < 1e-9 for p in angry[0].patches)
        # no legend inside a data panel that holds bars of the gender colours
        assert panels["Clips per speaker"].get_legend() is None
        assert panels["Clips per emotion and gender"].get_legend() is None
    finally:
        plt.close(fig)


def test_plot_folds():
    m = toy(5, 6, "toy", "en")
    folds = make_folds(m, n_folds=4, seed=0)
    fig = plot_folds(folds, m)
    try:
        assert isinstance(fig, plt.Figure)
        image = fig.axes[1].images[0].get_array()
        assert image.shape == (11, 4)
        assert ((image == 2).sum(axis=1) == 1).all()       # each speaker tested exactly once
        assert ((image == 1).sum(axis=0) == 2).all()       # two validation speakers per fold
    finally:
        plt.close(fig)
