"""Pages that fit and read well: captions in proper English, tables narrow enough for a page,
names that never break inside a word, one palette per meaning, figures whose titles and keys
stay clear of their neighbours, and an architecture figure drawn from the model itself."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from camulenet import config  # noqa: E402
from camulenet.book.captions import settings_caption  # noqa: E402
from camulenet.book.tables import group_accuracy_view, style_deltas, style_scores  # noqa: E402
from camulenet.book.training_log import selection_text  # noqa: E402
from camulenet.evaluation.results_table import group_accuracy  # noqa: E402
from camulenet.model import CAMuLeNet, CAMuLeNetConfig, count_parameters  # noqa: E402
from camulenet.plots.architecture import plot_architecture  # noqa: E402
from camulenet.plots.calibration import plot_reliability  # noqa: E402
from camulenet.plots.embeddings import plot_tsne_grid  # noqa: E402
from camulenet.plots.style import EMOTION_COLOURS, GENDER_COLOURS, emotion_colours, speaker_styles  # noqa: E402
from camulenet.plots.training import plot_emotion_loss  # noqa: E402
from camulenet.training.trainer import TrainConfig  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_caption_counts_epochs_in_proper_english(monkeypatch):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    cfg = config.settings()
    assert "at most 1 epoch ·" in settings_caption(dataclasses.replace(cfg, max_epochs=1))
    assert "at most 2 epochs ·" in settings_caption(dataclasses.replace(cfg, max_epochs=2))
    assert "epoch(s)" not in selection_text(TrainConfig(epochs=1, monitor="last"))
    assert "runs its one epoch" in selection_text(TrainConfig(epochs=1, monitor="last"))
    assert "all 10 epochs and keeps the last" in selection_text(TrainConfig(epochs=10, monitor="last"))
    assert selection_text(TrainConfig(epochs=1, monitor="val_wa")).endswith("out of 1 epoch.")


def test_names_in_table_headers_never_break_at_a_hyphen():
    scores = pd.DataFrame({"CREMA-D": [0.5, 0.6]}, index=["Whisper-Base", "CAMuLeNet"])
    html = style_scores(scores).to_html()
    assert "CREMA\u2011D" in html and "Whisper\u2011Base" in html and "CREMA-D" not in html
    deltas = pd.DataFrame({"synthetic (ours) ΔWA": [0.0], "paper mean ΔWA": [0.0], "paper BhavVani": [0.0]},
                          index=["CAMuLeNet"])
    html = style_deltas(deltas).to_html()
    assert "BhavVani" in html and "paper mean" in html and "+0.000" in html


def test_group_accuracy_is_one_block_per_grouping_headed_by_the_value():
    manifest = pd.DataFrame({"utt_id": list("abcd"), "language": ["de", "de", "en", "en"],
                             "gender": ["female", "male", "female", "male"]})
    predictions = pd.DataFrame({"system": ["CAMuLeNet"] * 4 + ["Whisper-Base"] * 4, "utt_id": list("abcd") * 2,
                                "true": ["sad"] * 8, "pred": ["sad", "sad", "angry", "sad", "sad", "angry",
                                                              "angry", "angry"]})
    view = group_accuracy_view(group_accuracy(predictions, manifest, by=("language", "gender")))
    assert list(view.columns) == [("language", "de"), ("language", "en"), ("gender", "female"), ("gender", "male")]
    assert list(view.index) == ["Whisper-Base", "CAMuLeNet"]  # the book's order of systems
    assert view.loc["CAMuLeNet", ("language", "en")] == 0.5 and view.loc["Whisper-Base", ("gender", "male")] == 0.0


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.axes[0].texts) + "\n" + fig.axes[0].get_title(loc="left")


def test_architecture_figure_is_drawn_from_the_model():
    model = CAMuLeNet(CAMuLeNetConfig.compact())
    text = _texts(plot_architecture(model))
    c = model.config
    assert f"widths {'-'.join(map(str, c.conv_widths))}" in text
    assert f"FC {2 * c.gru_hidden} \u2192 m ({c.branch_dim})" in text and "mean over frames" in text
    assert f"scores of [s, m]\nFC {2 * c.branch_dim} \u2192 {c.max_frames}" in text and "gender\nhead" in text
    assert f"{count_parameters(model) / 1e3:.0f} k parameters" in text
    assert f"{count_parameters(model.mfcc) / 1e3:.0f} k parameters" in text
    # an ablation shows what it lacks
    plain = _texts(plot_architecture(CAMuLeNet(CAMuLeNetConfig.compact(multitask=False, coattention=False))))
    assert "co-attention" not in plain and "gender" not in plain and "[m, s, w]: 384" in plain


def test_architecture_figure_of_the_released_layout_names_its_flattened_gru():
    # the released widths on a 20-frame clip: the flatten layer as in the paper, at a test's size
    model = CAMuLeNet(CAMuLeNetConfig.paper(mfcc_frames=20, gru_hidden=8, branch_dim=16, conv_widths=(4, 4, 4, 4, 4)))
    text = _texts(plot_architecture(model))
    assert "flatten 20 \u00d7 16" in text and "FC 320 \u2192 m (16)" in text and "ReLU" in text


def test_one_palette_per_meaning_in_the_t_sne_maps():
    rng = np.random.default_rng(0)
    speakers = [f"spk{i}" for i in range(8)]
    rows = [{"space": space, "emotion": e, "speaker": s, "x": rng.normal(), "y": rng.normal()}
            for space in ("a", "b") for e in ("angry", "sad", "happy") for s in speakers]
    fig = plot_tsne_grid(pd.DataFrame(rows))
    axes = np.array(fig.axes).reshape(2, 2)
    emotion_faces = {to_hex(c) for coll in axes[0, 0].collections for c in coll.get_facecolors()}
    speaker_faces = {to_hex(c) for coll in axes[0, 1].collections for c in coll.get_facecolors()}
    assert emotion_faces <= set(EMOTION_COLOURS.values())
    assert EMOTION_COLOURS["angry"] in emotion_faces
    assert not speaker_faces & set(EMOTION_COLOURS.values())
    markers = {m for _, m in speaker_styles(speakers).values()}
    assert len(markers) == len(speakers)  # each speaker its own shape
    assert not set(emotion_colours(["neutral", "sad"]).values()) & set(GENDER_COLOURS.values())


def test_learning_curves_keep_long_titles_and_the_key_clear_of_the_panels():
    hist = pd.DataFrame([{"system": s, "fold": f, "epoch": e, "val_emotion_loss": 1.0 - 0.1 * e,
                          "train_emotion_loss": 1.2 - 0.1 * e}
                         for s in ("CAMuLeNet", "CAMuLeNet w/o co-attention & multitask") for f in range(2)
                         for e in range(3)])
    fig = plot_emotion_loss(hist)
    fig.canvas.draw()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any("\n" in t for t in titles) and all(max(map(len, t.split("\n"))) <= 24 for t in titles)
    key = fig.legends[0].get_window_extent()
    assert all(key.y1 <= ax.get_window_extent().y0 for ax in fig.axes if ax.get_visible() and ax.lines)
    ticks = fig.axes[0].get_xticks()
    assert np.allclose(ticks, np.round(ticks))  # whole epochs


def test_reliability_panels_show_gaps_with_ece_in_the_title_and_the_key_below():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    logits = rng.normal(size=(600, 3)) + 2.0 * np.eye(3)[y]
    probs = np.exp(3 * logits) / np.exp(3 * logits).sum(1, keepdims=True)  # over-confident
    fig = plot_reliability({f"system {i}": (probs, y) for i in range(3)}, n_bins=10)
    fig.canvas.draw()
    assert len(fig.axes) == 3
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert low == pytest.approx(-high) and "ECE" in ax.get_title() and "\u2192" in ax.get_title()
    key = fig.legends[0].get_window_extent()
    assert all(key.y1 <= ax.get_window_extent().y0 for ax in fig.axes)
