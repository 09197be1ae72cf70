"""extract_features: all kinds, failures reported, resume after interruption equals one run.

Uses a tiny random-weight Whisper (same code path as base, 64-dim) to stay fast; the real
weights are exercised in test_whisper.py.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
import whisper.model

from camulenet.features import extract as ex
from camulenet.features import spectral
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


def test_paper_preset_gives_every_clip_501_mfcc_frames(manifest, tmp_path):
    s = ex.extract_features(manifest, tmp_path / "paper", kinds=("mfcc",), preset="paper",
                            dtype="float32", progress=False)
    r = FeatureStore(tmp_path / "paper").load("mfcc")
    assert s["done"] == 7 and set(r.lengths.tolist()) == {spectral.mfcc_frames("paper")} == {501}
    with pytest.raises(ValueError, match="preset"):
        ex.extract_features(manifest, tmp_path / "paper", kinds=("mfcc",), preset="cpu", progress=False)


def _wav_manifest(folder, seconds, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, sec in enumerate(seconds):
        p = folder / f"v{i:02d}.wav"
        t = np.arange(int(sec * 16000)) / 16000
        y = 0.2 * np.sin(2 * np.pi * (120 + 25 * i) * t) + 0.02 * rng.standard_normal(len(t))
        sf.write(p, y.astype(np.float32), 16000)
        rows.append({"utt_id": f"v{i:02d}", "path": str(p)})
    return pd.DataFrame(rows)


def test_resumed_whisper_extraction_equals_uninterrupted_bit_for_bit(tmp_path, tiny_whisper):
    secs = np.random.default_rng(1).uniform(0.3, 1.6, 16).round(3)
    manifest = _wav_manifest(tmp_path / "wav", secs)
    kw = dict(whisper_model=tiny_whisper, pooled=("mean",), batch_size=3, shard_size=5, progress=False,
              device="cpu")  # bit-equal: the CPU, whatever the machine has
    ex.extract_features(manifest, tmp_path / "once", **kw)
    # interrupted twice: a run over the first 7 rows only, then a lost shard
    s1 = ex.extract_features(manifest, tmp_path / "resumed", limit=7, **kw)
    assert s1["done"] == 7
    for name in ("whisper", "mel"):
        next((tmp_path / "resumed" / name).glob("shard-000000.json")).unlink()
    s2 = ex.extract_features(manifest, tmp_path / "resumed", **kw)
    assert s2["skipped"] > 0 and s2["done"] + s2["skipped"] == 16
    a, b = FeatureStore(tmp_path / "once"), FeatureStore(tmp_path / "resumed")
    ids = manifest.utt_id.tolist()
    for name in ("whisper", "whisper_mean", "mfcc", "mel"):
        ra, rb = a.load(name, ids=ids), b.load(name, ids=ids)
        for i, u in enumerate(ids):
            assert np.array_equal(ra[i], rb[i]), f"{name} of {u} differs after resuming"


def test_plan_is_the_same_whatever_is_done(tmp_path):
    manifest = _wav_manifest(tmp_path / "wav", [0.5, 0.3, 0.9, 0.3, 0.7])
    plan = ex.plan_batches(manifest.utt_id, manifest.path, shard_size=3, batch_size=2)
    assert [[[u for u, _ in b] for b in c] for c in plan] == [[["v01", "v03"], ["v00"]], [["v04", "v02"]]]
    shuffled = manifest.sample(frac=1, random_state=0)
    assert ex.plan_batches(shuffled.utt_id, shuffled.path, 3, 2) == plan  # manifest order does not matter


def test_clips_longer_than_30s_are_counted_listed_and_warned(tmp_path, tiny_whisper):
    manifest = _wav_manifest(tmp_path / "wav", [31.0, 1.0])
    kw = dict(whisper_model=tiny_whisper, kinds=("whisper",), batch_size=2, shard_size=4, progress=False)
    with pytest.warns(UserWarning, match=r"1 of 2 clips are longer than 30 s.*truncated\.csv"):
        s = ex.extract_features(manifest, tmp_path / "st", **kw)
    st = FeatureStore(tmp_path / "st")
    assert s["truncated"] == 1 and s["truncated_new"] == 1 and s["truncated_csv"] == str(st.truncated_path)
    t = st.truncated()
    assert t.utt_id.tolist() == ["v00"] and t.seconds.iloc[0] == pytest.approx(31.0)
    assert t.kept_seconds.iloc[0] == pytest.approx(30.0) and t.path.iloc[0].endswith("v00.wav")
    assert st.read_meta()["whisper_truncated"] == 1
    assert st.load("whisper", ids=["v00"]).lengths.tolist() == [1500]  # cut to the 30-s window
    with pytest.warns(UserWarning, match="longer than 30 s"):  # a rerun still says so
        s2 = ex.extract_features(manifest, tmp_path / "st", **kw)
    assert (s2["done"], s2["truncated"], s2["truncated_new"]) == (0, 1, 0)


def test_done_clip_that_cannot_refill_its_batch_is_warned_about(tmp_path, tiny_whisper):
    secs = np.random.default_rng(1).uniform(0.3, 1.6, 16).round(3)
    manifest = _wav_manifest(tmp_path / "wav", secs)
    kw = dict(whisper_model=tiny_whisper, kinds=("whisper",), batch_size=3, shard_size=5, progress=False)
    ex.extract_features(manifest, tmp_path / "st", limit=7, **kw)
    first7 = set(manifest.utt_id[:7])
    plan = ex.plan_batches(manifest.utt_id, manifest.path, 5, 3)
    mixed = next(b for c in plan for b in c if {u for u, _ in b} & first7 and {u for u, _ in b} - first7)
    gone = next(p for u, p in mixed if u in first7)
    Path(gone).unlink()  # extracted before, now needed only as batch context
    with pytest.warns(UserWarning, match="could not be re-read to refill"):
        s = ex.extract_features(manifest, tmp_path / "st", **kw)
    assert s["failed"] == 0 and s["done"] == 9  # the lost file's features exist: not a failure
