"""Walk-through helpers for the model chapter: per-branch parameter counts, a shape trace
of one forward pass, and the padding-invariance check of the masked co-attention."""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from camulenet.model.camulenet import CAMuLeNet, count_parameters


def dummy_batch(model: CAMuLeNet, batch_size: int = 2, seconds: float = 2.5, n_mels: int = 64,
                seed: int = 0) -> dict[str, torch.Tensor]:
    """Random inputs in the shapes the feature store delivers; clip i is shorter than clip 0.

    Fixed-length configs (the released sizes) get 1500 Whisper frames and their MFCC length.
    """
    c = model.config
    g = torch.Generator().manual_seed(seed)
    full_frames = c.mfcc_pooling == "flatten"
    tw = c.max_frames if full_frames else int(50 * seconds)
    tc = c.mfcc_frames if full_frames else int(100 * seconds)
    tm = int(100 * seconds)
    shrink = torch.linspace(1.0, 0.6, batch_size)
    return {
        "whisper": torch.randn(batch_size, tw, c.whisper_dim, generator=g),
        "whisper_lengths": (shrink * tw).long().clamp(min=1) if not full_frames else torch.full((batch_size,), tw),
        "mfcc": torch.randn(batch_size, tc, c.n_mfcc, generator=g),
        "mfcc_lengths": (shrink * tc).long().clamp(min=1) if not full_frames else torch.full((batch_size,), tc),
        "mel": torch.randn(batch_size, tm, n_mels, generator=g),
    }


def branch_parameter_table(model: nn.Module) -> pd.DataFrame:
    """Parameters of each top-level part of the model and their share of the total."""
    rows = {name: count_parameters(child) for name, child in model.named_children()}
    total = count_parameters(model)
    t = pd.DataFrame({"parameters": rows})
    t["share"] = (t.parameters / total).map("{:.1%}".format)
    t.loc["total"] = [total, "100.0%"]
    return t


def trace_shapes(model: CAMuLeNet, batch_size: int = 2, **batch_kw) -> pd.DataFrame:
    """Input and output shapes of each top-level part during one forward pass (eval mode)."""
    batch = dummy_batch(model, batch_size, **batch_kw)
    rows = [{"step": f"input: {k}", "shape": tuple(v.shape)} for k, v in batch.items()]
    hooks = []

    def record(name):
        def hook(_module, _inp, out):
            out = out[0] if isinstance(out, tuple) else out
            rows.append({"step": name, "shape": tuple(out.shape)})
        return hook

    for name, child in model.named_children():
        if isinstance(child, nn.Dropout):
            continue
        hooks.append(child.register_forward_hook(record(name)))
    model.eval()
    try:
        with torch.no_grad():
            out = model(batch)
    finally:
        for h in hooks:
            h.remove()
    rows += [{"step": f"output: {k}", "shape": tuple(v.shape)} for k, v in out.items() if v is not None]
    return pd.DataFrame(rows).set_index("step")


def padding_invariance_gap(model: CAMuLeNet, seed: int = 0) -> float:
    """Largest change of any output when the padded Whisper frames are replaced by noise.

    With correct masking the co-attention ignores padding, so this is 0 up to float error.
    """
    batch = dummy_batch(model, 2, seed=seed)
    noisy = {k: v.clone() for k, v in batch.items()}
    n = int(batch["whisper_lengths"][1])
    noisy["whisper"][1, n:] = 100 * torch.randn_like(noisy["whisper"][1, n:])
    model.eval()
    with torch.no_grad():
        a, b = model(batch), model(noisy)
    return max(float((a[k] - b[k]).abs().max()) for k in a if a[k] is not None)


def parameters_of(config) -> int:
    """Parameters of a CAMuLeNet built from ``config``, counted on the meta device: the released
    sizes without allocating their memory."""
    with torch.device("meta"):
        return count_parameters(CAMuLeNet(config))
