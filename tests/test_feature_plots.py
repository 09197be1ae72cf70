"""Chapter 3's feature figures: colourbars with units; the trimmed/full frame agreement."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from camulenet.features import spectral  # noqa: E402
from camulenet.plots.features import frame_agreement, plot_presets, plot_whisper_frames  # noqa: E402


def test_frame_agreement():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(30, 8))
    same = frame_agreement(np.vstack([a, rng.normal(size=(20, 8))]), a)
    assert same["frames"] == 30 and abs(same["mean"] - 1) < 1e-9 and abs(same["min"] - 1) < 1e-9
    flipped = a.copy()
    flipped[0] *= -1
    got = frame_agreement(a, flipped)
    assert abs(got["min"] + 1) < 1e-9 and abs(got["mean"] - 28 / 30) < 1e-9


def _colorbar_labels(fig):
    return sorted(ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>")


def test_heatmaps_have_colourbars_with_units():
    sr = 16000
    wave = 0.3 * np.sin(2 * np.pi * 300 * np.arange(sr) / sr) * np.hanning(sr)
    fig = plot_presets(wave, {"cpu": spectral.PRESETS["cpu"]})
    try:
        assert _colorbar_labels(fig) == ["power (dB)", "z-score"]
    finally:
        plt.close(fig)
    rng = np.random.default_rng(0)
    fig = plot_whisper_frames(wave, rng.normal(size=(1500, 16)), rng.normal(size=(50, 16)), "toy")
    try:
        assert _colorbar_labels(fig) == ["activation (no unit)"]
    finally:
        plt.close(fig)
