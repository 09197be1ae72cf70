"""Synthetic corpus: determinism, layout, balance, resume, eSpeak errors."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from camulenet.data.schema import MANIFEST_COLUMNS, SIX_EMOTIONS
from data_prep.synthetic.espeak import EspeakError, synthesize
from data_prep.synthetic.generate import generate_corpus, plan, render_specs


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _subset(seed=0, n=4):
    specs = plan("small", seed)
    return [specs[i] for i in np.linspace(0, len(specs) - 1, n).astype(int)]


def test_synthesize_repeatable_and_seeded():
    a = synthesize("It is eleven o'clock", "en+f3", seed=1)
    synthesize("Guten Tag", "de+m2", rate=220, seed=9)  # state from another clip must not leak
    b = synthesize("It is eleven o'clock", "en+f3", seed=1)
    c = synthesize("It is eleven o'clock", "en+f3", seed=2)
    assert a.dtype == np.float32 and a.ndim == 1 and np.abs(a).max() <= 1.0
    assert np.array_equal(a, b)
    assert len(a) != len(c) or not np.array_equal(a, c)
    assert 0.5 < len(a) / 16000 < 3.0


def test_synthesize_unknown_voice_raises():
    with pytest.raises(EspeakError, match="cannot be loaded"):
        synthesize("hello", voice="zz+nope")


def test_clips_byte_identical_across_runs_and_workers(tmp_path):
    specs = _subset()
    render_specs(specs, tmp_path / "a", workers=1, progress=False)
    render_specs(specs, tmp_path / "b", workers=2, progress=False)
    render_specs(specs, tmp_path / "c", workers=1, progress=False)
    for s in specs:
        h = _sha(tmp_path / "a" / s.relpath)
        assert h == _sha(tmp_path / "b" / s.relpath) == _sha(tmp_path / "c" / s.relpath)


def test_different_seed_changes_audio(tmp_path):
    s0, s1 = _subset(0, 1)[0], _subset(1, 1)[0]
    assert s0.relpath == s1.relpath
    render_specs([s0], tmp_path / "a", workers=1, progress=False)
    render_specs([s1], tmp_path / "b", workers=1, progress=False)
    assert _sha(tmp_path / "a" / s0.relpath) != _sha(tmp_path / "b" / s1.relpath)


def test_wav_format(tmp_path):
    s = _subset(0, 1)[0]
    render_specs([s], tmp_path, workers=1, progress=False)
    info = sf.info(str(tmp_path / s.relpath))
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    x, _ = sf.read(str(tmp_path / s.relpath))
    assert np.abs(x).max() > 0.01


def test_default_plan_balance():
    specs = plan("default", 0)
    m = pd.DataFrame(dict(lang=s.speaker.language, spk=s.speaker.speaker,
                          gender=s.speaker.gender, emo=s.emotion, voice=s.speaker.voice) for s in specs)
    assert len(m) == 720 and m.lang.nunique() == 5 and m.spk.nunique() == 40
    for lang, g in m.groupby("lang"):
        spk = g.drop_duplicates("spk")
        assert len(spk) >= 8 and (spk.gender == "female").sum() == len(spk) // 2
        assert spk.voice.nunique() == len(spk)
        assert set(g.emo) == set(SIX_EMOTIONS)
    small = plan("small", 0)
    assert {s.utt_id for s in small} <= {s.utt_id for s in specs}


def test_small_corpus_manifest_and_resume(tmp_path, monkeypatch):
    import data_prep.synthetic.generate as gen
    keep = {s.utt_id for s in _subset(0, 6)}
    monkeypatch.setattr(gen, "plan", lambda size, seed: [s for s in plan(size, seed) if s.utt_id in keep])
    m = generate_corpus(tmp_path, size="small", seed=0, workers=1, progress=False)
    assert tuple(m.columns[:7]) == MANIFEST_COLUMNS
    for col in ("sentence", "duration"):
        assert col in m.columns
    assert (m.corpus == "synthetic").all() and m.utt_id.is_unique
    csv = pd.read_csv(tmp_path / "manifest.csv")
    assert not csv.path.str.startswith("/").any()
    assert all((tmp_path / p).exists() for p in csv.path)
    meta = json.loads((tmp_path / "corpus.json").read_text())
    assert meta["seed"] == 0 and meta["manifest_sha256"] == _sha(tmp_path / "manifest.csv")
    first = {p: (_sha(tmp_path / p), (tmp_path / p).stat().st_mtime_ns) for p in csv.path}
    m2 = generate_corpus(tmp_path, size="small", seed=0, workers=1, progress=False)
    assert {p: (_sha(tmp_path / p), (tmp_path / p).stat().st_mtime_ns) for p in csv.path} == first
    pd.testing.assert_frame_equal(m, m2)
    with pytest.raises(ValueError, match="seed"):
        generate_corpus(tmp_path, size="small", seed=1, workers=1, progress=False)
    # a corpus rendered by other generator code is refused, naming the folder and the fix
    assert meta["generator_fingerprint"] == gen.generator_fingerprint()
    monkeypatch.setattr(gen, "generator_fingerprint", lambda: "0123456789abcdef")
    with pytest.raises(ValueError, match=f"{tmp_path}.*another version of the synthetic-corpus generator.*Delete it"):
        generate_corpus(tmp_path, size="small", seed=0, workers=1, progress=False)
    with pytest.raises(ValueError, match="another version"):
        gen.check_generator(tmp_path)
