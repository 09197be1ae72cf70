"""extract_features: all kinds, failures reported, resume after interruption equals one run.

Uses a tiny random-weight Whisper (same code path as base, 64-dim) to stay fast; the real
weights are exercised in test_whisper.py.
"""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
import whisper.model

from camulenet.features import extract as ex
from camulenet.features.store import FeatureStore


@pytest.fixture(scope="module")
def tiny_whisper():
    torch.manual_seed(0)
    dims = whisper.model.ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2,
                                         n_audio_layer=1, n_vocab=100, n_text_ctx=8, n_text_state=64,
                                         n_text_head=2, n_text_layer=1)
    return whisper.model.Whisper(dims).eval()


@pytest.fixture()
def manifest(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i, sec in enumerate([0.5, 1.2, 0.8, 1.0, 0.6, 0.9, 0.7]):
        p = tmp_path / "wav" / f"c{i}.wav"
        p.parent.mkdir(exist_ok=True)
        t = np.arange(int(sec * 16000)) / 16000
        y = 0.2 * np.sin(2 * np.pi * (150 + 40 * i) * t) + 0.01 * rng.standard_normal(len(t))
        sf.write(p, y.astype(np.float32), 16000)
        rows.append({"utt_id": f"c{i}", "path": str(p)})
    (tmp_path / "wav" / "silent.wav").parent.mkdir(exist_ok=True)
    sf.write(tmp_path / "wav" / "silent.wav", np.zeros(8000, np.float32), 16000)
    rows.insert(2, {"utt_id": "silent", "path": str(tmp_path / "wav" / "silent.wav")})
    rows.insert(4, {"utt_id": "missing", "path": str(tmp_path / "wav" / "nope.wav")})
    return pd.DataFrame(rows)


def _run(manifest, root, model, **kw):
    return ex.extract_features(manifest, root, whisper_model=model, pooled=("mean", "max"), batch_size=3,
                               shard_size=3, progress=False, **kw)


def test_extract_all_kinds_and_failures(manifest, tmp_path, tiny_whisper):
    s = _run(manifest, tmp_path / "store", tiny_whisper)
    assert (s["done"], s["skipped"], s["failed"]) == (7, 0, 2)
    st = FeatureStore(tmp_path / "store")
    ok_ids = [u for u in manifest.utt_id if u not in ("silent", "missing")]
    w = st.load("whisper", ids=ok_ids)
    assert w.values.dtype == np.float16 and w.feature_shape == (64,)
    assert w.lengths[ok_ids.index("c1")] == 1.2 * 16000 // 160 // 2  # trimmed: 50 frames/s
    assert st.load("whisper_max", ids=ok_ids).lengths.tolist() == [1] * 7
    assert st.load("mfcc", ids=ok_ids).feature_shape == (40,)
    assert st.load("mel", ids=ok_ids).feature_shape == (64,)
    f = st.failures().set_index("utt_id")
    assert set(f.index) == {"silent", "missing"}
    assert "silent" in f.loc["silent", "reason"] and "not found" in f.loc["missing", "reason"]
    assert all(f.fix_hint.str.len() > 0)
    # a second run skips everything done and still reports the failures
    s2 = _run(manifest, tmp_path / "store", tiny_whisper)
    assert (s2["done"], s2["skipped"], s2["failed"]) == (0, 7, 2)


def test_resume_after_interruption_equals_single_run(manifest, tmp_path, tiny_whisper, monkeypatch):
    _run(manifest, tmp_path / "once", tiny_whisper)
    calls = {"n": 0}
    real = FeatureStore.write_shard

    def flaky(self, name, ids, arrays, dtype=None):
        calls["n"] += 1
        if calls["n"] == 7:  # dies mid-chunk 2: "whisper" written, "whisper_mean" not
            raise KeyboardInterrupt
        return real(self, name, ids, arrays, dtype=dtype)

    monkeypatch.setattr(FeatureStore, "write_shard", flaky)
    with pytest.raises(KeyboardInterrupt):
        _run(manifest, tmp_path / "resumed", tiny_whisper)
    monkeypatch.setattr(FeatureStore, "write_shard", real)
    partial = FeatureStore(tmp_path / "resumed")
    assert 0 < len(partial.done_ids("mfcc")) < 7
    s = _run(manifest, tmp_path / "resumed", tiny_whisper)
    assert s["skipped"] > 0 and s["done"] + s["skipped"] == 7
    a, b = FeatureStore(tmp_path / "once"), FeatureStore(tmp_path / "resumed")
    ids = [u for u in manifest.utt_id if u not in ("silent", "missing")]
    for name in ("whisper", "whisper_mean", "whisper_max", "mfcc", "mel"):
        ra, rb = a.load(name, ids=ids), b.load(name, ids=ids)
        np.testing.assert_array_equal(ra.offsets, rb.offsets)
        np.testing.assert_allclose(np.asarray(ra.values, np.float32), np.asarray(rb.values, np.float32),
                                   atol=2e-3, rtol=1e-3)


def test_paper_preset_pads_mfcc_to_corpus_max(manifest, tmp_path):
    s = ex.extract_features(manifest, tmp_path / "paper", kinds=("mfcc",), preset="paper",
                            dtype="float32", progress=False)
    r = FeatureStore(tmp_path / "paper").load("mfcc")
    assert s["done"] == 7 and set(r.lengths.tolist()) == {1.2 * 16000 // 160 + 1}
    with pytest.raises(ValueError, match="preset"):
        ex.extract_features(manifest, tmp_path / "paper", kinds=("mfcc",), preset="cpu", progress=False)
