"""Feature figures for chapter 3: one clip's waveform, Whisper frames, mel and MFCC.

Every heat-map carries a colourbar with its unit, and fonts are sized for a projector.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from camulenet.features import spectral
from camulenet.plots.style import PAGE_WIDE

SAMPLE_RATE = 16000


def frame_agreement(full: np.ndarray, trimmed: np.ndarray) -> dict[str, float]:
    """How close trimmed-mode Whisper frames are to the same frames of full (30-s) mode:
    per-frame cosine similarity over the frames both have (mean and minimum)."""
    n = min(len(full), len(trimmed))
    a, b = np.asarray(full[:n], dtype=np.float64), np.asarray(trimmed[:n], dtype=np.float64)
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
    return {"frames": n, "mean": float(cos.mean()), "min": float(cos.min())}


def plot_whisper_frames(wave: np.ndarray, full: np.ndarray, trimmed: np.ndarray, title: str) -> plt.Figure:
    """Waveform, then the first frames of full mode (dashed line: the end of the clip's own
    frames, after which full mode encodes padding) and the trimmed frames on the same frame
    axis, on one robust colour range (2nd-98th percentile: a few Whisper dimensions are huge
    and would wash out the rest)."""
    n = len(trimmed)
    shown = min(len(full), max(3 * n, 150))
    lo, hi = np.percentile(trimmed, [2, 98])
    with plt.rc_context(PAGE_WIDE):
        fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), constrained_layout=True)
        t = np.arange(len(wave)) / SAMPLE_RATE
        axes[0].plot(t, wave, lw=0.5)
        axes[0].set(title=title, xlabel="time (s)", ylabel="amplitude", xlim=(0, t[-1]))
        im = axes[1].imshow(full[:shown].T, aspect="auto", origin="lower", cmap="magma",
                            vmin=lo, vmax=hi, interpolation="nearest")
        axes[1].axvline(n - 0.5, color="w", ls="--", lw=2)
        axes[1].set(title=f"Whisper frames, full mode: the first {shown} of {len(full)} (dashed: end of the clip)",
                    ylabel="dimension", xlim=(-0.5, shown - 0.5))
        axes[2].imshow(trimmed.T, aspect="auto", origin="lower", cmap="magma", vmin=lo, vmax=hi,
                       interpolation="nearest")
        axes[2].set(title=f"Whisper frames, trimmed mode: the clip's own {n}", xlabel="frame (20 ms)",
                    ylabel="dimension", xlim=(-0.5, shown - 0.5))
        fig.colorbar(im, ax=axes[1:], label="activation (no unit)", shrink=0.9, extend="both")
    return fig


def plot_presets(wave: np.ndarray, presets: dict[str, spectral.SpectralPreset]) -> plt.Figure:
    """Log-Mel spectrogram in dB (top) and standardised MFCCs (bottom), one column per preset."""
    with plt.rc_context(PAGE_WIDE):
        fig, axes = plt.subplots(2, len(presets), figsize=(4.3 * len(presets), 7), constrained_layout=True,
                                 squeeze=False)
        for col, (name, p) in enumerate(presets.items()):
            m, c = spectral.mel(wave, p), spectral.mfcc(wave, p)
            # both in dB: raw power converted, natural-log power rescaled (10 log10 x = 4.34 ln x)
            m = 10 * np.log10(np.maximum(m, 1e-10)) if not p.log_mel else m * (10 / np.log(10))
            im = axes[0, col].imshow(m.T, aspect="auto", origin="lower", cmap="magma", interpolation="nearest")
            axes[0, col].set(title=f"log-Mel ({name}): {m.shape[0]} frames x {m.shape[1]} bands", ylabel="mel band")
            fig.colorbar(im, ax=axes[0, col], label="power (dB)")
            z = (c - c.mean(0)) / (c.std(0) + 1e-6)  # each coefficient standardised, or c0 hides the rest
            im = axes[1, col].imshow(z.T, aspect="auto", origin="lower", cmap="coolwarm", vmin=-3, vmax=3,
                                     interpolation="nearest")
            axes[1, col].set(title=f"MFCC ({name}): {c.shape[0]} frames x {c.shape[1]} coef.", xlabel="frame",
                             ylabel="coefficient")
            fig.colorbar(im, ax=axes[1, col], label="z-score", extend="both")
    return fig
