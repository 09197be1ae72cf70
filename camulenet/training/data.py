"""From Ragged features + manifest to padded mini-batches of tensors.

Features may be lazy :class:`~camulenet.storage.ragged.ShardedRagged` views over memory-mapped
shards (what ``FeatureStore.load`` returns): only the clips of one batch are read, and
nothing here copies a whole feature into memory.

Label encoding uses a fixed class order: emotions in ``schema.EMOTIONS`` order restricted
to those present in the manifest (or an explicit list), genders in ``schema.GENDERS``
order (``schema.UNKNOWN_GENDER`` becomes ``loss.NO_GENDER``, which the gender loss leaves
out). Unknown labels raise.

Padding: ``mel`` and ``mfcc`` are zero-padded to the longest clip of the whole manifest
(the released code pads every clip to the corpus's longest), so a clip's features -- and
the conv/GRU outputs computed from them -- never depend on which clips share its batch.
``whisper`` (and any other key) is padded only to the batch's longest clip; the models
mask the padded frames out using ``<key>_lengths``. Keys named in ``batch(...,
batch_padded=...)`` are padded to the batch's longest clip too, even ``mel``/``mfcc``: the
trainer does that for the keys whose padding the model provably ignores (``model.padding_invariant_keys()``, e.g. MFCCs read by a packed GRU).

Batching: :func:`epoch_batches` cuts one epoch of training rows into mini-batches, either
``"random"`` (one seeded permutation cut into consecutive slices -- the released code's
shuffling) or ``"length_buckets"`` (a seeded permutation; within each chunk of
``BUCKET_CHUNK_BATCHES`` batches the clips are sorted by length and cut into batches; then
the batch order is shuffled). Both use every training row exactly once per epoch and draw
only from the given ``torch.Generator``, so a run resumed from its saved generator state
makes the same batches as an uninterrupted one.

Scaling: :meth:`SERData.fit_scaling` computes a per-dimension mean and standard deviation
over the valid frames of the *training* clips of a fold; :meth:`SERData.batch` applies it
to valid frames only (padding stays zero). Whisper-base frames have a few dimensions
hundreds of times larger than the rest, and log-mel values sit far from zero; without
this a network trained from scratch sees mostly those few dimensions.

Speaker normalisation (``TrainConfig.speaker_norm``): :meth:`SERData.fit_speaker_scaling`
computes, with :class:`camulenet.features.speaker_norm.SpeakerFrameScaler`, a per-dimension mean and
standard deviation per *speaker* over the valid frames of that speaker's own clips;
:meth:`SERData.batch` applies each clip's speaker statistics to its valid frames when the
batch is built (no normalised copy of the features is kept). Fitted on a fold's test and
validation speakers from their own unlabelled clips, this is **transductive** (see
``camulenet.features.speaker_norm``); labels are never read.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Collection, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from camulenet.data.schema import EMOTIONS, GENDERS, UNKNOWN_GENDER
from camulenet.features.speaker_norm import SpeakerFrameScaler
from camulenet.storage.ragged import Ragged
from camulenet.training.loss import NO_GENDER

#: keys padded to a corpus-wide fixed length by default
CORPUS_PADDED = ("mel", "mfcc")

#: stored dtypes a batch is padded in as they are (exactly float32 once cast); others become float32
_TORCH_DTYPES = {np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32}

#: the batching schemes of :func:`epoch_batches` (``TrainConfig.batching``)
BATCHINGS = ("random", "length_buckets")

#: length buckets are formed within chunks of this many batches of a seeded permutation
#: (larger: less padding; smaller: more varied batch composition from epoch to epoch)
BUCKET_CHUNK_BATCHES = 50


class SpeakerScaling:
    """Per-speaker (mean, std) of one feature, laid out for batches: ``codes[row]`` is the
    index of manifest row ``row``'s speaker in ``mean``/``std`` (S, *feature_shape), or -1
    for a row whose speaker was not fitted. ``speakers`` names the S speakers."""

    def __init__(self, codes: np.ndarray, mean: np.ndarray, std: np.ndarray, speakers: Sequence[str]) -> None:
        self.codes, self.mean, self.std, self.speakers = codes, mean, std, tuple(str(s) for s in speakers)

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, std) of each row's speaker, shape (len(rows), *feature_shape)."""
        idx = self.codes[rows]
        if (idx < 0).any():
            raise KeyError("speaker normalisation was not fitted on the speaker(s) of rows "
                           f"{rows[idx < 0][:3].tolist()}; fit on every speaker of the fold")
        return self.mean[idx], self.std[idx]


class _RowView:
    """The clips of some manifest rows of one feature, indexed 0..n-1 (what SpeakerFrameScaler.fit reads)."""

    def __init__(self, rag: Ragged, positions: np.ndarray) -> None:
        self.rag, self.positions = rag, positions
        self.feature_shape = rag.feature_shape
        if hasattr(rag, "release"):
            self.release = lambda idx: rag.release(self.positions[np.asarray(idx, dtype=np.int64)])

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.rag[int(self.positions[i])]


class SERData:
    """Features and labels of one corpus, addressed by utt_id."""

    def __init__(self, features: Mapping[str, Ragged], manifest: pd.DataFrame,
                 emotions: Sequence[str] | None = None, fixed_lengths: Mapping[str, int] | None = None) -> None:
        missing_cols = {"utt_id", "speaker", "gender", "emotion"} - set(manifest.columns)
        if missing_cols:
            raise ValueError(f"manifest lacks columns {sorted(missing_cols)}")
        self.manifest = manifest.reset_index(drop=True)
        self.utt_ids = [str(u) for u in self.manifest["utt_id"]]
        if len(set(self.utt_ids)) != len(self.utt_ids):
            raise ValueError("manifest utt_id values are not unique")
        self.row = {u: i for i, u in enumerate(self.utt_ids)}
        present = set(self.manifest["emotion"])
        if emotions is None:
            unknown = present - set(EMOTIONS)
            if unknown:
                raise ValueError(f"unknown emotion labels {sorted(unknown)}; map them to schema.EMOTIONS or pass emotions=")
            emotions = [e for e in EMOTIONS if e in present]
        self.emotions = tuple(emotions)
        unknown = present - set(self.emotions)
        if unknown:
            raise ValueError(f"emotions {sorted(unknown)} are in the manifest but not in emotions={self.emotions}")
        bad_gender = set(self.manifest["gender"]) - {*GENDERS, UNKNOWN_GENDER}
        if bad_gender:
            raise ValueError(f"unknown gender labels {sorted(bad_gender)}; expected {GENDERS} or {UNKNOWN_GENDER!r}")
        self.genders = GENDERS
        self.emotion_codes = self.manifest["emotion"].map({e: i for i, e in enumerate(self.emotions)}).to_numpy(np.int64)
        codes = {g: i for i, g in enumerate(GENDERS)} | {UNKNOWN_GENDER: NO_GENDER}
        self.gender_codes = self.manifest["gender"].map(codes).to_numpy(np.int64)

        self.features: dict[str, Ragged] = {}
        self._pos: dict[str, np.ndarray] = {}  # manifest row -> position in that Ragged
        for key, rag in features.items():
            where = {u: i for i, u in enumerate(rag.ids)}
            lacking = [u for u in self.utt_ids if u not in where]
            if lacking:
                raise ValueError(f"feature {key!r} lacks {len(lacking)} manifest clips (e.g. {lacking[:3]}); "
                                 "re-run feature extraction for them")
            self.features[key] = rag
            self._pos[key] = np.array([where[u] for u in self.utt_ids], dtype=np.int64)
        self.fixed_lengths = {k: self.max_length(k) for k in CORPUS_PADDED if k in self.features}
        self.fixed_lengths.update(fixed_lengths or {})

    def __len__(self) -> int:
        return len(self.utt_ids)

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        try:
            return np.array([self.row[str(u)] for u in ids], dtype=np.int64)
        except KeyError as err:
            raise KeyError(f"utt_id {err.args[0]!r} is in the fold but not in the manifest") from None

    def feature_dim(self, key: str) -> int:
        return int(self.features[key].feature_shape[-1])

    def max_length(self, key: str) -> int:
        return int(self.features[key].lengths[self._pos[key]].max(initial=0))

    def clip_lengths(self, rows: Sequence[int], keys: Sequence[str]) -> np.ndarray:
        """Frames of each row summed over ``keys`` (the features a model reads): the length
        that length-bucketed batching sorts by (every key's frame count grows with the clip's duration)."""
        rows = np.asarray(rows, dtype=np.int64)
        total = np.zeros(len(rows), np.int64)
        for key in keys:
            total += np.asarray(self.features[key].lengths, dtype=np.int64)[self._pos[key][rows]]
        return total

    def fit_scaling(self, rows: Sequence[int], keys: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per-dimension (mean, std) of each feature over the valid frames of ``rows``.

        Streams clip by clip (features may be memory-mapped and larger than RAM; read pages
        are unmapped again); sums in float64. float16 frames are squared in float32, exact for them.
        """
        out = {}
        for key in keys:
            rag = self.features[key]
            total = np.zeros(rag.feature_shape, np.float64)
            sq = np.zeros(rag.feature_shape, np.float64)
            n = 0
            work = np.float32 if np.dtype(rag.dtype) == np.float16 else np.float64
            release = getattr(rag, "release", None)  # memory-mapped: unmap what was read
            for i in self._pos[key][np.asarray(rows, dtype=np.int64)]:
                x = np.asarray(rag[i], dtype=work)
                total += x.sum(0, dtype=np.float64)
                sq += (x * x).sum(0, dtype=np.float64)
                n += len(x)
                if release is not None:
                    release([i])
            if n == 0:
                raise ValueError(f"no frames of {key!r} in the rows to fit scaling on")
            mean = total / n
            std = np.sqrt(np.maximum(sq / n - mean * mean, 0.0))
            out[key] = (mean.astype(np.float32), np.maximum(std, 1e-5).astype(np.float32))
        return out

    def fit_speaker_scaling(self, rows: Sequence[int], keys: Sequence[str],
                            min_frames: int = 2) -> dict[str, SpeakerScaling]:
        """Per-speaker, per-dimension (mean, std) of each feature over the valid frames of each
        speaker's clips among ``rows`` (transductive when ``rows`` hold test speakers: their
        own unlabelled clips). Reads only the manifest's speaker column, never a label.

        Streams clip by clip (:class:`~camulenet.features.speaker_norm.SpeakerFrameScaler`); a speaker
        with fewer than ``min_frames`` frames gets the pooled statistics of all ``rows``.
        """
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            raise ValueError("no rows to fit speaker normalisation on")
        row_speakers = self.manifest["speaker"].astype(str).to_numpy()[rows]
        out = {}
        for key in keys:
            scaler = SpeakerFrameScaler(min_frames=min_frames).fit(_RowView(self.features[key], self._pos[key][rows]),
                                                                   row_speakers)
            speakers = sorted(scaler.stats)
            codes = np.full(len(self), -1, np.int64)
            codes[rows] = np.searchsorted(speakers, row_speakers)
            mean = np.stack([scaler.stats[s][0] for s in speakers]).astype(np.float32)
            std = np.stack([scaler.stats[s][1] for s in speakers]).astype(np.float32)
            out[key] = SpeakerScaling(codes, mean, std, speakers)
        return out

    def batch(self, rows: Sequence[int], keys: Sequence[str], lengths: Mapping[str, int] | None = None,
              device: torch.device | str = "cpu",
              scaling: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
              batch_padded: Collection[str] = (),
              speaker_scaling: Mapping[str, SpeakerScaling] | None = None) -> dict[str, torch.Tensor]:
        """Padded tensors ``key`` (B, T, dim) and ``key_lengths`` (B,), plus ``emotion``/``gender`` codes.

        ``scaling`` (from :meth:`fit_scaling`) standardises valid frames; padding stays zero.
        ``speaker_scaling`` (from :meth:`fit_speaker_scaling`) standardises each clip's valid
        frames with its speaker's statistics (applied before ``scaling`` when both are given).
        ``batch_padded``: keys padded to the batch's longest clip instead of their corpus-wide
        length (only for models whose output ignores that key's padding); ``lengths`` still wins.
        """
        fixed = {k: v for k, v in self.fixed_lengths.items() if k not in batch_padded}
        fixed.update(lengths or {})
        rows = np.asarray(rows, dtype=np.int64)
        device = torch.device(device)
        out: dict[str, torch.Tensor] = {}
        for key in keys:
            if key not in self.features:
                raise KeyError(f"model needs feature {key!r}; available: {sorted(self.features)}")
            scaled = bool(speaker_scaling and key in speaker_scaling) or bool(scaling and key in scaling)
            if device.type == "cuda" and not scaled:  # as stored (float16: half the bytes), cast on the GPU
                out[key], out[f"{key}_lengths"] = self._pinned(key, rows, fixed.get(key), device)
                continue
            arr, lens = self.features[key].padded(self._pos[key][rows], max_len=fixed.get(key))
            if speaker_scaling and key in speaker_scaling:
                mean, std = speaker_scaling[key].rows(rows)
                valid = np.arange(arr.shape[1])[None, :] < lens[:, None]
                arr -= mean[:, None]
                arr /= std[:, None]
                arr[~valid] = 0.0  # padding stays zero
            if scaling and key in scaling:
                mean, std = scaling[key]
                valid = np.arange(arr.shape[1])[None, :] < lens[:, None]
                arr -= mean
                arr /= std
                arr[~valid] = 0.0  # padding stays zero
            out[key] = torch.from_numpy(arr).to(device)
            out[f"{key}_lengths"] = torch.from_numpy(lens).to(device)
        out["emotion"] = torch.from_numpy(self.emotion_codes[rows]).to(device)
        out["gender"] = torch.from_numpy(self.gender_codes[rows]).to(device)
        return out

    def _pinned(self, key: str, rows: np.ndarray, max_len: int | None,
                device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """One key's batch for a CUDA device: padded in its stored dtype straight into pinned
        memory, copied without blocking (no staging copy, the host does not wait), and made
        float32 on the GPU. float16 -> float32 is exact: the values are those of padding into
        float32. (On a CPU padding into float32 directly is faster than padding, then casting.)"""
        rag = self.features[key]
        dtype = np.dtype(rag.dtype) if np.dtype(rag.dtype) in _TORCH_DTYPES else np.dtype(np.float32)
        pos = self._pos[key][rows]
        n = np.asarray(rag.lengths, dtype=np.int64)[pos]
        t = int(n.max(initial=0)) if max_len is None else int(max_len)
        pinned = torch.zeros((len(pos), t, *rag.feature_shape), dtype=_TORCH_DTYPES[dtype], pin_memory=True)
        lens = padded_in_parallel(rag, pos, t, pinned.numpy())
        return (pinned.to(device, non_blocking=True).float(),
                torch.from_numpy(lens).to(device, non_blocking=True))


def epoch_batches(rows: np.ndarray, batch_size: int, generator: torch.Generator, batching: str = "random",
                  lengths: np.ndarray | None = None, chunk_batches: int = BUCKET_CHUNK_BATCHES) -> list[np.ndarray]:
    """One epoch of ``rows`` cut into mini-batches (see the module docstring).

    ``"random"``: ``rows`` in the order of one ``torch.randperm`` draw, cut into consecutive
    batches (the last one may be smaller). ``"length_buckets"``: the same draw; each chunk of
    ``chunk_batches * batch_size`` clips is sorted by ``lengths`` (one per row; stable, so clips
    of equal length keep their random order) and cut into batches; a second draw shuffles the
    batch order. Every row appears exactly once; the batches depend only on the generator's state.
    """
    rows = np.asarray(rows)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    perm = torch.randperm(len(rows), generator=generator).numpy()
    if batching == "random":
        order = rows[perm]
        return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if batching != "length_buckets":
        raise ValueError(f"batching must be one of {BATCHINGS}, got {batching!r}")
    if lengths is None or len(lengths) != len(rows):
        raise ValueError("length_buckets batching needs one length per row")
    lengths = np.asarray(lengths)
    chunk = max(1, chunk_batches) * batch_size
    batches = []
    for s in range(0, len(perm), chunk):
        part = perm[s:s + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [rows[part[b:b + batch_size]] for b in range(0, len(part), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


#: threads that pad one batch (numpy's copies release the GIL): a paper-size batch is ~330 MB.
#: Half the cores, at most 8, at least 2: while they pad the next batch the main thread only
#: waits on the GPU's step, so even a 2-core host pads with both (scripts/bench_batches.py
#: times one thread against PAD_THREADS).
PAD_THREADS = max(2, min(8, (os.cpu_count() or 1) // 2))
_pad_pool: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): a forked child makes its own


def padded_in_parallel(rag: Ragged, positions: np.ndarray, t: int, out: np.ndarray,
                       threads: int | None = None) -> np.ndarray:
    """``rag.padded(positions, t, out=out)`` in slices of rows padded by ``threads`` threads
    (default ``PAD_THREADS``); returns the lengths. Each row is written by one thread only."""
    global _pad_pool
    threads = threads or PAD_THREADS
    if threads < 2 or len(positions) < 2 * threads:
        return rag.padded(positions, max_len=t, out=out)[1]
    if _pad_pool is None or _pad_pool[0] != os.getpid():
        _pad_pool = (os.getpid(), ThreadPoolExecutor(max(threads, PAD_THREADS), thread_name_prefix="pad"))
    cuts = np.linspace(0, len(positions), threads + 1).astype(int)
    jobs = [_pad_pool[1].submit(rag.padded, positions[a:b], t, out=out[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    return np.concatenate([j.result()[1] for j in jobs])


class Prefetcher:
    """``make(item)`` for each item in order; with ``ahead``, the next one is made in a
    background thread while the caller works on the current one (the GPU then need not wait
    for the host to pad a batch). ``wait_seconds``: how long the caller waited for items.

    The thread only reads features and pads (numpy copies release the GIL); it draws from no
    random generator, so results do not depend on ``ahead``.
    """

    def __init__(self, items: Sequence, make: Callable, ahead: bool = True) -> None:
        self.items, self.make, self.ahead = items, make, ahead
        self.wait_seconds = 0.0

    def __iter__(self) -> Iterator:
        if not self.ahead or len(self.items) < 2:
            for item in self.items:
                t0 = time.perf_counter()
                made = self.make(item)
                self.wait_seconds += time.perf_counter() - t0
                yield made
            return
        with ThreadPoolExecutor(1, thread_name_prefix="prefetch") as pool:
            pending = pool.submit(self.make, self.items[0])
            for i in range(len(self.items)):
                t0 = time.perf_counter()
                made = pending.result()
                self.wait_seconds += time.perf_counter() - t0
                if i + 1 < len(self.items):
                    pending = pool.submit(self.make, self.items[i + 1])
                yield made
