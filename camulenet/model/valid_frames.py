"""The valid frames of a padded batch as rows, and back: per-frame layers skip the padding.

A per-frame layer (a kernel-1 conv, a LayerNorm, a scorer) applied to a padded batch spends
most of its products on padding whose result is then discarded: the corpus's clips are of
very different lengths. These two index operations gather the valid frames into a
(frames, d) matrix and scatter them back into a zero-padded (B, T, d) batch. Both are
plain index copies (each position written once), so their results and gradients have no
float sums whose order could change from run to run, on a CPU or a GPU.
"""

from __future__ import annotations

import torch

from camulenet.model.coattention import frame_mask


def valid_index(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """Flat positions (row * t + frame) of the valid frames of a (B, t) batch, row by row."""
    return frame_mask(lengths, t).reshape(-1).nonzero().squeeze(1)


def gather_valid(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """(B, T, d) -> (valid frames, d), in the order of ``index`` (:func:`valid_index`)."""
    b, t, d = x.shape
    return x.reshape(b * t, d).index_select(0, index)


def scatter_valid(rows: torch.Tensor, index: torch.Tensor, b: int, t: int, fill: float = 0.0) -> torch.Tensor:
    """(valid frames, *rest) -> (B, T, *rest), ``fill`` on the padding: the inverse of :func:`gather_valid`."""
    out = torch.full((b * t, *rows.shape[1:]), fill, dtype=rows.dtype, device=rows.device)
    return out.index_copy(0, index, rows).reshape(b, t, *rows.shape[1:])
