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


def _eager(arrays_by_id, ids):
    """The old whole-copy result: one in-memory Ragged in ``ids`` order."""
    from camulenet.storage.ragged import Ragged

    return Ragged.from_list([arrays_by_id[u] for u in ids], list(ids))


def test_several_shards_load_lazily_from_memmaps(tmp_path):
    st = FeatureStore(tmp_path)
    a = _arrays(7, d=4, seed=3)
    by_id = dict(zip("abcdefg", a))
    st.write_shard("w", list("abc"), a[:3], dtype="float16")
    st.write_shard("w", list("de"), a[3:5], dtype="float16")
    st.write_shard("w", list("fg"), a[5:], dtype="float16")
    r = st.load("w")
    from camulenet.storage.ragged import Ragged, ShardedRagged

    assert isinstance(r, ShardedRagged) and isinstance(r, Ragged)  # embeddings.as_matrix etc. still accept it
    assert len(r.parts) == 3 and all(isinstance(p, np.memmap) for p in r.parts)
    assert isinstance(r[4], np.memmap)  # one clip is a view into its shard, not a copy
    assert r.ids == tuple("abcdefg") and r.feature_shape == (4,) and r.dtype == np.float16
    want = _eager({u: x.astype(np.float16) for u, x in by_id.items()}, "abcdefg")
    np.testing.assert_array_equal(r.lengths, want.lengths)
    np.testing.assert_array_equal(r.offsets, want.offsets)
    np.testing.assert_array_equal(r.values, want.values)  # small notebooks may still ask for values
    for idx, max_len in (([6, 0, 3], None), ([2, 5], 3), ([1], 20)):
        got, got_len = r.padded(idx, max_len=max_len)
        exp, exp_len = want.padded(idx, max_len=max_len)
        np.testing.assert_array_equal(got, exp)
        np.testing.assert_array_equal(got_len, exp_len)
    sub = r.select([5, 1])
    assert isinstance(sub, ShardedRagged) and sub.ids == ("f", "b") and sub.parts[0] is r.parts[0]
    np.testing.assert_array_equal(sub[0], want[5])
    eager = st.load("w", mmap=False)  # explicit in-memory copy
    assert type(eager) is Ragged and not isinstance(eager.values, np.memmap)
    np.testing.assert_array_equal(eager.values, want.values)


def test_ids_select_and_reorder_across_shards_without_copy(tmp_path):
    st = FeatureStore(tmp_path)
    a = _arrays(6, d=3, seed=4)
    st.write_shard("m", list("abc"), a[:3])
    st.write_shard("m", list("def"), a[3:])
    order = ["f", "a", "d", "c"]
    r = st.load("m", ids=order)
    assert r.ids == tuple(order) and all(isinstance(p, np.memmap) for p in r.parts)
    want = _eager(dict(zip("abcdef", a)), order)
    for i in range(len(order)):
        assert isinstance(r[i], np.memmap)
        np.testing.assert_array_equal(r[i], want[i])
    np.testing.assert_array_equal(r.padded([3, 0, 1])[0], want.padded([3, 0, 1])[0])
    assert st.load("m", ids=[]).lengths.tolist() == []
    with pytest.raises(KeyError, match="failures.csv"):
        st.load("m", ids=["a", "nope"])
    assert st.load("m", ids=["nope", "e"], missing="skip").ids == ("e",)


def test_reextracted_clip_is_read_from_the_later_shard(tmp_path):
    st = FeatureStore(tmp_path)
    old, new = _arrays(3, seed=5), _arrays(1, seed=6)
    st.write_shard("m", ["a", "b", "c"], old)
    st.write_shard("m", ["b"], new)  # b re-extracted
    r = st.load("m")
    assert r.ids == ("a", "b", "c")  # b keeps its first slot ...
    np.testing.assert_array_equal(r[1], new[0])  # ... with the later frames
    np.testing.assert_array_equal(st.load("m", ids=["b", "a"])[0], new[0])
    assert st.info("m")["n"] == 3


def test_serdata_batches_from_lazy_store_equal_the_eager_ones(tmp_path):
    import torch

    from camulenet.training import SERData
    from camulenet.training.toy import toy_corpus

    feats, manifest = toy_corpus(30, 6, seconds=(0.2, 0.6), seed=1)
    st = FeatureStore(tmp_path)
    for key, rag in feats.items():  # shards of 8 clips, written in a shuffled order
        perm = np.random.default_rng(2).permutation(len(rag))
        for s in range(0, len(perm), 8):
            idx = perm[s:s + 8]
            st.write_shard(key, [rag.ids[i] for i in idx], [rag[i] for i in idx], dtype="float16")
    lazy = {key: st.load(key, ids=manifest.utt_id) for key in feats}
    eager = {key: st.load(key, ids=manifest.utt_id, mmap=False) for key in feats}
    assert all(isinstance(p, np.memmap) for r in lazy.values() for p in r.parts)
    d_lazy, d_eager = SERData(lazy, manifest), SERData(eager, manifest)
    assert d_lazy.fixed_lengths == d_eager.fixed_lengths
    rows = [29, 3, 17, 0, 11]
    keys = ("whisper", "mfcc", "mel")
    sc_lazy, sc_eager = d_lazy.fit_scaling(range(20), keys), d_eager.fit_scaling(range(20), keys)
    for k in keys:
        np.testing.assert_array_equal(sc_lazy[k][0], sc_eager[k][0])
        np.testing.assert_array_equal(sc_lazy[k][1], sc_eager[k][1])
    for scaling in (None, sc_lazy):
        b_lazy = d_lazy.batch(rows, keys, scaling=scaling)
        b_eager = d_eager.batch(rows, keys, scaling=scaling)
        assert b_lazy.keys() == b_eager.keys()
        for k in b_lazy:
            assert torch.equal(b_lazy[k], b_eager[k]), k
    b = d_lazy.batch(rows, keys, scaling=sc_lazy)
    pad = torch.arange(b["whisper"].shape[1])[None, :] >= b["whisper_lengths"][:, None]
    assert (b["whisper"][pad] == 0).all()  # scaled, padding still zero
    x = feats["mel"][17].astype(np.float16).astype(np.float32)  # what went into the store
    np.testing.assert_array_equal(d_lazy.batch([17], ["mel"])["mel"][0, :len(x)].numpy(), x)


def test_many_shards_raise_the_open_file_limit_or_say_what_to_do(tmp_path, monkeypatch):
    resource = pytest.importorskip("resource")
    import os

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("counts open files through /proc")
    st = FeatureStore(tmp_path)
    for k in range(40):
        st.write_shard("m", [f"c{k}"], _arrays(1, seed=k))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 50, hard))  # fewer than 40 shards + margin
        r = st.load("m")  # each memory-mapped shard keeps a descriptor: the soft limit is raised
        assert len(r) == 40 and resource.getrlimit(resource.RLIMIT_NOFILE)[0] > in_use + 50
        del r
        monkeypatch.setattr(resource, "getrlimit", lambda _: (in_use + 50, in_use + 50))  # hard limit too low
        with pytest.raises(OSError, match="shard_size"):
            st.load("m")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _rss_file_mb():
    from camulenet.storage.memory import _status_kb

    v = _status_kb("RssFile")
    return None if v is None else v / 2**20


def test_padded_and_scaling_unmap_what_they_read(tmp_path):
    """Read pages stay in the page cache but leave the process's RSS: RSS stays flat."""
    if _rss_file_mb() is None:
        pytest.skip("needs /proc/self/status (Linux)")
    import pandas as pd

    from camulenet.training import SERData

    st = FeatureStore(tmp_path)
    ids = [f"c{i:03d}" for i in range(64)]
    for s in range(0, 64, 32):  # 2 shards of 32 clips x 1000 x 1024 float16: 128 MB
        st.write_shard("whisper", ids[s:s + 32], [np.full((1000, 1024), i % 7, np.float16) for i in range(s, s + 32)])
    r = st.load("whisper")
    before = _rss_file_mb()
    for s in range(0, 64, 8):
        r.padded(range(s, s + 8))
    assert _rss_file_mb() - before < 40  # without release: ~128 MB more
    manifest = pd.DataFrame({"utt_id": ids, "speaker": "s", "gender": "female", "emotion": "neutral"})
    mean, _ = SERData({"whisper": r}, manifest).fit_scaling(range(64), ["whisper"])["whisper"]
    assert np.allclose(mean, np.mean([i % 7 for i in range(64)]))
    assert _rss_file_mb() - before < 40
    total = sum(float(np.asarray(r[i][:, 0], np.float32).sum()) for i in range(64))  # plain reads stay mapped
    assert total == 1000 * sum(i % 7 for i in range(64)) and _rss_file_mb() - before > 60
    r.release()
    assert _rss_file_mb() - before < 40
