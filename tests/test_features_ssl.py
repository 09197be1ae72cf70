"""SSL baseline features: resumable extraction into the store, failures reported, then trainable."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch

from camulenet.features.ssl import extract_ssl_features
from camulenet.features.store import FeatureStore
from camulenet.training.runner import train_systems

transformers = pytest.importorskip("transformers")


def tiny_wavlm():
    torch.manual_seed(0)
    cfg = transformers.WavLMConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=24,
                                   conv_dim=(16, 16), conv_stride=(5, 4), conv_kernel=(10, 8))
    return transformers.WavLMModel(cfg)


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(8):
        path = tmp_path / f"c{i}.wav"
        sf.write(path, (0.1 * rng.standard_normal(4000 + 400 * i)).astype(np.float32), 16000)
        rows.append({"utt_id": f"c{i}", "path": str(path), "speaker": f"s{i % 4}",
                     "gender": ("female", "male")[i % 2], "emotion": ("neutral", "angry")[i // 4]})
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(8000, np.float32), 16000)
    rows.append({"utt_id": "quiet", "path": str(silent), "speaker": "s0", "gender": "female", "emotion": "neutral"})
    return pd.DataFrame(rows)


def test_extract_resume_and_report(corpus, tmp_path):
    store_root = tmp_path / "store"
    model = tiny_wavlm()
    first = extract_ssl_features(corpus.iloc[:5], store_root, model, "wavlm", shard_size=2, progress=False)
    assert first["done"] == 5 and first["failed"] == 0
    again = extract_ssl_features(corpus, store_root, model, "wavlm", shard_size=2, progress=False)
    assert again["done"] == 3 and again["skipped"] == 5 and again["failed"] == 1  # only the rest is embedded
    store = FeatureStore(store_root)
    fails = store.failures()
    assert fails.utt_id.tolist() == ["quiet"] and "silent" in fails.reason.iloc[0]
    rag = store.load("wavlm", ids=[f"c{i}" for i in range(8)])
    expected = [int(model._get_feat_extract_output_lengths(torch.tensor(4000 + 400 * i))) for i in range(8)]
    assert rag.feature_shape == (16,) and list(rag.lengths) == expected


def test_wavlm_baseline_trains_from_the_store(corpus, tmp_path):
    store_root = tmp_path / "store"
    extract_ssl_features(corpus, store_root, tiny_wavlm(), "wavlm", progress=False)
    manifest = corpus[corpus.utt_id != "quiet"]
    feats = {"wavlm": FeatureStore(store_root).load("wavlm", ids=list(manifest.utt_id))}
    folds = [(["c0", "c1", "c4", "c5"], ["c2", "c6"], ["c3", "c7"])]
    from camulenet.training import TrainConfig

    res = train_systems(feats, manifest, folds, systems=("WavLM",), out_dir=tmp_path / "runs", progress=False,
                   train_config=TrainConfig.compact(epochs=1, batch_size=4, progress=False))
    wa = res[(res.system == "WavLM") & (res.metric == "wa")]
    assert len(wa) == 1 and 0.0 <= wa.value.iloc[0] <= 1.0
