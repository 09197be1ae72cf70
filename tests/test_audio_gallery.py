"""Audio galleries: labelled players, embedded WAV that round-trips, one clip per language and gender."""

from __future__ import annotations

import base64
import io
import re
import wave

import numpy as np
import pandas as pd
import soundfile as sf

from camulenet.book.audio_gallery import Clip, gallery_html, language_gender_examples, wav_bytes


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
    picked = language_gender_examples(pd.DataFrame(rows))
    assert list(zip(picked.language, picked.gender)) == [("de", "female"), ("de", "male"),
                                                         ("en", "female"), ("en", "male")]
    assert picked.emotion.nunique() == 1 and picked.emotion.iloc[0] != "neutral"
