"""Host time to assemble one paper-shaped training batch from memory-mapped feature shards.

The paper profile's batch of 64: Whisper-Medium full-mode frames (1500 x 1024), MFCCs
(501 x 40, the ``paper`` preset's fixed 5 s) and the ``paper`` preset's mel spectrogram
(1,600 frames/s x 128 bands, padded to the corpus's longest clip), all stored in float16
shards (``FeatureStore``), as extraction writes them. Random frames stand in for real ones
(the copy costs the same); clip lengths are drawn between ``--min-s`` and ``--max-s``.

Two ways, each over the same ``--batches`` random batches (pages already cached, so this is
memory, not disk):
- ``before``: padding into float32 on the host (the code before issue #21, and still what a
  CPU device gets: there padding into float32 directly beats padding in float16 and casting);
- ``after_host``: padding in float16 (the stored dtype): the host's share of a CUDA batch
  (``SERData._pinned``: there into pinned memory, then a non-blocking copy and the cast on
  the GPU; pinned memory needs a GPU, so here into ordinary memory), by
  ``training.data.PAD_THREADS`` threads (half the cores, at most 8, at least 2), as
  ``SERData._pinned`` pads;
- ``after_host_1_thread``: the same by one thread;
- ``prefetched``: the ``after_host`` batches made by ``training.data.Prefetcher`` while the
  caller sleeps ``--step-ms`` per batch in place of the GPU's step (a CUDA step leaves the
  host's cores free as a sleep does): how long each step still waits for its batch.

Prints one JSON object: median and max milliseconds per batch of each, bytes per batch, and
whether the float16 batch cast to float32 equals the float32 one. The goal on the GPU path
is a median of at most 50 ms; with prefetching (``TrainConfig.prefetch``) the step waits only
for what exceeds the GPU's own step time.

    python scripts/bench_batches.py [--clips 256] [--batches 20] [--batch 64] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from camulenet.features import spectral  # noqa: E402
from camulenet.features.store import FeatureStore  # noqa: E402
from camulenet.training.data import PAD_THREADS, Prefetcher, SERData, padded_in_parallel  # noqa: E402

WHISPER_MEDIUM = (1500, 1024)  # full-mode frames x n_audio_state


def paper_shapes(seconds: np.ndarray) -> dict[str, list[tuple[int, ...]]]:
    """(frames, dim) of each clip's stored features under the paper profile."""
    p = spectral.get_preset("paper")
    mel_frames = 1 + (seconds * p.sr).astype(int) // p.mel_hop
    return {"whisper": [WHISPER_MEDIUM] * len(seconds),
            "mfcc": [(spectral.mfcc_frames("paper"), p.n_mfcc)] * len(seconds),
            "mel": [(int(t), p.n_mels) for t in mel_frames]}


def make_store(root: Path, n_clips: int, seconds: np.ndarray, shard: int = 64, seed: int = 0) -> FeatureStore:
    store = FeatureStore(root)
    rng = np.random.default_rng(seed)
    ids = [f"c{i:05d}" for i in range(n_clips)]
    for name, shapes in paper_shapes(seconds).items():
        if store.done_ids(name):
            continue
        for s in range(0, n_clips, shard):
            arrays = [rng.standard_normal(shp, dtype=np.float32).astype(np.float16) for shp in shapes[s:s + shard]]
            store.write_shard(name, ids[s:s + shard], arrays)
    return store


def before(data: SERData, rows, keys, lengths, batch_padded) -> dict:
    """The batch as it was built before: every key padded into float32 on the host."""
    fixed = {k: v for k, v in data.fixed_lengths.items() if k not in batch_padded}
    fixed.update(lengths)
    out = {}
    for key in keys:
        arr, lens = data.features[key].padded(data._pos[key][rows], max_len=fixed.get(key))
        out[key], out[f"{key}_lengths"] = torch.from_numpy(arr), torch.from_numpy(lens)
    return out


def after_host(data: SERData, rows, keys, lengths, batch_padded, threads: int = PAD_THREADS) -> dict:
    """The host's share of the CUDA path (``SERData._pinned``): padding in the stored float16,
    by ``threads`` threads (here into ordinary memory; pinned memory needs a GPU)."""
    fixed = {k: v for k, v in data.fixed_lengths.items() if k not in batch_padded}
    fixed.update(lengths)
    out = {}
    for key in keys:
        rag, pos = data.features[key], data._pos[key][rows]
        t = fixed.get(key) or int(np.asarray(rag.lengths)[pos].max())
        arr = np.zeros((len(pos), t, *rag.feature_shape), rag.dtype)
        lens = padded_in_parallel(rag, pos, t, arr, threads)
        out[key], out[f"{key}_lengths"] = torch.from_numpy(arr), torch.from_numpy(lens)
    return out


def time_batches(make, batches) -> list[float]:
    ms = []
    for rows in batches:
        t0 = time.perf_counter()
        make(rows)
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms


def prefetched_wait_ms(make, batches, step_ms: float) -> list[float]:
    """Per step, the ms the caller waited for its batch while the next one was padded ahead."""
    fetch = Prefetcher(batches, make)
    waits, seen = [], 0.0
    for _ in fetch:
        waits.append((fetch.wait_seconds - seen) * 1e3)
        seen = fetch.wait_seconds
        time.sleep(step_ms / 1e3)  # the GPU's step: the host's cores are free meanwhile
    return waits[1:]  # the first batch has nothing to hide behind


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=256)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--min-s", type=float, default=1.3)
    ap.add_argument("--max-s", type=float, default=5.0)
    ap.add_argument("--root", type=Path, default=None, help="where the shards go (default: a temporary folder)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads")
    ap.add_argument("--step-ms", type=float, default=50.0,
                    help="the GPU step the prefetched batches hide behind (an H100 step is estimated at 30-60 ms)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    seconds = rng.uniform(args.min_s, args.max_s, args.clips)
    with tempfile.TemporaryDirectory(dir=args.root) as tmp:
        t0 = time.perf_counter()
        store = make_store(Path(tmp), args.clips, seconds)
        write_s = time.perf_counter() - t0
        ids = [f"c{i:05d}" for i in range(args.clips)]
        manifest = pd.DataFrame({"utt_id": ids, "speaker": [f"s{i % 8}" for i in range(args.clips)],
                                 "gender": ["female", "male"] * (args.clips // 2) + ["female"] * (args.clips % 2),
                                 "emotion": ["neutral", "angry"] * (args.clips // 2) + ["neutral"] * (args.clips % 2)})
        data = SERData({k: store.load(k, ids=ids) for k in ("whisper", "mfcc", "mel")}, manifest)
        keys, lengths, batch_padded = ("mel", "mfcc", "whisper"), {"mfcc": spectral.mfcc_frames("paper")}, ("whisper",)
        batches = [rng.choice(args.clips, args.batch, replace=False) for _ in range(args.batches)]
        for rows in batches[:2]:  # warm the page cache and the allocator
            before(data, rows, keys, lengths, batch_padded)
        ways = {"before": lambda r: before(data, r, keys, lengths, batch_padded),
                "after_host": lambda r: after_host(data, r, keys, lengths, batch_padded),
                "after_host_1_thread": lambda r: after_host(data, r, keys, lengths, batch_padded, threads=1)}
        b32 = before(data, batches[0], keys, lengths, batch_padded)
        b16 = after_host(data, batches[0], keys, lengths, batch_padded)
        same = all(torch.equal(b32[k], b16[k].float()) for k in keys)
        result = {"batch": args.batch, "batches": args.batches, "clips": args.clips, "write_store_s": round(write_s, 1),
                  "shapes": {k: list(b32[k].shape) for k in keys},
                  "bytes_per_batch": {"float32": int(sum(b32[k].nbytes for k in keys)),
                                      "float16": int(sum(b16[k].nbytes for k in keys))},
                  "float16_cast_equals_float32": bool(same), "torch_threads": torch.get_num_threads(),
                  "pad_threads": PAD_THREADS}
        for name, make in ways.items():
            ms = time_batches(make, batches)
            result[name] = {"median_ms": round(float(np.median(ms)), 1), "max_ms": round(float(np.max(ms)), 1)}
        waits = prefetched_wait_ms(ways["after_host"], batches, args.step_ms)
        result["prefetched"] = {"step_ms": args.step_ms, "median_wait_ms": round(float(np.median(waits)), 1),
                                "max_wait_ms": round(float(np.max(waits)), 1)}
        result["goal_median_ms"] = 50
        result["goal_met"] = result["after_host"]["median_ms"] <= 50
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
