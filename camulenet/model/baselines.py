"""Baselines: frozen pre-trained frame embeddings fed to a small CNN classifier.

The paper's baselines (Wav2Vec2.0, HuBERT, WavLM, Whisper-Base/Medium) use each model's
embeddings with "a small CNN classifier"; its exact layout is not given, so ours is two
1-D convs over time (a per-frame 1x1 projection to 64 channels, then kernel 3 -- cheap
enough for CPU on 512-d frames), masked mean pooling over valid frames, then a 128-d embedding and an
emotion head (emotion only, no gender head).

``ssl_frame_embeddings`` turns waveforms into a ``Ragged`` of frame embeddings with any
Hugging Face speech encoder (``Wav2Vec2Model``, ``HubertModel``, ``WavLMModel``...).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..ragged import Ragged
from .coattention import frame_mask


class EmbeddingCNN(nn.Module):
    """(B, T, d) frame embeddings -> conv1d(k=1) -> conv1d(k=3) -> masked mean -> FC 128 -> emotion logits."""

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

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor | None]:
        x = batch[self.feature]
        b, t, _ = x.shape
        lengths = batch.get(f"{self.feature}_lengths")
        if lengths is None:
            lengths = torch.full((b,), t, dtype=torch.long, device=x.device)
        mask = frame_mask(lengths, t)
        # zero padding before each conv so pads never leak into valid frames' receptive field
        h = x.masked_fill(~mask[..., None], 0.0).transpose(1, 2)
        h = self.convs[1](self.convs[0](h)) * mask[:, None, :].to(h.dtype)
        h = self.convs[3](self.convs[2](h)) * mask[:, None, :].to(h.dtype)
        pooled = h.sum(2) / lengths.clamp(min=1)[:, None].to(h.dtype)
        emb = torch.relu(self.fc(self.dropout(pooled)))
        return {"emotion_logits": self.emotion_head(emb), "gender_logits": None,
                "embedding": emb, "attention": None}


@torch.no_grad()
def ssl_frame_embeddings(model: nn.Module, waveforms: Sequence[np.ndarray], ids: Sequence[str] | None = None,
                         layer: int = -1, normalize: bool = True, device: str | torch.device = "cpu",
                         progress: bool = False) -> Ragged:
    """Frame embeddings (frames x hidden) of each waveform from a Hugging Face speech model.

    ``model``: e.g. ``transformers.WavLMModel.from_pretrained(...)`` (16 kHz input).
    ``layer=-1`` takes ``last_hidden_state``; another index takes that entry of
    ``hidden_states`` (0 = after the CNN feature encoder/projection). ``normalize`` applies
    per-utterance zero-mean/unit-variance, as the models' feature extractors do. Clips are
    run one at a time, so no attention mask/padding is needed and the output is
    independent of batching.
    """
    from tqdm.auto import tqdm

    ids = [str(i) for i in range(len(waveforms))] if ids is None else list(ids)
    model = model.to(device).eval()
    out = []
    for wav in tqdm(waveforms, desc="ssl embeddings", disable=not progress):
        x = torch.as_tensor(np.asarray(wav, dtype=np.float32), device=device)
        if x.ndim != 1:
            raise ValueError(f"waveforms must be 1-D mono arrays, got shape {tuple(x.shape)}")
        if normalize:
            x = (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + 1e-7)
        res = model(x[None], output_hidden_states=layer != -1)
        h = res.last_hidden_state if layer == -1 else res.hidden_states[layer]
        out.append(h[0].float().cpu().numpy())
    return Ragged.from_list(out, ids)
