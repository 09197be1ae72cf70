import inspect

import numpy as np
import pandas as pd
import pytest

from camulenet.features.speaker_norm import SpeakerFrameScaler, standardise_per_speaker
from camulenet.storage.ragged import Ragged


def _clips(seed=0, n_spk=5, per=30, dim=6):
    """Clip vectors with a strong per-speaker offset and scale, and emotion labels that shift them."""
    rng = np.random.default_rng(seed)
    rows, spk, emo = [], [], []
    for s in range(n_spk):
        off, scale = rng.normal(0, 5, dim), rng.uniform(0.5, 4, dim)
        for c in range(per):
            e = rng.integers(0, 3)
            rows.append(off + scale * (rng.normal(size=dim) + e))
            spk.append(f"s{s}")
            emo.append(["sad", "angry", "happy"][e])
    return np.array(rows), np.array(spk), np.array(emo)


def test_each_speaker_has_mean_zero_std_one():
    X, spk, _ = _clips()
    Z = standardise_per_speaker(X, spk)
    assert Z.shape == X.shape
    for s in np.unique(spk):
        assert np.allclose(Z[spk == s].mean(0), 0, atol=1e-10)
        assert np.allclose(Z[spk == s].std(0), 1, atol=1e-10)
    # the raw data were far from it (the test can fail)
    assert not np.allclose(X[spk == "s0"].mean(0), 0, atol=0.5)


def test_labels_are_never_used():
    X, spk, emo = _clips(seed=1)
    assert not {"y", "labels", "emotion", "emotions"} & set(inspect.signature(standardise_per_speaker).parameters)
    man = pd.DataFrame({"speaker": spk, "emotion": emo})
    shuffled = man.assign(emotion=np.random.default_rng(0).permutation(emo))
    a = standardise_per_speaker(X, man["speaker"])
    b = standardise_per_speaker(X, shuffled["speaker"])
    assert np.array_equal(a, b)
    # a speaker's output depends on that speaker's clips only
    X2 = X.copy()
    X2[spk == "s1"] *= 10
    c = standardise_per_speaker(X2, spk)
    assert np.allclose(a[spk != "s1"], c[spk != "s1"])


def test_one_clip_and_zero_variance_speakers_give_no_nan():
    X, spk, _ = _clips(seed=2, n_spk=3, per=10, dim=4)
    X = np.vstack([X, [[1.0, 2.0, 3.0, 4.0]]])
    spk = np.append(spk, "lonely")
    X[spk == "s0", 2] = 7.0  # a constant dimension for one speaker
    Z = standardise_per_speaker(X, spk)
    assert np.isfinite(Z).all()
    assert np.all(Z[spk == "s0", 2] == 0)
    lonely = Z[spk == "lonely"][0]  # pooled statistics: not forced to 0
    pooled = (X[-1] - X.mean(0)) / X.std(0)
    assert np.allclose(lonely, pooled)
    Z1 = standardise_per_speaker(X, spk, min_clips=1)  # own statistics of one clip: zeros, still finite
    assert np.isfinite(Z1).all() and np.all(Z1[-1] == 0)


def _ragged(seed=0):
    rng = np.random.default_rng(seed)
    arrays, ids, spk = [], [], []
    for s in range(4):
        off, scale = rng.normal(0, 3, 5), rng.uniform(0.5, 3, 5)
        for c in range(6):
            arrays.append((off + scale * rng.normal(size=(rng.integers(5, 40), 5))).astype(np.float32))
            ids.append(f"s{s}_{c}")
            spk.append(f"s{s}")
    arrays.append(np.full((1, 5), 2.0, np.float32))  # a speaker with one frame
    ids.append("one_0")
    spk.append("one")
    arrays.append(np.tile(np.arange(5, dtype=np.float32), (8, 1)))  # a speaker with constant frames
    ids.append("flat_0")
    spk.append("flat")
    return Ragged.from_list(arrays, ids), np.array(spk)


def test_frame_scaler_per_speaker_moments_and_no_nan():
    rag, spk = _ragged()
    sc = SpeakerFrameScaler().fit(rag, spk)
    out = sc.transform(rag, spk)
    assert out.ids == rag.ids and np.array_equal(out.lengths, rag.lengths)
    assert np.isfinite(out.values).all()
    for s in [f"s{i}" for i in range(4)]:
        frames = np.concatenate([out[i] for i in np.flatnonzero(spk == s)])
        assert np.allclose(frames.mean(0), 0, atol=1e-4) and np.allclose(frames.std(0), 1, atol=1e-4)
    assert np.all(out[list(spk).index("flat")] == 0)
    assert sc.stats["one"] is sc.pooled  # too few frames: pooled statistics
    with pytest.raises(KeyError):
        sc.transform_clip(rag[0], "stranger")
    # speaker statistics ignore the clip order and match the clip-level function on frames
    order = np.random.default_rng(0).permutation(len(rag))
    sc2 = SpeakerFrameScaler().fit(rag.select(order), spk[order])
    for s in sc.stats:
        assert np.allclose(sc.stats[s][0], sc2.stats[s][0]) and np.allclose(sc.stats[s][1], sc2.stats[s][1])
    frames = np.concatenate([rag[i] for i in range(len(rag))])
    frame_spk = np.repeat(spk, rag.lengths)
    ref = standardise_per_speaker(frames, frame_spk)
    keep = ~np.isin(frame_spk, ["one"])
    assert np.allclose(out.values[keep], ref[keep], atol=1e-4)
