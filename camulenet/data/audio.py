"""Loading audio clips as 16 kHz mono float32, with errors that say what to do.

Corpora contain the odd broken file (zero-length downloads, truncated WAVs, silent
takes). Every failure raises :class:`AudioError` naming the file and the fix, so that
extraction jobs can skip-and-report instead of crashing or silently dropping clips. A
truncated WAV is caught by comparing the ``data`` chunk size in its header with the bytes
actually there: libsndfile would silently read the shorter clip.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import soundfile as sf

#: Peak amplitude below which a clip counts as silent (about -80 dBFS).
SILENCE_PEAK = 1e-4


class AudioError(ValueError):
    """A clip cannot be used; the message names the file, the reason and the fix."""

    def __init__(self, path, reason: str, fix: str):
        self.path, self.reason, self.fix = str(path), reason, fix
        super().__init__(f"{path}: {reason}. Fix: {fix}")


def _wav_data_sizes(path: Path) -> tuple[int, int, int] | None:
    """(bytes the RIFF/WAVE ``data`` chunk header promises, bytes the file holds after it,
    block align) -- or None when ``path`` is no plain RIFF WAV or the size is a streaming
    placeholder. libsndfile quietly shortens such a file to what is there."""
    try:
        return _riff_data_sizes(path)
    except OSError:  # unreadable: sf.read reports it
        return None


def _riff_data_sizes(path: Path) -> tuple[int, int, int] | None:
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        file_size = path.stat().st_size
        block_align = 0
        pos = 12
        while pos + 8 <= file_size:
            f.seek(pos)
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            cid, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if cid == b"fmt ":
                fmt = f.read(16)
                block_align = int.from_bytes(fmt[12:14], "little") if len(fmt) >= 14 else 0
            elif cid == b"data":
                if size in (0, 0xFFFFFFFF):  # written by a streaming encoder: size unknown
                    return None
                return size, file_size - pos - 8, block_align
            pos += 8 + size + (size & 1)  # chunks are word-aligned
    return None


def check_not_truncated(path) -> None:
    """Raise :class:`AudioError` when a WAV holds fewer bytes than its header promises
    (an interrupted download or copy)."""
    p = Path(path)
    sizes = _wav_data_sizes(p)
    if sizes is None:
        return
    promised, held, align = sizes
    if held < promised:
        align = align or 1
        raise AudioError(p, f"truncated WAV: the header promises {promised // align} sample frames "
                            f"({promised:,} bytes of audio), the file holds {held // align} ({held:,} bytes)",
                         "re-download or re-extract this file (the copy is incomplete), or drop it from the manifest")


def load_audio(path, sr: int = 16000, silence_peak: float = SILENCE_PEAK) -> np.ndarray:
    """Read ``path`` as mono float32 at ``sr`` Hz (resampled when the file differs).

    Raises :class:`AudioError` for missing, unreadable/corrupt, truncated (fewer samples than
    the header promises), empty and silent files.
    """

    p = Path(path)
    if not p.is_file():
        raise AudioError(p, "file not found", "check the manifest path or re-download/re-extract the corpus")
    if p.stat().st_size == 0:
        raise AudioError(p, "file is empty (0 bytes)", "re-download or re-extract this file, or drop it from the manifest")
    check_not_truncated(p)
    try:
        y, file_sr = sf.read(str(p), dtype="float32", always_2d=True)
        expected = sf.info(str(p)).frames  # other formats: the header's frame count vs what was read
        if 0 < len(y) < expected:
            raise AudioError(p, f"truncated audio: the header promises {expected} sample frames, "
                                f"only {len(y)} could be read",
                             "re-download or re-extract this file (the copy is incomplete), or drop it from the manifest")
    except AudioError:
        raise
    except Exception as exc:  # soundfile raises LibsndfileError/RuntimeError for bad headers
        try:  # formats libsndfile cannot read (e.g. mp3 on old builds): let librosa/audioread try
            import librosa  # lazy: librosa (numba) takes seconds to import and most clips never need it

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
        import librosa  # lazy, as above: only clips at another rate are resampled

        y = librosa.resample(y, orig_sr=file_sr, target_sr=sr, res_type="soxr_hq")
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < silence_peak:
        raise AudioError(p, f"audio is silent (peak {peak:.2e} < {silence_peak:.0e})",
                         "check the recording/channel; drop it from the manifest if it is really empty")
    return np.ascontiguousarray(y, dtype=np.float32)
