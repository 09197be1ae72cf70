"""Frame embeddings of self-supervised speech models (the paper's Wav2Vec2.0, HuBERT and WavLM
baselines) into the feature store, resumable like :func:`camulenet.features.extract.extract_features`.

The model is passed in, loaded by the caller (e.g. ``transformers.WavLMModel.from_pretrained``
on a local folder), so nothing is downloaded here. The feature is stored under ``name``; the
runner's embedding baselines read it by that name (``camulenet.training.runner.BASELINES``: "wav2vec2",
"hubert", "wavlm").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from camulenet.features.extract import read_in_chunks
from camulenet.features.store import FeatureStore
from camulenet.storage.ragged import Ragged


def extract_ssl_features(manifest: pd.DataFrame, store_root, model: nn.Module, name: str, layer: int = -1,
                         dtype: str = "float16", shard_size: int = 64, device="cpu", progress: bool = True) -> dict:
    """Embed every clip of ``manifest`` not yet in the store under ``name``; returns counts.

    Unreadable clips are skipped and added to the store's ``failures.csv`` (merged with the
    entries already there), so they are reported once, whichever extraction met them.
    """
    store = FeatureStore(store_root)
    done = store.done_ids(name)
    todo = [(u, p) for u, p in zip(manifest.utt_id.astype(str), manifest.path.astype(str)) if u not in done]
    failures: list[dict] = []
    n_done = 0
    for ok_ids, waves in read_in_chunks(todo, shard_size, failures, f"features {name}", progress):
        if ok_ids:
            rag = ssl_frame_embeddings(model, waves, ids=ok_ids, layer=layer, device=device)
            store.write_shard(name, ok_ids, [rag[i] for i in range(len(rag))], dtype=dtype)
            n_done += len(ok_ids)
    if failures:
        merged = pd.concat([store.failures(), pd.DataFrame(failures).astype(str)], ignore_index=True)
        store.write_failures(merged.drop_duplicates("utt_id", keep="last").to_dict("records"))
    return {"done": n_done, "skipped": len(done & set(manifest.utt_id.astype(str))), "failed": len(failures),
            "feature": store.info(name) if store.done_ids(name) else None}


__all__ = ["extract_ssl_features"]


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
