"""Co-attention: the spectrogram and MFCC branches decide where to look in the Whisper frames.

This module is the one place the mechanism lives. Given the concatenated spectrogram and
MFCC embeddings ``q`` (B, 2E) and Whisper encoder frames ``H`` (B, T, d):

    a = FC(q)                          # (B, max_frames); max_frames = 1500 = Whisper's 30 s
    w = normalise(a[:, :T], mask)      # one weight per Whisper frame
    c = sum_t w_t H_t                  # (B, d)  -- the (1 x 1500) @ (1500 x d) product
    out = ReLU(FC(dropout(c)))         # (B, out_dim)

Variable-length (trimmed) Whisper features: the ``max_frames``-way vector is sliced to the
batch's T and frames beyond each clip's length are masked out, so padded frames never
contribute whatever their values. With full 30 s features (T = 1500 for every clip) the
mask is all-true and this is exactly the released computation.

Normalisation (``normalisation``):
- ``"relu"`` (released code, ``paper`` config): w = ReLU(a), no softmax, no sum-to-one.
  The output's scale then grows with the number of frames attended to. Masked frames get
  weight 0.
- ``"softmax"``: w = softmax over the clip's valid frames (masked frames get -inf), a
  convex combination whose scale does not depend on clip length.
"""

from __future__ import annotations

import torch
from torch import nn


def frame_mask(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """(B, t) bool: True for the first ``lengths[b]`` frames of row b."""
    return torch.arange(t, device=lengths.device)[None, :] < lengths[:, None]


class CoAttention(nn.Module):
    def __init__(self, query_dim: int = 2048, frame_dim: int = 512, max_frames: int = 1500,
                 out_dim: int = 1024, dropout: float = 0.1, normalisation: str = "relu") -> None:
        super().__init__()
        if normalisation not in ("relu", "softmax"):
            raise ValueError(f"normalisation must be 'relu' or 'softmax', got {normalisation!r}")
        self.max_frames, self.normalisation = max_frames, normalisation
        self.query_dropout = nn.Dropout(dropout)
        self.score = nn.Linear(query_dim, max_frames)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(frame_dim, out_dim)

    def weights(self, query: torch.Tensor, lengths: torch.Tensor, t: int) -> torch.Tensor:
        """(B, t) attention weights; exactly 0 on padded frames."""
        if t > self.max_frames:
            raise ValueError(f"{t} Whisper frames but co-attention was built for at most {self.max_frames}")
        scores = self.score(self.query_dropout(query))[:, :t]
        mask = frame_mask(lengths, t)
        if self.normalisation == "relu":
            return torch.relu(scores) * mask.to(scores.dtype)
        return torch.softmax(scores.float().masked_fill(~mask, float("-inf")), dim=1).to(scores.dtype)

    def forward(self, query: torch.Tensor, frames: torch.Tensor,
                lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (ReLU(FC(context)) of shape (B, out_dim), weights (B, T))."""
        b, t, _ = frames.shape
        if lengths is None:
            lengths = torch.full((b,), t, dtype=torch.long, device=frames.device)
        # Padded frames get weight exactly 0, so any finite padding value has no effect
        # (the data pipeline pads with zeros; non-finite pads would give NaN).
        w = self.weights(query, lengths, t)
        context = torch.bmm(w.unsqueeze(1).to(frames.dtype), frames).squeeze(1)
        return torch.relu(self.fc(self.dropout(context))), w


def masked_mean(frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over each clip's valid frames (the Whisper branch of the no-co-attention ablation)."""
    mask = frame_mask(lengths, frames.shape[1]).to(frames.dtype)  # 0/1 weights: pads (finite) ignored
    total = torch.bmm(mask.unsqueeze(1), frames).squeeze(1)
    return total / lengths.clamp(min=1)[:, None].to(total.dtype)
