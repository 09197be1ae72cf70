"""Two files (or table rows) for one clip id must stop every loader, naming both paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from camulenet.data.corpora import load_corpus
from data_prep.loaders import CorpusLayoutError
from data_prep.loaders._report import DuplicateClipError


def tone(path: Path, freq: float = 220.0, fmt: str | None = None) -> Path:
    """A 0.25 s sine clip (non-silent real audio) at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(4000) / 16000
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), 16000, format=fmt)
    return path


def test_ravdess_upper_and_lower_suffix(tmp_path):
    actor = tmp_path / "Actor_01"
    tone(actor / "03-01-05-01-01-01-01.wav")
    tone(actor / "03-01-03-01-01-01-01.wav")
    lower, upper = tone(actor / "03-01-04-01-01-01-01.wav"), tone(actor / "03-01-04-01-01-01-01.WAV", 330, "WAV")
    for strict in (False, True):
        with pytest.raises(DuplicateClipError) as err:
            load_corpus("ravdess", tmp_path, strict=strict)
        msg = str(err.value)
        assert msg.startswith("RAVDESS: 1 clip(s) found twice")
        assert str(lower) in msg and str(upper) in msg and "remove one of the two files" in msg
        assert "ravdess_03-01-04-01-01-01-01" in msg
    assert isinstance(err.value, CorpusLayoutError) and isinstance(err.value, ValueError)
    upper.unlink()  # the fix the message names
    df = load_corpus("ravdess", tmp_path, strict=True)
    assert len(df) == 3 and df["path"].map(lambda p: Path(p).is_file()).all()


def test_emodb_wav_beside_flac(tmp_path):
    wav = tone(tmp_path / "wav" / "03a01Fa.wav")
    flac = tone(tmp_path / "wav" / "03a01Fa.flac", 440, "FLAC")
    tone(tmp_path / "wav" / "08a01Wa.wav")
    with pytest.raises(DuplicateClipError, match="EmoDB: 1 clip") as err:
        load_corpus("emodb", tmp_path)
    assert str(wav) in str(err.value) and str(flac) in str(err.value)


def test_emovo_names_differing_in_case(tmp_path):
    for a in ("f1", "f2", "f3", "m1", "m2", "m3"):
        tone(tmp_path / a / f"neu-{a}-b1.wav")
    twin = tone(tmp_path / "f1" / "NEU-f1-b1.wav", 300)
    with pytest.raises(DuplicateClipError) as err:
        load_corpus("emovo", tmp_path)
    msg = str(err.value)
    assert str(twin) in msg and str(tmp_path / "f1" / "neu-f1-b1.wav") in msg
    assert "emovo_NEU-f1-b1 / emovo_neu-f1-b1" in msg


def test_bhavvani_row_listed_twice(tmp_path):
    tone(tmp_path / "a.wav")
    tone(tmp_path / "b.wav")
    tone(tmp_path / "c.wav")
    (tmp_path / "labels.csv").write_text("path,speaker,gender,emotion\n"
                                         "a.wav,S1,F,anger\nb.wav,S2,M,sadness\n"
                                         "c.wav,S3,M,neutral\na.wav,S1,F,anger\n")
    with pytest.raises(DuplicateClipError, match=r"a\.wav is listed twice .*remove the duplicate"):
        load_corpus("bhavvani", tmp_path)


def test_distinct_clips_still_load(tmp_path):
    """Guard against a check that fires on every corpus: distinct ids pass untouched."""
    for name in ("03a01Fa", "03a01Fb", "08a02Wa"):
        tone(tmp_path / "wav" / f"{name}.wav")
    df = load_corpus("emodb", tmp_path, strict=True)
    assert df["utt_id"].tolist() == ["emodb_03a01Fa", "emodb_03a01Fb", "emodb_08a02Wa"]
