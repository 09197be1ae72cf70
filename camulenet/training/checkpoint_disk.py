"""What a grid's checkpoints hold on disk, from the models' own state dicts, before it runs.

A fold keeps ``best.pt`` (the kept weights in ``TrainConfig.best_dtype``) and, while it
trains, a ``last.pt`` (model + AdamW's two moments) when a resume point is due, with the
kept epoch's weights beside it when they are an earlier epoch's. The sizes come from the
systems' models built on PyTorch's ``meta`` device (shapes, no memory), sized from the
settings alone, so ``grid --plan`` can say whether a grid fits the disk before anything is
extracted or trained (``scripts/bench_checkpoints.py`` prints the same per fold).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from camulenet.config import BookSettings
from camulenet.features.spectral import get_preset, mfcc_frames
from camulenet.features.whisper_weights import WHISPER_DIMS, whisper_dim
from camulenet.storage.ragged import Ragged
from camulenet.training.data import SERData
from camulenet.training.runner import BASELINES, build_model
from camulenet.training.trainer import TrainConfig

#: Width of the SSL baselines' frames (the base-size checkpoints the book names).
SSL_DIMS = {"wav2vec2": 768, "hubert": 768, "wavlm": 768}


def sizes(model: nn.Module, best_dtype: str = "float32") -> dict[str, int]:
    """Bytes of the model's state dict, of AdamW's state (two float32 moments per trained
    parameter) and of ``best.pt``'s weights in ``best_dtype`` (floating tensors in 2 bytes
    under ``bfloat16``)."""
    state = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    half = sum(t.numel() * (2 if t.is_floating_point() else t.element_size()) for t in model.state_dict().values())
    params = sum(p.numel() * 4 for p in model.parameters() if p.requires_grad)
    return {"model": state, "adamw": 2 * params, "best": half if best_dtype == "bfloat16" else state}


def per_fold(s: Mapping[str, int], epochs: int, every: int | None) -> dict[str, int]:
    """Bytes one fold writes (``keep_last`` off) and the most it holds at once, when the last
    epoch is the kept one (the paper's ``monitor="last"``); ``every`` is
    ``TrainConfig.checkpoint_epochs``, ``None`` the code before issue #21 (``last.pt`` with a
    second model copy after every epoch but the last, and a float32 ``best.pt``)."""
    model, adamw = s["model"], s["adamw"]
    if every is None:
        last, writes, best = 2 * model + adamw, epochs - 1, model
    else:
        last, writes, best = model + adamw, (epochs - 1) // every, s["best"]
    return {"written": writes * last + best, "held_max": (last if writes else 0) + best, "last_pt": last,
            "last_pt_writes": writes, "best_pt": best}


def meta_models(cfg: BookSettings, systems: Sequence[str], n_emotions: int,
                baseline_features: Mapping[str, str] | None = None) -> dict[str, nn.Module]:
    """The systems' models under ``cfg`` (model size, baselines layout, Whisper width, preset)
    on the ``meta`` device; a system whose feature width the settings cannot tell is left out."""
    preset = get_preset(cfg.feature_preset)
    widths = {"whisper": whisper_dim(cfg.whisper_model), "mfcc": preset.n_mfcc, "mel": preset.n_mels,
              **SSL_DIMS,
              "whisper_medium": WHISPER_DIMS["medium"]}
    frames = {"whisper": 1500, "mfcc": mfcc_frames(cfg.feature_preset) or 50, "mel": 16}  # lengths: no parameter depends on them
    feats = {key: Ragged.from_list([np.zeros((frames.get(key, 50), dim), np.float16)] * 2, ["a", "b"])
             for key, dim in widths.items() if dim}
    emotions = [f"e{i}" for i in range(n_emotions)]
    manifest = pd.DataFrame({"utt_id": ["a", "b"], "speaker": ["s", "t"], "gender": ["female", "male"],
                             "emotion": emotions[:1] * 2})
    data = SERData(feats, manifest, emotions=emotions)
    reads = {**BASELINES, **(baseline_features or {})}
    out = {}
    with torch.device("meta"):
        for system in systems:
            if system in reads and reads[system] not in feats:
                continue  # e.g. Whisper frames of a checkpoint path: width unknown before extraction
            out[system] = build_model(system, data, cfg.model, baselines=cfg.baselines,
                                      baseline_features=baseline_features)
    return out


def grid_checkpoints(cfg: BookSettings, train_config: TrainConfig, systems: Sequence[str], folds: int,
                     n_emotions: int, workers: int = 1,
                     baseline_features: Mapping[str, str] | None = None) -> dict[str, float]:
    """Bytes of a grid's checkpoints: ``best.pt`` kept for every system x fold, and the most
    that ``workers`` folds training at once hold in resume points beyond their ``best.pt``.
    ``unsized``: systems left out (their feature width is unknown before extraction)."""
    models = meta_models(cfg, systems, n_emotions, baseline_features)
    sized = {s: sizes(m, train_config.best_dtype) for s, m in models.items()}
    folds_of = {s: per_fold(z, train_config.epochs, train_config.checkpoint_epochs) for s, z in sized.items()}
    kept = folds * sum(f["best_pt"] for f in folds_of.values())
    # beyond its best.pt, a training fold holds last.pt and, unless the last epoch is the kept
    # one, the kept epoch's weights in a best-e<epoch>.pt of their own (float32)
    earlier_best = {s: z["model"] if train_config.monitor != "last" else 0 for s, z in sized.items()}
    resume = max((f["held_max"] - f["best_pt"] + (earlier_best[s] if f["last_pt_writes"] else 0)
                  for s, f in folds_of.items()), default=0)
    return {"best_pt_bytes": kept, "resume_bytes": min(workers, len(systems) * folds) * resume,
            "per_fold": folds_of, "unsized": [s for s in systems if s not in models]}
