"""Attention pooling over Whisper frames alone: the "Whisper attention pooling" system.

A question beyond the paper: how much of CAMuLeNet's gain over the Whisper baseline needs
the spectrogram and MFCC branches to *steer* the attention? Here the Whisper frames decide
on their own where to look:

    s_t = w2 . tanh(W1 LN(h_t) + b1) + b2         # a learned scorer, one score per frame
    a   = softmax over the clip's own valid frames  # padded frames get -inf, so weight 0
    c   = sum_t a_t LN(h_t)                         # (B, d)
    e   = ReLU(FC(dropout(c)))                      # the embedding (hidden_dim)
    logits = FC(e)                                  # emotion only, no gender head

``LN`` is a LayerNorm over each frame's ``d`` dimensions (Whisper-base frames have a few
dimensions hundreds of times larger than the rest; a per-frame normalisation keeps the
scorer's tanh out of saturation and, acting on one frame at a time, cannot see the
padding). The softmax is over the clip's own frames, so the output does not depend on how
far a batch pads the clip (``padding_invariant_keys``), and the weights sum to one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from camulenet.model.valid_frames import gather_valid, scatter_valid, valid_index


@dataclass(frozen=True)
class AttentionPoolingConfig:
    n_emotions: int = 6
    whisper_dim: int = 512
    score_dim: int = 128  # the scorer's hidden width
    hidden_dim: int = 128  # the embedding (penultimate) width, as CAMuLeNet's 128-d embedding
    dropout: float = 0.1
    frame_norm: bool = True  # LayerNorm on each frame before scoring and pooling

    @classmethod
    def compact(cls, **overrides) -> "AttentionPoolingConfig":
        """The one size used (the system has no released counterpart): scorer 128, embedding 128."""
        return replace(cls(), **overrides)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "AttentionPoolingConfig":
        return cls(**d)

    @property
    def embedding_dim(self) -> int:
        return self.hidden_dim


class WhisperAttentionPooling(nn.Module):
    """``forward(batch)`` reads ``whisper`` (B, T, d) + ``whisper_lengths``; returns
    ``emotion_logits``, ``gender_logits`` (None), ``embedding`` (B, hidden_dim) and
    ``attention`` (B, T) weights that sum to 1 over each clip's valid frames and are 0 on padding."""

    feature_keys = ("whisper",)
    #: 2: the norm and scorer run on valid frames only (1: on the padded batch); it enters
    #: the folds' keys (``camulenet.training.runner.fold_fingerprint``)
    code_version = 2

    def __init__(self, config: AttentionPoolingConfig) -> None:
        super().__init__()
        self.config = c = config
        self.norm = nn.LayerNorm(c.whisper_dim) if c.frame_norm else nn.Identity()
        self.scorer = nn.Sequential(nn.Linear(c.whisper_dim, c.score_dim), nn.Tanh(), nn.Linear(c.score_dim, 1))
        self.dropout = nn.Dropout(c.dropout)
        self.fc = nn.Linear(c.whisper_dim, c.hidden_dim)
        self.emotion_head = nn.Linear(c.hidden_dim, c.n_emotions)

    def padding_invariant_keys(self) -> tuple[str, ...]:
        return ("whisper",)

    def weights(self, valid: torch.Tensor, index: torch.Tensor, b: int, t: int) -> torch.Tensor:
        """(B, T) softmax weights from the normalised valid frames (``valid``, in the order of
        ``index``): over each clip's own frames, exactly 0 on padded frames."""
        scores = scatter_valid(self.scorer(valid).squeeze(-1).float(), index, b, t, fill=float("-inf"))
        return torch.softmax(scores, dim=1)

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        x = batch["whisper"]
        b, t, _ = x.shape
        lengths = batch.get("whisper_lengths")
        if lengths is None:
            lengths = torch.full((b,), t, dtype=torch.long, device=x.device)
        if int(lengths.min()) < 1:
            raise ValueError("every clip needs at least one Whisper frame for attention pooling")
        # the norm and the scorer see the valid frames only (code_version 2): the same values
        # as on the padded batch, without the products over padding that the softmax discards
        index = valid_index(lengths, t)
        valid = self.norm(gather_valid(x, index))
        w = self.weights(valid, index, b, t)
        frames = scatter_valid(valid, index, b, t)
        context = torch.bmm(w.unsqueeze(1).to(frames.dtype), frames).squeeze(1)
        emb = torch.relu(self.fc(self.dropout(context)))
        return {"emotion_logits": self.emotion_head(emb), "gender_logits": None, "embedding": emb, "attention": w}
