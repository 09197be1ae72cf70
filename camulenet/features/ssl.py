"""Frame embeddings of self-supervised speech models (the paper's Wav2Vec2.0, HuBERT and WavLM
baselines) into the feature store, resumable like :func:`camulenet.features.extract.extract_features`.

The model is passed in, loaded by the caller (e.g. ``transformers.WavLMModel.from_pretrained``
on a local folder), so nothing is downloaded here. The feature is stored under ``name``; the
runner's embedding baselines read it by that name (``camulenet.runner.BASELINES``: "wav2vec2",
"hubert", "wavlm").
"""

from __future__ import annotations

import pandas as pd
from torch import nn

from camulenet.features.extract import read_in_chunks
from camulenet.features.store import FeatureStore
from camulenet.model.baselines import ssl_frame_embeddings


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
