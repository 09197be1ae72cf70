"""load_audio: clear errors naming the file for each kind of bad clip; resampling."""

import numpy as np
import pytest
import soundfile as sf

from camulenet.audio import AudioError, load_audio


def _tone(sr=16000, sec=0.5, amp=0.3):
    t = np.arange(int(sr * sec)) / sr
    return (amp * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_reads_and_resamples(tmp_path):
    p = tmp_path / "tone22k.wav"
    sf.write(p, np.stack([_tone(22050), _tone(22050)], 1), 22050)  # stereo, 22.05 kHz
    y = load_audio(p)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(len(y) - 8000) <= 2
    assert 0.25 < np.abs(y).max() < 0.35


@pytest.mark.parametrize("kind, needle", [
    ("missing", "not found"), ("corrupt", "corrupt"), ("zero_bytes", "empty"),
    ("no_samples", "0 samples"), ("silent", "silent"),
])
def test_bad_files_name_the_file(tmp_path, kind, needle):
    p = tmp_path / f"{kind}.wav"
    if kind == "corrupt":
        p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEgarbage-not-audio" * 3)
    elif kind == "zero_bytes":
        p.write_bytes(b"")
    elif kind == "no_samples":
        sf.write(p, np.zeros(0, np.float32), 16000)
    elif kind == "silent":
        sf.write(p, np.zeros(16000, np.float32) + 1e-6, 16000)
    with pytest.raises(AudioError) as e:
        load_audio(p)
    msg = str(e.value)
    assert str(p) in msg and needle in msg and "Fix:" in msg
    assert isinstance(e.value, ValueError) and e.value.path == str(p)
