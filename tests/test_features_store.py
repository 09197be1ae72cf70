"""FeatureStore: round trip, float16, ordering by manifest ids, atomic shards, info."""

import json

import numpy as np
import pytest

from camulenet.features.store import FeatureStore


def _arrays(n, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((int(rng.integers(1, 9)), d)).astype(np.float32) for _ in range(n)]


def test_round_trip_and_order(tmp_path):
    st = FeatureStore(tmp_path)
    a = _arrays(5)
    st.write_shard("mfcc", ["a", "b", "c"], a[:3])
    st.write_shard("mfcc", ["d", "e"], a[3:])
    assert st.done_ids("mfcc") == {"a", "b", "c", "d", "e"}
    r = st.load("mfcc", ids=["e", "a", "c"])
    assert r.ids == ("e", "a", "c")
    for got, want in zip([r[0], r[1], r[2]], [a[4], a[0], a[2]]):
        np.testing.assert_array_equal(got, want)
    assert len(st.load("mfcc")) == 5
    with pytest.raises(KeyError, match="zzz"):
        st.load("mfcc", ids=["a", "zzz"])
    assert st.load("mfcc", ids=["a", "zzz"], missing="skip").ids == ("a",)


def test_float16_and_info(tmp_path):
    st = FeatureStore(tmp_path)
    a = _arrays(4, d=8)
    st.write_shard("whisper", list("wxyz"), a, dtype="float16")
    r = st.load("whisper")
    assert r.values.dtype == np.float16 and isinstance(r.values, np.memmap)  # single shard: memmapped
    np.testing.assert_allclose(r[2], a[2], atol=2e-3, rtol=1e-3)
    info = st.info("whisper")
    assert info["dtype"] == "float16" and info["n"] == 4 and info["feature_dim"] == 8
    assert info["bytes_on_disk"] >= sum(x.size for x in a) * 2
    with pytest.raises(ValueError, match="non-finite"):
        st.write_shard("big", ["q"], [np.full((2, 3), 1e6, np.float32)], dtype="float16")


def test_uncommitted_shard_is_ignored(tmp_path):
    st = FeatureStore(tmp_path)
    st.write_shard("mel", ["a"], _arrays(1))
    side = st.write_shard("mel", ["b"], _arrays(1, seed=1))
    side.unlink()  # as if killed before the sidecar (commit marker) was renamed into place
    (tmp_path / "mel" / ".shard-000002.values.npy.tmp-1").write_bytes(b"partial")
    assert st.done_ids("mel") == {"a"}
    assert st.load("mel").ids == ("a",)
    # the next shard does not clobber committed ones
    st.write_shard("mel", ["c"], _arrays(1, seed=2))
    assert st.done_ids("mel") == {"a", "c"}


def test_inconsistent_shard_is_reported(tmp_path):
    st = FeatureStore(tmp_path)
    side = st.write_shard("mel", ["a", "b"], _arrays(2))
    meta = json.loads(side.read_text())
    meta["n_values"] += 1
    side.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="disagree"):
        st.load("mel")


def test_failures_round_trip(tmp_path):
    st = FeatureStore(tmp_path)
    assert st.failures().empty
    st.write_failures([{"utt_id": "x", "path": "/a/x.wav", "reason": "silent", "fix_hint": "drop it"}])
    f = st.failures()
    assert list(f.columns) == ["utt_id", "path", "reason", "fix_hint"] and f.utt_id.tolist() == ["x"]
