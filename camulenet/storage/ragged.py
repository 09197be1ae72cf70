"""Variable-length sequences stored as one flat array plus offsets.

Clips have different lengths; padding everything to 30 s (as the released code does)
wastes ~15x the memory on short acted-emotion clips. A ``Ragged`` keeps the frames of
all clips back to back (``values[offsets[i]:offsets[i+1]]`` is clip ``i``) and pads only
the mini-batch that is about to be used.

A corpus's features at the paper profile do not fit in RAM (CREMA-D, Whisper-Medium full
frames: ~22 GB), so :class:`ShardedRagged` -- what ``FeatureStore.load`` returns -- leaves
them in memory-mapped shard files and reads one clip at a time: only the mini-batch is in
process memory. Pages read through a mapping would stay mapped and count in the process's
RSS (as file pages the kernel may drop, but job schedulers that police RSS do not know
that), so ``padded`` unmaps what it read (:meth:`ShardedRagged.release`).
"""

from __future__ import annotations

import mmap
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Ragged:
    """``values``: (sum of lengths, *feature_shape); ``offsets``: (n + 1,) int64."""

    values: np.ndarray
    offsets: np.ndarray
    ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.offsets.ndim != 1 or len(self.offsets) != len(self.ids) + 1:
            raise ValueError(f"offsets must have len(ids)+1={len(self.ids) + 1} entries, got {self.offsets.shape}")
        if self.offsets[0] != 0 or self.offsets[-1] != len(self.values):
            raise ValueError("offsets must start at 0 and end at len(values)")
        if np.any(np.diff(self.offsets) < 0):
            raise ValueError("offsets must be non-decreasing")

    @classmethod
    def from_list(cls, arrays: Sequence[np.ndarray], ids: Sequence[str]) -> "Ragged":
        if len(arrays) != len(ids):
            raise ValueError(f"{len(arrays)} arrays but {len(ids)} ids")
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        values = np.concatenate(arrays, axis=0) if arrays else np.zeros((0,), np.float32)
        return cls(values=values, offsets=offsets, ids=tuple(ids))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def feature_shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def nbytes(self) -> int:
        """Bytes of all frames (what ``values`` would take in memory)."""
        return int(self.lengths.sum()) * int(np.prod(self.feature_shape, dtype=np.int64)) * self.dtype.itemsize

    def select(self, indices: Sequence[int]) -> "Ragged":
        """A new Ragged with the clips at ``indices`` (copied, in that order)."""
        return Ragged.from_list([np.asarray(self[i]) for i in indices], [self.ids[i] for i in indices])

    def padded(self, indices: Sequence[int] | None = None, max_len: int | None = None,
               dtype=np.float32, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Zero-padded batch (len(indices), T, *feature_shape) and the true lengths.

        ``max_len`` pads (or truncates) to a fixed T; by default T is the longest clip
        in the batch. ``out``: a zero-filled array of that shape to pad into instead of a new
        one (e.g. the numpy view of pinned memory, so that a copy to the GPU needs no staging).
        """
        idx = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64).reshape(-1)
        lengths = np.asarray(self.lengths, dtype=np.int64)[idx]
        t = int(lengths.max(initial=0)) if max_len is None else int(max_len)
        shape = (len(lengths), t, *self.feature_shape)
        if out is None:
            out = np.zeros(shape, dtype=dtype)
        elif out.shape != shape:
            raise ValueError(f"out has shape {out.shape}, the batch needs {shape}")
        for row, i in enumerate(idx):
            seq = self[i][:t]
            out[row, : len(seq)] = seq
        return out, np.minimum(lengths, t)


class ShardedRagged(Ragged):
    """A Ragged whose clips stay in several (typically memory-mapped) arrays.

    Clip ``i`` is ``parts[part[i]][start[i]:stop[i]]``; nothing is copied until a clip is
    read, so selecting or reordering clips (:meth:`select`) costs a few index arrays, not
    the frames. ``values``/``offsets`` keep the Ragged meaning for small notebooks, but
    ``values`` copies every frame into memory unless the view is one whole part in order:
    training uses ``padded`` and ``__getitem__`` only.
    """

    def __init__(self, parts: Sequence[np.ndarray], part, start, stop, ids: Sequence[str],
                 feature_shape: tuple[int, ...] | None = None, dtype=None) -> None:
        part, start, stop = (np.asarray(a, dtype=np.int64).reshape(-1) for a in (part, start, stop))
        if not len(part) == len(start) == len(stop) == len(ids):
            raise ValueError(f"part/start/stop/ids differ in length: {len(part)}, {len(start)}, {len(stop)}, {len(ids)}")
        if not parts and len(ids):
            raise ValueError("clips given but no parts to read them from")
        if len(part) and (part.min() < 0 or part.max() >= len(parts)):
            raise ValueError(f"part index out of range 0..{len(parts) - 1}")
        if np.any(stop < start) or np.any(start < 0):
            raise ValueError("each clip needs 0 <= start <= stop")
        for k in np.unique(part):
            if stop[part == k].max(initial=0) > len(parts[k]):
                raise ValueError(f"clip frames run past the end of part {k} ({len(parts[k])} frames)")
        shape = tuple(feature_shape) if feature_shape is not None else tuple(parts[0].shape[1:]) if parts else ()
        set_ = object.__setattr__  # Ragged is a frozen dataclass
        set_(self, "ids", tuple(str(u) for u in ids))
        set_(self, "_parts", tuple(parts))
        set_(self, "_part", part)
        set_(self, "_start", start)
        set_(self, "_stop", stop)
        set_(self, "_feature_shape", shape)
        set_(self, "_dtype", np.dtype(dtype) if dtype is not None else parts[0].dtype if parts else np.dtype(np.float32))

    # the dataclass's generated methods would read ``values`` (a full copy): plain object ones instead
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return (f"ShardedRagged({len(self)} clips over {len(self._parts)} parts, feature_shape="
                f"{self.feature_shape}, dtype={self.dtype})")

    def __getitem__(self, i: int) -> np.ndarray:
        return self._parts[self._part[i]][self._start[i] : self._stop[i]]

    @property
    def parts(self) -> tuple[np.ndarray, ...]:
        return self._parts

    @property
    def lengths(self) -> np.ndarray:
        return self._stop - self._start

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)

    @property
    def feature_shape(self) -> tuple[int, ...]:
        return self._feature_shape

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    def _is_one_whole_part(self) -> bool:
        if len(self._parts) != 1 or not len(self):
            return False
        return bool(np.all(self._part == 0) and self._start[0] == 0 and np.array_equal(self._start[1:], self._stop[:-1])
                    and self._stop[-1] == len(self._parts[0]))

    @property
    def values(self) -> np.ndarray:
        """All frames back to back. The part itself (e.g. the memmap) when the view is one
        whole part in order; otherwise a copy of every frame -- avoid on large corpora."""
        if self._is_one_whole_part():
            return self._parts[0]
        if not len(self):
            return np.zeros((0, *self.feature_shape), self.dtype)
        return np.concatenate([self[i] for i in range(len(self))], axis=0)

    def select(self, indices: Sequence[int]) -> "ShardedRagged":
        """The clips at ``indices`` in that order, still reading from the same parts (no copy)."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        return ShardedRagged(self._parts, self._part[idx], self._start[idx], self._stop[idx],
                             [self.ids[i] for i in idx], self.feature_shape, self.dtype)

    def padded(self, indices: Sequence[int] | None = None, max_len: int | None = None,
               dtype=np.float32, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`Ragged.padded` (a copy), then :meth:`release` of the parts it read."""
        out = super().padded(indices, max_len, dtype, out)
        self.release(indices)
        return out

    def release(self, indices: Sequence[int] | None = None) -> None:
        """Unmap this process's pages of the parts holding ``indices`` (default: every part).

        The frames stay in the kernel's page cache and are read from it again on the next
        access (the mappings are read-only, so views stay valid); they stop counting in RSS.
        A no-op for parts that are not memory-mapped or where ``madvise`` is missing.
        """
        ks = range(len(self._parts)) if indices is None else np.unique(
            self._part[np.asarray(indices, dtype=np.int64).reshape(-1)])
        for k in ks:
            _unmap_pages(self._parts[int(k)])

    def to_ragged(self) -> Ragged:
        """An in-memory :class:`Ragged` copy (reads every frame)."""
        values = np.array(self.values) if len(self) else np.zeros((0, *self.feature_shape), self.dtype)
        return Ragged(values=values, offsets=self.offsets, ids=self.ids)


def _unmap_pages(arr: np.ndarray) -> None:
    """``madvise(MADV_DONTNEED)`` over the whole mapping behind a ``np.memmap`` (if any)."""
    mm = getattr(arr, "_mmap", None)
    if mm is None or not hasattr(mmap, "MADV_DONTNEED"):
        return
    try:
        mm.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError):  # closed or unsupported: nothing is lost, RSS just stays higher
        pass


def merge_ragged(*raggeds: Ragged, prefixes: Sequence[str] | None = None) -> ShardedRagged:
    """One view over the clips of several Raggeds (e.g. two corpora's feature stores), in
    order, without copying a frame: a :class:`ShardedRagged` over every input's parts (a
    plain Ragged counts as one part, its ``values``).

    The inputs must hold frames of the same feature shape and dtype (features extracted
    with the same profile); otherwise ValueError says which differ. An utt_id in two
    inputs is refused (ValueError naming it) unless ``prefixes`` (one string per input,
    e.g. the corpus names) makes the ids distinct: clip ``u`` of input ``i`` is then
    ``prefixes[i] + u``.
    """
    if not raggeds:
        raise ValueError("merge_ragged needs at least one Ragged")
    if prefixes is not None and len(prefixes) != len(raggeds):
        raise ValueError(f"{len(prefixes)} prefixes for {len(raggeds)} Raggeds")
    shape, dtype = raggeds[0].feature_shape, np.dtype(raggeds[0].dtype)
    for i, r in enumerate(raggeds[1:], start=1):
        if r.feature_shape != shape or np.dtype(r.dtype) != dtype:
            raise ValueError(f"cannot merge frames of shape {shape} ({dtype}) with frames of shape "
                             f"{r.feature_shape} ({np.dtype(r.dtype)}) (input {i}): the features were "
                             "extracted with other settings; extract every corpus with the same profile")
    parts: list[np.ndarray] = []
    part, start, stop, ids = [], [], [], []
    for i, r in enumerate(raggeds):
        if isinstance(r, ShardedRagged):
            own_parts, p, a, b = list(r.parts), r._part, r._start, r._stop
        else:
            offsets = np.asarray(r.offsets, dtype=np.int64)
            own_parts, p, a, b = [r.values], np.zeros(len(r), np.int64), offsets[:-1], offsets[1:]
        part.append(np.asarray(p, np.int64) + len(parts))
        start.append(np.asarray(a, np.int64))
        stop.append(np.asarray(b, np.int64))
        parts += own_parts
        ids += [f"{prefixes[i]}{u}" if prefixes is not None else str(u) for u in r.ids]
    counts = Counter(ids)
    clash = sorted(u for u, n in counts.items() if n > 1)
    if clash:
        raise ValueError(f"{len(clash)} utt_id(s) occur more than once in the inputs (e.g. {clash[:3]}); "
                         "pass prefixes= (e.g. the corpus names) to tell them apart")
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)  # noqa: E731
    return ShardedRagged(parts, cat(part), cat(start), cat(stop), ids, shape, dtype)
