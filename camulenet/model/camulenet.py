"""CAMuLeNet: spectrogram + MFCC branches steer co-attention over Whisper frames; multitask heads.

``CAMuLeNetConfig.paper()`` has the released sizes; ``CAMuLeNetConfig.compact()`` is a
CPU-sized model with the same wiring. Variants are flags, not copies:

- ``multitask=False``: no gender head (emotion loss only) -- "CAMuLeNet w/o multitask".
- ``coattention=False``: the Whisper frames are mean-pooled over each clip's valid frames
  instead of attended to (our reading of the ablation: the same three inputs reach the
  classifier, only the attention mechanism is removed) -- with ``multitask=False`` this is
  "CAMuLeNet w/o co-attention & multitask"; with ``multitask=True`` it is the
  "CAMuLeNet (concatenation)" fusion ablation beyond the paper (spectrogram, MFCC and
  projected mean Whisper vectors concatenated into the same head).
- ``normalisation="softmax"``: co-attention weights softmax-normalised over each clip's
  valid frames instead of the released ReLU scores -- "CAMuLeNet (softmax co-attention)".
  (Those two systems are ``camulenet.training.runner.BEYOND_SYSTEMS``; no extra config field.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from camulenet.model.coattention import CoAttention, masked_mean
from camulenet.model.mfcc_branch import MFCCBranch
from camulenet.model.spectrogram_branch import ALEXNET_WIDTHS, SpectrogramBranch


@dataclass(frozen=True)
class CAMuLeNetConfig:
    n_emotions: int = 6
    n_genders: int = 2
    whisper_dim: int = 512  # 512 Whisper-base, 1024 Whisper-medium (released sizes use medium)
    max_frames: int = 1500  # Whisper encoder frames for a 30 s window
    branch_dim: int = 1024  # each branch's output (MFCC, spectrogram, co-attention)
    # spectrogram branch
    conv_widths: tuple[int, ...] = ALEXNET_WIDTHS
    spec_pool: tuple[int, int] = (6, 6)
    pretrained_spectrogram: bool = False  # ImageNet weights need torchvision (not importable here)
    spec_time_pool: int = 1  # average this many mel frames before the conv stack (compact: 4)
    # MFCC branch
    n_mfcc: int = 40
    gru_hidden: int = 256
    gru_layers: int = 2
    gru_dropout: float = 0.3
    mfcc_pooling: str = "flatten"
    mfcc_frames: int | None = 501  # flatten: fixed T, 5 s at hop 160 (spectral preset "paper"); never from the data
    mfcc_downsample: int = 1
    # only for mfcc_pooling="mean": the GRU skips each clip's padding (output independent of it);
    # False runs it over the padding as the released code does (backward direction starts in it)
    mfcc_packed: bool = True
    # head
    hidden_dims: tuple[int, ...] = (128, 128)
    dropout: float = 0.1
    # mechanism and variants
    normalisation: str = "relu"  # co-attention weights; "relu" = released, "softmax" = masked softmax
    coattention: bool = True
    multitask: bool = True

    @classmethod
    def paper(cls, **overrides) -> "CAMuLeNetConfig":
        """The released sizes (SPEC.md); ``whisper_dim=1024`` for Whisper-medium.

        The MFCC layer flattens 501 frames x 512 whatever the corpus: the ``paper`` spectral
        preset pads or crops every clip's audio to 5 s, so do not size ``mfcc_frames`` from data.
        """
        return replace(cls(), **overrides)

    @classmethod
    def compact(cls, **overrides) -> "CAMuLeNetConfig":
        """CPU-sized, same wiring: AlexNet-shaped stack with widths (16, 32, 48, 48, 32) on the mel
        spectrogram averaged to 25 frames/s, a 1-layer BiGRU (hidden 64) on MFCCs averaged over
        8 frames (12.5 frames/s) with mean pooling instead of flatten, branch width 128.

        The GRU reads each clip's own frames only (``mfcc_packed=True``, a packed sequence), so
        the MFCC branch ignores padding and the trainer pads MFCCs to the batch's longest clip,
        not the corpus's: 1.45x the samples per second of running over the corpus-wide padding
        on the portable numeric paths (``mfcc_packed=False``: the backward direction then starts
        in the padding, as in the released code; an appendix deviation)."""
        base = cls(branch_dim=128, conv_widths=(16, 32, 48, 48, 32), spec_pool=(2, 1), spec_time_pool=4,
                   gru_hidden=64, gru_layers=1, gru_dropout=0.0, mfcc_pooling="mean",
                   mfcc_frames=None, mfcc_downsample=8, mfcc_packed=True, hidden_dims=(128, 128), dropout=0.1)
        return replace(base, **overrides)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CAMuLeNetConfig":
        d = dict(d)
        for key in ("conv_widths", "spec_pool", "hidden_dims"):
            if key in d:
                d[key] = tuple(d[key])
        return cls(**d)

    @property
    def embedding_dim(self) -> int:
        return self.hidden_dims[-1]


class CAMuLeNet(nn.Module):
    """``forward(batch)`` with batch keys ``mel`` (B, Tm, n_mels), ``mfcc`` (B, Tc, 40) +
    ``mfcc_lengths``, ``whisper`` (B, Tw, d) + ``whisper_lengths``. Returns a dict with
    ``emotion_logits``, ``gender_logits`` (None without multitask), ``embedding`` (the
    penultimate 128-d vector, for t-SNE) and ``attention`` (B, Tw co-attention weights;
    None without co-attention)."""

    #: feature keys this model reads from the data pipeline
    feature_keys = ("mel", "mfcc", "whisper")
    #: 2: the spectrogram branch's conv weights are channels-last (1: NCHW); the same
    #: function, other float sums on a CPU. It enters the folds' keys
    #: (``camulenet.training.runner.fold_fingerprint``), so folds of version 1 are not reused.
    code_version = 2

    def __init__(self, config: CAMuLeNetConfig) -> None:
        super().__init__()
        self.config = c = config
        e = c.branch_dim
        self.spectrogram = SpectrogramBranch(c.conv_widths, c.spec_pool, e, c.dropout, c.pretrained_spectrogram,
                                             c.spec_time_pool)
        self.mfcc = MFCCBranch(c.n_mfcc, c.gru_hidden, c.gru_layers, c.gru_dropout, c.mfcc_pooling,
                               c.mfcc_frames, e, c.dropout, c.mfcc_downsample, c.mfcc_packed)
        if c.coattention:
            self.coattention = CoAttention(2 * e, c.whisper_dim, c.max_frames, e, c.dropout, c.normalisation)
        else:
            self.whisper_dropout = nn.Dropout(c.dropout)
            self.whisper_fc = nn.Linear(c.whisper_dim, e)
        layers: list[nn.Module] = [nn.Dropout(c.dropout)]  # dropout on the 3E concat, then FC-ReLU stack
        width = 3 * e
        for h in c.hidden_dims:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        self.trunk = nn.Sequential(*layers)
        self.emotion_head = nn.Linear(width, c.n_emotions)
        self.gender_head = nn.Linear(width, c.n_genders) if c.multitask else None

    def required_lengths(self) -> dict[str, int]:
        """Fixed frame counts this model needs per feature (flatten MFCC pooling)."""
        c = self.config
        return {"mfcc": c.mfcc_frames} if c.mfcc_pooling == "flatten" else {}

    def padding_invariant_keys(self) -> tuple[str, ...]:
        """Feature keys whose padding never changes the output, so batches may pad them to
        their own longest clip: the masked Whisper frames, and the MFCCs with a packed GRU.
        The mel spectrogram is not among them (the conv stack and its average pool see the
        padding), so it stays padded to the corpus's longest clip."""
        return ("whisper", "mfcc") if self.mfcc.padding_invariant else ("whisper",)

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        spec = self.spectrogram(batch["mel"])
        mfcc = self.mfcc(batch["mfcc"], batch.get("mfcc_lengths"))
        frames = batch["whisper"]
        lengths = batch.get("whisper_lengths")
        if lengths is None:
            lengths = torch.full((frames.shape[0],), frames.shape[1], dtype=torch.long, device=frames.device)
        if self.config.coattention:
            whisper, attention = self.coattention(torch.cat([spec, mfcc], dim=1), frames, lengths)
        else:
            whisper = torch.relu(self.whisper_fc(self.whisper_dropout(masked_mean(frames, lengths))))
            attention = None
        emb = self.trunk(torch.cat([mfcc, spec, whisper], dim=1))
        return {
            "emotion_logits": self.emotion_head(emb),
            "gender_logits": self.gender_head(emb) if self.gender_head is not None else None,
            "embedding": emb,
            "attention": attention,
        }


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
