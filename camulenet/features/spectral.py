"""MFCC and mel-spectrogram features: the paper's settings and a sensible CPU preset.

``paper`` reproduces the released code:
  * MFCC: librosa, 40 coefficients, hop 160 (10 ms), htk mel scale, computed after
    zero-padding every clip to the longest clip of the corpus (so every clip has the same
    T; 501 frames for a 5 s maximum). ``extract_features`` finds that maximum.
  * mel: librosa ``melspectrogram`` with n_fft=800, win_length=40, hop_length=10, hamming
    window, 128 mels, power (no log). A 40-sample (2.5 ms) window hopped by 10 samples gives
    1,600 frames per second with almost no frequency resolution (40-sample windows zero-padded
    to 800-point FFTs): a 3 s clip becomes 4,801 x 128. Values are raw power, spanning many
    decades, so float16 storage flushes the quietest bins to zero.
``cpu`` is what we recommend: 25 ms hann windows hopped by 10 ms (100 frames/s), 64 log-mel
bands, MFCC from the same 25 ms frames, and every clip is stored with its own length
(ragged). Padding happens when batches are built (``camulenet.training.data``): mel and
MFCC to the corpus's longest clip, as the released code does, Whisper frames only to the
batch's longest clip, with masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np


@dataclass(frozen=True)
class SpectralPreset:
    name: str
    sr: int = 16000
    # MFCC
    n_mfcc: int = 40
    mfcc_n_fft: int = 2048
    mfcc_hop: int = 160
    mfcc_n_mels: int = 128
    htk: bool = True
    #: True: zero-pad every clip to the corpus' longest clip before MFCC (paper).
    mfcc_pad_to_corpus_max: bool = False
    # mel spectrogram
    mel_n_fft: int = 400
    mel_win: int = 400
    mel_hop: int = 160
    mel_window: str = "hann"
    n_mels: int = 64
    #: True: log(power + 1e-6); False: raw power as the released code.
    log_mel: bool = True


PRESETS: dict[str, SpectralPreset] = {
    "paper": SpectralPreset(name="paper", mfcc_n_fft=2048, mfcc_n_mels=128, mfcc_pad_to_corpus_max=True,
                            mel_n_fft=800, mel_win=40, mel_hop=10, mel_window="hamming", n_mels=128,
                            log_mel=False),
    "cpu": SpectralPreset(name="cpu", mfcc_n_fft=400, mfcc_n_mels=64, mfcc_pad_to_corpus_max=False,
                          mel_n_fft=400, mel_win=400, mel_hop=160, mel_window="hann", n_mels=64,
                          log_mel=True),
}


def get_preset(preset) -> SpectralPreset:
    if isinstance(preset, SpectralPreset):
        return preset
    if preset not in PRESETS:
        raise ValueError(f"unknown spectral preset {preset!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[preset]


def mfcc(y: np.ndarray, preset="cpu", pad_to: int | None = None) -> np.ndarray:
    """MFCC, time x n_mfcc float32. ``pad_to`` (samples) zero-pads the waveform first.

    With the ``paper`` preset pass ``pad_to`` = longest clip of the corpus in samples (as
    ``extract_features`` does) to reproduce the released fixed-T input; the ``cpu`` preset
    keeps each clip's own length.
    """
    p = get_preset(preset)
    y = np.asarray(y, dtype=np.float32)
    if pad_to is not None and len(y) < pad_to:
        y = np.pad(y, (0, pad_to - len(y)))
    m = librosa.feature.mfcc(y=y, sr=p.sr, n_mfcc=p.n_mfcc, n_fft=p.mfcc_n_fft, hop_length=p.mfcc_hop,
                             n_mels=p.mfcc_n_mels, htk=p.htk)
    return np.ascontiguousarray(m.T, dtype=np.float32)


def mel(y: np.ndarray, preset="cpu") -> np.ndarray:
    """Mel spectrogram, time x n_mels float32 (log-compressed for ``cpu``, raw power for ``paper``)."""
    p = get_preset(preset)
    s = librosa.feature.melspectrogram(y=np.asarray(y, dtype=np.float32), sr=p.sr, n_fft=p.mel_n_fft,
                                       win_length=p.mel_win, hop_length=p.mel_hop, window=p.mel_window,
                                       n_mels=p.n_mels)
    if p.log_mel:
        s = np.log(s + 1e-6)
    return np.ascontiguousarray(s.T, dtype=np.float32)
