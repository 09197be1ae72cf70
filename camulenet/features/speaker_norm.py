"""Per-speaker standardisation of features (speaker normalisation).

Much of what separates speakers in acoustic features is a per-speaker offset and scale
(vocal-tract length, habitual pitch and loudness, microphone). Standardising every
dimension with the speaker's *own* mean and standard deviation removes that, leaving
how the speaker deviates from themself -- which is where emotion lives.

This is **transductive** for unseen test speakers: their statistics come from their own
unlabelled test clips, so a system using it assumes that, at deployment, a batch of the
new speaker's audio is available before predicting (not a single first utterance).
Labels are never used (no function here accepts any), so no label information leaks;
but the protocol differs from the paper's, where a test clip is processed alone, and
results must say so.

Statistics are population ones (ddof=0), summed in float64. A standard deviation below
``min_std`` (a constant dimension, or a speaker with a single clip at clip level) is
replaced by 1 so such dimensions become 0 instead of NaN/inf, like ``SERData.fit_scaling``
floors its global std. Speakers with fewer than ``min_clips`` clips (clip level) or
``min_frames`` frames (frame level) are standardised with the pooled statistics of all
clips given instead, because their own estimates are too noisy to use (one clip would
otherwise become all zeros).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from camulenet.storage.ragged import Ragged


def _scale(std: np.ndarray, min_std: float) -> np.ndarray:
    return np.where(std < min_std, 1.0, std)


def standardise_per_speaker(X, speakers: Sequence[str], min_clips: int = 2, min_std: float = 1e-5) -> np.ndarray:
    """Standardise clip-level vectors (n_clips, dim) per speaker and dimension (transductive).

    Each speaker's rows get ``(x - mean_s) / std_s`` with that speaker's own statistics
    (ddof=0), so afterwards each speaker with >= ``min_clips`` clips has mean 0 and std 1
    in every non-constant dimension. Speakers with fewer clips use the pooled statistics.
    Returns float64; the row order is that of ``X``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (n_clips, dim), got shape {X.shape}")
    spk = np.asarray(speakers).astype(str)
    if len(spk) != len(X):
        raise ValueError(f"{len(X)} clips but {len(spk)} speakers")
    if not len(X):
        return X.copy()
    codes, uniques = pd.factorize(spk)
    df = pd.DataFrame(X)
    grouped = df.groupby(codes)
    mean = np.array(grouped.mean().to_numpy(), dtype=np.float64)  # writable copies (pandas copy-on-write)
    std = np.array(grouped.std(ddof=0).to_numpy(), dtype=np.float64)
    count = np.bincount(codes, minlength=len(uniques))
    few = count < min_clips
    if few.any():
        mean[few], std[few] = X.mean(0), X.std(0)
    return (X - mean[codes]) / _scale(std, min_std)[codes]


class SpeakerFrameScaler:
    """Per-speaker, per-dimension mean/std of frame-level features (a ``Ragged``); transductive.

    ``fit`` streams clip by clip in float64 (memory-mapped ``ShardedRagged`` features stay
    on disk, read pages are released), like ``SERData.fit_scaling`` but with one set of
    statistics per speaker. ``transform`` standardises every frame of a clip with its
    speaker's statistics; speakers not seen in ``fit`` raise (fit on all speakers you will
    transform, test speakers included: that is the transductive step).
    """

    def __init__(self, min_frames: int = 2, min_std: float = 1e-5) -> None:
        self.min_frames = int(min_frames)
        self.min_std = float(min_std)
        self.stats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.pooled: tuple[np.ndarray, np.ndarray] | None = None

    def fit(self, features: Ragged, speakers: Sequence[str]) -> "SpeakerFrameScaler":
        """Statistics per speaker from all frames of their clips; ``speakers[i]`` is clip i's speaker."""
        spk = np.asarray(speakers).astype(str)
        if len(spk) != len(features):
            raise ValueError(f"{len(features)} clips but {len(spk)} speakers")
        shape = tuple(features.feature_shape)
        sums: dict[str, list] = {}
        release = getattr(features, "release", None)
        for i, s in enumerate(spk):
            x = np.asarray(features[i], dtype=np.float64)
            acc = sums.setdefault(s, [np.zeros(shape), np.zeros(shape), 0])
            acc[0] += x.sum(0)
            acc[1] += (x * x).sum(0)
            acc[2] += len(x)
            if release is not None:
                release([i])
        total = [sum(a[j] for a in sums.values()) for j in range(3)]
        if total[2] == 0:
            raise ValueError("no frames to fit speaker statistics on")
        self.pooled = self._moments(*total)
        self.stats = {s: (self._moments(*a) if a[2] >= self.min_frames else self.pooled) for s, a in sums.items()}
        return self

    def _moments(self, total, sq, n) -> tuple[np.ndarray, np.ndarray]:
        mean = total / n
        std = np.sqrt(np.maximum(sq / n - mean * mean, 0.0))
        return mean, _scale(std, self.min_std)

    def transform_clip(self, x: np.ndarray, speaker: str) -> np.ndarray:
        """One clip's frames (T, *feature_shape) standardised with ``speaker``'s statistics (float32)."""
        if str(speaker) not in self.stats:
            raise KeyError(f"speaker {speaker!r} was not in fit(); fit on every speaker to transform")
        mean, std = self.stats[str(speaker)]
        return ((np.asarray(x, dtype=np.float64) - mean) / std).astype(np.float32)

    def transform(self, features: Ragged, speakers: Sequence[str]) -> Ragged:
        """A new in-memory ``Ragged`` with every clip standardised (copies all frames)."""
        spk = np.asarray(speakers).astype(str)
        if len(spk) != len(features):
            raise ValueError(f"{len(features)} clips but {len(spk)} speakers")
        return Ragged.from_list([self.transform_clip(features[i], s) for i, s in enumerate(spk)], features.ids)
