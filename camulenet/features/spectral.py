"""MFCC and mel-spectrogram features: the paper's settings and a sensible CPU preset.

``paper`` reproduces the released code:
  * MFCC: librosa, 40 coefficients, hop 160 (10 ms), htk mel scale. The released code
    zero-pads every clip's audio to the corpus's longest clip and sizes its MFCC layer for
    T = 501 frames (a 5 s longest clip). We pad or crop every clip's audio to exactly 5 s
    (``mfcc_fixed_seconds``), so every clip gives those 501 frames -- padded frames hold the
    MFCCs of silence, as released -- and the model's flattened MFCC layer keeps its released
    size whatever the corpus (padding to IEMOCAP's 34 s clips would need ~1.8 B weights).
    Cropping longer clips is reported (``return_cropped``, :func:`warn_cropped`), never silent.
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

import warnings
from dataclasses import dataclass

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
    #: Seconds each clip's audio is zero-padded or cropped to before the MFCC (paper: 5.0,
    #: giving the released 501 frames); None keeps each clip's own length (cpu).
    mfcc_fixed_seconds: float | None = None
    # mel spectrogram
    mel_n_fft: int = 400
    mel_win: int = 400
    mel_hop: int = 160
    mel_window: str = "hann"
    n_mels: int = 64
    #: True: log(power + 1e-6); False: raw power as the released code.
    log_mel: bool = True


PRESETS: dict[str, SpectralPreset] = {
    "paper": SpectralPreset(name="paper", mfcc_n_fft=2048, mfcc_n_mels=128, mfcc_fixed_seconds=5.0,
                            mel_n_fft=800, mel_win=40, mel_hop=10, mel_window="hamming", n_mels=128,
                            log_mel=False),
    "cpu": SpectralPreset(name="cpu", mfcc_n_fft=400, mfcc_n_mels=64, mfcc_fixed_seconds=None,
                          mel_n_fft=400, mel_win=400, mel_hop=160, mel_window="hann", n_mels=64,
                          log_mel=True),
}


def get_preset(preset) -> SpectralPreset:
    if isinstance(preset, SpectralPreset):
        return preset
    if preset not in PRESETS:
        raise ValueError(f"unknown spectral preset {preset!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[preset]


def mfcc_fixed_samples(preset) -> int | None:
    """Audio length (samples) every clip is padded/cropped to before the MFCC; None: own length."""
    p = get_preset(preset)
    return None if p.mfcc_fixed_seconds is None else int(round(p.mfcc_fixed_seconds * p.sr))


def mfcc_frames(preset) -> int | None:
    """MFCC frames per clip for a fixed-length preset (centred frames: 1 + samples // hop)."""
    n = mfcc_fixed_samples(preset)
    return None if n is None else 1 + n // get_preset(preset).mfcc_hop


def mfcc(y: np.ndarray, preset="cpu", return_cropped: bool = False):
    """MFCC, time x n_mfcc float32; with ``return_cropped`` also whether audio was cropped.

    A preset with ``mfcc_fixed_seconds`` (``paper``) zero-pads shorter clips and crops longer
    ones to that length first, so every clip gives :func:`mfcc_frames` frames; the ``cpu``
    preset keeps each clip's own length. Callers that process a corpus should count the
    crops (``return_cropped=True``) and report them with :func:`warn_cropped`.
    """
    p = get_preset(preset)
    y = np.asarray(y, dtype=np.float32)
    fixed = mfcc_fixed_samples(p)
    cropped = fixed is not None and len(y) > fixed
    if fixed is not None:
        y = y[:fixed] if cropped else np.pad(y, (0, fixed - len(y)))
    import librosa  # lazy: the presets are read where librosa is absent (a bare GPU machine's training)

    m = librosa.feature.mfcc(y=y, sr=p.sr, n_mfcc=p.n_mfcc, n_fft=p.mfcc_n_fft, hop_length=p.mfcc_hop,
                             n_mels=p.mfcc_n_mels, htk=p.htk)
    m = np.ascontiguousarray(m.T, dtype=np.float32)
    return (m, bool(cropped)) if return_cropped else m


def warn_cropped(n_cropped: int, n_clips: int, preset) -> None:
    """One warning naming how many clips lost audio to the fixed MFCC length (none: silent)."""
    if n_cropped:
        p = get_preset(preset)
        warnings.warn(f"{n_cropped} of {n_clips} clips are longer than {p.mfcc_fixed_seconds:g} s: their MFCCs "
                      f"cover only the first {p.mfcc_fixed_seconds:g} s (preset {p.name!r}, as the released "
                      "501-frame MFCC layer); use the 'cpu' preset to keep whole clips", stacklevel=2)


def mel(y: np.ndarray, preset="cpu") -> np.ndarray:
    """Mel spectrogram, time x n_mels float32 (log-compressed for ``cpu``, raw power for ``paper``)."""
    p = get_preset(preset)
    import librosa  # lazy, as in mfcc

    s = librosa.feature.melspectrogram(y=np.asarray(y, dtype=np.float32), sr=p.sr, n_fft=p.mel_n_fft,
                                       win_length=p.mel_win, hop_length=p.mel_hop, window=p.mel_window,
                                       n_mels=p.n_mels)
    if p.log_mel:
        s = np.log(s + 1e-6)
    return np.ascontiguousarray(s.T, dtype=np.float32)
