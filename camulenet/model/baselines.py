"""Baselines: frozen pre-trained frame embeddings fed to a small CNN classifier.

The paper's baselines (Wav2Vec2.0, HuBERT, WavLM, Whisper-Base/Medium) feed each model's
embeddings to "a small CNN classifier". Two layouts, chosen by :func:`baseline_model`:

- ``"compact"`` (:class:`EmbeddingCNN`, the CPU book default): two 1-D convs over time (a
  per-frame 1x1 projection to 64 channels, then kernel 3), masked mean pooling over valid
  frames, a 128-d embedding and an emotion head (emotion only, no gender head).
- ``"released"``: the layouts of the authors' ``baseline_models/`` files --
  :class:`ReleasedWhisperCNN` (``Whisper.py``: a 2-D CNN over the 1500 x d encoder frame
  matrix) and :class:`ReleasedSSLCNN` (``Wav2Vec2.py``, ``HuBERT.py``, ``WavLM.py``: a 1-D
  conv over the time-averaged embedding vector). Their first FC width is computed from the
  input size; it equals the released numbers for the released inputs.

``camulenet.features.ssl.ssl_frame_embeddings`` turns waveforms into a ``Ragged`` of frame embeddings with any
Hugging Face speech encoder (``Wav2Vec2Model``, ``HubertModel``, ``WavLMModel``...).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from camulenet.model.coattention import frame_mask
from camulenet.model.valid_frames import gather_valid, scatter_valid, valid_index


class EmbeddingCNN(nn.Module):
    """(B, T, d) frame embeddings -> conv1d(k=1) -> conv1d(k=3) -> masked mean -> FC 128 -> emotion logits.

    The kernel-1 conv is a per-frame projection: it runs as one matrix product over the
    batch's valid frames only (``code_version`` 2). Its output is the same function as a
    conv over the padded batch with the padding zeroed, at a fraction of the cost: the
    d x 64 product over every padded frame was most of a step (2.7x on a CPU with
    one thread, ``scripts/bench_embedding_cnn.py``), and its result on padding was discarded.
    """

    #: 2: the kernel-1 projection runs on valid frames only (1: on the padded batch); it
    #: enters the folds' keys (``camulenet.training.runner.fold_fingerprint``)
    code_version = 2

    def __init__(self, in_dim: int, n_emotions: int, channels: int = 64, kernel: int = 3,
                 embedding_dim: int = 128, dropout: float = 0.1, feature: str = "whisper") -> None:
        super().__init__()
        self.feature = feature
        self.feature_keys = (feature,)
        self.convs = nn.Sequential(
            nn.Conv1d(in_dim, channels, 1), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel, padding=kernel // 2), nn.ReLU(),
        )
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels, embedding_dim)
        self.emotion_head = nn.Linear(embedding_dim, n_emotions)

    def padding_invariant_keys(self) -> tuple[str, ...]:
        return (self.feature,)

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        x = batch[self.feature]
        b, t, _ = x.shape
        lengths = batch.get(f"{self.feature}_lengths")
        if lengths is None:
            lengths = torch.full((b,), t, dtype=torch.long, device=x.device)
        mask = frame_mask(lengths, t)
        index = valid_index(lengths, t)
        project = self.convs[0]
        valid = torch.relu(F.linear(gather_valid(x, index), project.weight.squeeze(-1), project.bias))
        # back to (B, C, T) with zeros on padding, so pads never leak into the kernel-3 conv
        h = scatter_valid(valid, index, b, t).transpose(1, 2)
        h = self.convs[3](self.convs[2](h)) * mask[:, None, :].to(h.dtype)
        pooled = h.sum(2) / lengths.clamp(min=1)[:, None].to(h.dtype)
        emb = torch.relu(self.fc(self.dropout(pooled)))
        return {"emotion_logits": self.emotion_head(emb), "gender_logits": None,
                "embedding": emb, "attention": None}


#: Released Whisper baseline convs as (out_channels, kernel); all stride 2, padding 1.
WHISPER_CONVS = ((16, 3), (32, 3), (64, 5), (128, 5))
#: Feature keys read by the released SSL baseline layout.
SSL_KEYS = ("wav2vec2", "hubert", "wavlm")
LAYOUTS = ("compact", "released")


def _whisper_cnn_out(n: int) -> int:
    """Size of one input side after the four conv (stride 2, pad 1) + max-pool 2 stages."""
    for _, k in WHISPER_CONVS:
        n = ((n + 2 - k) // 2 + 1) // 2
    return n


def _whisper_cnn_min_side() -> int:
    return next(n for n in range(1, 10_000) if _whisper_cnn_out(n) >= 1)


def _valid_mask(batch: dict, key: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    b, t = x.shape[:2]
    lengths = batch.get(f"{key}_lengths")
    if lengths is None:
        lengths = torch.full((b,), t, dtype=torch.long, device=x.device)
    return frame_mask(lengths, t), lengths


class ReleasedWhisperCNN(nn.Module):
    """Released Whisper baseline (``baseline_models/Whisper.py``, ``EmotionClassifierCNN``).

    (B, 1500, d) encoder frames as a one-channel image -> 4 x [conv (stride 2, padding 1) ->
    ReLU -> batch norm -> max-pool 2 -> dropout 0.25] with widths 16, 32, 64, 128 and kernels
    3, 3, 5, 5 -> flatten -> FC 128 -> 32 -> 16 (each ReLU, dropout 0.25) -> emotions.
    Kaiming-normal (fan_out, ReLU) conv and FC weights, zero biases, as released.

    The flattened width is 128 x H' x W' of the input: 1920 for Whisper-medium (1500 x 1024,
    the released ``fc1``), 640 for base (1500 x 512, the released commented alternative).
    Frames past a clip's length are zeroed, so the output does not depend on what the
    padding holds; with full-mode features all 1500 frames are valid, as released.
    ``embedding`` is the 16-d activation before the emotion layer.
    """

    def __init__(self, in_dim: int, n_emotions: int, feature: str = "whisper", n_frames: int = 1500,
                 dropout: float = 0.25) -> None:
        super().__init__()
        h, w = _whisper_cnn_out(n_frames), _whisper_cnn_out(in_dim)
        if h < 1 or w < 1:
            m = _whisper_cnn_min_side()
            raise ValueError(f"the released Whisper CNN needs at least {m} frames and {m} dims, got "
                             f"{n_frames} x {in_dim}; use layout='compact' for smaller inputs")
        self.feature, self.feature_keys = feature, (feature,)
        self.in_dim, self.n_frames = in_dim, n_frames
        convs, norms, c_in = [], [], 1
        for c, k in WHISPER_CONVS:
            convs.append(nn.Conv2d(c_in, c, k, stride=2, padding=1))
            norms.append(nn.BatchNorm2d(c))
            c_in = c
        self.convs, self.norms = nn.ModuleList(convs), nn.ModuleList(norms)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout = nn.Dropout(dropout)
        self.flat_dim = c_in * h * w
        self.fcs = nn.ModuleList([nn.Linear(self.flat_dim, 128), nn.Linear(128, 32), nn.Linear(32, 16)])
        self.emotion_head = nn.Linear(16, n_emotions)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def required_lengths(self) -> dict[str, int]:
        """The frame matrix has a fixed height (the data pipeline pads/crops to it)."""
        return {self.feature: self.n_frames}

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        x = batch[self.feature]
        if tuple(x.shape[1:]) != (self.n_frames, self.in_dim):
            raise ValueError(f"{type(self).__name__} expects {self.n_frames} x {self.in_dim} frames, got "
                             f"{tuple(x.shape[1:])}; build batches with lengths=model.required_lengths()")
        mask, _ = _valid_mask(batch, self.feature, x)
        h = x.float().masked_fill(~mask[..., None], 0.0).unsqueeze(1)
        for conv, norm in zip(self.convs, self.norms):
            h = self.dropout(self.pool(norm(torch.relu(conv(h)))))
        h = torch.flatten(h, 1)
        for fc in self.fcs:
            emb = torch.relu(fc(h))
            h = self.dropout(emb)
        return {"emotion_logits": self.emotion_head(h), "gender_logits": None,
                "embedding": emb, "attention": None}


class ReleasedSSLCNN(nn.Module):
    """Released SSL baseline (``baseline_models/{Wav2Vec2,HuBERT,WavLM}.py``, ``EmotionCNN``).

    The clip's frames averaged over time (valid frames only) -> (B, 1, d) -> conv1d 1 -> 32
    (kernel 3, padding 1) -> batch norm -> ReLU -> max-pool 2 -> dropout 0.3 -> flatten ->
    FC 32 * (d // 2) -> 512, ReLU -> emotions; PyTorch's default init, as released. The FC
    input is 12288 for d = 768 (wav2vec2-base, WavLM-base) and 16384 for d = 1024
    (HuBERT-large), the released numbers. ``embedding`` is the 512-d activation.
    """

    def __init__(self, in_dim: int, n_emotions: int, feature: str = "wavlm", channels: int = 32,
                 hidden: int = 512, dropout: float = 0.3) -> None:
        super().__init__()
        if in_dim < 2:
            raise ValueError(f"the released SSL CNN needs at least 2 embedding dims, got {in_dim}")
        self.feature, self.feature_keys, self.in_dim = feature, (feature,), in_dim
        self.conv = nn.Conv1d(1, channels, 3, padding=1)
        self.norm = nn.BatchNorm1d(channels)
        self.pool = nn.MaxPool1d(2, 2)
        self.dropout = nn.Dropout(dropout)
        self.flat_dim = channels * (in_dim // 2)
        self.fc = nn.Linear(self.flat_dim, hidden)
        self.emotion_head = nn.Linear(hidden, n_emotions)

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        x = batch[self.feature].float()
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"{type(self).__name__} was built for {self.in_dim}-d embeddings, got {x.shape[-1]}")
        mask, lengths = _valid_mask(batch, self.feature, x)
        pooled = (x * mask[..., None]).sum(1) / lengths.clamp(min=1)[:, None].to(x.dtype)
        h = self.dropout(self.pool(torch.relu(self.norm(self.conv(pooled.unsqueeze(1))))))
        emb = torch.relu(self.fc(torch.flatten(h, 1)))
        return {"emotion_logits": self.emotion_head(emb), "gender_logits": None,
                "embedding": emb, "attention": None}


def baseline_model(system_feature_key: str, in_dim: int, n_emotions: int, layout: str = "compact") -> nn.Module:
    """The embedding baseline classifier reading ``system_feature_key`` frames (B, T, in_dim).

    ``layout="compact"``: :class:`EmbeddingCNN` (the CPU book default). ``layout="released"``:
    the authors' layout for that feature -- ``whisper*`` keys get :class:`ReleasedWhisperCNN`
    (it needs the frame matrix, not a time-pooled ``whisper_mean``/``_max``/``_min``),
    ``wav2vec2``/``hubert``/``wavlm`` keys get :class:`ReleasedSSLCNN`.
    """
    key = system_feature_key
    if layout == "compact":
        return EmbeddingCNN(in_dim, n_emotions, feature=key)
    if layout != "released":
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if key.startswith("whisper"):
        if key.rsplit("_", 1)[-1] in ("mean", "max", "min"):
            raise ValueError(f"the released Whisper baseline reads the 1500 x d frame matrix, not the pooled "
                             f"{key!r}; use the 'whisper' (or 'whisper_medium') frames")
        return ReleasedWhisperCNN(in_dim, n_emotions, feature=key)
    if key.split("_", 1)[0] in SSL_KEYS:
        return ReleasedSSLCNN(in_dim, n_emotions, feature=key)
    raise ValueError(f"no released baseline layout for feature {key!r}; known: whisper*, {', '.join(SSL_KEYS)} "
                     "(or use layout='compact')")
