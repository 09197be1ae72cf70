"""Variable-length sequences stored as one flat array plus offsets.

Clips have different lengths; padding everything to 30 s (as the released code does)
wastes ~15x the memory on short acted-emotion clips. A ``Ragged`` keeps the frames of
all clips back to back (``values[offsets[i]:offsets[i+1]]`` is clip ``i``) and pads only
the mini-batch that is about to be used.
"""

from __future__ import annotations

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

    def select(self, indices: Sequence[int]) -> "Ragged":
        """A new Ragged with the clips at ``indices`` (copied, in that order)."""
        return Ragged.from_list([np.asarray(self[i]) for i in indices], [self.ids[i] for i in indices])

    def padded(self, indices: Sequence[int] | None = None, max_len: int | None = None,
               dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
        """Zero-padded batch (len(indices), T, *feature_shape) and the true lengths.

        ``max_len`` pads (or truncates) to a fixed T; by default T is the longest clip
        in the batch.
        """
        idx = range(len(self)) if indices is None else indices
        lengths = np.array([self.offsets[i + 1] - self.offsets[i] for i in idx], dtype=np.int64)
        t = int(lengths.max(initial=0)) if max_len is None else int(max_len)
        out = np.zeros((len(lengths), t, *self.feature_shape), dtype=dtype)
        for row, i in enumerate(idx):
            seq = self[i][:t]
            out[row, : len(seq)] = seq
        return out, np.minimum(lengths, t)
