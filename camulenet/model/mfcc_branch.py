"""MFCC branch: L2 normalisation, 2-layer bidirectional GRU, flatten (paper) or pool (compact)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class MFCCBranch(nn.Module):
    """(B, T, n_mfcc) -> (B, out_dim).

    ``pooling="flatten"`` (released code): the GRU output (B, T, 2H) is flattened, so T must
    equal ``n_frames`` -- 501 in the released sizes, which the ``paper`` spectral preset gives
    every clip (audio padded or cropped to 5 s), so the FC never grows with the corpus.
    ``pooling="mean"`` (compact): the GRU runs on packed sequences and its outputs are
    averaged over each clip's valid frames only, so the output does not depend on how much
    padding follows a clip (:attr:`padding_invariant`): batches need only be padded to their
    own longest clip, and the GRU spends no time on padding.

    ``packed=False`` (mean pooling) runs the GRU over the zero padding too, like the released
    code: the backward direction starts in the padding, so the output depends on its length;
    the data pipeline pads to a fixed corpus-wide length so outputs stay independent
    of batch composition.

    ``downsample`` > 1 averages that many consecutive MFCC frames before the GRU (a CPU
    economy of the compact config; 1 = released behaviour).

    The released code L2-normalises over dim 1 of the (B, T, n_mfcc) batch, i.e. each
    coefficient's trajectory over time has unit norm; padding (zeroed first) does not change it.
    With ``downsample`` the packed path first zero-pads T to a multiple of ``downsample``, so a
    clip's last group is always averaged over ``downsample`` frames (its valid frames plus
    zeros), however far the batch is padded.
    """

    def __init__(self, n_mfcc: int = 40, hidden: int = 256, layers: int = 2, gru_dropout: float = 0.3,
                 pooling: str = "flatten", n_frames: int | None = 501, out_dim: int = 1024,
                 dropout: float = 0.1, downsample: int = 1, packed: bool = True) -> None:
        super().__init__()
        if pooling not in ("flatten", "mean"):
            raise ValueError(f"pooling must be 'flatten' or 'mean', got {pooling!r}")
        if pooling == "flatten" and not n_frames:
            raise ValueError("pooling='flatten' needs a fixed n_frames")
        self.pooling, self.n_frames, self.downsample, self.packed = pooling, n_frames, downsample, packed
        self.gru = nn.GRU(n_mfcc, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                          dropout=gru_dropout if layers > 1 else 0.0)
        in_fc = 2 * hidden * (n_frames // downsample if pooling == "flatten" else 1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_fc, out_dim)

    @property
    def padding_invariant(self) -> bool:
        """True when the output does not depend on how far a batch is padded (packed mean pooling)."""
        return self.pooling == "mean" and self.packed

    def forward(self, mfcc: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        b, t, _ = mfcc.shape
        if lengths is None:
            lengths = torch.full((b,), t, dtype=torch.long, device=mfcc.device)
        valid = torch.arange(t, device=mfcc.device)[None, :, None] < lengths[:, None, None]
        # zero the padding first so it cannot enter the per-coefficient norm
        x = nn.functional.normalize(mfcc.float().masked_fill(~valid, 0.0), p=2, dim=1)
        if self.downsample > 1:
            if self.padding_invariant and t % self.downsample:  # full last groups whatever the padding
                x = nn.functional.pad(x, (0, 0, 0, (-t) % self.downsample))
            x = nn.functional.avg_pool1d(x.transpose(1, 2), self.downsample, ceil_mode=True).transpose(1, 2)
            lengths = torch.div(lengths + self.downsample - 1, self.downsample, rounding_mode="floor")
        if self.pooling == "flatten":
            if x.shape[1] != self.n_frames // self.downsample:
                raise ValueError(f"MFCC branch expects {self.n_frames} frames (flatten), got {t}; extract MFCCs "
                                 "with the 'paper' spectral preset and batch with lengths=model.required_lengths()")
            out, _ = self.gru(x)
            pooled = torch.flatten(out, 1)
        else:
            lengths = lengths.clamp(min=1)
            if self.packed:  # the GRU never sees padding (exact, slower on CPU)
                packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
                out, _ = self.gru(packed)
                out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            else:  # the backward direction starts in the zero padding, as in the released code
                out, _ = self.gru(x)
            mask = (torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]).to(out.dtype)
            pooled = (out * mask[..., None]).sum(1) / lengths[:, None].to(out.dtype)
        return torch.relu(self.fc(self.dropout(pooled)))
