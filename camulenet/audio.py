"""Loading audio clips as 16 kHz mono float32, with errors that say what to do.

Corpora contain the odd broken file (zero-length downloads, truncated WAVs, silent
takes). Every failure raises :class:`AudioError` naming the file and the fix, so that
extraction jobs can skip-and-report instead of crashing or silently dropping clips.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Peak amplitude below which a clip counts as silent (about -80 dBFS).
SILENCE_PEAK = 1e-4


class AudioError(ValueError):
    """A clip cannot be used; the message names the file, the reason and the fix."""

    def __init__(self, path, reason: str, fix: str):
        self.path, self.reason, self.fix = str(path), reason, fix
        super().__init__(f"{path}: {reason}. Fix: {fix}")


def load_audio(path, sr: int = 16000, silence_peak: float = SILENCE_PEAK) -> np.ndarray:
    """Read ``path`` as mono float32 at ``sr`` Hz (resampled when the file differs).

    Raises :class:`AudioError` for missing, unreadable/corrupt, empty and silent files.
    """
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise AudioError(p, "file not found", "check the manifest path or re-download/re-extract the corpus")
    if p.stat().st_size == 0:
        raise AudioError(p, "file is empty (0 bytes)", "re-download or re-extract this file, or drop it from the manifest")
    try:
        y, file_sr = sf.read(str(p), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises LibsndfileError/RuntimeError for bad headers
        try:  # formats libsndfile cannot read (e.g. mp3 on old builds): let librosa/audioread try
            import warnings

            import librosa

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y, file_sr = librosa.load(str(p), sr=None, mono=False)
            y = np.atleast_2d(y).T.astype(np.float32)
        except Exception:
            raise AudioError(p, f"unreadable or corrupt audio ({type(exc).__name__}: {exc})",
                             "re-download the file or convert it with `ffmpeg -i in -ar 16000 -ac 1 out.wav`") from exc
    y = y.mean(axis=1) if y.shape[1] > 1 else y[:, 0]
    if y.size == 0:
        raise AudioError(p, "audio has 0 samples", "re-export the clip or drop it from the manifest")
    if not np.all(np.isfinite(y)):
        raise AudioError(p, "audio contains NaN/inf samples", "re-export the clip from its source")
    if file_sr != sr:
        import librosa

        y = librosa.resample(y, orig_sr=file_sr, target_sr=sr, res_type="soxr_hq")
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < silence_peak:
        raise AudioError(p, f"audio is silent (peak {peak:.2e} < {silence_peak:.0e})",
                         "check the recording/channel; drop it from the manifest if it is really empty")
    return np.ascontiguousarray(y, dtype=np.float32)
