"""load_audio: clear errors naming the file for each kind of bad clip; resampling."""

import numpy as np
import pytest
import soundfile as sf

from camulenet.data.audio import AudioError, load_audio


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


@pytest.mark.parametrize("subtype", ["PCM_16", "FLOAT"])
def test_truncated_wav_is_reported_and_intact_file_loads(tmp_path, subtype):
    p = tmp_path / f"cut_{subtype}.wav"
    sf.write(p, _tone(sec=1.0), 16000, subtype=subtype)
    np.testing.assert_allclose(load_audio(p), _tone(sec=1.0), atol=1e-4)  # intact: loads in full
    size = p.stat().st_size
    with open(p, "r+b") as f:  # an interrupted download: the tail is missing
        f.truncate(size - 4000)
    assert len(sf.read(p)[0]) < 16000  # soundfile alone reads the short clip without complaint
    with pytest.raises(AudioError) as e:
        load_audio(p)
    msg = str(e.value)
    assert "truncated" in msg and str(p) in msg and "re-download" in msg
    assert "16000" in msg  # the length the header promises ...
    held = 16000 - 4000 // (2 if subtype == "PCM_16" else 4)
    assert str(held) in msg  # ... and what the file holds


def test_wav_with_odd_chunks_before_data_still_loads(tmp_path):
    p = tmp_path / "list.wav"
    sf.write(p, _tone(), 16000, subtype="PCM_16")
    raw = p.read_bytes()
    extra = b"LIST" + (5).to_bytes(4, "little") + b"INFOx" + b"\0"  # odd size, padded to even
    data_at = raw.index(b"data")
    raw = raw[:data_at] + extra + raw[data_at:]
    raw = raw[:4] + (len(raw) - 8).to_bytes(4, "little") + raw[8:]
    p.write_bytes(raw)
    assert len(load_audio(p)) == 8000
