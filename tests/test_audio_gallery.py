"""Audio galleries: labelled players, embedded WAV that round-trips, one clip per language and
gender, damaged clips passed over for the next of their kind and named on the page."""

from __future__ import annotations

import base64
import io
import re
import wave
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from camulenet.book.audio_gallery import Clip, gallery_html, language_gender_examples, listening_examples, \
    pick_readable, wav_bytes
from camulenet.book.unreadable import skipped_text


def test_wav_bytes_round_trip_and_cut():
    sr = 16000
    x = 0.5 * np.sin(2 * np.pi * 220 * np.arange(3 * sr) / sr)
    data = wav_bytes(x, sr, max_seconds=1.5)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, sr)
        assert w.getnframes() == int(1.5 * sr)
        back = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32767
    assert np.max(np.abs(back - x[: len(back)])) < 1e-4


def test_gallery_labels_every_player(tmp_path):
    sr = 16000
    clips = []
    for k, name in enumerate(["angry", "sad & <quiet>"]):
        path = tmp_path / f"c{k}.wav"
        sf.write(path, 0.3 * np.sin(2 * np.pi * (200 + 100 * k) * np.arange(sr) / sr), sr, subtype="PCM_16")
        clips.append(Clip(title=name, detail=f"speaker {k}", path=str(path)))
    page = gallery_html(clips, max_seconds=0.5)
    figures = re.findall(r"<figure.*?</figure>", page)
    assert len(figures) == 2
    for fig, clip in zip(figures, clips):
        assert "<figcaption" in fig and "<audio controls" in fig
        assert "speaker" in fig
    assert "sad &amp; &lt;quiet&gt;" in page  # captions are escaped
    payload = re.findall(r'src="data:audio/wav;base64,([^"]+)"', page)
    assert len(payload) == 2
    with wave.open(io.BytesIO(base64.b64decode(payload[1]))) as w:
        assert w.getnframes() == sr // 2  # cut to max_seconds


def test_language_gender_examples_one_per_pair_same_emotion():
    rows = []
    for lang in ("en", "de"):
        for gender in ("male", "female"):
            for emo in ("angry", "sad", "neutral"):
                if (lang, gender, emo) == ("de", "male", "neutral"):
                    continue  # neutral missing for one pair: the shared emotion is another one
                rows.append({"utt_id": f"{lang}_{gender}_{emo}", "language": lang, "gender": gender,
                             "emotion": emo, "speaker": f"{lang}_{gender}", "path": "x"})
    picked = language_gender_examples(pd.DataFrame(rows), check=lambda path: None).clips
    assert list(zip(picked.language, picked.gender)) == [("de", "female"), ("de", "male"),
                                                         ("en", "female"), ("en", "male")]
    assert picked.emotion.nunique() == 1 and picked.emotion.iloc[0] != "neutral"


def _tone(path, seconds=0.5, sr=16000):
    sf.write(path, 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * sr)) / sr), sr, subtype="PCM_16")
    return str(path)


def test_pick_readable_passes_over_a_corrupt_and_a_truncated_wav(tmp_path):
    corrupt = tmp_path / "a1.wav"
    corrupt.write_bytes(b"RIFF this is no audio at all" * 40)
    truncated = Path(_tone(tmp_path / "a2.wav"))
    truncated.write_bytes(truncated.read_bytes()[:3000])  # the header still promises 0.5 s
    rows = [("a1", corrupt, "angry"), ("a2", truncated, "angry"), ("a3", _tone(tmp_path / "a3.wav"), "angry"),
            ("s1", _tone(tmp_path / "s1.wav"), "sad")]
    manifest = pd.DataFrame([{"utt_id": u, "path": str(p), "emotion": e, "speaker": "x"} for u, p, e in rows])
    found = pick_readable(manifest, "emotion")
    assert list(found.clips.utt_id) == ["a3", "s1"] and found.unfilled == ()
    assert list(found.skipped.utt_id) == ["a1", "a2"]
    reasons = list(found.skipped.reason)
    assert "corrupt" in reasons[0] and reasons[1].startswith("truncated WAV")
    text = skipped_text(found.skipped, found.unfilled, "emotion")
    assert "2 unreadable clips were passed over for the next clip of the same emotion" in text
    assert "`a1` (`a1.wav`)" in text and "`a2` (`a2.wav`)" in text and "Fix: re-download" in text
    assert str(tmp_path) not in text  # the page names no folder of the machine that built it


def test_a_kind_with_no_readable_clip_is_left_out_and_named(tmp_path):
    manifest = pd.DataFrame([{"utt_id": f"a{k}", "path": str(tmp_path / f"gone{k}.wav"), "emotion": "angry"}
                             for k in range(3)] + [{"utt_id": "s", "path": _tone(tmp_path / "s.wav"), "emotion": "sad"}])
    found = pick_readable(manifest, "emotion", max_tries=2)
    assert list(found.clips.utt_id) == ["s"] and found.unfilled == ("angry",)
    assert len(found.skipped) == 2 and set(found.skipped.reason) == {"file not found"}
    assert "No readable clip of emotion angry among the first 2 candidates" in skipped_text(
        found.skipped, found.unfilled, "emotion", 2)


def test_listening_examples_fall_back_to_another_speaker_of_the_same_emotion(tmp_path):
    rows = []
    for spk, emotions in (("best", ["angry", "sad", "happy"]), ("other", ["angry", "sad"])):
        for emo in emotions:
            path = tmp_path / f"{spk}_{emo}.wav"
            rows.append({"utt_id": f"{spk}_{emo}", "path": str(path), "speaker": spk, "emotion": emo,
                         "sentence": "s1", "language": "en", "gender": "female"})
            if (spk, emo) == ("best", "sad"):
                path.write_bytes(b"")  # zero bytes: an interrupted download
            else:
                _tone(path, 0.2)
    found = listening_examples(pd.DataFrame(rows))
    assert dict(zip(found.clips.emotion, found.clips.speaker)) == {"angry": "best", "happy": "best", "sad": "other"}
    assert list(found.skipped.utt_id) == ["best_sad"] and "empty" in found.skipped.reason.iloc[0]
